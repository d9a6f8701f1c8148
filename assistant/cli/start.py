"""``matcoach start``: a live, hands-free session."""

import argparse

from assistant.cli.options import (
    add_live_options,
    event_printer,
    live_setup,
    live_view,
    session_routine,
)
from assistant.cli.terminal import note
from assistant.data import catalog
from assistant.live.devices import DeviceError, find_device


def add_start_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "start", help="a live session: the coach speaks, and listens for your commands",
        description="Run a session hands-free: the coach talks you through it and listens the whole time "
                    "for done, arched, pause, resume, stop, repeat, easier, harder, slower, faster and pain. "
                    "Every rep is "
                    "saved as it happens. Ctrl-C ends it, keeping everything done.")
    add_live_options(p)
    p.set_defaults(run=run_start)


def run_start(args: argparse.Namespace) -> int:
    session_routine(args)  # bad routine, grammar or voice files fail before anything opens
    grammar = catalog.load_grammar(args.language)
    catalog.load_pack(args.voice)
    try:
        speaker_device = find_device(args.output_device, "output")
        mic_device = find_device(args.input_device, "input")
    except DeviceError as e:
        if args.output_device or args.input_device or "found on this machine" not in str(e):
            raise
        from assistant.cli.simulated import demo_instead

        return demo_instead(args, str(e).split(";")[0])
    from assistant.ears.engines import ears_maker
    from assistant.live.session import run_live_session

    setup = live_setup(args, speaker_device, mic_device)
    if setup.record_audio is not None:
        from assistant.live.tracks import check_folder

        check_folder(setup.record_audio)  # before a model loads or a device opens
    make, which = ears_maker(grammar.language, engine=args.engine, model=args.model)
    note(which)
    run_live_session(setup, lambda: make(grammar), event_printer(args), tell=note, view=live_view(args))
    return 0

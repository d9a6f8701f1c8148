"""``matcoach serve``: idle by the mat, listening only for a start phrase; run the session it names,
then go back to idle. Made for a Raspberry Pi in the corner of the room, run by systemd."""

import argparse

from assistant.cli.options import (
    add_serve_options,
    check_serve_options,
    event_printer,
    live_setup,
    live_view,
)
from assistant.cli.terminal import note
from assistant.core.commands import START
from assistant.data import catalog
from assistant.live.devices import find_device


def add_serve_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "serve", help="idle listening for \"start workout\", run the session, go back to idle (for a Pi)",
        description="Wait by the mat, listening only for a start phrase (\"start workout\"; \"start bent knee "
                    "leg lifts\" names the variation), run that session hands-free, then go back to waiting. "
                    "Ctrl-C or SIGTERM ends it; a session under way is saved first. `matcoach service "
                    "install` runs it at boot.")
    add_serve_options(p)
    p.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    from assistant.ears.engines import ears_maker
    from assistant.ears.gate import GatedEars
    from assistant.live.serve import serve

    check_serve_options(args)  # bad routine, grammar or voice files fail before anything opens
    grammar = catalog.load_grammar(args.language)
    if args.record_audio is not None:
        from assistant.live.tracks import check_folder

        check_folder(args.record_audio, fresh=False)  # each session gets a folder of its own inside
    speaker_device = find_device(args.output_device, "output")
    mic_device = find_device(args.input_device, "input")
    make, which = ears_maker(grammar.language, engine=args.engine, model=args.model)
    idle = GatedEars(make(grammar.only(START)))
    note(which)
    sessions = serve(grammar, idle, lambda: make(grammar),
                     lambda variation: live_setup(args, speaker_device, mic_device, variation, one_of_many=True),
                     event_printer(args), mic_device=mic_device, tell=note, view=live_view(args), once=args.once)
    note(f"stopped serving after {sessions} session{'s' if sessions != 1 else ''}")
    return 0

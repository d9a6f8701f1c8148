"""``matcoach start``: a live, hands-free session; ``matcoach devices``: the audio devices."""

import argparse
import json
import logging
import queue
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from assistant import catalog
from assistant.devices import DeviceError, find_device
from assistant.events import Event
from assistant.listen_cli import add_ears_options
from assistant.simulate import add_session_options, session_routine
from assistant.terminal import note
from assistant.timeline import json_line, timeline_line

log = logging.getLogger(__name__)
OUTPUT_RATE = 48000
DEMO_WAV = "matcoach-demo-session.wav"


def add_live_options(p: argparse.ArgumentParser) -> None:
    """What a live session takes: the session, the ears, the speaker and how to report (start, serve)."""
    add_session_options(p)
    add_ears_options(p)
    p.add_argument("--output-device", metavar="INDEX|NAME", help="the speaker (default: the system's)")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per line, as `simulate --json`, heard commands included; summary last")
    p.add_argument("--no-record", action="store_true", help="do not save sessions to your history")
    p.add_argument("--no-echo-cancel", action="store_true",
                   help="do not take the coach's voice out of the microphone signal (a device that cancels "
                        "echo itself, or to compare)")


def add_start_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "start", help="a live session: the coach speaks, and listens for your commands",
        description="Run a session hands-free: the coach talks you through it and listens the whole time "
                    "for done, arched, pause, resume, stop, repeat, easier, harder and pain. Every rep is "
                    "saved as it happens. Ctrl-C ends it, keeping everything done.")
    add_live_options(p)
    p.set_defaults(run=run_start)

    d = commands.add_parser("devices", help="list the microphones and speakers",
                            description="Audio inputs and outputs, by index and name; use either with "
                                        "--input-device and --output-device (a part of the name is enough).")
    d.add_argument("--json", action="store_true", help="print JSON")
    d.set_defaults(run=run_devices)


def run_devices(args: argparse.Namespace) -> int:
    from assistant.devices import list_devices

    rows = list_devices()
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    if not rows:
        note("no audio devices found: connect a microphone and a speaker (or start PulseAudio/PipeWire)")
        return 0
    from rich.table import Table

    from assistant.terminal import console

    table = Table(title="Audio devices", caption="* the system default")
    for column in ("index", "name", "inputs", "outputs", "rate"):
        table.add_column(column)
    for row in rows:
        mark = "*" if row["default_input"] or row["default_output"] else ""
        table.add_row(str(row["index"]), f"{row['name']} {mark}".strip(), str(row["inputs"]), str(row["outputs"]),
                      f"{row['rate']:g} Hz")
    console().print(table)
    return 0


def _canceller(speaker: Any, mic: Any) -> Callable[[Any], Any] | None:
    """Echo cancellation fed with what the speaker played; None (with a warning) without SpeexDSP."""
    from assistant.aec import EchoCanceller, EchoCancellerError, EchoPath, Reference

    try:
        canceller = EchoCanceller()
    except EchoCancellerError as e:
        log.warning("%s", e)
        return None
    reference = Reference(speaker.played_audio, speaker.frames, speaker.rate)
    path = EchoPath(reference)
    reopened = [mic.revival.reopened + speaker.revival.reopened]

    def cancel(block: Any) -> Any:
        if mic.revival.reopened + speaker.revival.reopened != reopened[0]:  # audio lost: align again
            reopened[0] = mic.revival.reopened + speaker.revival.reopened
            reference.realign()
            path.restart()
        played = reference.take(len(block))
        path.observe(block, played)
        return canceller.process(block, played)

    return cancel


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """A service manager's SIGTERM ends the session like Ctrl-C: summary saved, clean exit."""

    def interrupt(*_: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _demo_instead(args: argparse.Namespace, why: str) -> int:
    from assistant.simulate import run_simulate

    path = Path(DEMO_WAV).resolve()
    note(f"{why}; running a simulated session instead, its audio written to {path}")
    args.__dict__.update(out_wav=path, play=False, say=[], record=False, speed=None, sample_rate=None)
    return run_simulate(args)


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
        return _demo_instead(args, str(e).split(";")[0])
    from assistant.engines import open_ears

    ears, which = open_ears(grammar, engine=args.engine, model=args.model)
    note(which)
    live_session(args, ears, speaker_device, mic_device)
    return 0


def live_session(args: argparse.Namespace, ears: Any, speaker_device: int | None, mic_device: int | None) -> bool:
    """Run one live session to its end; True when Ctrl-C or SIGTERM ended it."""
    routine, variations = session_routine(args)
    pack = catalog.load_pack(args.voice)
    from assistant.audio_out import Speaker
    from assistant.live import (
        EchoGate,
        Listener,
        LiveCommands,
        device_reporter,
        gate_sink,
    )
    from assistant.mic import Microphone
    from assistant.record import SessionRecord, opening_advice
    from assistant.runner import run
    from assistant.session import Session
    from assistant.speaking import make_clips, spoken_voice, warm

    advice = opening_advice(routine, variations, today=date.today())
    clips = make_clips(pack, OUTPUT_RATE)
    warm(clips, pack, routine, variations, advice)
    record = None if args.no_record else SessionRecord(routine, simulated=False)
    show: Callable[[Event], str] = json_line if args.json else timeline_line
    view: Any = None  # the live screen, on a terminal

    def emit(event: Event) -> None:
        if record is not None:
            record(event)  # on record before it is shown
        if view is not None:
            view(event)
        else:
            print(show(event), flush=True)

    inbox: queue.Queue = queue.Queue()
    interrupted = False
    with ExitStack() as stack:
        speaker = stack.enter_context(Speaker(speaker_device, OUTPUT_RATE,
                                              on_change=device_reporter(inbox, "speaker")))
        mic = stack.enter_context(Microphone(mic_device, on_change=device_reporter(inbox, "microphone")))
        stack.enter_context(sigterm_as_interrupt())
        if sys.stdout.isatty() and not args.json:
            from assistant.live_view import LiveView

            view = stack.enter_context(LiveView(speaker.now))
        gate = EchoGate(speaker.level)
        listener = Listener(ears, mic.blocks, speaker, gate, inbox,
                            cancel=None if args.no_echo_cancel else _canceller(speaker, mic))
        session = Session(routine, variations, speaker, spoken_voice(pack, clips, speaker),
                          gate_sink(gate, emit), advice=advice)
        listener.start()
        note("listening; say a command at any time, Ctrl-C to end")
        try:
            run(session, LiveCommands(speaker, inbox))
            speaker.drain()
        except KeyboardInterrupt:
            interrupted = True
            if not session.finished:
                session.end_input("interrupted")
            note("ended with Ctrl-C; everything done is kept")
        finally:
            listener.stopping.set()
    listener.join(timeout=5)  # the closed microphone ends its loop
    if listener.echoes:
        log.info("ignored %d commands that were the coach's own words", listener.echoes)
    if record is not None and record.path is not None:
        note(f"saved to {record.path}")
    return interrupted

"""``matcoach simulate``: a whole session in virtual time, with scripted commands."""

import argparse
import re
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date
from pathlib import Path

from assistant import catalog
from assistant.clock import VirtualClock
from assistant.commands import Command
from assistant.errors import MatcoachError
from assistant.events import Event
from assistant.grammar import Grammar
from assistant.record import SessionRecord, opening_advice
from assistant.routine import Routine
from assistant.runner import Said, ScriptedCommands, run
from assistant.session import Session
from assistant.timeline import json_line, timeline_line
from assistant.voice import Planner, Voice

_TIME = re.compile(r"^(?:(\d+):)?(\d+(?:\.\d+)?)$")


def add_simulate_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "simulate", help="run a session in virtual time (no audio)",
        description="Run a whole session in virtual time and print what the coach says and what happens. "
                    "Commands are said at chosen session times with --say.")
    add_session_options(p)
    p.add_argument("--say", metavar="T:COMMAND", action="extend", nargs="+", default=[],
                   help="say COMMAND (or a phrase from the grammar) at session time T seconds "
                        "(or M:SS); e.g. --say 95:arched 130:pause 150:resume")
    p.add_argument("--json", action="store_true", help="one JSON object per line; the summary is last")
    p.add_argument("--record", action="store_true",
                   help="keep this session in the history (simulated sessions are not recorded by default)")
    p.add_argument("--speed", type=_speed, metavar="X",
                   help="unfold in real time, X times faster (e.g. 1 for real time, 10 to watch a demo); "
                        "default: as fast as possible")
    p.add_argument("--out-wav", type=Path, metavar="FILE.wav",
                   help="write the whole session's audio to a WAV file (no sound card needed)")
    p.add_argument("--play", action="store_true", help="speak the session through the speaker, in real time")
    p.add_argument("--output-device", metavar="INDEX|NAME", help="the speaker for --play (default: the system's)")
    p.add_argument("--sample-rate", type=_positive_int, metavar="HZ",
                   help="audio sample rate (default: 22050 for --out-wav, 48000 for --play)")
    p.set_defaults(run=run_simulate)


def add_session_options(p: argparse.ArgumentParser) -> None:
    """The options that shape a session, shared by every command that runs one."""
    p.add_argument("--routine", metavar="NAME|PATH", help="a routine name (see `matcoach routines`) "
                   "or a routine .toml file (default: leg-lift)")
    p.add_argument("--variation", metavar="NAME", help="the variation to start with (see `matcoach routines`)")
    p.add_argument("--sets", type=_positive_int, metavar="N", help="working sets")
    p.add_argument("--reps", type=_positive_int, metavar="N", help="attempts per set")
    p.add_argument("--rest", type=_seconds, metavar="SECONDS", help="rest between sets")
    p.add_argument("--descent", type=int, choices=range(2, 7), metavar="SECONDS",
                   help="seconds to lower the legs, counted down (3 by default; 4 for a slower descent)")
    p.add_argument("--voice", metavar="PACK", default="en",
                   help="the voice pack: what the coach says and in which voice (default: en)")


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above zero")
    return int(text)


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("the speed must be above zero, e.g. --speed 10")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value < 0:
        raise argparse.ArgumentTypeError("seconds cannot be negative")
    return value


def session_routine(args: argparse.Namespace) -> tuple[Routine, "catalog.Variations"]:
    variations = catalog.load_variations()
    routine = catalog.find_routine(args.routine, variations)
    if args.variation is not None:
        variations.get(args.variation)  # an unknown name stops here with the list of known ones
    routine = routine.with_overrides(variation=args.variation, sets=args.sets, reps=args.reps,
                                     rest_s=args.rest, lower=args.descent)
    return routine, variations


def parse_said(spec: str, grammar: Grammar) -> Said:
    """``T:COMMAND`` with T in seconds or M:SS; COMMAND a command name or a phrase of the grammar."""
    head, sep, words = spec.rpartition(":")
    match = _TIME.match(head.strip()) if sep else None
    if not match:
        raise MatcoachError(f"--say {spec!r}: expected T:COMMAND with T in seconds or M:SS, "
                            f"e.g. --say 42:arched")
    minutes, seconds = match.groups()
    name = grammar.command_for(words) or words.strip().lower()
    try:
        command = Command(name)
    except ValueError:
        raise MatcoachError(f"--say {spec!r}: {words!r} is not a command; use one of: "
                            f"{', '.join(Command.names())}") from None
    return Said(t=int(minutes or 0) * 60 + float(seconds), command=command)


def run_simulate(args: argparse.Namespace) -> int:
    if args.play and args.out_wav:
        raise MatcoachError("choose --play or --out-wav, not both")
    if args.play and args.speed not in (None, 1):
        raise MatcoachError("--play speaks in real time; leave out --speed")
    if args.out_wav and not args.out_wav.parent.is_dir():
        raise MatcoachError(f"--out-wav {args.out_wav}: the folder does not exist; create it or choose another path")
    routine, variations = session_routine(args)
    grammar = catalog.load_grammar("en")
    script = [parse_said(spec, grammar) for spec in args.say]
    pack = catalog.load_pack(args.voice)
    render: Callable[[Event], str] = json_line if args.json else timeline_line
    advice = opening_advice(routine, variations, today=date.today())
    # the record is written before the event is shown: whatever was printed is on record
    record = SessionRecord(routine, simulated=True) if args.record else None

    def emit(event: Event) -> None:
        if record is not None:
            record(event)
        print(render(event), file=sys.stdout, flush=args.speed is not None or args.play)

    clock = VirtualClock()
    with ExitStack() as stack:
        voice: Voice = Planner(pack)
        pace = _wall_pace(args.speed) if args.speed else None
        timeline = None
        if args.out_wav or args.play:
            # audio is loaded only for sessions that are heard
            from assistant.audio_out import Speaker, Timeline
            from assistant.devices import find_device
            from assistant.speaking import make_clips, spoken_voice, warm

            rate = args.sample_rate or (48000 if args.play else 22050)
            clips = make_clips(pack, rate)
            warm(clips, pack, routine, variations, advice)
            if args.play:
                speaker = stack.enter_context(Speaker(find_device(args.output_device, "output"), rate))
                voice, pace = spoken_voice(pack, clips, speaker), speaker.wait_until
            else:
                timeline = Timeline(rate)
                voice = spoken_voice(pack, clips, timeline)
        session = Session(routine, variations, clock, voice, emit, advice=advice)
        run(session, ScriptedCommands(clock, script, pace=pace))
        if args.play:
            speaker.drain()
    if timeline is not None:
        from assistant.audio_out import write_wav

        seconds = write_wav(timeline, args.out_wav, until_s=max(clock.now(), voice.busy_until))
        print(f"matcoach: wrote {args.out_wav} ({seconds:.1f} s of audio)", file=sys.stderr)
    return 0


def _wall_pace(speed: float) -> Callable[[float], None]:
    """Session time t comes at start + t / speed by the wall clock (absolute, so no drift builds up)."""
    origin = time.monotonic()

    def pace(t: float) -> None:
        time.sleep(max(0.0, origin + t / speed - time.monotonic()))

    return pace

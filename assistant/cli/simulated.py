"""A session in virtual time with scripted commands, printed, and heard as a WAV file or through the
speaker: what `matcoach simulate` runs, and `matcoach start` without audio devices."""

import argparse
import re
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date, datetime
from pathlib import Path

from assistant.cli.options import todays_session
from assistant.cli.terminal import note
from assistant.core.clock import VirtualClock
from assistant.core.commands import Command
from assistant.core.errors import MatcoachError
from assistant.core.events import Event, json_line, timeline_line
from assistant.core.grammar import Grammar
from assistant.core.limits import SAY_AT
from assistant.core.planner import Planner, Voice
from assistant.core.runner import Scripted, ScriptedCommands, run
from assistant.core.session import Session
from assistant.data import catalog
from assistant.history.record import SessionRecord

_TIME = re.compile(r"^(?:(\d+):)?(\d+(?:\.\d+)?)$")


def parse_said(spec: str, grammar: Grammar) -> Scripted:
    """``T:COMMAND`` with T in seconds or M:SS; COMMAND a command name or a phrase of the grammar."""
    head, sep, words = spec.rpartition(":")
    match = _TIME.match(head.strip()) if sep else None
    if not match:
        raise MatcoachError(f"--say {spec!r}: expected T:COMMAND with T in seconds or M:SS, "
                            f"e.g. --say 42:arched")
    minutes, seconds = match.groups()
    if minutes is not None and float(seconds) >= 60:
        raise MatcoachError(f"--say {spec!r}: in M:SS the seconds go up to 59; e.g. --say 1:30:{words.strip()}")
    at = int(minutes or 0) * 60 + float(seconds)
    if at not in SAY_AT:
        raise MatcoachError(f"--say {spec!r}: the time must be {SAY_AT.describe()} (no session lasts longer); "
                            f"e.g. --say 42:{words.strip()}")
    name = grammar.command_for(words) or words.strip().lower()
    try:
        command = Command(name)
    except ValueError:
        raise MatcoachError(f"--say {spec!r}: {words!r} is not a command; use one of: "
                            f"{', '.join(Command.names())}") from None
    return Scripted(t=at, command=command)


def run_simulated(args: argparse.Namespace) -> int:
    """Run the session ``simulate``'s options describe (also start's demo without audio devices)."""
    if args.play and args.out_wav:
        raise MatcoachError("choose --play or --out-wav, not both")
    if args.play and args.speed not in (None, 1):
        raise MatcoachError("--play speaks in real time; leave out --speed")
    if args.out_wav:
        from assistant.voice.mixer import check_wav_path

        check_wav_path(args.out_wav, "--out-wav")
    today, variations, talk = todays_session(args)
    routine, advice = today.routine, today.advice
    grammar = catalog.load_grammar(args.language)  # --say may use its phrases
    script = [parse_said(spec, grammar) for spec in args.say]
    pack = catalog.load_pack(args.voice)
    render: Callable[[Event], str] = json_line if args.json else timeline_line
    # the record is written before the event is shown: whatever was printed is on record
    record = SessionRecord(routine, simulated=True, now=_on(args.date), unrecorded="leave out --record") \
        if args.record else None

    def emit(event: Event) -> None:
        if not event.public:
            return
        if record is not None:
            record(event)
        print(render(event), file=sys.stdout, flush=args.speed is not None or args.play)

    clock = VirtualClock()
    with ExitStack() as stack:
        voice: Voice = Planner(pack)
        pace = _wall_pace(args.speed) if args.speed else None
        mixdown = None
        if args.out_wav or args.play:
            # audio is loaded only for sessions that are heard
            from assistant.live.devices import find_device
            from assistant.live.speaker import Speaker
            from assistant.voice.mixer import Mixdown
            from assistant.voice.speaking import make_clips, spoken_voice, warm

            rate = args.sample_rate or (48000 if args.play else 22050)
            clips = make_clips(pack, rate)
            warm(clips, pack, routine, variations, advice)
            if args.play:
                speaker = stack.enter_context(Speaker(find_device(args.output_device, "output"), rate))
                voice, pace = spoken_voice(pack, clips, speaker), speaker.wait_until
            else:
                mixdown = Mixdown(rate)
                voice = spoken_voice(pack, clips, mixdown)
        session = Session(routine, variations, clock, voice, emit, advice=advice, talk=talk)
        commands = ScriptedCommands(clock, script, pace=pace)
        run(session, commands)
        for late in commands.script:  # the session ended first: say so rather than drop them silently
            note(f"--say {late.t:g}:{late.command.value}: the session had ended at {clock.now():.1f} s, so it was "
                 f"never said")
        if args.play:
            speaker.drain()
    if mixdown is not None:
        from assistant.voice.mixer import write_wav

        seconds = write_wav(mixdown, args.out_wav, until_s=max(clock.now(), voice.busy_until))
        print(f"matcoach: wrote {args.out_wav} ({seconds:.1f} s of audio)", file=sys.stderr)
    return 0


def _on(day: date | None) -> Callable[[], datetime]:
    """The moment a session starts: now, or now's time of day on ``day``."""
    if day is None:
        return lambda: datetime.now().astimezone()
    return lambda: datetime.combine(day, datetime.now().time()).astimezone()


def _wall_pace(speed: float) -> Callable[[float], None]:
    """Session time t comes at start + t / speed by the wall clock (absolute, so no drift builds up)."""
    origin = time.monotonic()

    def pace(t: float) -> None:
        time.sleep(max(0.0, origin + t / speed - time.monotonic()))

    return pace


DEMO_WAV = "matcoach-demo-session.wav"


def demo_instead(args: argparse.Namespace, why: str) -> int:
    """No audio devices: run ``start``'s session simulated, its audio written to a WAV file."""
    path = Path(DEMO_WAV).resolve()
    note(f"{why}; running a simulated session instead, its audio written to {path}")
    args.__dict__.update(out_wav=path, play=False, say=[], record=False, speed=None, sample_rate=None, date=None)
    return run_simulated(args)

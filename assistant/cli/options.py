"""Option groups shared by several commands, and turning parsed options into what a session needs."""

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from assistant.core.errors import GrammarError, RoutineError
from assistant.core.events import Event, json_line, timeline_line
from assistant.core.fading import resolve_talk
from assistant.core.ladder import Prescription, resolve_progress
from assistant.core.limits import ROUTINE, TEMPO, Range
from assistant.core.plan import check_length
from assistant.core.routine import PROGRESS, TALK, Routine, Variations
from assistant.data import catalog
from assistant.ears.engines import ENGINES
from assistant.live.session import LiveSetup

GLOBAL_VALUES = ("--voice", "--language")


class MatcoachParser(argparse.ArgumentParser):
    """Every parser in the command tree takes the global options (-v, -q, --voice, --language), so they
    work before or after a command. A command may define one again for its own help text; it stays global
    (never a default of its own, which would hide the value typed before the command)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("conflict_handler", "resolve")
        super().__init__(*args, **kwargs)
        group = self.add_argument_group("global options (before or after the command)")
        # each level counts its own -v and -q: argparse would let an inner level overwrite an outer count
        group.add_argument("-v", "--verbose", action="count", dest=f"verbose@{self.prog}", default=argparse.SUPPRESS,
                           help="more log output (-vv for debug)")
        group.add_argument("-q", "--quiet", action="count", dest=f"quiet@{self.prog}", default=argparse.SUPPRESS,
                           help="errors only")
        group.add_argument("--voice", metavar="PACK", default=argparse.SUPPRESS,
                           help="the voice pack: what the coach says and in which voice (default: en)")
        group.add_argument("--language", "--lang", metavar="LANG", default=argparse.SUPPRESS,
                           help="the language of the spoken commands: a grammar (en, ko; default: en)")

    def add_argument(self, *names: Any, **kwargs: Any) -> argparse.Action:
        if set(names) & set(GLOBAL_VALUES):
            kwargs["default"] = argparse.SUPPRESS
        return super().add_argument(*names, **kwargs)

    def error(self, message: str) -> NoReturn:
        """Usage mistakes in one line, like every other error."""
        self.exit(2, f"{self.prog}: error: {message}; see `{self.prog} --help`\n")


def within(limit: Range) -> Callable[[str], Any]:
    """An option type for a number inside ``limit`` (assistant.core.limits); the error shows the range."""
    def parse(text: str) -> Any:
        try:
            value = int(text) if limit.whole else float(text)
        except ValueError:
            value = None
        if value is None or value not in limit:
            raise argparse.ArgumentTypeError(f"must be {limit.describe()}, got {text!r} (e.g. {limit.sample()})")
        return value

    return parse


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def add_session_options(p: argparse.ArgumentParser) -> None:
    """The options that shape a session, shared by every command that runs one."""
    p.add_argument("--routine", metavar="NAME|PATH", help="a routine name (see `matcoach routines`) "
                   "or a routine .toml file (default: leg-lift)")
    p.add_argument("--variation", metavar="NAME", help="the variation to start with (see `matcoach routines`)")
    p.add_argument("--sets", type=within(ROUTINE["sets"]), metavar="N", help="working sets")
    p.add_argument("--reps", type=within(ROUTINE["reps"]), metavar="N", help="attempts per set")
    p.add_argument("--rest", type=within(ROUTINE["rest_s"]), metavar="SECONDS",
                   help="rest between sets")
    p.add_argument("--descent", type=within(TEMPO["lower"]), metavar="SECONDS",
                   help="seconds to lower the legs, counted down (3 by default; 4 for a slower descent)")
    p.add_argument("--talk", choices=TALK,
                   help="how much the coach says: full (every cue, every rep), normal (fades to mostly counts; "
                        "the default) or brief (counts, safety, what you must know)")
    p.add_argument("--progress", choices=PROGRESS,
                   help="the ladder's next step: ask (say harder to take it; the default), auto (taken at once) "
                        "or off (the routine as written)")


def session_routine(args: argparse.Namespace, variation: str | None = None) -> tuple[Routine, Variations]:
    """The routine the options ask for, as written (no history); ``variation`` (a start phrase named it)
    overrides --variation."""
    variations = catalog.load_variations()
    routine = catalog.find_routine(args.routine, variations)
    variation = variation or args.variation
    if variation is not None:
        variations.get(variation)  # an unknown name stops here with the list of known ones
    routine = routine.with_overrides(variation=variation, sets=args.sets, reps=args.reps,
                                     rest_s=args.rest, lower=args.descent)
    _check_length(routine)
    return routine, variations


def _check_length(routine: Routine) -> None:
    try:
        check_length(routine)
    except RoutineError as e:
        raise RoutineError(f"{e}; choose fewer --sets or --reps, or a shorter --rest") from None


def todays_session(args: argparse.Namespace, variation: str | None = None) -> tuple[Prescription, Variations, str]:
    """Today's session: the routine placed on the ladder by the history, then the options given on the
    command line on top (they always win); and how much the coach talks."""
    from assistant.history.record import todays_session as from_history

    variations = catalog.load_variations()
    routine = catalog.find_routine(args.routine, variations)
    variation = variation or args.variation
    if variation is not None:
        variations.get(variation)
    day = getattr(args, "date", None) or date.today()
    today = from_history(routine, variations, today=day, progress=resolve_progress(args.progress, routine))
    shaped = today.routine.with_overrides(variation=variation, sets=args.sets, reps=args.reps, rest_s=args.rest,
                                          lower=args.descent)
    _check_length(shaped)
    advice = today.advice
    if variation is not None and variation != today.routine.variation:  # not the rung the ladder chose
        advice = replace(advice, weighted=False, proposal=None)
    return Prescription(routine=shaped, advice=advice), variations, resolve_talk(args.talk, routine)


def add_ears_options(p: argparse.ArgumentParser) -> None:
    """Options shared by everything that listens."""
    p.add_argument("--engine", choices=ENGINES,
                   help="auto (the default): the shipped command model, your enrollment and a grammar engine "
                        "(Vosk when a model for the language is installed, else PocketSphinx), as available; "
                        "fused: the same, insisting on a command model; embedding, personal, vosk, pocketsphinx: "
                        "one part alone")
    p.add_argument("--model", type=Path, metavar="PATH",
                   help="a Vosk model folder, a folder of models, or an installed model's name (also "
                        "$VOSK_MODEL_PATH; default: the installed one)")
    p.add_argument("--input-device", metavar="INDEX|NAME", help="the microphone (default: the system's)")


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
    p.add_argument("--record-audio", type=Path, metavar="DIR",
                   help="keep the session's audio in DIR: mic.wav (what the microphone heard) and ref.wav (what "
                        "the speaker played), to replay with `matcoach listen --file DIR/mic.wav --reference "
                        "DIR/ref.wav` or to send with a bug report; nothing is recorded without it")


def add_serve_options(p: argparse.ArgumentParser) -> None:
    """`matcoach serve`'s options (also checked by `matcoach service` before it writes the unit)."""
    add_live_options(p)
    p.add_argument("--once", action="store_true", help="run one session, then exit (instead of going back to idle)")


def check_serve_options(args: argparse.Namespace) -> None:
    """What `serve` needs that a file or a name could get wrong, checked before anything opens (and by
    `service install`, so a typo fails now rather than at every boot)."""
    from assistant.ears.model_choice import find_model

    grammar = catalog.load_grammar(args.language)
    known = catalog.load_variations().ids()
    for phrase, variation in grammar.start_variations.items():
        if variation not in known:
            raise GrammarError(f"{grammar.source}: [start-variations] {variation!r} (for {phrase!r}) is not a "
                               f"variation; use one of: {', '.join(known)}")
    session_routine(args)
    catalog.load_pack(args.voice)
    if args.engine == "vosk" and find_model(grammar.language, args.model) is None:
        raise GrammarError(f"--engine vosk: no Vosk model for {grammar.language!r} is installed; install one "
                           f"(`matcoach models list`) or use --engine auto")
    if args.model is not None:
        find_model(grammar.language, args.model)  # a wrong folder is named now


def live_setup(args: argparse.Namespace, speaker_device: int | None, mic_device: int | None,
               variation: str | None = None, *, one_of_many: bool = False) -> LiveSetup:
    """What a live session needs; ``one_of_many`` (serve) keeps each session's audio in its own folder."""
    today, variations, talk = todays_session(args, variation)
    record_audio = args.record_audio
    if record_audio is not None and one_of_many:
        from datetime import datetime

        from assistant.live.tracks import session_folder

        record_audio = session_folder(record_audio, datetime.now())
    return LiveSetup(routine=today.routine, variations=variations, pack=catalog.load_pack(args.voice),
                     speaker_device=speaker_device, mic_device=mic_device, record=not args.no_record,
                     echo_cancel=not args.no_echo_cancel, advice=today.advice, talk=talk,
                     record_audio=record_audio)


def event_printer(args: argparse.Namespace) -> Callable[[Event], None]:
    """Prints the events people see: JSON lines with --json, else the readable timeline."""
    render = json_line if args.json else timeline_line

    def show(event: Event) -> None:
        if event.public:
            print(render(event), flush=True)

    return show


def live_view(args: argparse.Namespace) -> Callable[[Callable[[], float]], Any] | None:
    """The live panel on a terminal (not with --json, not when piped)."""
    if args.json or not sys.stdout.isatty():
        return None
    from assistant.cli.live_view import LiveView

    return LiveView

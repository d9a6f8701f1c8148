"""``matcoach serve``: idle by the mat, listening only for a start phrase; run the session it names,
then go back to idle. Made for a Raspberry Pi in the corner of the room, run by systemd."""

import argparse
import copy
import logging
from collections import deque
from collections.abc import Iterable

import numpy as np

from assistant import catalog
from assistant.commands import START
from assistant.devices import find_device
from assistant.ears import RATE, Detection, Recognizer, Speech
from assistant.errors import GrammarError
from assistant.grammar import Grammar
from assistant.terminal import note

log = logging.getLogger(__name__)


class GatedEars:
    """A recognizer fed only around speech: a WebRTC voice-activity detector on 10 ms frames opens
    the gate (with the last ``PRE_ROLL_S`` of audio, so the first syllable is not lost) and closes
    it ``HANG_S`` after the speech ends. Silence costs the detector alone."""

    PRE_ROLL_S = 0.5
    HANG_S = 0.8

    def __init__(self, ears: Recognizer) -> None:
        self._ears = ears
        self._speech = Speech(quiet_s=0.3)
        self._recent: deque[np.ndarray] = deque()
        self._recent_s = 0.0
        self._open = False
        self._quiet_s = 0.0
        self.fed_s = 0.0  # audio the recognizer saw
        self.heard_s = 0.0  # audio in all

    def feed(self, block: np.ndarray) -> list[Detection]:
        seconds = len(block) / RATE
        self.heard_s += seconds
        self._speech.update(block)
        if not self._open:
            self._recent.append(block)
            self._recent_s += seconds
            while self._recent_s - len(self._recent[0]) / RATE >= self.PRE_ROLL_S:
                self._recent_s -= len(self._recent.popleft()) / RATE
            if not self._speech.speaking:
                return []
            self._open, self._quiet_s = True, 0.0
            found = [d for b in self._recent for d in self._ears.feed(b)]
            self.fed_s += self._recent_s
            self._recent.clear()
            self._recent_s = 0.0
            return found
        found = self._ears.feed(block)
        self.fed_s += seconds
        self._quiet_s = 0.0 if self._speech.speaking else self._quiet_s + seconds
        if self._quiet_s >= self.HANG_S:
            self._open = False
            found += self._ears.finish()
        return found

    def finish(self) -> list[Detection]:
        self._open = False
        return self._ears.finish()


def wait_for_start(ears: GatedEars, blocks: Iterable[np.ndarray]) -> Detection | None:
    """The first start phrase heard; None if the blocks end first."""
    for block in blocks:
        for found in ears.feed(block):
            if found.command == START:
                return found
    return None


def add_serve_parser(commands: argparse._SubParsersAction) -> None:
    from assistant.start_cli import add_live_options

    p = commands.add_parser(
        "serve", help="idle listening for \"start workout\", run the session, go back to idle (for a Pi)",
        description="Wait by the mat, listening only for a start phrase (\"start workout\"; \"start bent knee "
                    "leg lifts\" names the variation), run that session hands-free, then go back to waiting. "
                    "Ctrl-C or SIGTERM ends it; a session under way is saved first. `matcoach service "
                    "install` runs it at boot.")
    add_live_options(p)
    p.add_argument("--once", action="store_true", help="run one session, then exit (instead of going back to idle)")
    p.set_defaults(run=run_serve)


def _check_variations(grammar: Grammar) -> None:
    known = catalog.load_variations().ids()
    for phrase, variation in grammar.start_variations.items():
        if variation not in known:
            raise GrammarError(f"{grammar.source}: [start-variations] {variation!r} (for {phrase!r}) is not a "
                               f"variation; use one of: {', '.join(known)}")


def run_serve(args: argparse.Namespace) -> int:
    from assistant.engines import ears_maker
    from assistant.mic import Microphone
    from assistant.start_cli import live_session, sigterm_as_interrupt

    grammar = catalog.load_grammar(args.language)
    _check_variations(grammar)
    catalog.load_pack(args.voice)
    speaker_device = find_device(args.output_device, "output")
    mic_device = find_device(args.input_device, "input")
    make, which = ears_maker(grammar.language, engine=args.engine, model=args.model)
    idle = GatedEars(make(grammar.only(START)))
    ears = make(grammar)
    note(which)
    starts = [p for p, c in grammar.phrases.items() if c == START]
    sessions = 0
    with sigterm_as_interrupt():
        try:
            while True:
                note(f"waiting; say {' or '.join(repr(p) for p in starts[:3])} to start")
                with Microphone(mic_device) as mic:
                    found = wait_for_start(idle, mic.blocks())
                if found is None:
                    return 0
                named = grammar.variation_for(found.phrase)
                log.info("heard %r (confidence %.2f)%s", found.phrase, found.confidence,
                         f": {named}" if named else "")
                session_args = copy.copy(args)
                if named:
                    session_args.variation = named
                note(f"heard \"{found.phrase}\": starting{f' {named}' if named else ''}")
                sessions += 1
                if live_session(session_args, ears, speaker_device, mic_device) or args.once:
                    break
                idle.finish()  # back to idle with nothing half-heard from before the session
        except KeyboardInterrupt:
            pass
    note(f"stopped serving after {sessions} session{'s' if sessions != 1 else ''}")
    return 0

"""The recognizer pipeline: the shipped command model, the personal model and the grammar engine,
deciding together (assistant.ears.fusion) over one shared speech-embedding front end.

Per block: the ``EmbeddingStream`` computes the new embeddings once (0 or 1 per 50 ms block); the
shipped model and the personal model each score their own window of the latest embeddings; the same
block goes to the grammar engine (PocketSphinx or Vosk), whose reports go to the fusion as well. A
decision is reported when the block that completed it has been fed, so ``detected_at`` is honest.

A block may also be long (``listen --file`` feeds 10 s at a time): its embeddings are then computed in
batches, and the rest is done 50 ms at a time as if it had come live, so the result is the same.
"""

from __future__ import annotations

import logging
from collections import deque

import numpy as np

from assistant.core.commands import START
from assistant.core.grammar import Grammar
from assistant.ears.command_model import CommandModel, estimate_bounds
from assistant.ears.embedding_stream import EmbeddingStream, Frames
from assistant.ears.fusion import Decision, Fusion, Policy
from assistant.ears.isolation import Isolation
from assistant.ears.own_lines import OwnLines
from assistant.ears.personal_model import PersonalModel
from assistant.ears.recognizer import BLOCK, RATE, Detection, Recognizer
from assistant.ears.vocabulary import command_ids, phrases_of

log = logging.getLogger(__name__)

NEVER = 2.0        # a threshold no score reaches: the command is not listened for
PRIME_S = 1.2      # silence before the first sample, so a word said at once is still heard (see below)
NAMED_WAIT_S = 0.6  # a start heard by the embedding models waits this long for the words that name a variation
ECHO_LOOK_S = 1.0   # a word the embedding model hears at t was said in the second before it
ECHO_TAIL_S = 0.25  # the coach's echo rings on this long in a room after the reference stops


class EmbeddingEars:
    """One ``Recognizer`` deciding from whichever of the three parts it is given (at least one of
    the two embedding models). ``engine`` names them, e.g. "embedding+pocketsphinx+personal"."""

    long_blocks = True   # feed() takes blocks of any length (see the module's docstring)

    def __init__(self, grammar: Grammar, *, model: CommandModel | None = None, personal: PersonalModel | None = None,
                 grammar_ears: Recognizer | None = None) -> None:
        if model is None and personal is None:
            raise ValueError("the embedding pipeline needs the shipped model or a personal model")
        self.model, self.personal, self.grammar_ears = model, personal, grammar_ears
        listened = set(grammar.phrases.values())
        known = model.commands if model is not None else personal.commands  # type: ignore[union-attr]
        self.commands = [c for c in (command_ids(grammar) if model is None else known)]
        self._said = {c: (phrases or [c])[0] for c, phrases in phrases_of(grammar).items()}
        self.engine = "+".join(part for part, on in (("embedding", model), ("personal", personal)) if on is not None)
        if grammar_ears is not None:
            self.engine = _join(self.engine, grammar_ears.engine)
        # the live chain turns the coach's residue down for a grammar engine that cuts utterances with a
        # speech detector (PocketSphinx): it must know, or the residue runs utterances on past the command
        self.quiet_residue = bool(getattr(grammar_ears, "quiet_residue", False))
        shipped = self._place(model.commands, model.thresholds, NEVER) if model is not None else np.full(
            len(self.commands), NEVER, np.float32)
        own = self._place(personal.commands, personal.thresholds, NEVER) if personal is not None else np.full(
            len(self.commands), NEVER, np.float32)
        policy = Policy.default(self.commands, shipped, own, grammar_engine=grammar_ears.engine if grammar_ears else "",
                                shipped=model is not None, grammar=grammar_ears is not None)
        deaf = np.array([c not in listened for c in self.commands])  # serve's idle ears hear "start" alone
        for table in (policy.alone, policy.candidate, policy.personal_alone, policy.personal_confirm):
            table[deaf] = NEVER
        self.fusion = Fusion(policy)
        self.stream = EmbeddingStream()
        self._shipped_window: deque[np.ndarray] = deque(maxlen=model.window if model else 1)
        self._personal_window: deque[np.ndarray] = deque(maxlen=personal.window if personal else 1)
        self._durations = {c: float(model.durations[i]) for i, c in enumerate(model.commands)} if model else {}
        # the first embedding covers 0.78 s and the shipped model reads 2 s of them: without this a
        # command in the first second of a recording could not be heard
        self.stream.feed(np.zeros(int(PRIME_S * RATE), np.int16))
        self._origin = PRIME_S
        # "start bent knee": the embedding models hear "start", only the grammar engine hears which
        self._names_variations = bool(grammar.start_variations) and grammar_ears is not None
        self._held: Decision | None = None
        # the last check: a command stands on its own, not inside talk (assistant.ears.isolation)
        self.isolation = Isolation(self.stream.energy, self._durations, shown_from=PRIME_S)
        # ... and it is not one of the coach's own lines (assistant.ears.own_lines)
        self.own_lines = OwnLines.shipped(model.language) if model is not None else None
        self._echo_next = False
        self._reference = False   # the duplex chain feeds an echo reference: its gate judges the coach's voice

    def coach_echo(self, sounding: bool) -> None:
        """The duplex chain says whether the coach's echo sounds in the block it feeds next: its
        residue is then not taken for talk going on around a command."""
        self._echo_next = sounding
        self._reference = True

    def _place(self, commands: list[str], values: np.ndarray, missing: float) -> np.ndarray:
        """Per-command values in this pipeline's command order (``missing`` for a command not there)."""
        out = np.full(len(self.commands), missing, np.float32)
        for i, c in enumerate(commands):
            if c in self.commands:
                out[self.commands.index(c)] = values[i]
        return out

    @property
    def position(self) -> float:
        """Seconds of audio fed."""
        return self.stream.position - self._origin

    def feed(self, block: np.ndarray) -> list[Detection]:
        if self._echo_next:
            now = self.stream.position
            self.isolation.echo_sounding(now, now + len(block) / RATE + ECHO_TAIL_S)
        if len(block) <= 2 * BLOCK:
            return self._step(block, self.stream.feed(block))
        frames = self.stream.feed(block, track=False)
        found: list[Detection] = []
        for a in range(0, len(block), BLOCK):
            piece = block[a:a + BLOCK]
            self.stream.track(piece)
            now = self.stream.position
            due = frames.times <= now + 1e-9
            found += self._step(piece, Frames(frames.index[due], frames.times[due], frames.vectors[due]))
            frames = Frames(frames.index[~due], frames.times[~due], frames.vectors[~due])
        return found

    def _step(self, block: np.ndarray, frames: Frames) -> list[Detection]:
        decided: list[Decision] = []
        for t, vector in zip(frames.times, frames.vectors):
            shipped = mine = None
            if self.model is not None:
                self._shipped_window.append(vector)
                if len(self._shipped_window) == self.model.window:
                    probs = self.model.net.probs(np.concatenate(self._shipped_window)[None])[0, 1:]
                    shipped = self._place(self.model.commands, probs, 0.0)
            if self.personal is not None:
                self._personal_window.append(vector)
                if len(self._personal_window) == self.personal.window:
                    scores = self.personal.scores(np.concatenate(self._personal_window)[None])[0]
                    mine = self._place(self.personal.commands, scores, 0.0)
            if shipped is not None or mine is not None:
                over = self._reference and self.isolation.echo_near(float(t) - ECHO_LOOK_S, float(t))
                decided += self.fusion.frame(float(t), shipped, mine, bounds=self._bounds, over_echo=over)
        if self.grammar_ears is not None:
            decided += self._from_grammar(self.grammar_ears.feed(block))
        now = self.stream.position
        decided += self.fusion.tick(now)
        return [self._detection(d) for d in last_checks(self._hold_start(decided), now, self.isolation,
                                                         self._own_lines(), self._shipped_window, self._origin)]

    def _own_lines(self) -> OwnLines | None:
        """The coach's-line check, only without an echo reference: with one, the echo gate knows what
        the coach played, and the coach's residue around a barge-in ("arched" over the countdown) would
        make the person's word look like the coach's line (measured: barge-in recall fell from 0.79 to
        0.69 in Korean)."""
        return None if self._reference else self.own_lines

    def _hold_start(self, decided: list[Decision]) -> list[Decision]:
        """A start without its words waits a moment for the grammar engine to say which start it was."""
        if not self._names_variations:
            return decided
        out = []
        for d in decided:
            if d.command == START and d.phrase in ("", START):
                self._held = d
            else:
                out.append(d)
        held = self._held
        if held is not None and self.stream.position > held.detected_at + NAMED_WAIT_S:
            self._held = None
            out.append(held)
        return out

    def finish(self) -> list[Detection]:
        """The input ended: what the grammar engine still had (the embedding state is kept, so the next
        audio continues where this ended)."""
        decided = self._from_grammar(self.grammar_ears.finish()) if self.grammar_ears is not None else []
        if self._held is not None:
            decided.append(self._held)
            self._held = None
        now = self.stream.position
        alone = last_checks(decided, now, self.isolation, self._own_lines(), self._shipped_window, self._origin,
                            due=False)
        return [self._detection(d) for d in alone + self.isolation.flush()]

    def _from_grammar(self, found: list[Detection]) -> list[Decision]:
        decided: list[Decision] = []
        for d in found:
            held = self._held
            if held is not None and d.command == START:  # the words of the start just heard
                self._held = None
                decided.append(Decision(START, held.start, held.end, held.detected_at, max(held.confidence,
                                        d.confidence), _join(held.engine, self.grammar_ears.engine), d.phrase))
                continue
            shift = self._origin
            start, end = d.start + shift, d.end + shift
            decided += self.fusion.grammar(d.command, start, end, self.stream.position, d.confidence, d.phrase,
                                           over_echo=self.isolation.echo_near(start, end))
        return decided

    def _bounds(self, t: float, c: int) -> tuple[float, float]:
        return estimate_bounds(t, self._durations.get(self.commands[c], 0.5), self.stream)

    def _detection(self, d: Decision) -> Detection:
        phrase = d.phrase if d.phrase and d.phrase != d.command else self._said.get(d.command, d.command)
        return Detection(command=d.command, phrase=phrase, start=max(0.0, d.start - self._origin),
                         end=max(0.0, d.end - self._origin), detected_at=self.position,
                         confidence=float(min(1.0, d.confidence)), engine=d.engine)


def last_checks(decided: list[Decision], now: float, isolation: Isolation | None, own_lines: OwnLines | None,
                recent, shown_from: float = 0.0, *, due: bool = True) -> list[Decision]:
    """The last two checks on fused decisions made by ``now``, in order: not one of the coach's own
    lines (``own_lines`` reading ``recent`` embeddings, oldest first), then said on its own
    (``isolation``, which also releases what it held and is now ``due``); either may be None (left
    out). The benchmark replays recordings through this same function."""
    if own_lines is not None and decided:
        frames = np.asarray(recent)
        kept = []
        for d in decided:
            if own_lines.said_by_coach(d.command, frames):
                log.info("not a command: %r ending at %.2f s sounds like the coach's own line", d.phrase or d.command,
                         d.end - shown_from)
            else:
                kept.append(d)
        decided = kept
    if isolation is None:
        return decided
    alone = [kept for d in decided for kept in isolation.offer(d, now)]
    return alone + isolation.due(now) if due else alone


def _join(first: str, second: str) -> str:
    return "+".join(p for p in (first.split("+")[:1] + [second] + first.split("+")[1:]) if p)

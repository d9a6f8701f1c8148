"""Fusion: one decision from the shipped embedding model, the personal model and the grammar engine.

The rule, per command ``c`` (all numbers in ``Policy``):

1. The shipped model alone decides when its probability reaches ``alone[c]``: its validated
   threshold, but never under ``ALONE_FLOOR`` (0.99); stop never under ``STOP_ALONE_FLOOR`` (an
   accent-trained model stopped alone on random-word talk at 0.992 and 0.996), and pain always from
   ``PAIN_ALONE`` (a missed pain is worse than a false one; not over the coach's echo, where the
   Korean coach's own "셋" was heard live as pain at 0.988); both chosen on the development set
   (``tests/bench/sweep_fusion.py``, figures in the README). Validation on the training voices set
   Korean resume at 0.94 and faster at 0.86, and most false Korean commands on the development
   set's talk were those two from the model alone; at 0.99 they need the grammar engine's word
   unless the model is sure (development set: 11.5 -> 9.2 false an hour, recall 0.447 -> 0.444,
   wrong or extra commands on the clips 24 -> 10). Over the coach's echo (the duplex chain says when it sounds)
   arched, said over the countdown, needs only ``ECHO_ALONE``: there the grammar engine often hears
   nothing of it while the model gives it 0.7-0.95, and the echo gate asks more of a command one model
   decided alone (``EchoGate.ALONE_SHARE``). Barge-in replayed in 12 rooms: Korean 82 -> 94 of 96,
   English 85 -> 87, no self-trigger. Fused with PocketSphinx, English arched over the echo needs
   only 0.5 (``ECHO_ALONE_BY_ENGINE``): in 8 of its 9 misses PocketSphinx heard it as "on" or as
   nothing (its "ched" lies under the residue of a speaker that distorts) and the model gave it
   0.2-0.8. Replayed: 87 -> 88 -> 92 of 96 at 0.9, 0.75 and 0.5, no self-trigger (held-out voices,
   measured only: 87 -> 90); the English soak kept its 8 false commands an hour, none of them arched.
   Vosk hears the Korean one; there 0.9 stays. The same for pause, done and resume (PocketSphinx missed half
   of the English "pause" said over the countdown) let words inside talk over the coach's lines
   through: 8 false commands in the first half hour of the Korean soak.
2. A shipped probability of at least ``candidate[c]`` is a candidate. It is confirmed
   - at once, by the personal model (when enrolled) reaching ``personal_confirm[c]`` within a frame, or
   - by the grammar engine reporting the same command, ending near the candidate, within
     ``wait_s`` after the candidate (the grammar engine ends an utterance ~100-200 ms after the
     voice stops, so a short wait catches most of its reports and keeps latency bounded).
   The other way round too: a grammar report the shipped model does not yet support waits up to
   ``grammar_wait_s`` (the embedding model sees a word's end ~0.1-0.4 s after the grammar engine
   does) for a candidate of the same command to confirm it. An unconfirmed candidate or report
   expires silently.
3. The personal model alone decides at ``personal_alone[c]``: its own threshold, +0.05 where a shipped
   model exists to confirm instead; never for stop when another path could confirm it.
4. The grammar engine alone decides only where the shipped model saw at least ``grammar_support[c]``
   (``SUPPORT``, 0.3, or the candidate level if lower) for that command in the last second. Over the
   coach's echo, support that comes in the frames while the report waits (``grammar_wait_s``)
   counts too: the model sees a word's end after the grammar engine does, and live English "arch"
   said over the countdown was lost with 0.12-0.22 coming just too late. Elsewhere late support let
   wrong words through (development set, English: wrong or extra commands 10 -> 15 for 0.002 of
   recall). The level: 0.02 let PocketSphinx's "what" on the coach's residue through; 0.3 halved
   Korean false commands on the development set for no recall. Arched over the coach's echo (the
   duplex chain says when it sounds) needs only ``ARCHED_ECHO_SUPPORT``: it is said over the
   countdown, where the coach's residue leaves the command model unsure, and 0.3 lost barge-ins;
   0.1 rather than 0.02 since the models trained on twice the scenes (the chain's soak, Korean: 17
   -> 14 false commands an hour, the three fewer all Vosk's "arched" over the coach while someone
   talked; barge-in replay in 12 rooms: English 86 -> 85 of 96, Korean 82 and 82);
   elsewhere 0.02 let Vosk's "arched" on talk through (held-out Korean, 16.8 -> 21.4 false an
   hour). For pain no support is needed (a missed pain is worse than a false one); for stop the
   support must reach the candidate level, i.e. stop always needs both the embedding model and the
   grammar engine (a false stop ends the workout), unless the embedding model alone is past its
   (validated, strictest) threshold. Without a shipped model (a language of your own) the grammar
   engine decides alone. (Arched without support was tried: it let Vosk's Korean "arched" on
   ordinary talk through, 58 false an hour.)
5. Each command is reported once: after a decision, the same command is ignored for 1.2 s and any
   command for 0.5 s (a late confirmation of something already decided is dropped).

Feed it in time order: ``frame(t, shipped_p, personal_p)`` for every embedding (t = audio time of the
embedding), ``grammar(detection)`` when the grammar engine reports, and ``tick(now)`` after each
block (it expires candidates). Each returns ``Decision``s.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decision:
    command: str
    start: float
    end: float
    detected_at: float
    confidence: float
    engine: str        # "embedding", "personal", "pocketsphinx", "vosk", or joined with "+"
    phrase: str = ""


ALONE_FLOOR = 0.99  # the least probability at which the shipped model decides alone (see rule 1)
SUPPORT = 0.3  # the shipped model's probability a grammar report needs to decide alone (see rule 4)
CANDIDATE_FLOOR = 0.2   # a candidate (rule 2) is half the alone threshold, but never under this
STOP_ALONE_FLOOR = 0.999   # ... and the model alone stops only from this (see rule 1)
PAIN_ALONE = 0.95          # ... and hears pain from this, whatever its validated threshold (see rule 1)
ARCHED_ECHO_SUPPORT = 0.1  # ... for arched over the coach's echo (0.3 cost barge-in: English 39 -> 33 of 40)
ECHO_ALONE = 0.9   # ... and the shipped model alone decides arched over the coach's echo at this (rule 1)
ECHO_ALONE_BY_ENGINE = {"pocketsphinx": 0.5}   # ... fused with this grammar engine (rule 1)


@dataclass
class Policy:
    commands: list[str]
    alone: np.ndarray             # shipped model alone
    candidate: np.ndarray         # shipped model, needs confirmation
    personal_alone: np.ndarray
    personal_confirm: np.ndarray
    grammar_support: np.ndarray   # shipped probability (max over the last second) a grammar report needs
    wait_s: float = 0.15
    grammar_engine: str = "pocketsphinx"
    shipped: bool = True          # without a shipped model (a language of your own) the grammar engine decides alone
    grammar_wait_s: float = 0.4   # a grammar report waits this long for the shipped model's candidate
    echo_support: np.ndarray | None = None   # grammar_support for a report over the coach's echo (barge-in)
    echo_alone: np.ndarray | None = None     # alone, for words said over the coach's echo

    def __post_init__(self) -> None:
        if self.echo_support is None:
            self.echo_support = self.grammar_support.copy()
        if self.echo_alone is None:
            self.echo_alone = self.alone.copy()

    @classmethod
    def default(cls, commands: list[str], shipped_thresholds: np.ndarray,
                personal_thresholds: np.ndarray | None = None, *, grammar_engine: str = "pocketsphinx",
                wait_s: float = 0.15, shipped: bool = True, grammar: bool = True,
                alone_floor: float = ALONE_FLOOR, support: float = SUPPORT,
                candidate_floor: float = CANDIDATE_FLOOR, stop_alone_floor: float = STOP_ALONE_FLOOR,
                pain_alone: float = PAIN_ALONE) -> "Policy":
        """The rule above; the keyword numbers are there for tests/bench/sweep_fusion.py to vary."""
        th = np.asarray(shipped_thresholds, np.float32)
        th = np.where(th < 1.0, np.maximum(th, alone_floor), th).astype(np.float32)
        alone = th.copy()
        candidate = np.minimum(th, np.maximum(candidate_floor, th * 0.5))
        support = np.minimum(candidate, support).astype(np.float32)
        pt = np.asarray(personal_thresholds if personal_thresholds is not None else np.full(len(commands), 2.0),
                        np.float32)
        pconf = np.maximum(0.2, pt - 0.1)    # personal scores are similarities (0..1)
        # the personal model alone: stricter where a shipped model can confirm instead
        palone = np.minimum(0.98, pt + 0.05) if shipped else pt.copy()
        palone[pt > 1.5] = 2.0
        for i, c in enumerate(commands):
            if c == "stop":     # strict: the grammar engine alone never stops; it must confirm a candidate
                support[i] = candidate[i]
                alone[i] = max(alone[i], stop_alone_floor)
                if shipped or grammar:   # nor does the personal model alone
                    palone[i] = 2.0
            if c == "pain":     # lenient
                alone[i] = min(alone[i], pain_alone)
                support[i] = 0.0
                candidate[i] = min(candidate[i], 0.15)
        over_echo, echo_alone = support.copy(), np.where(np.asarray(commands) == "pain", th, alone)   # (rule 1)
        if "arched" in commands:   # said over the countdown, where the coach's residue leaves the model unsure
            i = commands.index("arched")
            over_echo[i] = min(support[i], ARCHED_ECHO_SUPPORT)
            echo_alone[i] = min(alone[i], ECHO_ALONE_BY_ENGINE.get(grammar_engine, ECHO_ALONE))
        return cls(commands, alone, candidate, palone, pconf, support, wait_s, grammar_engine, shipped,
                   echo_support=over_echo, echo_alone=echo_alone)


NEAR_S = 0.8  # a candidate and a grammar report of the same command ending this close are one word


def _strongest_over(values: np.ndarray | None, thresholds: np.ndarray, armed: np.ndarray) -> int | None:
    """The armed command furthest over its threshold, if any."""
    if values is None:
        return None
    over = (values >= thresholds) & armed
    return int(np.argmax(np.where(over, values / thresholds, -1))) if over.any() else None


@dataclass
class _Candidate:
    c: int
    t: float
    p: float
    start: float
    end: float


@dataclass
class _Report:
    c: int
    t: float
    start: float
    end: float
    confidence: float
    phrase: str
    needed: float   # the shipped probability that lets it decide alone (rule 4)
    late: bool      # ... also from the frames that come while it waits (said over the coach's echo)


class Fusion:
    def __init__(self, policy: Policy) -> None:
        self.p = policy
        self.idx = {c: i for i, c in enumerate(policy.commands)}
        self._pending: list[_Candidate] = []
        self._reports: list[_Report] = []   # grammar reports waiting for the shipped model's candidate
        self._recent: list[tuple[float, np.ndarray]] = []   # (t, shipped probs) over the last second
        self._last_any = -9.0
        self._last = np.full(len(policy.commands), -9.0)
        self._armed = np.ones(len(policy.commands), bool)
        self._armed_p = np.ones(len(policy.commands), bool)

    # --- inputs ---------------------------------------------------------------------------------
    def frame(self, t: float, shipped: np.ndarray | None, personal: np.ndarray | None = None,
              bounds=None, *, over_echo: bool = False) -> list[Decision]:
        """``shipped``/``personal``: command probabilities (no "none" column) at embedding time ``t``;
        ``bounds``: a function t -> (start, end) estimate of the phrase just heard; ``over_echo``:
        the coach's echo sounded while it was said."""
        out = []
        bounds = bounds or (lambda t, c: (t - 0.6, t - 0.2))
        if shipped is not None:
            self._recent.append((t, shipped))
            self._recent = [(u, q) for u, q in self._recent if u >= t - 1.0]
            self._armed |= shipped < self.p.candidate * 0.5
        if personal is not None:
            self._armed_p |= personal < self.p.personal_confirm * 0.5
        # rule 1: shipped alone; rule 3: personal alone
        alone = self.p.echo_alone if over_echo else self.p.alone
        for values, thresholds, armed, engine in ((shipped, alone, self._armed, "embedding"),
                                                  (personal, self.p.personal_alone, self._armed_p, "personal")):
            c = _strongest_over(values, thresholds, armed)
            if c is not None and not out:
                s, e = bounds(t, c)
                out += self._decide(c, t, s, e, float(values[c]), engine)
        # rule 4, late: a report over the coach's echo whose support came with the frames after it
        if shipped is not None and not out:
            report = next((r for r in self._reports
                           if r.late and shipped[r.c] >= r.needed and t <= r.t + self.p.grammar_wait_s), None)
            if report is not None:
                self._reports.remove(report)
                out += self._supported(report, t, float(shipped[report.c]))
        # rule 2: candidates, confirmed by the personal model at once
        if shipped is not None and not out:
            cand = (shipped >= self.p.candidate) & self._armed
            for c in np.flatnonzero(cand):
                c = int(c)
                if any(k.c == c for k in self._pending):
                    continue
                s, e = bounds(t, c)
                if personal is not None and personal[c] >= self.p.personal_confirm[c]:
                    out += self._decide(c, t, s, e, float(max(shipped[c], personal[c])), "embedding+personal")
                    break
                report = next((r for r in self._reports if r.c == c and abs(r.end - e) < NEAR_S), None)
                if report is not None:   # the grammar engine heard it first
                    self._reports.remove(report)
                    out += self._decide(c, t, report.start, report.end, max(float(shipped[c]), report.confidence),
                                        f"embedding+{self.p.grammar_engine}", report.phrase)
                    break
                self._pending.append(_Candidate(c, t, float(shipped[c]), s, e))
        return out + self.tick(t)

    def grammar(self, command: str, start: float, end: float, detected_at: float, confidence: float,
                phrase: str = "", *, over_echo: bool = False) -> list[Decision]:
        """A grammar engine's report; ``over_echo``: the words were said while the coach's echo sounded."""
        c = self.idx.get(command)
        if c is None:
            return []
        # a pending candidate for the same command, near in time: confirmed
        for k in self._pending:
            if k.c == c and abs(k.end - end) < NEAR_S:
                self._pending.remove(k)
                return self._decide(c, detected_at, k.start, k.end, max(k.p, confidence),
                                    f"embedding+{self.p.grammar_engine}", phrase)
        if not self.p.shipped:
            return self._decide(c, detected_at, start, end, confidence, self.p.grammar_engine, phrase)
        support = self._support(c, detected_at)
        report = _Report(c, detected_at, start, end, confidence, phrase,
                         float((self.p.echo_support if over_echo else self.p.grammar_support)[c]), over_echo)
        if support >= report.needed:
            return self._supported(report, detected_at, support)
        self._reports.append(report)
        return []

    def _supported(self, r: _Report, t: float, support: float) -> list[Decision]:
        engine = self.p.grammar_engine if support < self.p.candidate[r.c] else f"embedding+{self.p.grammar_engine}"
        confidence = r.confidence * (0.5 + 0.5 * min(1.0, support * 4))
        return self._decide(r.c, t, r.start, r.end, confidence, engine, r.phrase)

    def tick(self, now: float) -> list[Decision]:
        self._pending = [k for k in self._pending if now <= k.t + self.p.wait_s]
        waiting = self._reports
        self._reports = [r for r in waiting if now <= r.t + self.p.grammar_wait_s]
        for r in waiting:
            if now > r.t + self.p.grammar_wait_s:   # why a heard command was not acted on: for -vv and bug reports
                log.debug("%s heard %r ending at %.2f s, not confirmed: the command model gave it %.2f",
                          self.p.grammar_engine, r.phrase or self.p.commands[r.c], r.end, self._support(r.c, r.t))
        return []

    def _support(self, c: int, t: float) -> float:
        """The shipped model's highest probability for command ``c`` in the second before ``t`` (and since)."""
        return max((float(q[c]) for u, q in self._recent if u >= t - 1.0), default=0.0)

    # --- output ---------------------------------------------------------------------------------
    def _decide(self, c: int, t: float, start: float, end: float, conf: float, engine: str,
                phrase: str = "") -> list[Decision]:
        if t < self._last_any + 0.5 or t < self._last[c] + 1.2:
            return []
        self._last_any = t
        self._last[c] = t
        self._armed[c] = False
        self._armed_p[c] = False
        self._pending = [k for k in self._pending if k.c != c]
        self._reports = [r for r in self._reports if r.c != c]
        return [Decision(self.p.commands[c], start, end, t, min(1.0, conf), engine, phrase or self.p.commands[c])]

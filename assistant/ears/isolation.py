"""A command is said on its own: the last check before a fused decision is reported.

People give the coach short commands with a pause after them ("done", "okay, arched"). Talk on a
TV, a person chatting, or the coach's own lines hold the same words inside running speech, and that
is where most false commands came from. So a decision is reported only if

- the sound stops after the words: when the decision comes (60-400 ms after the words ended) the
  last ``QUIET_LOOK_S`` is mostly quiet, or becomes so within ``WAIT_S``; otherwise it was a word
  inside talk that goes on, and is dropped;
- the words did not end a long run of speech: the stretch of sound that ends with them began at most
  ``lead_limit(duration)`` before they ended (a short lead-in such as "okay," fits).

"Quiet" is relative: 10 ms frames more than 12 dB (``embedding_stream.LOUD_DB``) over the last few
seconds' floor are sound. In steady noise the floor rises with it, so the check still works; in
babble, nothing stands out and nothing is dropped. While the coach's echo is sounding (the duplex
chain says so) its residue is not counted as sound: that is where barge-in happens (except for
"stop", whose false alarm ends the workout: there what sounds over the coach counts). "pain" is never
dropped (a missed pain is worse than a false one), unless the personal model had a hand in it: its
own threshold is set on a few known negatives only, and with the lenient pain candidate it confirmed
"pain" inside talk 24 times an hour on the development set (English, enrolled).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from assistant.ears.embedding_stream import GAP_FRAMES, loud_frames, stretch_start
from assistant.ears.fusion import Decision

FLOOR_PERCENTILE = 5  # the floor: this percentile of the last few seconds (the quiet between words)
QUIET_LOOK_S = 0.12  # the stretch that must be mostly quiet for the words to have ended
QUIET_SHARE = 0.5   # ... at most this share of it sound
WAIT_S = 0.3        # a decision may wait this long for the quiet after its words
EXEMPT = frozenset({"pain"})
ECHO_HEARD = frozenset({"stop"})   # judged with the coach's residue counted as sound (see offer)
log = logging.getLogger(__name__)

Energy = Callable[[], tuple[np.ndarray, float]]   # () -> (10 ms energies in dBFS, time of the first)


def lead_limit(duration: float) -> float:
    """The longest stretch of sound a phrase of typical length ``duration`` may end."""
    return max(2.0, 2 * duration + 1.0)


@dataclass
class _Held:
    decision: Decision
    until: float


class Isolation:
    """Feed decisions with ``offer`` and call ``due(now)`` after every block; it returns the
    decisions that stand on their own, once that is known (at most ``WAIT_S`` later)."""

    def __init__(self, energy: Energy, durations: dict[str, float] | None = None, *, shown_from: float = 0.0) -> None:
        self._energy = energy
        self._shown_from = shown_from   # the energy track's time of the audio's start (the log shows audio time)
        self._durations = durations or {}
        self._held: list[_Held] = []
        self._echo: list[tuple[float, float]] = []   # (start, end) of stretches the coach's echo sounded
        self.dropped: deque[tuple[Decision, str]] = deque(maxlen=50)  # the latest dropped, and why

    def echo_sounding(self, start: float, end: float) -> None:
        """The coach's echo was sounding from ``start`` to ``end`` (stream time)."""
        if self._echo and start <= self._echo[-1][1] + 0.02:
            self._echo[-1] = (self._echo[-1][0], max(end, self._echo[-1][1]))
        else:
            self._echo.append((start, end))
        self._echo = [(a, b) for a, b in self._echo if b >= end - 10.0]

    def echo_near(self, start: float, end: float) -> bool:
        """Whether the coach's echo sounded within 0.3 s of ``start``..``end``."""
        return any(a <= end + 0.3 and b >= start - 0.3 for a, b in self._echo)

    def offer(self, decision: Decision, now: float) -> list[Decision]:
        """A fused decision made at ``now``: returned at once if it stands alone, else held or dropped."""
        if decision.command in EXEMPT and "personal" not in decision.engine:
            return [decision]
        # a false stop ends the workout, and the chain's soak (an hour of the coach's echo with someone
        # talking over it) stopped once on a word inside talk that went on over the coach's line: for
        # stop, what sounds while the coach speaks counts too (a stop said over the coach's line that
        # its residue hides is said again when the coach pauses)
        blind = decision.command not in ECHO_HEARD
        why = self._long_lead(decision, blind)
        if why:
            self._drop(decision, why)
            return []
        if not self._sounding(now, blind):
            return [decision]
        self._held.append(_Held(decision, now + WAIT_S))
        return []

    def due(self, now: float) -> list[Decision]:
        """Held decisions whose words were followed by quiet; those still in sound at their deadline are dropped."""
        if not self._held:
            return []
        out, keep = [], []
        blind = [h.decision.command not in ECHO_HEARD for h in self._held]
        quiet = {b: not self._sounding(now, b) for b in set(blind)}   # the energy track read once per need
        for h, b in zip(self._held, blind):
            if quiet[b]:
                out.append(replace(h.decision, detected_at=now))
            elif now >= h.until:
                self._drop(h.decision, "the sound went on after it (a word inside talk)")
            else:
                keep.append(h)
        self._held = keep
        return out

    def flush(self) -> list[Decision]:
        """The input ended: what is held stands (nothing more will sound)."""
        out = [h.decision for h in self._held]
        self._held = []
        return out

    # --- the energy track --------------------------------------------------------------------------
    def _loud(self, blind: bool = True) -> tuple[np.ndarray, float]:
        """10 ms frames of sound; ``blind``: not while the coach's echo sounds."""
        energy, origin = self._energy()
        loud = loud_frames(energy, FLOOR_PERCENTILE)
        for a, b in self._echo if blind else ():   # the coach's residue is not the person's talk
            i, j = int((a - origin) / 0.01), int(np.ceil((b - origin) / 0.01))
            if j > 0 and i < len(loud):
                loud[max(0, i):max(0, j)] = False
        return loud, origin

    def _sounding(self, now: float, blind: bool = True) -> bool:
        loud, origin = self._loud(blind)
        j = int(round((now - origin) / 0.01))
        i = j - int(round(QUIET_LOOK_S / 0.01))
        part = loud[max(0, i):max(0, j)]
        return bool(len(part)) and float(part.mean()) > QUIET_SHARE

    def _long_lead(self, d: Decision, blind: bool = True) -> str:
        loud, origin = self._loud(blind)
        limit = lead_limit(self._durations.get(d.command, 0.6))
        end = min(len(loud), int(round((d.end - origin) / 0.01)))
        # the stretch of sound the words end (its last loud frame at most a bridged gap before their end)
        near = np.flatnonzero(loud[max(0, end - GAP_FRAMES):max(0, end)])
        if not len(near):
            return ""
        last = max(0, end - GAP_FRAMES) + int(near[-1])
        limit_frames = int(limit / 0.01)
        first = stretch_start(loud, last, len(loud))
        if end - first > limit_frames:
            return f"it ended {limit:.1f} s or more of sound (the end of a sentence)"
        return ""

    def _drop(self, d: Decision, why: str) -> None:
        self.dropped.append((d, why))
        log.info("not a command: %r ending at %.2f s: %s", d.phrase or d.command, d.end - self._shown_from, why)

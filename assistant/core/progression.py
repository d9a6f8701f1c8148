"""Progression rules (pure): what the coach advises from past sessions, as the domain brief says.

- Progress once every set reaches 15 perfect reps with the full (3 s or slower) descent:
  an easier variation moves to the next harder one; straight-leg adds light weight first,
  then moves to hanging; hanging adds weight.
- Frequent arches suggest the next easier variation, down to dead bug.
- The person's floor (how far into the descent the back arches) is tracked over time.
- 2 to 3 sessions a week is the aim; training on consecutive days brings a word on recovery.
"""

from dataclasses import dataclass
from datetime import date, datetime
from statistics import mean
from typing import Any

from assistant.core.routine import Variations

PROGRESS_AT = 15            # perfect reps in every set
FULL_DESCENT_S = 3          # seconds; a faster descent does not qualify
ARCH_SHARE_TO_REGRESS = 1 / 3
MIN_ARCHES_TO_REGRESS = 3
WEEKLY_AIM = (2, 3)
WEIGHT_FIRST = ("straight-leg",)   # the standard move adds weight before the harder variation
WEIGHT_ONLY = ("hanging",)         # nothing is harder: add weight


@dataclass(frozen=True, kw_only=True)
class PastSet:
    number: int
    target: int
    perfect: int
    failed: int


@dataclass(frozen=True, kw_only=True)
class PastSession:
    started: datetime
    variation: str
    lower_s: float
    sets: tuple[PastSet, ...]
    arch_descents: tuple[float, ...] = ()  # seconds into the descent of each arch reported in it

    @property
    def perfect(self) -> int:
        return sum(s.perfect for s in self.sets)

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.sets)

    @property
    def floor_s(self) -> float | None:
        """Mean seconds into the descent at which the back arched; None without arches in the descent."""
        return round(mean(self.arch_descents), 2) if self.arch_descents else None


@dataclass(frozen=True, kw_only=True)
class Advice:
    """What the coach says when the session opens: cue ids with their parameters, in order."""

    cues: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()

    def add(self, cue: str, **params: Any) -> "Advice":
        return Advice(cues=self.cues + ((cue, tuple(params.items())),))


def ready_to_progress(session: PastSession) -> bool:
    return (bool(session.sets) and session.lower_s >= FULL_DESCENT_S
            and all(s.perfect >= PROGRESS_AT for s in session.sets))


def arches_a_lot(session: PastSession) -> bool:
    attempts = session.perfect + session.failed
    return (session.failed >= MIN_ARCHES_TO_REGRESS
            and session.failed / max(attempts, 1) >= ARCH_SHARE_TO_REGRESS)


def progression(history: list[PastSession], variations: Variations) -> tuple[str, dict[str, Any]] | None:
    """A cue suggesting a harder or easier variation (or weight), from the latest session; None to stay."""
    if not history:
        return None
    last = history[-1]
    if ready_to_progress(last):
        if last.variation in WEIGHT_ONLY:
            return "progress-weight", {}
        if last.variation in WEIGHT_FIRST:
            same = [s for s in history[:-1] if s.variation == last.variation]
            if not (same and ready_to_progress(same[-1])):
                return "progress-weight", {}
        harder = variations.step(last.variation, +1)
        return ("progress-variation", {"variation": harder}) if harder else ("progress-weight", {})
    if arches_a_lot(last):
        easier = variations.step(last.variation, -1)
        return ("regress-variation", {"variation": easier}) if easier else ("regress-slow-down", {})
    return None


def days_between(earlier: datetime, later: date) -> int:
    return (later - earlier.date()).days


def advise(history: list[PastSession], *, variation: str, variations: Variations, today: date) -> Advice:
    """The opening words for today's session, from the sessions before it (oldest first)."""
    advice = Advice()
    if not history:
        return advice.add("first-session")
    last = history[-1]
    gap = days_between(last.started, today)
    this_week = sum(1 for s in history if 0 <= days_between(s.started, today) < 7)
    if gap <= 1:
        advice = advice.add("recovery-today" if gap == 0 else "recovery-consecutive")
    elif this_week >= WEEKLY_AIM[1]:
        advice = advice.add("week-enough", sessions=this_week)
    elif gap > 7:
        advice = advice.add("welcome-back", days=gap)
    # sets that were not even started (a session cut short) say nothing about today
    # (a set without a target is damage in the record: it cannot say how far from the target it was)
    same = [s for s in history if s.variation == variation and any(x.perfect + x.failed and x.target > 0
                                                                     for x in s.sets)]
    if same:
        previous = same[-1]
        tried = [x for x in previous.sets if x.perfect + x.failed and x.target > 0]
        weakest = min(tried, key=lambda s: (s.perfect / s.target, s.number))
        if weakest.perfect >= weakest.target:
            advice = advice.add("last-time-all", target=weakest.target)
        else:
            advice = advice.add("last-time", set=weakest.number, perfect=weakest.perfect,
                                aim=min(weakest.perfect + 1, weakest.target))
        if previous.floor_s is not None:
            advice = advice.add("floor", seconds=round(previous.floor_s))
    suggestion = progression(history, variations)
    if suggestion:
        cue, params = suggestion
        advice = advice.add(cue, **params)
    return advice

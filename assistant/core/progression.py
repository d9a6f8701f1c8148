"""Past sessions as the coach reads them, and the schedule rules of the domain brief (pure).

- 2 to 3 sessions a week is the aim; a second session on one day is kept light, and training on
  consecutive days (or beyond the weekly aim) holds the ladder where it is: recovery matters.
- The person's floor (how far into the descent the back arches) is tracked over time.
The ladder itself (reps, weight, variations) is assistant.core.ladder.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import mean
from typing import Any

PROGRESS_AT = 15            # perfect reps in every set
FULL_DESCENT_S = 3          # seconds; a faster descent does not qualify
ARCH_SHARE_TO_REGRESS = 1 / 3
MIN_ARCHES_TO_REGRESS = 3
EARLY_SHARE = 2 / 3         # attempts arched early (before or in the first half of the descent)
MIN_ATTEMPTS_EARLY = 4
WEEKLY_AIM = (2, 3)


@dataclass(frozen=True, kw_only=True)
class PastSet:
    number: int
    target: int
    perfect: int
    failed: int
    variation: str = ""
    weighted: bool = False

    @property
    def attempts(self) -> int:
        return self.perfect + self.failed


@dataclass(frozen=True, kw_only=True)
class PastSession:
    started: datetime
    variation: str
    lower_s: float        # the fastest descent counted in it (seconds)
    sets: tuple[PastSet, ...]
    arch_descents: tuple[float, ...] = ()  # seconds into the descent of each arch reported in it
    early_arches: int = 0                  # arches before the descent or in its first half
    routine: str = ""
    ended: str | None = None               # "completed", "stopped", "pain", ...; None: never finished

    @property
    def perfect(self) -> int:
        return sum(s.perfect for s in self.sets)

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.sets)

    @property
    def attempts(self) -> int:
        return self.perfect + self.failed

    @property
    def floor_s(self) -> float | None:
        """Mean seconds into the descent at which the back arched; None without arches in the descent."""
        return round(mean(self.arch_descents), 2) if self.arch_descents else None


@dataclass(frozen=True, kw_only=True)
class Advice:
    """What the coach knows when the session opens: the lines to say (cue ids with their parameters,
    in order) and today's place on the ladder."""

    cues: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    weighted: bool = False               # today's sets carry a light weight
    proposal: tuple[str, bool] | None = None  # (variation, weighted): the next rung, taken by saying "harder"
    start_reps: int = 10                 # reps per set on a new rung
    beginner: bool = True                # few sessions on record: the hands-under-hips aid is offered
    reasons: tuple[str, ...] = field(default=())  # why today looks as it does, for `matcoach plan`

    def add(self, cue: str, **params: Any) -> "Advice":
        return Advice(cues=self.cues + ((cue, tuple(params.items())),), weighted=self.weighted,
                      proposal=self.proposal, start_reps=self.start_reps, beginner=self.beginner,
                      reasons=self.reasons)


def arches_a_lot(session: PastSession) -> bool:
    return (session.failed >= MIN_ARCHES_TO_REGRESS
            and session.failed / max(session.attempts, 1) >= ARCH_SHARE_TO_REGRESS)


def arches_early_every_time(session: PastSession) -> bool:
    """The back came up early on almost every attempt: the dead bug is where control is built."""
    return session.attempts >= MIN_ATTEMPTS_EARLY and session.early_arches >= EARLY_SHARE * session.attempts


def days_between(earlier: datetime, later: date) -> int:
    return (later - earlier.date()).days


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """What the calendar says about today: a line to say, and whether the ladder may climb."""

    cue: tuple[str, dict[str, Any]] | None = None
    light: bool = False   # a second session today: one set fewer
    hold: bool = False    # recovery first: no climbing today


def schedule(history: list[PastSession], today: date) -> Schedule:
    """Recovery and frequency, from every session on record (oldest first)."""
    if not history:
        return Schedule()
    gap = days_between(history[-1].started, today)
    this_week = sum(1 for s in history if 0 <= days_between(s.started, today) < 7)
    if gap == 0:
        return Schedule(cue=("light-today", {}), light=True, hold=True)  # sets filled in by the ladder
    if gap == 1:
        return Schedule(cue=("recovery-consecutive", {}), hold=True)
    if this_week >= WEEKLY_AIM[1]:  # today would be one more than the aim
        return Schedule(cue=("week-enough", {"sessions": this_week + 1}), hold=True)
    if gap > 7:
        return Schedule(cue=("welcome-back", {"days": gap}))
    return Schedule()

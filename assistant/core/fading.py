"""How much the coach says (pure): the ``talk`` setting and the way cues fade as a session goes on.

- ``full``: every cue, every rep.
- ``normal`` (the default): every cue for the first reps of the first set, then shorter cues, then
  mostly counts from the second set on. Form reminders come back, with the full cues, for the
  attempts after an arch, and after a change of variation.
- ``brief``: counts, safety, and what the person must know (sides, sets, rests, changes).

What is always said: the descent's count, each rep's count, "arched", the set and rest lines,
the side of a sided variation, a variation's set-up, pain and stop.
"""

from dataclasses import dataclass
from enum import Enum

from assistant.core.errors import RoutineError
from assistant.core.routine import TALK, Routine

DEFAULT_TALK = "normal"
FULL_REPS = 3      # attempts of the first set with every cue (normal talk)
FULL_AFTER = 2     # attempts with every cue again after an arch or a change of variation
# Opening lines kept in brief talk: what the person must know before starting.
MUST_KNOW = ("pain-check", "pain-easier", "light-today", "progress-weight", "progress-variation", "took-weight",
             "took-variation", "regress-variation", "regress-to-start", "regress-weight")


def resolve_talk(given: str | None, routine: Routine) -> str:
    """The talk setting: ``given`` (the command line, or whatever the settings layer resolved above the
    routine) first, then the routine's own ``talk``, then the default."""
    for value in (given, routine.talk):
        if value is not None:
            if value not in TALK:
                raise RoutineError(f"talk {value!r} is unknown; use one of: {', '.join(TALK)}")
            return value
    return DEFAULT_TALK


class Stage(Enum):
    FULL = "full"      # brace, lift, top, lower, hover, count
    SHORT = "short"    # short brace and lift words, the count
    COUNTS = "counts"  # "lift", the descent's count, the rep's count


def rep_stage(talk: str, *, set_number: int, attempt: int, since_change: int | None) -> Stage:
    """How much to say in this attempt. ``since_change`` counts attempts since the last arch or change
    of variation in this set (1: the attempt right after it), None when there was none."""
    if talk == "full" or set_number == 0:  # the gentle first rep is always explained
        return Stage.FULL
    if talk == "brief":
        return Stage.COUNTS
    if since_change is not None and since_change <= FULL_AFTER:
        return Stage.FULL
    if set_number == 1:
        return Stage.FULL if attempt <= FULL_REPS else Stage.SHORT
    return Stage.COUNTS


@dataclass(frozen=True, kw_only=True)
class RepWords:
    """The cue ids for the phases of one attempt (before a variation's own phrasing); None: silence."""

    brace: str | None
    lift: str
    top: str | None        # "top", "top-breathe", "form-reminder", or REMINDER (the next in rotation)
    hover: bool
    to_go: bool            # "two to go" after the count, "last one" before the last attempt


REMINDER = "<reminder>"


def rep_words(talk: str, stage: Stage, *, gentle: bool, attempt: int, reps: int, every: int,
              breathing: bool, after_arch: bool) -> RepWords:
    """What is said in one attempt: the stage's words, plus a reminder now and then."""
    lift = "lift-gentle" if gentle else ("lift" if stage is Stage.FULL else "lift-short")
    return RepWords(brace={Stage.FULL: "brace", Stage.SHORT: "brace-short"}.get(stage), lift=lift,
                    top=_top(talk, stage, attempt=attempt, reps=reps, every=every, breathing=breathing,
                             after_arch=after_arch, gentle=gentle),
                    hover=stage is Stage.FULL, to_go=talk != "brief" and not gentle)


def _top(talk: str, stage: Stage, *, attempt: int, reps: int, every: int, breathing: bool, after_arch: bool,
         gentle: bool) -> str | None:
    if talk == "brief" or gentle:
        return "top-breathe" if gentle and breathing else ("top" if gentle else None)
    if after_arch:
        return "form-reminder"  # the back just arched: the reminder that matters
    if every and stage is not Stage.COUNTS and attempt % every == 0:
        return REMINDER
    if every and stage is Stage.COUNTS and reps >= 4 and attempt == (reps + 1) // 2:
        return REMINDER  # once a set, mid-way, when it has gone quiet
    if stage is Stage.FULL:
        return "top-breathe" if breathing else "top"
    return None


SHORT_SET = 4  # a set this short has "last one", and no "to go" before it


def to_go(left: int, reps: int) -> bool:
    """After a count: say how many attempts are left when it helps ("three to go", "two to go")."""
    return 2 <= left <= 3 and reps > SHORT_SET


def opening(talk: str, cues: tuple[tuple[str, tuple], ...]) -> tuple[tuple[str, tuple], ...]:
    """The opening lines to say: all of them, or in brief talk only what the person must know."""
    return cues if talk != "brief" else tuple(c for c in cues if c[0] in MUST_KNOW)

"""A routine flattened into the blocks the session walks through, in order."""

from dataclasses import dataclass

from assistant.core.errors import RoutineError
from assistant.core.limits import SESSION_S
from assistant.core.routine import Count, FirstRep, Hold, RestStep, Routine, Sets


@dataclass(frozen=True, kw_only=True)
class Guide:
    """A guided warm-up or finisher step."""

    step: Count | Hold


@dataclass(frozen=True, kw_only=True)
class Ready:
    """Getting into position before a set; ``set_number`` 0 is the gentle first rep."""

    set_number: int
    sets_total: int
    reps: int


@dataclass(frozen=True, kw_only=True)
class Reps:
    """A set: ``reps`` attempts. The gentle first rep is a set of one that is not counted."""

    set_number: int
    reps: int
    counted: bool = True

    @property
    def gentle(self) -> bool:
        return not self.counted


@dataclass(frozen=True, kw_only=True)
class Rest:
    """A rest. Between sets (``next_set`` > 0) its last seconds announce the next set and are the time
    to get into position; it ends with 3-2-1 and a tone, straight into the set."""

    seconds: float
    next_set: int = 0
    sets_total: int = 0
    reps: int = 0


Block = Guide | Ready | Reps | Rest


def plan(routine: Routine) -> tuple[Block, ...]:
    """Every block of the session, in the order the coach takes them."""
    total = sum(s.sets for s in routine.working_sets())
    blocks: list[Block] = []
    number = 0
    for step in routine.steps:
        if isinstance(step, (Count, Hold)):
            blocks.append(Guide(step=step))
        elif isinstance(step, RestStep):
            blocks.append(Rest(seconds=step.seconds))
        elif isinstance(step, FirstRep):
            blocks += [Ready(set_number=0, sets_total=total, reps=1),
                       Reps(set_number=0, reps=1, counted=False)]
        elif isinstance(step, Sets):
            for i in range(step.sets):
                number += 1
                if i and step.rest_s > 0:
                    blocks.append(Rest(seconds=step.rest_s, next_set=number, sets_total=total, reps=step.reps))
                else:
                    blocks.append(Ready(set_number=number, sets_total=total, reps=step.reps))
                blocks.append(Reps(set_number=number, reps=step.reps))
    return tuple(blocks)


def planned_seconds(routine: Routine) -> float:
    """How long the session takes by its numbers alone (speech and pauses only add to it); counted
    step by step, so a mistyped ten million sets costs nothing to measure."""
    tempo = routine.tempo
    rep = tempo.brace + tempo.lift + tempo.top + tempo.lower + tempo.bottom
    total = 0.0
    for step in routine.steps:
        if isinstance(step, Count):
            total += step.lead_s + step.count * step.seconds_each
        elif isinstance(step, Hold):
            total += step.lead_s + step.seconds
        elif isinstance(step, RestStep):
            total += step.seconds
        elif isinstance(step, FirstRep):
            total += routine.ready_s + rep
        else:  # a rest leads into each set after the first (without one, the time to get ready)
            between = step.rest_s if step.rest_s > 0 else routine.ready_s
            total += routine.ready_s + step.sets * step.reps * rep + (step.sets - 1) * between
    return total


def check_length(routine: Routine) -> None:
    """A RoutineError when the session would outlast what anyone trains in one go (core.limits.SESSION_S)."""
    planned = planned_seconds(routine)
    if not planned <= SESSION_S.high:
        hours = "more than 100" if not planned <= 360000 else f"{planned / 3600:.1f}"
        raise RoutineError(f"the session would last {hours} hours by its numbers alone (at most "
                           f"{SESSION_S.high / 3600:g} hours)")

"""Tight slots: cues that must be said before the count goes on, because the count never waits (pure).

The descent is counted one second apart ("lower, three", "two", "one"), a hold ends "3, 2, 1", and
a guided step counts every ``seconds_each``. The planner never lets speech overlap, so a line longer
than its slot pushes the next number late. Every other phase waits until the coach has finished.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from assistant.core.cues import own
from assistant.core.limits import TEMPO
from assistant.core.pack import Line, Pack, Said
from assistant.core.planner import GAP_S
from assistant.core.routine import Count, Routine, Variation

# The countdown's pace: the descent (beats.lower_beats) and the end of a hold (beats.guide_beats).
COUNT_EVERY_S = 1.0


@dataclass(frozen=True, kw_only=True)
class Slot:
    """``cue`` must be said within ``seconds`` (a breath included) of its start, with each of ``values``."""

    cue: str
    seconds: float
    why: str
    values: tuple[tuple[tuple[str, Any], ...], ...]


@dataclass(frozen=True, kw_only=True)
class Misfit:
    """A line too long for its slot: said with ``values``, it takes ``seconds``."""

    slot: Slot
    line: Line
    said: Said
    seconds: float

    @property
    def limit(self) -> float:
        """The longest the line may take: the slot less the breath before the next cue."""
        return self.slot.seconds - GAP_S


def tight_slots(routines: Iterable[Routine], variations: Iterable[Variation] = ()) -> list[Slot]:
    """The slots a line must fit in any of ``routines`` (the descent may be set from 2 to 6 seconds), for
    the shared cues and the variations' own phrasings of them ("lower/hanging")."""
    descents = range(int(TEMPO["lower"].low), int(TEMPO["lower"].high) + 1)
    slots = []
    for variation in (None, *variations):
        for cue, why, numbers in (("lower", '"two" comes one second after "lower" starts', descents),
                                  ("count", "the countdown says a number every second", range(1, max(descents)))):
            if variation is None or cue in variation.own:
                slots.append(Slot(cue=cue if variation is None else own(cue, variation), seconds=COUNT_EVERY_S,
                                  why=why, values=tuple((("n", n),) for n in numbers)))
    counted: dict[tuple[int, float], Routine] = {}
    for routine in routines:
        for step in routine.steps:
            if isinstance(step, Count):
                counted.setdefault((step.count, step.seconds_each), routine)
    for (count, every), routine in sorted(counted.items()):
        slots.append(Slot(cue="guide-count", seconds=every,
                          why=f"routine {routine.name!r} counts every {every:g} s",
                          values=tuple((("n", n), ("of", count)) for n in range(1, count + 1))))
    return slots


def misfits(pack: Pack, slots: Iterable[Slot], duration: Callable[[Said], float],
            only: Callable[[Line], bool] = lambda line: True) -> list[Misfit]:
    """Every line of ``pack`` (that ``only`` picks) too long for a slot, once per line at its longest."""
    worst: dict[tuple[str, Line], Misfit] = {}
    for slot in slots:
        lines = pack.cues.get(slot.cue, ())
        for values in slot.values:
            for line, said in zip(lines, pack.lines(slot.cue, dict(values))):
                if not only(line):
                    continue
                seconds = duration(said)
                if seconds + GAP_S > slot.seconds:
                    key = (slot.cue, line)
                    found = Misfit(slot=slot, line=line, said=said, seconds=seconds)
                    if key not in worst or found.limit - found.seconds < worst[key].limit - worst[key].seconds:
                        worst[key] = found
    return list(worst.values())

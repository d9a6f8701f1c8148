"""Routines and variations as data: parsed and validated from TOML tables (pure, no file I/O)."""

from dataclasses import dataclass, replace
from typing import Any

from assistant.errors import RoutineError
from assistant.fields import Fields

# Guided exercises the coach knows how to introduce (each has an intro cue in every voice pack).
EXERCISES = ("cat-cow", "tension-check", "plank")


@dataclass(frozen=True, kw_only=True)
class Variation:
    id: str
    sides: bool  # alternates left and right from one attempt to the next


@dataclass(frozen=True, kw_only=True)
class Variations:
    """The variations, easiest first; ``easier``/``harder`` walk this order."""

    order: tuple[Variation, ...]
    default: str

    def ids(self) -> tuple[str, ...]:
        return tuple(v.id for v in self.order)

    def get(self, variation_id: str) -> Variation:
        for v in self.order:
            if v.id == variation_id:
                return v
        raise RoutineError(f"unknown variation {variation_id!r}; use one of: {', '.join(self.ids())}")

    def step(self, variation_id: str, delta: int) -> str | None:
        """The next easier (delta -1) or harder (+1) variation, or None at the end of the scale."""
        i = self.ids().index(variation_id) + delta
        return self.order[i].id if 0 <= i < len(self.order) else None


@dataclass(frozen=True, kw_only=True)
class Tempo:
    """Seconds per phase of one rep; ``lower`` is a whole number: the coach counts it down."""

    brace: float = 2.0
    lift: float = 2.0
    top: float = 1.0
    lower: int = 3
    bottom: float = 1.0


@dataclass(frozen=True, kw_only=True)
class Count:
    """A guided step the coach counts through (cat-cow)."""

    exercise: str
    count: int
    seconds_each: float
    lead_s: float = 4.0


@dataclass(frozen=True, kw_only=True)
class Hold:
    """A timed hold (tension check, plank)."""

    exercise: str
    seconds: float
    lead_s: float = 4.0


@dataclass(frozen=True, kw_only=True)
class FirstRep:
    """One gentle rep to 45 degrees, to feel the movement; it does not count."""


@dataclass(frozen=True, kw_only=True)
class Sets:
    sets: int
    reps: int
    rest_s: float = 60.0


Step = Count | Hold | FirstRep | Sets


@dataclass(frozen=True, kw_only=True)
class Routine:
    name: str
    description: str
    variation: str
    tempo: Tempo
    steps: tuple[Step, ...]
    ready_s: float = 5.0
    reminder_every: int = 3  # a form reminder every Nth attempt; 0 never

    def with_overrides(self, *, variation: str | None = None, sets: int | None = None,
                       reps: int | None = None, rest_s: float | None = None,
                       lower: int | None = None) -> "Routine":
        """The same routine with the working sets, variation or descent changed."""
        steps = tuple(
            replace(s, sets=sets or s.sets, reps=reps or s.reps,
                    rest_s=s.rest_s if rest_s is None else rest_s) if isinstance(s, Sets) else s
            for s in self.steps)
        tempo = replace(self.tempo, lower=lower) if lower else self.tempo
        return replace(self, steps=steps, tempo=tempo, variation=variation or self.variation)

    def working_sets(self) -> tuple[Sets, ...]:
        return tuple(s for s in self.steps if isinstance(s, Sets))


def parse_variations(data: Any, *, source: str) -> Variations:
    top = Fields(data, source=source, where="", error=RoutineError)
    entries = top.get("variation", list, example='[[variation]] tables, easiest first')
    order = []
    for i, entry in enumerate(entries):
        f = Fields(entry, source=source, where=f"variation[{i}]", error=RoutineError)
        order.append(Variation(id=f.get("id", str, check=bool, expect="a non-empty id"),
                               sides=f.get("sides", bool, False)))
        f.finish()
    if not order:
        top.fail("no variation is defined", 'add [[variation]] tables with id = "..."')
    ids = [v.id for v in order]
    if len(set(ids)) != len(ids):
        top.fail(f"variation ids repeat: {ids}", "give each [[variation]] its own id")
    default = top.choice("default", ids)
    top.finish()
    return Variations(order=tuple(order), default=default)


def parse_routine(data: Any, *, source: str, variations: Variations) -> Routine:
    """Build a Routine from a parsed TOML table; every problem raises RoutineError naming key and fix."""
    f = Fields(data, source=source, where="", error=RoutineError)
    name = f.get("name", str, check=bool, expect="non-empty text in quotes")
    description = f.get("description", str, "")
    variation = f.choice("variation", variations.ids(), variations.default)
    tempo = _parse_tempo(f.table_of("tempo"))
    ready_s = f.seconds("ready_s", 5.0, zero_ok=True)
    reminder_every = f.get("reminder_every", int, 3, check=lambda x: x >= 0,
                           expect="zero (never) or a whole number of attempts")
    raw_steps = f.get("steps", list, example='[[steps]] tables (kind = "sets", sets = 3, reps = 10)')
    if not raw_steps:
        f.fail("steps is empty", 'add at least one [[steps]] table, e.g. kind = "sets"')
    steps = tuple(_parse_step(step, source=source, index=i) for i, step in enumerate(raw_steps))
    f.finish()
    return Routine(name=name, description=description, variation=variation, tempo=tempo,
                   steps=steps, ready_s=ready_s, reminder_every=reminder_every)


def _parse_tempo(f: Fields | None) -> Tempo:
    if f is None:
        return Tempo()
    d = Tempo()
    tempo = Tempo(
        brace=f.seconds("brace", d.brace),
        lift=f.seconds("lift", d.lift),
        top=f.seconds("top", d.top),
        lower=f.get("lower", int, d.lower, check=lambda x: 2 <= x <= 6,
                    expect="a whole number of seconds from 2 to 6 (the coach counts it down)",
                    example="lower = 3"),
        bottom=f.seconds("bottom", d.bottom),
    )
    f.finish()
    return tempo


_KINDS = ("count", "hold", "first-rep", "sets")


def _parse_step(data: Any, *, source: str, index: int) -> Step:
    f = Fields(data, source=source, where=f"steps[{index}]", error=RoutineError)
    kind = f.choice("kind", _KINDS)
    step: Step
    if kind == "count":
        step = Count(exercise=f.choice("exercise", EXERCISES), count=f.whole("count"),
                     seconds_each=f.seconds("seconds_each"), lead_s=f.seconds("lead_s", 4.0, zero_ok=True))
    elif kind == "hold":
        step = Hold(exercise=f.choice("exercise", EXERCISES), seconds=f.seconds("seconds"),
                    lead_s=f.seconds("lead_s", 4.0, zero_ok=True))
    elif kind == "first-rep":
        step = FirstRep()
    else:
        step = Sets(sets=f.whole("sets"), reps=f.whole("reps"), rest_s=f.seconds("rest_s", 60.0, zero_ok=True))
    f.finish()
    return step

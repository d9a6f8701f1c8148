"""Routines and variations as data (pure: `assistant.data.routines` reads them from files)."""

from dataclasses import dataclass, replace

from assistant.core.errors import RoutineError

# Guided exercises the coach knows how to introduce (each has an intro cue in every voice pack).
EXERCISES = ("cat-cow", "tension-check", "hip-stretch", "plank")
TALK = ("full", "normal", "brief")     # how much the coach says (assistant.core.fading)
PROGRESS = ("ask", "auto", "off")      # the ladder's next step: offered, taken, or no ladder (assistant.core.ladder)


@dataclass(frozen=True, kw_only=True)
class Variation:
    id: str
    sides: bool                   # alternates left and right from one attempt to the next
    own: tuple[str, ...] = ()     # cues this variation says its own way ("brace/hanging")
    weight: bool = False          # the ladder adds a light weight before the next variation
    hands_aid: bool = False       # hands under the hips is an allowed aid for beginners


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
        """The next easier (delta -1) or harder (+1) variation, or None at the end of the scale (or for a
        variation this catalog does not have, as an old record may name)."""
        if variation_id not in self.ids():
            return None
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
    knees: bool = False  # a plank that offers the knee plank ("easier")


@dataclass(frozen=True, kw_only=True)
class RestStep:
    """A rest outside the working sets (before the plank)."""

    seconds: float


@dataclass(frozen=True, kw_only=True)
class FirstRep:
    """One gentle rep to 45 degrees, to feel the movement; it does not count."""


@dataclass(frozen=True, kw_only=True)
class Sets:
    sets: int
    reps: int
    rest_s: float = 60.0


Step = Count | Hold | RestStep | FirstRep | Sets


@dataclass(frozen=True, kw_only=True)
class Routine:
    name: str
    description: str
    variation: str
    tempo: Tempo
    steps: tuple[Step, ...]
    ready_s: float = 5.0
    reminder_every: int = 3  # a form reminder every Nth attempt; 0 never
    talk: str | None = None       # one of TALK; None: not set by the routine
    progress: str | None = None   # one of PROGRESS; None: not set by the routine
    breathing: bool = True        # "breathe in on the way down", with the first reps and now and then
    hands_under_hips: bool = True  # offer the hands-under-hips aid to beginners
    stretch_after_pain: bool = True  # after a session that ended in pain, start with the hip stretch

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

    def with_first(self, step: Step) -> "Routine":
        """The same routine with ``step`` done first."""
        return replace(self, steps=(step,) + self.steps)

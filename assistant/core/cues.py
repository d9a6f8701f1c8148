"""The cue ids the session core can emit, with the parameters each one carries.

Voice packs must give text for every id; placeholders in that text may only use the
parameters listed here. Name-like parameters (variation, side, routine) are ids that a
pack translates through its [names] table.
"""

from collections.abc import Iterable

from assistant.core.routine import EXERCISES, Variation

FIXED: dict[str, tuple[str, ...]] = {
    "welcome": ("routine", "variation", "sets", "reps"),          # today's plan, in one sentence
    "welcome-weighted": ("routine", "variation", "sets", "reps"),
    "guide-count": ("n", "of"),
    "hold-start": ("seconds",),
    "halfway": (),
    "switch-sides": (),           # halfway through a stretch held on each side
    "knee-plank-offer": (),
    "knees-down": (),
    "count": ("n",),
    "tone": (),                   # a short tone: go
    "step-done": (),
    "ready": ("set", "sets", "reps"),
    "ready-first-rep": (),
    "aid-hands": (),
    "weight-on": (),
    "side": ("side", "other"),
    "brace": (),
    "brace-short": (),
    "lift": (),
    "lift-short": (),
    "lift-gentle": (),
    "top": (),
    "top-breathe": (),
    "lower": ("n",),
    "hover": (),
    "rep-counted": ("n",),
    "to-go": ("left",),
    "last-one": (),
    "gentle-done": (),
    "gentle-arched": ("variation",),
    "arched": (),
    "form-reminder": (),
    "remind-head": (),
    "remind-breath": (),
    "remind-ribs": (),
    "remind-slow": (),
    "suggest-easier": ("variation",),
    "variation-next": ("variation",),
    "weight-next": ("reps",),
    "step-next": ("variation", "reps"),
    "weight-off": (),
    "no-easier": (),
    "no-harder": (),
    "descent-changed": ("seconds",),
    "descent-slowest": ("seconds",),
    "descent-fastest": ("seconds",),
    "set-done": ("set", "perfect", "target"),
    "last-set-done": ("set", "perfect", "target"),
    "rest": ("seconds",),
    "rest-left": ("seconds",),
    "paused": (),
    "paused-hint": (),
    "resumed": (),
    "microphone-lost": (),
    "microphone-back": (),
    "speaker-back": (),
    "summary": ("perfect", "attempts"),
    "summary-set": ("set", "perfect", "target"),
    "stopped": (),
    "stopped-empty": (),          # stopped before anything was done: short and kind
    "pain": (),
    "pain-after": (),             # after pain: no congratulations
    "goodbye": (),
    "goodbye-early": (),
    # the opening, from past sessions (assistant.core.progression and assistant.core.ladder)
    "first-session": (),
    "light-today": ("sets",),
    "trained-today": (),
    "recovery-consecutive": (),
    "week-enough": ("sessions",),
    "welcome-back": ("days",),
    "last-time": ("set", "perfect", "aim"),
    "last-time-all": ("target",),
    "floor": ("seconds",),
    "climb": ("reps",),
    "progress-weight": (),
    "progress-variation": ("variation",),
    "took-weight": ("reps",),
    "took-variation": ("variation", "reps"),
    "regress-reps": ("reps",),
    "regress-weight": (),
    "regress-variation": ("variation",),
    "regress-to-start": ("variation",),
    "regress-slow-down": (),
    "pain-check": (),
    "pain-easier": ("variation",),
}

# Cue ids of earlier versions, and what says that now: a user's pack that still has one is told.
RENAMED = {"summary-empty": "stopped-empty", "recovery-today": "light-today"}

# Parameters that are whole numbers: what a pack's [plurals] may follow.
NUMBER_PARAMS = ("n", "of", "seconds", "set", "sets", "reps", "perfect", "target", "attempts", "sessions",
                 "days", "aim", "left")

# Parameters a line must say: a countdown without its number is no countdown. Cues listed
# here cannot be recordings.
REQUIRED: dict[str, tuple[str, ...]] = {
    "count": ("n",),
    "lower": ("n",),
    "guide-count": ("n",),
    "rep-counted": ("n",),
    "side": ("side",),
    "hold-start": ("seconds",),
    "rest": ("seconds",),
    "rest-left": ("seconds",),
    "to-go": ("left",),
    "descent-changed": ("seconds",),
    "climb": ("reps",),
    "light-today": ("sets",),
    "trained-today": (),
    "ready": ("set",),
    "set-done": ("perfect",),
    "last-set-done": ("perfect",),
    "summary": ("perfect",),
    "summary-set": ("set", "perfect"),
    "suggest-easier": ("variation",),
    "variation-next": ("variation",),
    "progress-variation": ("variation",),
    "regress-variation": ("variation",),
    "regress-to-start": ("variation",),
    "took-variation": ("variation",),
    "step-next": ("variation",),
    "gentle-arched": ("variation",),
    "pain-easier": ("variation",),
    "last-time": ("perfect",),
    "week-enough": ("sessions",),
    "welcome-back": ("days",),
    "floor": ("seconds",),
}

# Rotated through "now and then", never every rep.
REMINDERS = ("remind-head", "remind-breath", "remind-ribs", "remind-slow")

SIDES = ("left", "right")

# A value for every parameter, to say any cue for a preview or a check.
EXAMPLE_PARAMS = {"n": 3, "of": 5, "seconds": 30, "set": 2, "sets": 3, "reps": 10, "perfect": 8, "target": 10,
                  "attempts": 10, "variation": "bent-knee", "side": "left", "other": "right", "routine": "leg-lift",
                  "sessions": 4, "days": 9, "aim": 9, "left": 2}


def setup_cue(variation: str) -> str:
    """How to get into position for a variation."""
    return f"setup-{variation}"


def intro_cue(exercise: str) -> str:
    """The introduction of a guided step."""
    return f"intro-{exercise}"


def own(cue: str, variation: Variation) -> str:
    """The id of ``cue`` as ``variation`` says it: its own phrasing ("brace/hanging") when it changes that cue."""
    return f"{cue}/{variation.id}" if cue in variation.own else cue


def all_cues(variations: Iterable[Variation]) -> dict[str, tuple[str, ...]]:
    """Every cue id the core can emit for these variations, mapped to its parameters."""
    cues = dict(FIXED)
    for v in variations:
        cues[setup_cue(v.id)] = ()
        cues.update({own(cue, v): FIXED[cue] for cue in v.own})
    cues.update({intro_cue(e): () for e in EXERCISES})
    return cues

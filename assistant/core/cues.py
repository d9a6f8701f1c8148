"""The cue ids the session core can emit, with the parameters each one carries.

Voice packs must give text for every id; placeholders in that text may only use the
parameters listed here. Name-like parameters (variation, side, routine) are ids that a
pack translates through its [names] table.
"""

from collections.abc import Iterable

from assistant.core.routine import EXERCISES

FIXED: dict[str, tuple[str, ...]] = {
    "welcome": ("routine", "variation", "sets", "reps"),
    "guide-count": ("n", "of"),
    "hold-start": ("seconds",),
    "halfway": (),
    "count": ("n",),
    "step-done": (),
    "ready": ("set", "sets", "reps"),
    "ready-first-rep": (),
    "side": ("side",),
    "brace": (),
    "lift": (),
    "lift-gentle": (),
    "top": (),
    "lower": ("n",),
    "rep-counted": ("n",),
    "gentle-done": (),
    "arched": (),
    "form-reminder": (),
    "remind-head": (),
    "remind-breath": (),
    "remind-ribs": (),
    "remind-slow": (),
    "suggest-easier": ("variation",),
    "variation-next": ("variation",),
    "no-easier": (),
    "no-harder": (),
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
    "summary-empty": (),
    "stopped": (),
    "pain": (),
    "goodbye": (),
    # the opening, from past sessions (assistant.core.progression)
    "first-session": (),
    "recovery-today": (),
    "recovery-consecutive": (),
    "week-enough": ("sessions",),
    "welcome-back": ("days",),
    "last-time": ("set", "perfect", "aim"),
    "last-time-all": ("target",),
    "floor": ("seconds",),
    "progress-weight": (),
    "progress-variation": ("variation",),
    "regress-variation": ("variation",),
    "regress-slow-down": (),
}

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
    "ready": ("set",),
    "set-done": ("perfect",),
    "last-set-done": ("perfect",),
    "summary": ("perfect",),
    "summary-set": ("set", "perfect"),
    "suggest-easier": ("variation",),
    "variation-next": ("variation",),
    "progress-variation": ("variation",),
    "regress-variation": ("variation",),
    "last-time": ("perfect",),
    "week-enough": ("sessions",),
    "welcome-back": ("days",),
    "floor": ("seconds",),
}

# Rotated through "now and then", never every rep.
REMINDERS = ("remind-head", "remind-breath", "remind-ribs", "remind-slow")

SIDES = ("left", "right")

# Parameters that are whole numbers (core.limits.CUE_NUMBER); the others are names: a variation id, a
# side (SIDES) or a routine's name.
NUMBER_PARAMS = ("n", "of", "seconds", "set", "sets", "reps", "perfect", "target", "attempts", "sessions", "days",
                 "aim")

# A value for every parameter, to say any cue for a preview or a check.
EXAMPLE_PARAMS = {"n": 3, "of": 5, "seconds": 30, "set": 2, "sets": 3, "reps": 10, "perfect": 8, "target": 10,
                  "attempts": 10, "variation": "bent-knee", "side": "left", "routine": "leg-lift", "sessions": 3,
                  "days": 9, "aim": 9}


def setup_cue(variation: str) -> str:
    """How to get into position for a variation."""
    return f"setup-{variation}"


def intro_cue(exercise: str) -> str:
    """The introduction of a guided step."""
    return f"intro-{exercise}"


def all_cues(variation_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Every cue id the core can emit for these variations, mapped to its parameters."""
    cues = dict(FIXED)
    cues.update({setup_cue(v): () for v in variation_ids})
    cues.update({intro_cue(e): () for e in EXERCISES})
    return cues

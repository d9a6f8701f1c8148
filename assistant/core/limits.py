"""Sensible ranges for every number a person can give matcoach, in one place (pure).

Routine files, command-line options and voice packs are all checked against this table, and
every error shows the range. A value outside it is a typo or a session nobody can do: 100,000
reps is 250 hours, a sample rate of 1 Hz is no sound, ``inf`` seconds never ends.
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Range:
    """The values a number may take: ``low`` to ``high`` inclusive, finite, whole when ``whole``."""

    low: float
    high: float
    unit: str = ""        # "seconds", "Hz": said after the numbers in messages
    whole: bool = False
    example: float = 0    # a typical value, for "write key = 3" in a fix

    def __contains__(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if not math.isfinite(value) or (self.whole and value != int(value)):
            return False
        return self.low <= value <= self.high

    def describe(self) -> str:
        """"a whole number from 1 to 20", "from 0.5 to 15 seconds"."""
        unit = f" {self.unit}" if self.unit else ""
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} from {_number(self.low)} to {_number(self.high)}{unit}"

    def sample(self) -> str:
        return _number(self.example if self.example else self.low)


def _number(value: float) -> str:
    return f"{value:g}" if value < 1e6 else f"{value:,.0f}"


# Routine files (the key names of a routine's TOML) and the options that override them.
ROUTINE = {
    "sets": Range(low=1, high=20, whole=True, example=3),
    "reps": Range(low=1, high=100, whole=True, example=10),
    "rest_s": Range(low=0, high=600, unit="seconds", example=60),
    "ready_s": Range(low=0, high=120, unit="seconds", example=5),
    "reminder_every": Range(low=0, high=100, whole=True, example=3),
    "count": Range(low=1, high=50, whole=True, example=5),
    "seconds_each": Range(low=1, high=30, unit="seconds", example=4),
    "seconds": Range(low=1, high=600, unit="seconds", example=30),
    "lead_s": Range(low=0, high=60, unit="seconds", example=4),
}
TEMPO = {
    "brace": Range(low=0.5, high=15, unit="seconds", example=2),
    "lift": Range(low=0.5, high=15, unit="seconds", example=2),
    "top": Range(low=0.5, high=15, unit="seconds", example=1),
    # counted down one second apart: "lower, three", "two", "one"
    "lower": Range(low=2, high=6, unit="seconds", whole=True, example=3),
    "bottom": Range(low=0.5, high=15, unit="seconds", example=1),
}
# A whole session as planned (without the time speech and pauses add): two hours is already a lot of
# core work; beyond it a number was surely mistyped.
SESSION_S = Range(low=1, high=2 * 60 * 60, unit="seconds")

# How the coach speaks (voice packs).
VOICE = {
    "rate": Range(low=60, high=400, unit="words per minute", whole=True, example=165),
    "volume": Range(low=0, high=1, example=1),
}

# Command-line options that are not routine numbers.
SPEED = Range(low=0.1, high=1000, unit="times real time", example=10)
SAMPLE_RATE = Range(low=8000, high=192000, unit="Hz", whole=True, example=22050)
SAY_AT = Range(low=0, high=SESSION_S.high, unit="seconds", example=42)
LAST = Range(low=1, high=1_000_000, whole=True, example=5)
# Cue parameters that are numbers (a count, a set, seconds): what a preview may set them to.
CUE_NUMBER = Range(low=0, high=9999, whole=True, example=3)

"""Time, injected: the session asks a clock and never reads the system time itself."""

from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the session's clock started."""
        ...


class VirtualClock:
    """A clock that only moves when told: whole sessions run in milliseconds."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance_to(self, t: float) -> None:
        if t < self._now:
            raise ValueError(f"time cannot go back: {t} < {self._now}")
        self._now = t

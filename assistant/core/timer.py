"""The timing of one phase: when it ends and the cues spoken on the way (counts, time left)."""

from collections import deque
from dataclasses import dataclass, field
from typing import Any

# Virtual time lands exactly on deadlines; real time may wake a hair early.
_EPSILON = 1e-6


@dataclass(frozen=True, kw_only=True)
class Mark:
    """A cue due at a moment inside a phase."""

    at: float
    cue: str
    params: tuple[tuple[str, Any], ...] = ()


@dataclass
class PhaseTimer:
    ends_at: float | None = None
    marks: deque[Mark] = field(default_factory=deque)
    frozen_at: float | None = None

    def start(self, now: float, duration: float, marks: tuple[tuple[float, str, dict], ...] = (),
              not_before: float = float("-inf")) -> None:
        """Run for ``duration`` seconds from ``now``, but not end before ``not_before`` (speech still
        under way); ``marks`` are (offset, cue, params)."""
        self.ends_at = max(now + duration, not_before)
        self.marks = deque(Mark(at=now + offset, cue=cue, params=tuple(params.items()))
                           for offset, cue, params in sorted(marks, key=lambda m: m[0])
                           if offset < duration)
        self.frozen_at = None

    def stop(self) -> None:
        self.ends_at = None
        self.marks.clear()

    @property
    def deadline(self) -> float | None:
        """When something next happens: a mark, or the end of the phase; None when frozen or idle."""
        if self.frozen_at is not None or self.ends_at is None:
            return None
        return self.marks[0].at if self.marks else self.ends_at

    def next_after(self, now: float) -> float | None:
        """The next moment something happens strictly after ``now``: a later mark, or the end."""
        if self.frozen_at is not None or self.ends_at is None:
            return None
        later = [m.at for m in self.marks if m.at > now + _EPSILON]
        return later[0] if later else self.ends_at

    def mark_due(self, now: float) -> bool:
        return bool(self.marks) and self.frozen_at is None and self.marks[0].at <= now + _EPSILON

    def pop_mark(self) -> Mark:
        return self.marks.popleft()

    def time_up(self, now: float) -> bool:
        return (self.frozen_at is None and self.ends_at is not None and not self.marks
                and self.ends_at <= now + _EPSILON)

    def freeze(self, now: float) -> None:
        if self.frozen_at is None:
            self.frozen_at = now

    def thaw(self, now: float) -> None:
        """Go on with the time that was left when frozen."""
        if self.frozen_at is None or self.ends_at is None:
            return
        shift = now - self.frozen_at
        self.ends_at += shift
        self.marks = deque(Mark(at=m.at + shift, cue=m.cue, params=m.params) for m in self.marks)
        self.frozen_at = None

    def remaining(self, now: float) -> float:
        if self.ends_at is None:
            return 0.0
        return max(0.0, self.ends_at - (self.frozen_at if self.frozen_at is not None else now))

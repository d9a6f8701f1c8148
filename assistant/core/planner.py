"""Placing speech on the session's timeline (pure): no cue overlaps another, and tight slots get
the shortest line that fits. The session learns when each cue really starts and ends.
"""

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.core.pack import Pack, Said

# A breath between two cues said back to back.
GAP_S = 0.15
HUSH_GAP_S = 0.1  # after a line is cut short, the next may start this soon: an answer cannot wait


@dataclass(frozen=True, kw_only=True)
class Placement:
    """A cue as it will be heard: from ``start`` to ``end`` session seconds."""

    cue: str
    params: tuple[tuple[str, Any], ...]
    said: Said
    start: float
    end: float

    @property
    def text(self) -> str:
        return self.said.text


class Voice(Protocol):
    @property
    def busy_until(self) -> float:
        """When the voice falls silent, as planned so far."""
        ...

    def place(self, cue: str, params: Mapping[str, Any], *, at: float, fit: float | None = None) -> Placement:
        """Plan ``cue`` no earlier than ``at``; ``fit`` is the time it should take at most."""
        ...

    def hush(self, now: float) -> list[Placement]:
        """Stop talking now; returns what was cut (still playing, or not yet started)."""
        ...


class Planner:
    """The Voice over a pack and a way to know how long a line takes (zero: text only)."""

    def __init__(self, pack: Pack, duration: Callable[[Said], float] = lambda said: 0.0,
                 gap: float = GAP_S) -> None:
        self.pack = pack
        self.duration = duration
        self.gap = gap
        self.busy_until = float("-inf")
        self._turns: Counter[str] = Counter()
        self._planned: list[Placement] = []

    def place(self, cue: str, params: Mapping[str, Any], *, at: float, fit: float | None = None) -> Placement:
        lines = self.pack.lines(cue, params)
        turn = self._turns[cue]
        rotation = [lines[(turn + i) % len(lines)] for i in range(len(lines))]
        choice, length = 0, self.duration(rotation[0])
        if fit is not None and length + self.gap > fit:  # only a tight slot needs the other lines measured
            lengths = [length] + [self.duration(said) for said in rotation[1:]]
            fitting = [i for i, n in enumerate(lengths) if n + self.gap <= fit]
            choice = fitting[0] if fitting else min(range(len(lengths)), key=lengths.__getitem__)
            length = lengths[choice]
        self._turns[cue] = turn + choice + 1  # the next time, go on after the line chosen
        start = max(at, self.busy_until + self.gap)
        placement = Placement(cue=cue, params=tuple(params.items()), said=rotation[choice], start=start,
                              end=start + length)
        if placement.end > placement.start:  # silent (text-only) lines take no time
            self.busy_until = placement.end
        self._planned = [p for p in self._planned if p.end > at] + [placement]
        return placement

    def hush(self, now: float) -> list[Placement]:
        cut = [p for p in self._planned if p.end > now]
        self._planned = []
        # silence now; the next line starts at once when nothing was being said, a breath after a cut line
        speaking = any(p.start <= now for p in cut)
        self.busy_until = min(self.busy_until, now - self.gap + (HUSH_GAP_S if speaking else 0.0))
        return cut

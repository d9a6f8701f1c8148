"""What the session core emits: cues to speak and facts about the session.

Every event is a small frozen dataclass with the session time ``t`` (seconds)
and a class-level ``kind`` that names it in JSON output.
"""

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True, kw_only=True)
class Event:
    kind: ClassVar[str] = "event"
    t: float


@dataclass(frozen=True, kw_only=True)
class Cue(Event):
    """Something the coach says: a cue id and its parameters, the line chosen, from ``t`` to ``end``."""

    kind: ClassVar[str] = "cue"
    cue: str
    params: tuple[tuple[str, Any], ...] = ()
    text: str = ""
    end: float | None = None

    @property
    def args(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True, kw_only=True)
class Hushed(Event):
    """The coach stopped talking at ``t`` (a command interrupted it); ``cut`` names the cues cut short."""

    kind: ClassVar[str] = "hushed"
    cut: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Heard(Event):
    """A spoken command reached the session."""

    kind: ClassVar[str] = "heard"
    command: str
    phrase: str | None = None        # the words, when a recognizer heard them
    confidence: float | None = None  # the recognizer's, 0..1


@dataclass(frozen=True, kw_only=True)
class RepCounted(Event):
    kind: ClassVar[str] = "rep_counted"
    set: int
    rep: int
    perfect: int
    variation: str
    side: str | None = None
    lower_s: float


@dataclass(frozen=True, kw_only=True)
class RepFailed(Event):
    """An arched back ended the attempt; ``descent_s`` is how far into the lowering it happened."""

    kind: ClassVar[str] = "rep_failed"
    set: int
    rep: int
    variation: str
    side: str | None = None
    phase: str
    descent_s: float | None = None
    lower_s: float


@dataclass(frozen=True, kw_only=True)
class StepStarted(Event):
    """A guided step (warm-up or finisher) began."""

    kind: ClassVar[str] = "step"
    exercise: str


@dataclass(frozen=True, kw_only=True)
class SetStarted(Event):
    kind: ClassVar[str] = "set_started"
    set: int
    target: int
    variation: str


@dataclass(frozen=True, kw_only=True)
class SetResult:
    number: int
    target: int
    perfect: int
    failed: int
    variation: str


@dataclass(frozen=True, kw_only=True)
class SetDone(Event):
    kind: ClassVar[str] = "set_done"
    result: SetResult
    ended_early: bool = False


@dataclass(frozen=True, kw_only=True)
class Paused(Event):
    kind: ClassVar[str] = "paused"
    during: str


@dataclass(frozen=True, kw_only=True)
class Resumed(Event):
    """The session went on; ``restarted_rep`` when an interrupted rep starts again from the brace."""

    kind: ClassVar[str] = "resumed"
    to: str
    restarted_rep: bool


@dataclass(frozen=True, kw_only=True)
class DeviceLost(Event):
    """The microphone or the speaker stopped working; the session pauses until it is back."""

    kind: ClassVar[str] = "device_lost"
    device: str  # "microphone" or "speaker"
    reason: str


@dataclass(frozen=True, kw_only=True)
class DeviceBack(Event):
    kind: ClassVar[str] = "device_back"
    device: str


@dataclass(frozen=True, kw_only=True)
class VariationChanged(Event):
    kind: ClassVar[str] = "variation_changed"
    previous: str
    variation: str


@dataclass(frozen=True, kw_only=True)
class Summary(Event):
    """The last event of every session."""

    kind: ClassVar[str] = "summary"
    sets: tuple[SetResult, ...] = field(default_factory=tuple)
    perfect_total: int
    failed_total: int
    duration_s: float
    variation: str
    stopped_early: bool
    reason: str  # "completed", "stopped", "pain" or "input-ended"

"""What the session core emits: cues to speak and facts about the session.

Every event is a small frozen dataclass with the session time ``t`` (seconds) and a class-level
``kind`` that names it in JSON output. Each one renders itself: ``as_json()`` for programs (one
object per line) and ``describe()`` for the readable timeline; sinks never ask what type an event is.
"""

import dataclasses
import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar


class EndReason(str, Enum):
    """Why a session ended; the value is what JSON output and the history store say."""

    COMPLETED = "completed"      # every block of the plan was done
    STOPPED = "stopped"          # the person said "stop"
    PAIN = "pain"                # the person said "pain": stopped at once, with a safety message
    INPUT_ENDED = "input-ended"  # nobody can speak any more (a script ran out, the microphone is gone for good)
    INTERRUPTED = "interrupted"  # Ctrl-C or SIGTERM

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, kw_only=True)
class Event:
    kind: ClassVar[str] = "event"
    public: ClassVar[bool] = True  # False: for the live view only, not printed or recorded
    t: float

    def fields(self) -> dict[str, Any]:
        """The event's own fields for JSON (all but ``t``)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "t"}

    def as_json(self) -> dict[str, Any]:
        """The JSON object for this event: always "t" (session seconds) and "event"."""
        return {"t": round(self.t, 3), "event": self.kind, **self.fields()}

    def describe(self) -> tuple[str, str]:
        """(who, what) for the readable timeline."""
        return "  ·", self.kind


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

    def fields(self) -> dict[str, Any]:
        end = None if self.end is None else round(self.end, 3)
        return dict(cue=self.cue, text=self.text, params=self.args, end=end)

    def describe(self) -> tuple[str, str]:
        return "coach", self.text


@dataclass(frozen=True, kw_only=True)
class Hushed(Event):
    """The coach stopped talking at ``t`` (a command interrupted it); ``cut`` names the cues cut short."""

    kind: ClassVar[str] = "hushed"
    cut: tuple[str, ...]

    def describe(self) -> tuple[str, str]:
        return "  …", f"coach interrupted ({', '.join(self.cut)})"


@dataclass(frozen=True, kw_only=True)
class Heard(Event):
    """A spoken command reached the session."""

    kind: ClassVar[str] = "heard"
    command: str
    phrase: str | None = None        # the words, when a recognizer heard them
    confidence: float | None = None  # the recognizer's, 0..1

    def fields(self) -> dict[str, Any]:
        if self.phrase is None:  # scripted, not heard by a recognizer
            return dict(command=self.command)
        return dict(command=self.command, phrase=self.phrase,
                    confidence=None if self.confidence is None else round(self.confidence, 3))

    def describe(self) -> tuple[str, str]:
        if self.phrase is not None and self.confidence is not None:
            return "heard", f'"{self.command}" ("{self.phrase}", confidence {self.confidence:.2f})'
        return "heard", f'"{self.command}"'


def _where(set_number: int, rep: int) -> str:
    return "first rep" if set_number == 0 else f"set {set_number} rep {rep}"


@dataclass(frozen=True, kw_only=True)
class RepCounted(Event):
    kind: ClassVar[str] = "rep_counted"
    set: int
    rep: int
    perfect: int
    variation: str
    side: str | None = None
    lower_s: float

    def describe(self) -> tuple[str, str]:
        return "  ✓", f"{_where(self.set, self.rep)} counted ({self.perfect} perfect)"


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

    def describe(self) -> tuple[str, str]:
        when = f", {self.descent_s:.1f} s into the descent" if self.descent_s is not None else ""
        return "  ✗", f"{_where(self.set, self.rep)} arched during {self.phase}{when}: not counted"


@dataclass(frozen=True, kw_only=True)
class StepStarted(Event):
    """A guided step (warm-up or finisher) began."""

    kind: ClassVar[str] = "step"
    exercise: str

    def describe(self) -> tuple[str, str]:
        return "  ▶", f"guided step: {self.exercise}"


@dataclass(frozen=True, kw_only=True)
class PhaseStarted(Event):
    """The session entered a phase (a state of the flow chart); ``ends_at`` is when it is planned to end.

    For the live view, which shows what the person is doing: not printed, not recorded."""

    kind: ClassVar[str] = "phase"
    public: ClassVar[bool] = False
    phase: str
    ends_at: float | None = None


@dataclass(frozen=True, kw_only=True)
class SetStarted(Event):
    kind: ClassVar[str] = "set_started"
    set: int
    target: int
    variation: str
    weighted: bool = False  # a light weight between the feet

    def describe(self) -> tuple[str, str]:
        return "  ▶", f"set {self.set}: {self.target} attempts, {self.variation}"


@dataclass(frozen=True, kw_only=True)
class SetResult:
    number: int
    target: int
    perfect: int
    failed: int
    variation: str

    def as_json(self) -> dict[str, Any]:
        return {"perfect": self.perfect, "failed": self.failed, "target": self.target, "set": self.number,
                "variation": self.variation}


@dataclass(frozen=True, kw_only=True)
class SetDone(Event):
    kind: ClassVar[str] = "set_done"
    result: SetResult
    ended_early: bool = False

    def fields(self) -> dict[str, Any]:
        return {**self.result.as_json(), "ended_early": self.ended_early}

    def describe(self) -> tuple[str, str]:
        r = self.result
        early = " (ended early)" if self.ended_early else ""
        return "  ■", f"set {r.number} done: {r.perfect} perfect, {r.failed} arched, of {r.target}{early}"


@dataclass(frozen=True, kw_only=True)
class Paused(Event):
    kind: ClassVar[str] = "paused"
    during: str

    def describe(self) -> tuple[str, str]:
        return "  ‖", f"paused during {self.during}"


@dataclass(frozen=True, kw_only=True)
class Resumed(Event):
    """The session went on; ``restarted_rep`` when an interrupted rep starts again from the brace."""

    kind: ClassVar[str] = "resumed"
    to: str
    restarted_rep: bool

    def describe(self) -> tuple[str, str]:
        return "  ▶", "resumed: the rep starts again" if self.restarted_rep else f"resumed {self.to}"


@dataclass(frozen=True, kw_only=True)
class DeviceLost(Event):
    """The microphone or the speaker stopped working; the session pauses until it is back."""

    kind: ClassVar[str] = "device_lost"
    device: str  # "microphone" or "speaker"
    reason: str

    def describe(self) -> tuple[str, str]:
        return "  !", f"{self.device} lost ({self.reason}): paused until it is back"


@dataclass(frozen=True, kw_only=True)
class DeviceBack(Event):
    kind: ClassVar[str] = "device_back"
    device: str

    def describe(self) -> tuple[str, str]:
        return "  ✓", f"{self.device} back"


@dataclass(frozen=True, kw_only=True)
class VariationChanged(Event):
    kind: ClassVar[str] = "variation_changed"
    previous: str
    variation: str

    def describe(self) -> tuple[str, str]:
        return "  ↕", f"variation {self.previous} → {self.variation}"


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
    reason: EndReason

    def fields(self) -> dict[str, Any]:
        return dict(sets=[s.as_json() for s in self.sets], perfect_total=self.perfect_total,
                    failed_total=self.failed_total, duration_s=self.duration_s, variation=self.variation,
                    stopped_early=self.stopped_early, reason=self.reason.value)

    def describe(self) -> tuple[str, str]:
        sets = ", ".join(f"{s.perfect}/{s.target}" for s in self.sets) or "no sets"
        end = "completed" if not self.stopped_early else f"ended early ({self.reason.value})"
        return "  Σ", (f"{self.perfect_total} perfect, {self.failed_total} arched; sets {sets}; "
                       f"{self.variation}; {self.duration_s:.0f} s; {end}")


def json_line(event: Event) -> str:
    """One JSON object on one line."""
    return json.dumps(event.as_json(), ensure_ascii=False)


def clock_text(t: float) -> str:
    minutes, seconds = divmod(round(t, 1), 60)
    return f"{int(minutes):2d}:{seconds:04.1f}"


def timeline_line(event: Event) -> str:
    """One line of the readable timeline: session time, who, what."""
    who, what = event.describe()
    return f"{clock_text(event.t)}  {who:<5}  {what}"

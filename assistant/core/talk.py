"""What every part of the session shares: its state, and how it speaks and reports.

The Session (assistant.core.session) is built from this base and two mixins (attempts, answers);
the flow chart calls their methods by name.
"""

from collections.abc import Callable
from typing import Any

from assistant.core import cues
from assistant.core.beats import Marks
from assistant.core.clock import Clock
from assistant.core.events import Cue, EndReason, Event, Hushed, PhaseStarted
from assistant.core.flow import State
from assistant.core.plan import Block
from assistant.core.planner import GAP_S, Placement, Voice
from assistant.core.progression import Advice
from assistant.core.routine import Routine, Variations
from assistant.core.tally import SetTally
from assistant.core.timer import PhaseTimer


class Talk:
    # Bound by transitions when the machine is built (annotations only, so nothing is overridden).
    trigger: Callable[..., bool]
    tick: Callable[[], bool]
    state: State

    routine: Routine
    variations: Variations
    voice: Voice
    clock: Clock
    advice: Advice
    blocks: tuple[Block, ...]
    index: int
    variation: str
    pending_variation: str | None
    tally: SetTally | None
    attempt: int
    timer: PhaseTimer
    last_cue: tuple[str, dict[str, Any]] | None
    reason: EndReason
    talk: str             # "full", "normal" or "brief" (assistant.core.fading)
    descent: int          # seconds to lower, counted down; "slower" and "faster" change it
    weighted: bool        # a light weight between the feet
    _emit: Callable[[Event], None]
    _lower_started: float

    @property
    def block(self) -> Any:
        return self.blocks[self.index]

    def _own(self, cue: str) -> str:
        """``cue`` as the current variation says it (its own phrasing, where it has one)."""
        return cues.own(cue, self.variations.get(self.variation))

    def _say(self, cue: str, fit: float | None = None, **params: Any) -> Placement:
        """Say ``cue`` as soon as the voice is free; ``fit`` asks for a line no longer than that."""
        placed = self.voice.place(cue, params, at=self.clock.now(), fit=fit)
        self.last_cue = (cue, params)
        self._emit(Cue(t=placed.start, cue=cue, params=placed.params, text=placed.text, end=placed.end))
        return placed

    def _fact(self, event_type: type[Event], **fields: Any) -> None:
        self._emit(event_type(t=self.clock.now(), **fields))

    def _start_phase(self, anchor: float, duration: float, marks: Marks = (), *, may_overrun: bool = True) -> None:
        """Time the phase just entered from ``anchor`` (usually when its cue starts); unless
        ``may_overrun`` is False, it never ends mid-sentence."""
        not_before = self.voice.busy_until + GAP_S if may_overrun else float("-inf")
        self.timer.start(anchor, duration, marks, not_before=not_before)
        self._fact(PhaseStarted, phase=self.state.value, ends_at=self.timer.ends_at)

    def _speech_done(self) -> float:
        return max(self.clock.now(), self.voice.busy_until)

    def hush(self) -> None:
        cut = self.voice.hush(self.clock.now())
        if cut:
            self._fact(Hushed, cut=tuple(p.cue for p in cut))

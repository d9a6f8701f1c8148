"""The attempt under way: counting it, failing it when the back arches, its side, and variation changes.

A mixin of the Session (assistant.core.session): the flow chart calls these by name.
"""

from typing import Any

from assistant.core import cues
from assistant.core.events import RepCounted, RepFailed, VariationChanged
from assistant.core.flow import State
from assistant.core.talk import Talk

# Arched attempts in one set after which the coach suggests the easier variation (once a set).
ARCHES_BEFORE_SUGGESTING_EASIER = 2


class Attempts(Talk):
    def _side(self) -> str | None:
        if not self.variations.get(self.variation).sides:
            return None
        return cues.SIDES[(self.attempt - 1) % len(cues.SIDES)]

    def _rep_fields(self) -> dict[str, Any]:
        return dict(set=self.block.set_number, rep=self.attempt, variation=self.variation,
                    side=self._side(), lower_s=float(self.routine.tempo.lower))

    def count_rep(self) -> None:
        if self.tally is None:  # the gentle first rep
            self._fact(RepCounted, perfect=1, **self._rep_fields())
            self._say("gentle-done")
            return
        self.tally.perfect += 1
        self._fact(RepCounted, perfect=self.tally.perfect, **self._rep_fields())
        self._say("rep-counted", n=self.tally.perfect)

    def fail_rep(self) -> None:
        phase = self.state
        descent = None
        if phase is State.lower:
            descent = round(max(0.0, self.clock.now() - self._lower_started), 2)
        elif phase is State.bottom:
            descent = float(self.routine.tempo.lower)
        self._fact(RepFailed, phase=phase.value, descent_s=descent, **self._rep_fields())
        self._say("arched")
        tally = self.tally
        if tally is None:
            return
        tally.failed += 1
        easier = self.variations.step(self.variation, -1)
        if tally.failed >= ARCHES_BEFORE_SUGGESTING_EASIER and easier and not tally.suggested_easier \
                and self.pending_variation is None:
            tally.suggested_easier = True
            self._say("suggest-easier", variation=easier)

    def _apply_pending_variation(self) -> None:
        pending, self.pending_variation = self.pending_variation, None
        if pending is None or pending == self.variation:
            return
        previous, self.variation = self.variation, pending
        if self.tally is not None:
            self.tally.variation = pending
        self._fact(VariationChanged, previous=previous, variation=pending)
        self._say(cues.setup_cue(pending))

    def _ask_variation(self, delta: int, none_left: str) -> None:
        base = self.pending_variation or self.variation
        target = self.variations.step(base, delta)
        if target is None:
            self._say(none_left)
            return
        self.pending_variation = target
        self._say("variation-next", variation=target)

    def ask_easier(self) -> None:
        self._ask_variation(-1, "no-easier")

    def ask_harder(self) -> None:
        self._ask_variation(+1, "no-harder")

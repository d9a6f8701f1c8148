"""The attempt under way: counting it, failing it when the back arches, its side, and changes of
variation or weight. A mixin of the Session (assistant.core.session): the flow chart calls these by name.
"""

from collections import Counter
from dataclasses import replace
from typing import Any

from assistant.core import cues
from assistant.core.beats import ready_beats
from assistant.core.events import RepCounted, RepFailed, VariationChanged
from assistant.core.fading import RepWords, to_go
from assistant.core.flow import State
from assistant.core.plan import Ready, Reps, Rest
from assistant.core.talk import Talk

# Arched attempts in one set after which the coach suggests the easier variation (once a set).
ARCHES_BEFORE_SUGGESTING_EASIER = 2


class Attempts(Talk):
    pending_weight: bool | None     # a change of weight asked for, from the next rep
    pending_rung: tuple[str, bool] | None  # the ladder's next step, taken: from the next set
    side: str | None                # the side of the attempt under way
    side_counts: Counter            # attempts made on each side this session
    since_change: int | None        # attempts since the last arch or change of variation in this set
    arched_last: bool               # the previous attempt arched
    words: RepWords | None          # what this attempt says, phase by phase
    _rep_descent: int
    _announced: int                 # the set whose coming was last announced
    _proposal_taken: bool

    # -- sides: alternating, and balanced over the whole session --------------------------------

    def _choose_side(self) -> None:
        if not self.variations.get(self.variation).sides:
            self.side = None
            return
        last = self.side
        self.side = min(cues.SIDES, key=lambda s: (self.side_counts[s], s == last, cues.SIDES.index(s)))

    def _side_params(self) -> dict[str, str]:
        assert self.side is not None
        return {"side": self.side, "other": next(s for s in cues.SIDES if s != self.side)}

    def _rep_fields(self) -> dict[str, Any]:
        return dict(set=self.block.set_number, rep=self.attempt, variation=self.variation,
                    side=self.side, lower_s=float(self._rep_descent))

    # -- counting -------------------------------------------------------------------------------

    def count_rep(self) -> None:
        if self.side:
            self.side_counts[self.side] += 1
        if self.tally is None:  # the gentle first rep
            self._fact(RepCounted, perfect=1, **self._rep_fields())
            self._say("gentle-done")
            return
        self.tally.perfect += 1
        self._fact(RepCounted, perfect=self.tally.perfect, **self._rep_fields())
        self._say("rep-counted", n=self.tally.perfect)
        left = self.block.reps - self.attempt
        if self.words is not None and self.words.to_go and to_go(left, self.block.reps):
            self._say("to-go", left=left)

    def fail_rep(self) -> None:
        phase = self.state
        descent = None
        if phase is State.lower:
            descent = round(max(0.0, self.clock.now() - self._lower_started), 2)
        elif phase is State.bottom:
            descent = float(self._rep_descent)
        if self.side:
            self.side_counts[self.side] += 1
        self._fact(RepFailed, phase=phase.value, descent_s=descent, **self._rep_fields())
        self._say(self._own("arched"))
        self.since_change, self.arched_last = 0, True
        tally = self.tally
        if tally is None:  # even the gentle rep arched: the working sets start one variation easier
            easier = self.variations.step(self.variation, -1)
            if easier and self.pending_variation is None:
                self.pending_variation = easier
                self._say("gentle-arched", variation=easier)
            return
        tally.failed += 1
        easier = self.variations.step(self.variation, -1)
        if tally.failed >= ARCHES_BEFORE_SUGGESTING_EASIER and easier and not tally.suggested_easier \
                and self.pending_variation is None:
            tally.suggested_easier = True
            self._say("suggest-easier", variation=easier)

    # -- changes of variation and weight --------------------------------------------------------

    def _apply_pending_change(self, *, at_set: bool = False) -> bool:
        """Make the change asked for (a variation or weight from the next rep; the ladder's step from
        the next set when ``at_set``); True when something changed. The caller says the set-up."""
        variation, weighted = self.variation, self.weighted
        if at_set and self.pending_rung is not None:
            (variation, weighted), self.pending_rung = self.pending_rung, None
        if self.pending_variation is not None:
            variation, self.pending_variation = self.pending_variation, None
        if self.pending_weight is not None:
            weighted, self.pending_weight = self.pending_weight, None
        if (variation, weighted) == (self.variation, self.weighted):
            return False
        previous, self.variation, self.weighted = self.variation, variation, weighted
        if previous != variation:
            if self.tally is not None:
                self.tally.variation = variation
            self._fact(VariationChanged, previous=previous, variation=variation)
        self.since_change = 0
        return True

    def _say_setup(self) -> None:
        """How to get into position for the current variation (and its weight)."""
        self._say(cues.setup_cue(self.variation))
        if self.weighted:
            self._say(self._own("weight-on"))
        self._set_up_for = (self.variation, self.weighted)
        aid = self.routine.hands_under_hips and self.variations.get(self.variation).hands_aid
        if aid and self.talk != "brief" and (self.advice.beginner or self.talk == "full"):
            self._say("aid-hands")

    def _ask_variation(self, delta: int, none_left: str) -> None:
        base = self.pending_variation or self.variation
        target = self.variations.step(base, delta)
        if target is None:
            self._say(none_left)
            return
        self.pending_variation = target
        self._say("variation-next", variation=target)
        self._change_while_waiting()

    def _change_while_waiting(self) -> None:
        """A change asked for while getting into position for a set that has not begun applies at once,
        with its set-up line and the time to get into the new position."""
        waiting = self.state is State.ready or (self.state is State.rest and self._announced == self.block.next_set)
        if waiting and self._apply_pending_change(at_set=True):
            self._say_setup()
            self._start_phase(self._speech_done(), *ready_beats(self.routine.ready_s))

    def ask_easier(self) -> None:
        if self.weighted and self.pending_weight is None:
            self.pending_weight = False  # the weight goes first
            self._say("weight-off")
            self._change_while_waiting()
            return
        self._ask_variation(-1, "no-easier")

    def ask_harder(self) -> None:
        proposal = self.advice.proposal
        if proposal is not None and not self._proposal_taken:
            self._take_proposal(*proposal)
            return
        self._ask_variation(+1, "no-harder")

    def _take_proposal(self, variation: str, weighted: bool) -> None:
        """The ladder's next step, from the next set, at the reps a new rung starts with."""
        self._proposal_taken = True
        self.pending_rung = (variation, weighted)
        reps = self.advice.start_reps
        started = self.index if isinstance(self.block if self.index >= 0 else None, Reps) else self.index - 1
        self.blocks = tuple(replace(b, reps=reps) if i > started and (
            isinstance(b, (Ready, Reps)) and b.set_number > 0 or isinstance(b, Rest) and b.next_set) else b
            for i, b in enumerate(self.blocks))
        if variation == self.variation:
            self._say("weight-next", reps=reps)
        else:
            self._say("step-next", variation=variation, reps=reps)
        self._change_while_waiting()

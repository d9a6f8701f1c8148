"""What is said in each phase of a rep, and when the phase ends: brace, lift, top, the counted descent,
the hover. How much is said fades as the session goes on (assistant.core.fading).

A mixin of the Session (assistant.core.session): the flow chart enters these states.
"""

from typing import Any

from assistant.core import cues
from assistant.core.attempts import Attempts
from assistant.core.beats import countdown, lower_beats
from assistant.core.fading import REMINDER, rep_stage, rep_words
from assistant.core.flow import State
from assistant.core.slots import COUNT_EVERY_S

# A rep is counted (aloud, and on record) this long after its hover ends: an "arched" said at the
# last moment is recognized a moment later, and must fail this rep, not the next. It covers the
# recognizers' delay from the end of the words (p95 under 0.35 s), so nothing has to be undone.
COUNT_GRACE_S = 0.4
SETTLE_S = 3.0  # the least time to get into a new position after a change of variation mid-set


class RepPhases(Attempts):
    reminder_turn: int
    _attempt_started: float
    _attempt_key: tuple[int, int] | None
    _hover_ends: float

    def _new_attempt(self) -> None:
        """A fresh attempt (not one restarted after a pause): its side and what it says."""
        block = self.block
        self._attempt_key = (self.index, self.attempt)
        self._rep_descent = self.descent
        self._choose_side()
        if self.since_change is not None:
            self.since_change += 1
        stage = rep_stage(self.talk, set_number=block.set_number, attempt=self.attempt,
                          since_change=self.since_change)
        self.words = rep_words(self.talk, stage, gentle=block.gentle, attempt=self.attempt, reps=block.reps,
                               every=self.routine.reminder_every, breathing=self.routine.breathing,
                               after_arch=self.arched_last)
        self.arched_last = False

    def on_enter_brace(self) -> None:
        changed = self._apply_pending_change()
        if changed:
            self._say_setup()
        if self._attempt_key != (self.index, self.attempt):
            self._new_attempt()
        assert self.words is not None
        block, brace = self.block, self.routine.tempo.brace
        opening: list[tuple[str, dict[str, Any], float | None]] = []
        if self.side:
            opening.append((self._own("side"), self._side_params(), None))
        if self.words.to_go and self.attempt == block.reps > 1:
            opening.append(("last-one", {}, None))
        if self.words.brace:
            opening.append((self._own(self.words.brace), {}, brace))
        if changed:
            # a new position takes time: counted in, a tone, then the attempt begins
            settle = max(self.routine.ready_s, SETTLE_S)
            anchor = self._speech_done()
            self._attempt_started = anchor + settle
            marks = countdown(settle) + [(settle, "tone", {})] + [(settle, c, p) for c, p, _ in opening]
            self._start_phase(anchor, settle + brace, tuple(marks))
            return
        self._attempt_started = self.clock.now()
        first = None
        for cue, params, fit in opening:
            said = self._say(cue, fit=fit, **params)
            first = first or said
        self._start_phase(first.start if first else self.clock.now(), brace)

    def on_enter_lift(self) -> None:
        assert self.words is not None
        lift = self.routine.tempo.lift
        said = self._say(self._own(self.words.lift), fit=lift)
        self._start_phase(said.start, lift)

    def on_enter_top(self) -> None:
        assert self.words is not None
        top, cue = self.routine.tempo.top, self.words.top
        if cue == REMINDER:
            cue = cues.REMINDERS[self.reminder_turn % len(cues.REMINDERS)]
            self.reminder_turn += 1
        if cue is None:
            self._start_phase(self.clock.now(), top)
            return
        said = self._say(self._own(cue), fit=top)
        self._start_phase(said.start, top)

    def on_enter_lower(self) -> None:
        seconds = self._rep_descent = self.descent
        said = self._say(self._own("lower"), fit=COUNT_EVERY_S, n=seconds)  # "two" comes one second after it starts
        self._lower_started = said.start
        # the count lands on the second: it is timed from when "lower" is actually heard
        self._start_phase(said.start, *lower_beats(seconds), may_overrun=False)

    def on_enter_bottom(self) -> None:
        bottom = self.routine.tempo.bottom
        self._hover_ends = self.clock.now() + bottom
        if self.words is not None and self.words.hover:
            self._say(self._own("hover"), fit=bottom + COUNT_GRACE_S)
        self._start_phase(self.clock.now(), bottom + COUNT_GRACE_S, may_overrun=False)

    def rep_complete(self) -> bool:
        """The hover is over: the rep is done, its count waiting only for late words about it."""
        return self.state is State.bottom and self.clock.now() >= self._hover_ends - 1e-6

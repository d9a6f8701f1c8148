"""The session: the model the flow chart drives. Pure: it talks through an injected Voice and reports
through ``emit``."""

import logging
from collections.abc import Callable
from typing import Any

from assistant.core import cues
from assistant.core.answers import Answers
from assistant.core.attempts import Attempts
from assistant.core.beats import guide_beats, lower_beats, rest_beats
from assistant.core.clock import Clock
from assistant.core.commands import Command
from assistant.core.events import (
    EndReason,
    Event,
    Heard,
    SetDone,
    SetResult,
    SetStarted,
    StepStarted,
    Summary,
)
from assistant.core.flow import REP, State, build_machine
from assistant.core.plan import Guide, Ready, Reps, Rest, plan
from assistant.core.planner import Voice
from assistant.core.progression import Advice
from assistant.core.routine import Routine, Variations
from assistant.core.slots import COUNT_EVERY_S
from assistant.core.tally import SetTally, totals
from assistant.core.timer import PhaseTimer

log = logging.getLogger(__name__)

# A rep is counted (aloud, and on record) this long after its hover ends: an "arched" said at the
# last moment is recognized a moment later, and must fail this rep, not the next. It covers the
# recognizers' delay from the end of the words (p95 under 0.35 s), so nothing has to be undone.
COUNT_GRACE_S = 0.4
_EPSILON = 1e-6


class Session(Attempts, Answers):
    """One workout. Drive it with ``begin()``, then ``tick()`` at ``deadline`` and ``hear()`` commands.

    ``tick()`` and the command triggers are added by the flow chart (assistant.core.flow); the
    conditions and actions it names are methods here and in the mixins (attempts, answers).
    """

    def __init__(self, routine: Routine, variations: Variations, clock: Clock, voice: Voice,
                 emit: Callable[[Event], None], advice: Advice | None = None) -> None:
        self.routine = routine
        self.voice = voice
        self.advice = advice or Advice()
        self.variations = variations
        self.clock = clock
        self._emit = emit
        self.blocks = plan(routine)
        self.index = -1
        self.variation = routine.variation
        self.pending_variation: str | None = None
        self.results: list[SetResult] = []
        self.tally: SetTally | None = None
        self.attempt = 0
        self.timer = PhaseTimer()
        self.last_cue: tuple[str, dict[str, Any]] | None = None
        self.reminder_turn = 0
        self.paused_from: State | None = None
        self.reason = EndReason.COMPLETED
        self.started_at: float | None = None
        self._restoring = False
        self.lost_devices: set[str] = set()
        self._fault_paused = False
        self._lower_started = 0.0
        self._block_started = 0.0    # session time the current block (a step, a wait, a set) began
        self._attempt_started = 0.0  # ... and the current attempt of a set
        self._hover_ends = 0.0       # when the current rep's hover is over (its count comes COUNT_GRACE_S later)
        self._spoken_from = 0.0      # when the words of the command being answered began
        self.machine = build_machine(self)

    # -- driving ------------------------------------------------------------------------------

    def begin(self) -> None:
        self.started_at = self.clock.now()
        sets = self.routine.working_sets()
        self._say("welcome", routine=self.routine.name, variation=self.variation,
                  sets=sum(s.sets for s in sets), reps=sets[0].reps if sets else 0)
        for cue, params in self.advice.cues:
            self._say(cue, **dict(params))
        self.trigger("proceed")

    def hear(self, command: Command, *, phrase: str | None = None, confidence: float | None = None,
             spoken_from: float | None = None) -> None:
        """Answer ``command``, whose words began at session time ``spoken_from`` (default: now)."""
        now = self.clock.now()
        self._spoken_from = now if spoken_from is None else min(spoken_from, now)
        self._emit(Heard(t=now, command=command.value, phrase=phrase, confidence=confidence))
        if command is Command.RESUME and self.lost_devices:
            log.info("not resuming while the %s is gone", " and ".join(sorted(self.lost_devices)))
            return
        self.trigger(command.value)

    @property
    def deadline(self) -> float | None:
        """When the session next needs ``tick()``; None while it waits only for words."""
        return None if self.finished else self.timer.deadline

    # -- conditions ---------------------------------------------------------------------------

    def _next_block(self) -> Any:
        return self.blocks[self.index + 1] if self.index + 1 < len(self.blocks) else None

    def next_is_guide(self) -> bool:
        return isinstance(self._next_block(), Guide)

    def next_is_ready(self) -> bool:
        return isinstance(self._next_block(), Ready)

    def next_is_reps(self) -> bool:
        return isinstance(self._next_block(), Reps)

    def next_is_rest(self) -> bool:
        return isinstance(self._next_block(), Rest)

    def mark_due(self) -> bool:
        return self.timer.mark_due(self.clock.now())

    def time_up(self) -> bool:
        return self.timer.time_up(self.clock.now())

    def spoken_in_block(self) -> bool:
        """The command's words began in the current step, wait or set (not in one already over)."""
        return self._spoken_from >= self._block_started - _EPSILON

    def spoken_in_attempt(self) -> bool:
        return self._spoken_from >= self._attempt_started - _EPSILON

    def rep_complete(self) -> bool:
        """The hover is over: the rep is done, its count waiting only for late words about it."""
        return self.state is State.bottom and self.clock.now() >= self._hover_ends - _EPSILON

    def attempts_left(self) -> bool:
        return self.attempt < self.block.reps

    def paused_in_rep(self) -> bool:
        return self.paused_from in REP

    def paused_in_guide(self) -> bool:
        return self.paused_from is State.guide

    def paused_in_ready(self) -> bool:
        return self.paused_from is State.ready

    def paused_in_rest(self) -> bool:
        return self.paused_from is State.rest

    # -- walking the plan ---------------------------------------------------------------------

    def advance(self) -> None:
        self.index += 1
        self._block_started = self.clock.now()
        block = self.block
        if isinstance(block, Reps):
            self.attempt = 0
            if block.counted:
                self.tally = SetTally(number=block.set_number, target=block.reps, variation=self.variation)
                self._fact(SetStarted, set=block.set_number, target=block.reps, variation=self.variation)

    def begin_attempt(self) -> None:
        self.attempt += 1

    def finish_step(self) -> None:
        self.timer.stop()
        self._say("step-done")
        self.trigger("proceed")

    def end_set(self) -> None:
        """Close the set under way (perfect reps so far count) and go on."""
        self.timer.stop()
        self._close_set()
        self.trigger("proceed")

    def _close_set(self) -> None:
        block = self.block if 0 <= self.index < len(self.blocks) else None
        if self.tally is None or not isinstance(block, Reps):
            return
        tally, self.tally = self.tally, None
        result = tally.result()
        self.results.append(result)
        self._fact(SetDone, result=result, ended_early=tally.attempts < tally.target)
        last = not any(isinstance(b, Reps) and b.counted for b in self.blocks[self.index + 1:])
        if not self.finished:
            self._say("last-set-done" if last else "set-done", set=result.number,
                      perfect=result.perfect, target=result.target)

    # -- entering states ----------------------------------------------------------------------

    def _resuming(self) -> bool:
        """True once after a resume into a waiting step: the timer already holds what was left."""
        if self._restoring:
            self._restoring = False
            self._say("resumed")
            return True
        return False

    def on_enter_guide(self) -> None:
        if self._resuming():
            return
        step = self.block.step
        self._fact(StepStarted, exercise=step.exercise)
        self._say(cues.intro_cue(step.exercise))
        self._start_phase(self._speech_done(), *guide_beats(step))  # counting starts once the intro is said

    def on_enter_ready(self) -> None:
        if self._resuming():
            return
        block = self.block
        if block.set_number == 0:
            self._say("ready-first-rep")
        else:
            self._say("ready", set=block.set_number, sets=block.sets_total, reps=block.reps)
        self._say(cues.setup_cue(self.variation))
        self._start_phase(self._speech_done(), self.routine.ready_s)

    def on_enter_rest(self) -> None:
        if self._resuming():
            return
        said = self._say("rest", seconds=round(self.block.seconds))
        self._start_phase(said.start, *rest_beats(self.block.seconds))

    def on_enter_brace(self) -> None:
        self._attempt_started = self.clock.now()
        self._apply_pending_variation()
        side = self._side()
        brace = self.routine.tempo.brace
        first = self._say("side", side=side) if side else None
        said = self._say("brace", fit=brace)
        self._start_phase((first or said).start, brace)

    def on_enter_lift(self) -> None:
        said = self._say("lift-gentle" if self.block.gentle else "lift", fit=self.routine.tempo.lift)
        self._start_phase(said.start, self.routine.tempo.lift)

    def on_enter_top(self) -> None:
        every = self.routine.reminder_every
        top = self.routine.tempo.top
        if self.block.counted and every and self.attempt % every == 0:
            said = self._say(cues.REMINDERS[self.reminder_turn % len(cues.REMINDERS)], fit=top)
            self.reminder_turn += 1
        else:
            said = self._say("top", fit=top)
        self._start_phase(said.start, top)

    def on_enter_lower(self) -> None:
        seconds = self.routine.tempo.lower
        said = self._say("lower", fit=COUNT_EVERY_S, n=seconds)  # "two" follows one second after it starts
        self._lower_started = said.start
        # the count lands on the second: it is timed from when "lower" is actually heard
        self._start_phase(said.start, *lower_beats(seconds), may_overrun=False)

    def on_enter_bottom(self) -> None:
        self._hover_ends = self.clock.now() + self.routine.tempo.bottom
        self._start_phase(self.clock.now(), self.routine.tempo.bottom + COUNT_GRACE_S)

    def on_enter_finished(self) -> None:
        self.timer.stop()
        if self.reason is EndReason.PAIN:
            self._say("pain")
        elif self.reason is not EndReason.COMPLETED:
            self._say("stopped")
        self._close_set()
        total = totals(self.results)
        if self.results:
            self._say("summary", perfect=total.perfect, attempts=total.attempts)
            for r in self.results:
                self._say("summary-set", set=r.number, perfect=r.perfect, target=r.target)
        else:
            self._say("summary-empty")
        self._say("goodbye")
        now = self.clock.now()
        self._fact(Summary, sets=tuple(self.results), perfect_total=total.perfect, failed_total=total.failed,
                   duration_s=round(now - (self.started_at if self.started_at is not None else now), 3),
                   variation=self.variation, stopped_early=self.reason is not EndReason.COMPLETED, reason=self.reason)

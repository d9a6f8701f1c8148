"""The session: the model the flow chart drives. Pure: it talks through an injected Voice and reports
through ``emit``."""

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from assistant.core import cues
from assistant.core.answers import Answers
from assistant.core.beats import ANNOUNCE, ANNOUNCE_S, guide_beats, ready_beats, rest_beats
from assistant.core.clock import Clock
from assistant.core.commands import Command
from assistant.core.endings import Endings
from assistant.core.events import (
    EndReason,
    Event,
    Heard,
    SetDone,
    SetResult,
    SetStarted,
    StepStarted,
)
from assistant.core.fading import DEFAULT_TALK, opening
from assistant.core.flow import REP, State, build_machine
from assistant.core.phases import COUNT_GRACE_S, RepPhases
from assistant.core.plan import Guide, Ready, Reps, Rest, plan
from assistant.core.planner import Voice
from assistant.core.progression import Advice
from assistant.core.routine import Routine, Variations
from assistant.core.tally import SetTally
from assistant.core.timer import PhaseTimer

log = logging.getLogger(__name__)
__all__ = ["COUNT_GRACE_S", "Session"]
_EPSILON = 1e-6


class Session(RepPhases, Answers, Endings):
    """One workout. Drive it with ``begin()``, then ``tick()`` at ``deadline`` and ``hear()`` commands.

    ``tick()`` and the command triggers are added by the flow chart (assistant.core.flow); the
    conditions and actions it names are methods here and in the mixins (phases, attempts, answers, endings).
    ``talk`` is how much the coach says ("full", "normal", "brief"; see assistant.core.fading).
    """

    def __init__(self, routine: Routine, variations: Variations, clock: Clock, voice: Voice,
                 emit: Callable[[Event], None], advice: Advice | None = None, talk: str = DEFAULT_TALK) -> None:
        self.routine = routine
        self.voice = voice
        self.advice = advice or Advice()
        self.variations = variations
        self.clock = clock
        self.talk = talk
        self._emit = emit
        self.blocks = plan(routine)
        self.index = -1
        self.variation = routine.variation
        self.weighted = self.advice.weighted
        self.descent = routine.tempo.lower
        self.pending_variation: str | None = None
        self.pending_weight: bool | None = None
        self.pending_rung: tuple[str, bool] | None = None
        self._proposal_taken = False
        self.results: list[SetResult] = []
        self.tally: SetTally | None = None
        self.attempt = 0
        self.side: str | None = None
        self.side_counts: Counter = Counter()
        self.since_change: int | None = None
        self.arched_last = False
        self.words = None
        self.on_knees = False
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
        self._rep_descent = self.descent
        self._attempt_key: tuple[int, int] | None = None
        self._announced = -1                 # the set whose coming was last announced
        self._set_up_for: tuple[str, bool] | None = None  # the position last explained
        self._block_started = 0.0    # session time the current block (a step, a wait, a set) began
        self._attempt_started = 0.0  # ... and the current attempt of a set
        self._hover_ends = 0.0       # when the current rep's hover is over (its count comes COUNT_GRACE_S later)
        self._spoken_from = 0.0      # when the words of the command being answered began
        self.machine = build_machine(self)

    # -- driving ------------------------------------------------------------------------------

    def begin(self) -> None:
        """Say today's plan in one sentence, then what the history says, then start."""
        self.started_at = self.clock.now()
        sets = self.routine.working_sets()
        self._say("welcome-weighted" if self.weighted else "welcome", routine=self.routine.name,
                  variation=self.variation, sets=sum(s.sets for s in sets), reps=sets[0].reps if sets else 0)
        for cue, params in opening(self.talk, self.advice.cues):
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
                self._fact(SetStarted, set=block.set_number, target=block.reps, variation=self.variation,
                           weighted=self.weighted)

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

    def go(self) -> None:
        """A wait is over: the set it led to is announced if it was not yet, then a tone."""
        nxt = self._next_block()
        if isinstance(nxt, Reps) and nxt.counted and self._announced != nxt.set_number:
            self._announce_set(nxt.set_number, self.block.sets_total, nxt.reps)
        self._say("tone")

    def say_mark(self) -> None:
        mark = self.timer.pop_mark()
        if mark.cue == ANNOUNCE:
            block = self.block
            self._announce_set(block.next_set, block.sets_total, block.reps)
            return
        after = self.timer.next_after(self.clock.now())
        self._say(mark.cue, fit=None if after is None else after - self.clock.now(), **dict(mark.params))

    def _announce_set(self, number: int, total: int, reps: int) -> None:
        """The set to come, and how to get into position when that is new (or talk is full)."""
        self._apply_pending_change(at_set=True)
        self._announced = number
        self._say("ready", set=number, sets=total, reps=reps)
        if self.talk == "full" or self._set_up_for != (self.variation, self.weighted):
            self._say_setup()

    def _close_set(self) -> None:
        self.since_change, self.arched_last = None, False
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
        self.on_knees = False
        self._fact(StepStarted, exercise=step.exercise)
        self._say(cues.intro_cue(step.exercise))
        if getattr(step, "knees", False) and self.talk != "brief":
            self._say("knee-plank-offer")
        self._start_phase(self._speech_done(), *guide_beats(step))  # counting starts once the intro is said

    def on_enter_ready(self) -> None:
        if self._resuming():
            return
        block = self.block
        if block.set_number == 0:
            self._apply_pending_change()
            self._say(self._own("ready-first-rep"))
            self._say_setup()
        else:
            self._announce_set(block.set_number, block.sets_total, block.reps)
        self._start_phase(self._speech_done(), *ready_beats(self.routine.ready_s))

    def on_enter_rest(self) -> None:
        if self._resuming():
            return
        block = self.block
        said = self._say("rest", seconds=round(block.seconds))
        announce = self.routine.ready_s + ANNOUNCE_S if block.next_set else None
        self._start_phase(said.start, *rest_beats(block.seconds, announce_before=announce))

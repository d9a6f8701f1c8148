"""The session: the model the flow chart drives. Pure: it talks through an injected Voice and reports through ``emit``."""

import logging
from collections.abc import Callable
from typing import Any

from assistant import cues
from assistant.beats import Marks, guide_beats, lower_beats, rest_beats
from assistant.clock import Clock
from assistant.commands import Command
from assistant.events import (
    Cue,
    DeviceBack,
    DeviceLost,
    Event,
    Heard,
    Hushed,
    Paused,
    RepCounted,
    RepFailed,
    Resumed,
    SetDone,
    SetResult,
    SetStarted,
    StepStarted,
    Summary,
    VariationChanged,
)
from assistant.flow import REP, State, build_machine
from assistant.plan import Guide, Ready, Reps, Rest, plan
from assistant.progression import Advice
from assistant.routine import Routine, Variations
from assistant.tally import SetTally, totals
from assistant.timer import PhaseTimer
from assistant.voice import GAP_S, Placement, Voice

log = logging.getLogger(__name__)

# Arched attempts in one set after which the coach suggests the easier variation (once a set).
ARCHES_BEFORE_SUGGESTING_EASIER = 2


class Session:
    """One workout. Drive it with ``begin()``, then ``tick()`` at ``deadline`` and ``hear()`` commands.

    ``tick()`` and the command triggers are added by the flow chart (assistant.flow).
    """

    # Bound by transitions when the machine is built (annotations only, so nothing is overridden).
    trigger: Callable[..., bool]
    tick: Callable[[], bool]
    state: State

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
        self.reason = "completed"
        self.started_at: float | None = None
        self._restoring = False
        self.lost_devices: set[str] = set()  # "microphone", "speaker": paused until they are back
        self._fault_paused = False
        self._lower_started = 0.0
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

    def hear(self, command: Command, *, phrase: str | None = None, confidence: float | None = None) -> None:
        self._emit(Heard(t=self.clock.now(), command=command.value, phrase=phrase, confidence=confidence))
        if command is Command.RESUME and self.lost_devices:
            log.info("not resuming while the %s is gone", " and ".join(sorted(self.lost_devices)))
            return
        self.trigger(command.value)

    def device_lost(self, device: str, reason: str) -> None:
        """The microphone or the speaker stopped working: pause until every lost device is back."""
        if self.finished or device in self.lost_devices:
            return
        self.lost_devices.add(device)
        self._fact(DeviceLost, device=device, reason=reason)
        if self.state is not State.paused:
            self._fault_paused = True
            self.trigger("pause")
        if device == "microphone":
            self._say("microphone-lost")  # without a speaker there is no one to tell

    def device_back(self, device: str) -> None:
        """A lost device works again: say so, and go on if the loss was what paused the session."""
        if device not in self.lost_devices:
            return
        self.lost_devices.discard(device)
        self._fact(DeviceBack, device=device)
        if self.finished:
            return
        self._say(f"{device}-back")
        if not self.lost_devices and self._fault_paused:
            self._fault_paused = False
            self.trigger("resume")

    def end_input(self, reason: str = "input-ended") -> None:
        """Nobody can speak any more (or the person quit with Ctrl-C, ``reason`` "interrupted"):
        end as if stopped, keeping everything done."""
        self.reason = reason
        self.trigger("stop")

    @property
    def deadline(self) -> float | None:
        """When the session next needs ``tick()``; None while it waits only for words."""
        return None if self.finished else self.timer.deadline

    @property
    def finished(self) -> bool:
        return self.state is State.finished

    # -- speaking -----------------------------------------------------------------------------

    def _say(self, cue: str, fit: float | None = None, **params: Any) -> Placement:
        """Say ``cue`` as soon as the voice is free; ``fit`` asks for a line no longer than that."""
        placed = self.voice.place(cue, params, at=self.clock.now(), fit=fit)
        self.last_cue = (cue, params)
        self._emit(Cue(t=placed.start, cue=cue, params=placed.params, text=placed.text, end=placed.end))
        return placed

    def _start_phase(self, anchor: float, duration: float, marks: Marks = ()) -> None:
        """Time a phase from ``anchor`` (usually when its cue starts), never ending mid-sentence."""
        self.timer.start(anchor, duration, marks, not_before=self.voice.busy_until + GAP_S)

    def _speech_done(self) -> float:
        return max(self.clock.now(), self.voice.busy_until)

    def hush(self) -> None:
        cut = self.voice.hush(self.clock.now())
        if cut:
            self._fact(Hushed, cut=tuple(p.cue for p in cut))

    def _fact(self, event_type: type[Event], **fields: Any) -> None:
        self._emit(event_type(t=self.clock.now(), **fields))

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

    @property
    def block(self) -> Any:
        return self.blocks[self.index]

    # -- walking the plan ---------------------------------------------------------------------

    def advance(self) -> None:
        self.index += 1
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
        said = self._say("lower", fit=1.0, n=seconds)  # "two" follows one second after it starts
        self._lower_started = said.start
        # the count lands on the second: it is timed from when "lower" is actually heard
        self.timer.start(said.start, *lower_beats(seconds))

    def on_enter_bottom(self) -> None:
        self._start_phase(self.clock.now(), self.routine.tempo.bottom)

    def on_enter_paused(self) -> None:
        self.timer.freeze(self.clock.now())
        self._fact(Paused, during=self.state_before_pause.value)
        if not self._fault_paused:  # a lost device says why itself
            self._say("paused")

    def on_enter_finished(self) -> None:
        self.timer.stop()
        if self.reason == "pain":
            self._say("pain")
        elif self.reason in ("stopped", "input-ended", "interrupted"):
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
                   variation=self.variation, stopped_early=self.reason != "completed", reason=self.reason)

    # -- reps ---------------------------------------------------------------------------------

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

    # -- commands that do not move the flow --------------------------------------------------

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

    def say_mark(self) -> None:
        mark = self.timer.pop_mark()
        after = self.timer.deadline
        self._say(mark.cue, fit=None if after is None else after - self.clock.now(), **dict(mark.params))

    def say_again(self) -> None:
        if self.last_cue is not None:
            cue, params = self.last_cue
            self._say(cue, **params)

    def form_reminder(self) -> None:
        self._say("form-reminder")

    def paused_hint(self) -> None:
        self._say("paused-hint")

    def ignore(self) -> None:
        log.debug("nothing to do in state %s", self.state.value)

    @property
    def state_before_pause(self) -> State:
        assert self.paused_from is not None, "only asked while paused"
        return self.paused_from

    def remember_pause(self) -> None:
        self.paused_from = self.state

    def restore(self) -> None:
        restarted = self.paused_from in REP
        self._fact(Resumed, to=State.brace.value if restarted else self.state_before_pause.value,
                   restarted_rep=restarted)
        if restarted:
            self._say("resumed")
        else:
            self.timer.thaw(self.clock.now())
            self._restoring = True
        self.paused_from = None

    def mark_completed(self) -> None:
        self.reason = "completed"

    def mark_stopped(self) -> None:
        if self.reason == "completed":
            self.reason = "stopped"

    def mark_pain(self) -> None:
        self.reason = "pain"

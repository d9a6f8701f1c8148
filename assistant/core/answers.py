"""Answers to commands that do not move the flow, pausing and resuming, devices that come and go,
and why the session ended. A mixin of the Session (assistant.core.session)."""

import logging

from assistant.core.events import DeviceBack, DeviceLost, EndReason, Paused, Resumed
from assistant.core.flow import REP, State
from assistant.core.progression import FULL_DESCENT_S
from assistant.core.routine import Hold
from assistant.core.talk import Talk

log = logging.getLogger(__name__)
SLOWEST_DESCENT_S = 4  # "slower" and "faster" stay within the protocol's three to four seconds


class Answers(Talk):
    paused_from: State | None
    lost_devices: set[str]  # "microphone", "speaker": paused until they are back
    _fault_paused: bool
    _restoring: bool
    on_knees: bool  # the plank under way is done on the knees

    @property
    def finished(self) -> bool:
        return self.state is State.finished

    def say_again(self) -> None:
        if self.last_cue is not None:
            cue, params = self.last_cue
            self._say(cue, **params)

    def form_reminder(self) -> None:
        self._say("form-reminder")

    # -- the descent, and the plank on the knees --------------------------------------------------

    def slow_down(self) -> None:
        if self.descent >= SLOWEST_DESCENT_S:
            self._say("descent-slowest", seconds=self.descent)
            return
        self.descent = min(max(self.descent + 1, FULL_DESCENT_S), SLOWEST_DESCENT_S)
        self._say("descent-changed", seconds=self.descent)

    def speed_up(self) -> None:
        if self.descent <= FULL_DESCENT_S:
            self._say("descent-fastest", seconds=self.descent)
            return
        self.descent = max(min(self.descent - 1, SLOWEST_DESCENT_S), FULL_DESCENT_S)
        self._say("descent-changed", seconds=self.descent)

    def knees_offered(self) -> bool:
        step = self.block.step if self.state is State.guide else None
        return isinstance(step, Hold) and step.knees and not self.on_knees

    def knees_down(self) -> None:
        self.on_knees = True
        self._say("knees-down")

    def paused_hint(self) -> None:
        self._say("paused-hint")

    def ignore(self) -> None:
        log.debug("nothing to do in state %s", self.state.value)

    # -- pausing ------------------------------------------------------------------------------

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

    def on_enter_paused(self) -> None:
        self.timer.freeze(self.clock.now())
        self._fact(Paused, during=self.state_before_pause.value)
        if not self._fault_paused:  # a lost device says why itself
            self._say("paused")

    # -- devices ------------------------------------------------------------------------------

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

    # -- why it ended -------------------------------------------------------------------------

    def end_input(self, reason: EndReason = EndReason.INPUT_ENDED) -> None:
        """Nobody can speak any more (or the person quit with Ctrl-C: ``EndReason.INTERRUPTED``):
        end as if stopped, keeping everything done."""
        self.reason = reason
        self.trigger("stop")

    def mark_completed(self) -> None:
        self.reason = EndReason.COMPLETED

    def mark_stopped(self) -> None:
        if self.reason is EndReason.COMPLETED:
            self.reason = EndReason.STOPPED

    def mark_pain(self) -> None:
        self.reason = EndReason.PAIN

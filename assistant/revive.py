"""Audio devices that come and go: a stream that stops moving audio is reopened again and again,
and whoever cares hears once when the device is lost and once when it is back."""

import logging
import time
from collections.abc import Callable
from contextlib import nullcontext

from assistant.errors import MatcoachError
from assistant.native import native_stderr_to_log

log = logging.getLogger(__name__)
STALL_S = 1.0  # no audio moved for this long: reopen the stream
LOST_AFTER = 3  # reopenings in a row that did not help (about 3 s of no audio) before the device counts as lost


class Revival:
    """``stalled(reopen)`` when a stream stops moving audio, ``flowing()`` whenever it moves some.

    ``on_change(lost, why)`` is called once when the device is lost and once when it is back.
    """

    def __init__(self, device: str, on_change: Callable[[bool, str], None] | None = None) -> None:
        self.device = device
        self.on_change = on_change
        self.lost = False
        self.reopened = 0
        self._failures = 0
        self._quiet_since = 0.0

    def stalled(self, reopen: Callable[[], None]) -> None:
        """Try ``reopen()`` (which raises MatcoachError when the device cannot be opened)."""
        if self._failures == 0:
            self._quiet_since = time.monotonic() - STALL_S
        self._failures += 1
        why = f"no audio moved for {time.monotonic() - self._quiet_since:.0f} s"
        # retrying a missing device every second: keep ALSA's and PortAudio's complaints in the debug log
        done = "reopened it"
        with native_stderr_to_log("audio") if self.lost else nullcontext():
            try:
                reopen()
                self.reopened += 1
            except MatcoachError as e:
                log.debug("%s: %s", self.device, e)
                why, done = "it cannot be opened", "will try again"
        log.info("%s: %s; %s (%d)", self.device, why, done, self._failures)
        if self._failures >= LOST_AFTER and not self.lost:
            self.lost = True
            log.warning("the %s is gone (%s); retrying until it is back", self.device, why)
            if self.on_change is not None:
                self.on_change(True, why)

    def flowing(self) -> None:
        self._failures = 0
        if self.lost:
            self.lost = False
            log.warning("the %s is back", self.device)
            if self.on_change is not None:
                self.on_change(False, "back")

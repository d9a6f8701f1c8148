"""Audio devices that come and go: a stream that stops moving audio is reopened again and again,
and whoever cares hears once when the device is lost and once when it is back."""

import atexit
import logging
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext

from assistant.core.errors import MatcoachError
from assistant.live.native import native_stderr_to_log

log = logging.getLogger(__name__)
STALL_S = 1.0  # no audio moved for this long: reopen the stream
START_S = 2.0  # what a stream just opened gets to deliver its first block before it is reopened
LOST_AFTER = 3  # reopenings in a row that did not help (3 to 5 s of no audio) before the device counts as lost
REOPEN_LIMIT_S = 5.0  # a reopening that has not returned by then hangs: counted as failed, left to finish alone


class Revival:
    """Watches one stream: ``moved()`` whenever it moves audio, ``poll(reopen)`` now and then; after
    ``STALL_S`` without audio (or at once when the stream is ``dead``) it tries ``reopen()``.

    A stream just opened gets ``START_S`` for its first block: under load a device can take over a
    second to start, and reopening it every ``STALL_S`` then restarts it again and again (live, the
    microphone was reported lost 2 s into a session after three such reopenings).

    A reopening runs on a thread of its own and gets ``REOPEN_LIMIT_S``: ALSA can hang inside a
    failed start (live, a microphone unplugged a second time left the listener stuck in PortAudio,
    and the session went on deaf without ever saying the microphone was lost). One that hangs counts
    as a failure, and no other is tried until it returns.

    ``on_change(lost, why)`` is called once when the device is lost and once when it is back.
    """

    def __init__(self, device: str, on_change: Callable[[bool, str], None] | None = None) -> None:
        self.device = device
        self.on_change = on_change
        self.lost = False
        self.reopened = 0
        self._failures = 0
        self._quiet_since = 0.0
        self._moved_at = time.monotonic()
        self._starting = True  # opened, and no audio moved since
        self._hung: threading.Thread | None = None  # a reopening that did not return in time

    def watch_from_now(self) -> None:
        """The stream was just opened: give it ``START_S`` to deliver."""
        self._moved_at = time.monotonic()
        self._starting = True

    def moved(self) -> None:
        """The stream moved audio."""
        self._moved_at = time.monotonic()
        self._starting = False
        self.flowing()

    def poll(self, reopen: Callable[[], None], *, dead: bool = False) -> None:
        """Reopen the stream if it moved nothing for ``STALL_S`` (``START_S`` since it was opened),
        or after ``STALL_S`` if it is ``dead``; a stream that cannot be opened is tried again ``STALL_S`` later."""
        waited = time.monotonic() - self._moved_at
        if waited >= (STALL_S if dead else self._patience()):
            self._moved_at = time.monotonic()
            self.stalled(reopen)

    def _patience(self) -> float:
        """How long the stream may move no audio before it is reopened."""
        return START_S if self._starting else STALL_S

    def stalled(self, reopen: Callable[[], None]) -> None:
        """Try ``reopen()`` (which raises MatcoachError when the device cannot be opened)."""
        if self._failures == 0:
            self._quiet_since = time.monotonic() - self._patience()
        self._failures += 1
        why = f"no audio moved for {time.monotonic() - self._quiet_since:.0f} s"
        # retrying a missing device every second: keep ALSA's and PortAudio's complaints in the debug log
        done = "reopened it"
        with native_stderr_to_log("audio") if self.lost else nullcontext():
            error = self._attempt(reopen)
        if error is None:
            self.reopened += 1
            self._starting = True
        else:
            why, done = error, "will try again"
            self._starting = False
        log.info("%s: %s; %s (%d)", self.device, why, done, self._failures)
        if self._failures >= LOST_AFTER and not self.lost:
            self.lost = True
            log.warning("the %s is gone (%s); retrying until it is back", self.device, why)
            if self.on_change is not None:
                self.on_change(True, why)

    def _attempt(self, reopen: Callable[[], None]) -> str | None:
        """Run ``reopen()`` with a deadline; None when it worked, else why not."""
        if self._hung is not None:
            if self._hung.is_alive():
                return "opening it still hangs"
            self._hung = None
        failed: list[BaseException] = []

        def run() -> None:
            try:
                reopen()
            except BaseException as e:  # handed back to the caller's thread
                failed.append(e)

        worker = threading.Thread(target=run, name=f"reopen {self.device}", daemon=True)
        worker.start()
        worker.join(REOPEN_LIMIT_S)
        if worker.is_alive():
            self._hung = worker
            _skip_portaudio_exit()
            return f"opening it hangs (no answer in {REOPEN_LIMIT_S:.0f} s)"
        if not failed:
            return None
        if not isinstance(failed[0], MatcoachError):
            raise failed[0]
        log.debug("%s: %s", self.device, failed[0])
        return "it cannot be opened"

    def flowing(self) -> None:
        self._failures = 0
        if self.lost:
            self.lost = False
            log.warning("the %s is back", self.device)
            if self.on_change is not None:
                self.on_change(False, "back")


def _skip_portaudio_exit() -> None:
    """A PortAudio call hangs on another thread: ending PortAudio at exit would wait for it or abort
    the process (PaUnixMutex_Terminate), after the session was saved; the operating system frees the
    devices instead."""
    import sounddevice

    atexit.unregister(sounddevice._exit_handler)

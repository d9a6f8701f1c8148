"""A live session: the coach speaks through the speaker and listens through the microphone at once.

Threads: the audio callbacks only move audio (sounddevice's); the listener runs recognition on
microphone blocks and posts what it hears; the coach loop (the caller's thread) owns the session
and is the only one that touches it. Session time is the speaker's audio clock, so a cue is
placed where it will actually be heard.
"""

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.core.clock import Clock
from assistant.core.commands import Command
from assistant.core.errors import MatcoachError
from assistant.core.runner import DeviceChange, InputEnded, Recognized
from assistant.ears.recognizer import RATE, Detection, Recognizer
from assistant.live.echo_gate import EchoGate

log = logging.getLogger(__name__)
WAKE_S = 0.5          # the coach loop looks at the clock at least this often


@dataclass(frozen=True)
class Reported:
    detection: Detection
    at: float     # session time when it was reported
    start: float  # session time when the words began
    end: float    # ... and ended


class Listener(threading.Thread):
    """Feeds microphone blocks to the recognizer and posts commands for the coach loop."""

    def __init__(self, ears: Recognizer, blocks: Callable[[], object], clock: Clock, gate: EchoGate,
                 inbox: "queue.Queue[Reported | BaseException]", *,
                 cancel: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        super().__init__(name="matcoach-listener", daemon=True)
        self._ears = ears
        self._blocks = blocks
        self._clock = clock
        self._gate = gate
        self._inbox = inbox
        self.stopping = threading.Event()
        self.echoes = 0
        self._cancel = cancel

    def run(self) -> None:
        try:
            for block in self._blocks():  # type: ignore[attr-defined]
                if self.stopping.is_set():
                    return
                # the gate measures the raw microphone: how loud the room echo is follows from the
                # room, while what is left after cancellation comes and goes as the canceller adapts
                level = float(np.sqrt(np.mean((block.astype(np.float32) / 32768) ** 2))) if len(block) else 0.0
                self._gate.heard_block(self._clock.now(), level, len(block) / RATE)
                if self._cancel is not None:
                    block = self._cancel(block)
                for found in self._ears.feed(block):
                    self._post(found)
        except MatcoachError as e:
            self._inbox.put(e)
        except Exception as e:  # a listener that dies silently would leave the person unheard
            log.exception("the listener failed")
            self._inbox.put(e)

    def _post(self, found: Detection) -> None:
        now = self._clock.now()
        # the word's place in session time: it ended (detected_at - end) seconds of audio ago
        start, end = now - (found.detected_at - found.start), now - (found.detected_at - found.end)
        why = self._gate.echo_of(found, start, end)
        if why is not None:
            self.echoes += 1
            log.info("ignored %r at %.1f s: %s", found.phrase, now, why)
            return
        log.info("heard %r (%s, %.2f) %.0f ms after the words ended", found.phrase, found.command, found.confidence,
                 1000 * (found.detected_at - found.end))
        self._inbox.put(Reported(found, now, start, end))


class LiveCommands:
    """The runner's command source: what the listener heard, or the session's next deadline."""

    def __init__(self, clock: Clock, inbox: "queue.Queue[Reported | BaseException]") -> None:
        self._clock = clock
        self._inbox = inbox
        self.last: Reported | None = None

    def wait(self, until: float | None) -> Recognized | DeviceChange | None:
        while True:
            left = None if until is None else until - self._clock.now()
            if left is not None and left <= 0:
                return None
            try:
                item = self._inbox.get(timeout=WAKE_S if left is None else min(left, WAKE_S))
            except queue.Empty:
                continue
            if isinstance(item, BaseException):
                log.error("%s", item)
                raise InputEnded from item
            if isinstance(item, DeviceChange):
                return item
            if item.detection.command not in Command.names():  # "start workout" once started
                continue
            self.last = item
            found = item.detection
            return Recognized(Command(found.command), found.phrase, found.confidence, start=item.start, end=item.end)


def device_reporter(inbox: "queue.Queue", device: str) -> Callable[[bool, str], None]:
    """An ``on_change`` for the Microphone or Speaker that tells the coach loop."""

    def report(lost: bool, why: str) -> None:
        inbox.put(DeviceChange(device, lost, why))

    return report



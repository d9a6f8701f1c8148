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

from assistant.core.clock import Clock
from assistant.core.commands import Command
from assistant.core.errors import MatcoachError
from assistant.core.runner import DeviceChange, InputEnded, Recognized
from assistant.ears.recognizer import RATE, Detection
from assistant.live.aec import Reference
from assistant.live.duplex import DuplexEars
from assistant.live.mic import Microphone
from assistant.live.tracks import Tracks

log = logging.getLogger(__name__)
WAKE_S = 0.5          # the coach loop looks at the clock at least this often


@dataclass(frozen=True)
class Reported:
    detection: Detection
    at: float     # session time when it was reported
    start: float  # session time when the words began
    end: float    # ... and ended


class Listener(threading.Thread):
    """Feeds each microphone block, with what the speaker played meanwhile, through the live chain
    (echo cancellation, recognizer, echo gate) and posts the commands for the coach loop.

    ``lost()`` counts the times audio was lost (a device reopened, blocks dropped): the reference
    is lined up again. ``tracks``, when given, keeps both tracks exactly as the chain got them.
    """

    def __init__(self, chain: DuplexEars, mic: Microphone, clock: Clock,
                 inbox: "queue.Queue[Reported | BaseException]", *, reference: Reference,
                 time_of: Callable[[float], float], lost: Callable[[], int] = lambda: 0,
                 tracks: Tracks | None = None) -> None:
        super().__init__(name="matcoach-listener", daemon=True)
        self._chain = chain
        self._mic = mic
        self._clock = clock
        self._inbox = inbox
        self._reference = reference
        self._time_of = time_of  # a speaker frame's session time
        self._lost = lost
        self._tracks = tracks
        self.stopping = threading.Event()

    @property
    def echoes(self) -> int:
        return self._chain.echoes

    def run(self) -> None:
        try:
            losses = self._lost()
            for block in self._mic.blocks():
                if self.stopping.is_set():
                    return
                if self._lost() != losses:
                    losses = self._lost()
                    self._reference.realign()
                played = self._reference.take(len(block), self._mic.captured_at, self._mic.captured_adc)
                if self._tracks is not None:
                    self._tracks.write(block, played)
                for found in self._chain.feed(block, played):
                    self._post(found)
        except MatcoachError as e:
            self._inbox.put(e)
        except Exception as e:  # a listener that dies silently would leave the person unheard
            log.exception("the listener failed")
            self._inbox.put(e)

    def _when(self, seconds: float) -> float:
        """The session time of the chain's ``seconds``: what the speaker was playing when that sound
        reached the microphone (the echo path's delay taken off), so that a command is judged against
        what the coach was saying while it was said."""
        delay = self._chain.tracker.delay_s or 0.0
        return self._time_of(self._reference.frame_of((seconds - delay) * RATE))

    def _post(self, found: Detection) -> None:
        now = self._clock.now()
        start, end = min(now, self._when(found.start)), min(now, self._when(found.end))
        log.info("heard %r (%s, %.2f) %.0f ms after the words ended, which was at %.2f s", found.phrase,
                 found.command, found.confidence, 1000 * (found.detected_at - found.end), end)
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



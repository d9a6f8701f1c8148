"""A live session: the coach speaks through the speaker and listens through the microphone at once.

Threads: the audio callbacks only move audio (sounddevice's); the listener runs recognition on
microphone blocks and posts what it hears; the coach loop (the caller's thread) owns the session
and is the only one that touches it. Session time is the speaker's audio clock, so a cue is
placed where it will actually be heard.
"""

import logging
import queue
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from assistant.clock import Clock
from assistant.commands import Command
from assistant.ears import Detection, Recognizer
from assistant.errors import MatcoachError
from assistant.events import Cue, Event
from assistant.runner import InputEnded, Recognized

log = logging.getLogger(__name__)
ECHO_MARGIN_S = 0.4   # how far around the coach's own line a heard word may be its echo
WAKE_S = 0.5          # the coach loop looks at the clock at least this often


@dataclass(frozen=True)
class Heard:
    detection: Detection
    at: float  # session time when it was reported


class EchoGate:
    """Drops commands that are the coach's own words coming back through the microphone.

    The coach knows what it says and when (its cues). A command heard while the coach was
    saying a line that contains the command's words ("Well done" -> "done") is taken for an
    echo. Anything else is let through, so the person can still talk over the coach: "arched"
    during "Lower, three, two, one" is not in that line, and counts.
    """

    def __init__(self) -> None:
        self._lines: deque[tuple[float, float, set[str]]] = deque(maxlen=64)
        self._lock = threading.Lock()

    def said(self, cue: Cue) -> None:
        end = cue.end if cue.end is not None else cue.t + 3.0
        with self._lock:
            self._lines.append((cue.t, end, set(_words(cue.text))))

    def is_echo(self, detection: Detection, start: float, end: float) -> bool:
        words = set(_words(detection.phrase))
        with self._lock:
            return any(a - ECHO_MARGIN_S < end and start < b + ECHO_MARGIN_S and words <= said
                       for a, b, said in self._lines)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower())


class Listener(threading.Thread):
    """Feeds microphone blocks to the recognizer and posts commands for the coach loop."""

    def __init__(self, ears: Recognizer, blocks: Callable[[], object], clock: Clock, gate: EchoGate,
                 inbox: "queue.Queue[Heard | BaseException]") -> None:
        super().__init__(name="matcoach-listener", daemon=True)
        self._ears = ears
        self._blocks = blocks
        self._clock = clock
        self._gate = gate
        self._inbox = inbox
        self.stopping = threading.Event()
        self.echoes = 0

    def run(self) -> None:
        try:
            for block in self._blocks():  # type: ignore[attr-defined]
                if self.stopping.is_set():
                    return
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
        if self._gate.is_echo(found, start, end):
            self.echoes += 1
            log.info("ignored %r at %.1f s: the coach was saying it", found.phrase, now)
            return
        self._inbox.put(Heard(found, now))


class LiveCommands:
    """The runner's command source: what the listener heard, or the session's next deadline."""

    def __init__(self, clock: Clock, inbox: "queue.Queue[Heard | BaseException]") -> None:
        self._clock = clock
        self._inbox = inbox
        self.last: Heard | None = None

    def wait(self, until: float | None) -> Recognized | None:
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
            if item.detection.command not in Command.names():  # "start workout" once started
                continue
            self.last = item
            found = item.detection
            return Recognized(Command(found.command), found.phrase, found.confidence)


def gate_sink(gate: EchoGate, sink: Callable[[Event], None]) -> Callable[[Event], None]:
    """An event sink that also tells the echo gate what the coach says."""

    def emit(event: Event) -> None:
        if isinstance(event, Cue):
            gate.said(event)
        sink(event)

    return emit

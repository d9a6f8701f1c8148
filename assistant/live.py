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

import numpy as np

from assistant.clock import Clock
from assistant.commands import Command
from assistant.ears import RATE, Detection, Recognizer
from assistant.errors import MatcoachError
from assistant.events import Cue, Event
from assistant.runner import DeviceChange, InputEnded, Recognized

log = logging.getLogger(__name__)
ECHO_MARGIN_S = 0.4   # how far around the coach's own line a heard word may be its echo
WAKE_S = 0.5          # the coach loop looks at the clock at least this often


@dataclass(frozen=True)
class Heard:
    detection: Detection
    at: float  # session time when it was reported


class EchoGate:
    """Tells the person's commands from the coach's own voice coming back through the microphone.

    Two checks, for a command heard while the coach was speaking:
    - words: a command whose words the coach was saying at that moment ("Well done" -> "done")
      is its echo;
    - level: over the heard words, the microphone must be clearly louder (``MARGIN_DB``) than
      the coach's voice alone would make it. How loud that is, is learned while the session
      runs: the ratio of microphone to speaker level whenever the coach speaks.
    A command heard while the coach is silent always passes, and so does one said over the
    coach by someone louder than its echo: "arched" over "Lower, three, two, one" counts.
    """

    MARGIN_DB = 6.0
    QUIET = 10 ** (-50 / 20)  # the speaker played nothing louder than this: the coach was silent
    SPEAKING = 10 ** (-35 / 20)  # the echo level is learned only while the coach is clearly speaking

    def __init__(self, played: Callable[[float, float], float] | None = None) -> None:
        self._lines: deque[tuple[float, float, str]] = deque(maxlen=64)
        self._mic: deque[tuple[float, float]] = deque(maxlen=2000)  # (session time at block end, RMS)
        self._ratios: deque[float] = deque(maxlen=400)  # microphone / speaker level, in dB
        self._played = played
        self._lock = threading.Lock()

    def said(self, cue: Cue) -> None:
        end = cue.end if cue.end is not None else cue.t + 3.0
        with self._lock:
            self._lines.append((cue.t, end, _squash(cue.text)))

    def heard_block(self, t: float, rms: float, block_s: float) -> None:
        """A microphone block ending at session time ``t`` (called by the listener thread)."""
        with self._lock:
            self._mic.append((t, rms))
        if self._played is not None and rms > 0:
            ref = self._played(t - block_s - 0.1, t)
            if ref > self.SPEAKING:  # quieter blocks (between words) would overstate the echo
                self._ratios.append(20 * np.log10(rms / ref))

    def echo_of(self, detection: Detection, start: float, end: float) -> str | None:
        """Why this command is the coach's echo, or None when the person said it."""
        phrase = _squash(detection.phrase)
        with self._lock:
            lines = [said for a, b, said in self._lines if a - ECHO_MARGIN_S < end and start < b + ECHO_MARGIN_S]
            mic = [rms for t, rms in self._mic if start <= t <= end + 0.05]
        if any(phrase in said for said in lines):
            return "the coach was saying it"
        if self._played is None or not lines or not mic or len(self._ratios) < 20:
            return None
        ref = self._played(start - 0.1, end)
        if ref <= self.QUIET:
            return None
        expected = 20 * np.log10(ref) + float(np.median(self._ratios))
        louder = 20 * np.log10(max(mic) + 1e-12) - expected
        return None if louder >= self.MARGIN_DB else f"no louder than the coach's echo ({louder:+.1f} dB)"


def _squash(text: str) -> str:
    """Lower case, letters and digits only: "Well done!" -> "welldone"; Korean words match inside
    their inflected forms ("허리" in "허리를")."""
    return "".join(re.findall(r"\w+", text.lower()))


class Listener(threading.Thread):
    """Feeds microphone blocks to the recognizer and posts commands for the coach loop."""

    def __init__(self, ears: Recognizer, blocks: Callable[[], object], clock: Clock, gate: EchoGate,
                 inbox: "queue.Queue[Heard | BaseException]", *,
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
        self._inbox.put(Heard(found, now))


class LiveCommands:
    """The runner's command source: what the listener heard, or the session's next deadline."""

    def __init__(self, clock: Clock, inbox: "queue.Queue[Heard | BaseException]") -> None:
        self._clock = clock
        self._inbox = inbox
        self.last: Heard | None = None

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
            return Recognized(Command(found.command), found.phrase, found.confidence)


def device_reporter(inbox: "queue.Queue", device: str) -> Callable[[bool, str], None]:
    """An ``on_change`` for the Microphone or Speaker that tells the coach loop."""

    def report(lost: bool, why: str) -> None:
        inbox.put(DeviceChange(device, lost, why))

    return report


def gate_sink(gate: EchoGate, sink: Callable[[Event], None]) -> Callable[[Event], None]:
    """An event sink that also tells the echo gate what the coach says."""

    def emit(event: Event) -> None:
        if isinstance(event, Cue):
            gate.said(event)
        sink(event)

    return emit

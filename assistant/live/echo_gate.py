"""The echo gate: tells the person's commands from the coach's own voice coming back through the microphone."""

import re
import threading
from collections import deque
from collections.abc import Callable

import numpy as np

from assistant.core.events import Cue, Event
from assistant.ears.recognizer import Detection

ECHO_MARGIN_S = 0.4   # how far around the coach's own line a heard word may be its echo


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



def gate_sink(gate: EchoGate, sink: Callable[[Event], None]) -> Callable[[Event], None]:
    """An event sink that also tells the echo gate what the coach says."""

    def emit(event: Event) -> None:
        if isinstance(event, Cue):
            gate.said(event)
        sink(event)

    return emit

"""Hearing the person over the coach's own voice: the chain a live session runs on every microphone
block, and a replay of a recorded session runs on the file (``listen --file MIC --reference PLAYED``).

microphone + what the speaker played (same instant at sample 0)
  -> echo path tracker (delay and level of the coach's voice coming back, all session long)
  -> echo canceller (the reference delayed to line up with its echo)
  -> recognizer -> echo gate (audio only: is the command the person's, or the coach's residue?)

Everything it knows about the coach's voice comes from the reference audio, and audio is processed
in fixed blocks whatever size it arrives in, so the same two tracks give the same commands, live or
replayed. The recognizer is any ``Recognizer``; nothing here depends on the engine.
"""

import logging
from collections.abc import Callable

import numpy as np

from assistant.ears.recognizer import BLOCK, RATE, Detection, Recognizer
from assistant.live.aec import FRAME, EchoCanceller, EchoCancellerError
from assistant.live.echo_gate import EchoGate
from assistant.live.echo_path import EchoTracker

log = logging.getLogger(__name__)


class DelayLine:
    """The last ``longest`` samples of a signal, read back as they were some samples ago."""

    def __init__(self, longest: int) -> None:
        self._held = np.zeros(longest + BLOCK, dtype=np.int16)

    def push(self, block: np.ndarray) -> None:
        n = len(block)
        self._held[:-n] = self._held[n:]
        self._held[-n:] = block

    def read(self, delay: int, n: int) -> np.ndarray:
        """The ``n`` samples pushed last, as they were ``delay`` samples earlier."""
        end = len(self._held) - delay
        return self._held[end - n:end].copy()


class DuplexEars:
    """Feed microphone and reference blocks of the same length; returns the person's commands.

    ``ears`` hears the cancelled microphone; ``cancel`` False leaves the echo in (a device that
    cancels it itself) while the gate still judges against the reference. A recognizer whose
    ``quiet_residue`` is true (it cuts utterances with a speech detector, which the residue of the
    coach's voice would hold open and run into the person's words) hears the stretches that hold
    only that residue turned down; others hear it as it is (Vosk decodes it as context, and
    recognizes a word at the very start of an utterance poorly).
    """

    LEAD_S = 0.03  # the reference reaches the canceller this much before its echo: room for the estimate's error
    RESET_S = 0.01  # a delay that moves further than this makes the canceller learn again
    REVERB_DB = 3.0  # the echo's level with its reverberation, over the direct path's the tracker measures
    QUIET_DB = 15.0  # for recognizers that ask: stretches of the coach's residue alone are turned down this much
    HOLD = 5         # frames (50 ms) the quieting stays open after the person was heard
    HISS = 10.0      # RMS in int16 steps: -70 dBFS
    ECHO_RMS = 30.0  # RMS in int16 steps (-61 dBFS): a reference block this loud is the coach sounding

    def __init__(self, ears: Recognizer, *, cancel: bool = True) -> None:
        self.ears = ears
        self.engine = ears.engine
        self._quiet_residue = bool(getattr(ears, "quiet_residue", False))
        self._note_echo: Callable[[bool], None] | None = getattr(ears, "coach_echo", None)
        self.tracker = EchoTracker(RATE)
        self.gate = EchoGate()
        self._line = DelayLine(int(EchoTracker.MAX_DELAY_S * RATE))
        self._canceller: EchoCanceller | None = None
        if cancel:
            try:
                self._canceller = EchoCanceller(RATE)
            except EchoCancellerError as e:
                log.warning("%s", e)
        self._mic = np.zeros(0, dtype=np.int16)
        self._ref = np.zeros(0, dtype=np.int16)
        self._delay = 0  # samples the reference is held back for the canceller
        self._noise = np.random.default_rng(0)
        self._open_for = 0   # frames the residue quieting stays open
        self._gain = 1.0
        self.echoes = 0  # commands the gate took for the coach's echo
        self.on_echo: Callable[[Detection, str], None] | None = None

    def feed(self, mic: np.ndarray, ref: np.ndarray | None = None) -> list[Detection]:
        """The next microphone block and what the speaker played meanwhile (None: nothing, ever)."""
        if ref is None:
            return self.ears.feed(mic)
        if len(ref) != len(mic):
            raise ValueError(f"a microphone block of {len(mic)} samples came with {len(ref)} of reference")
        self._mic = np.concatenate((self._mic, mic)) if self._mic.size else mic
        self._ref = np.concatenate((self._ref, ref)) if self._ref.size else ref
        found: list[Detection] = []
        while len(self._mic) >= BLOCK:
            found += self._block(self._mic[:BLOCK], self._ref[:BLOCK])
            self._mic, self._ref = self._mic[BLOCK:], self._ref[BLOCK:]
        return found

    def finish(self) -> list[Detection]:
        """The input has ended: what is still pending."""
        found: list[Detection] = []
        if self._mic.size:  # the last part block, made whole with silence
            pad = (0, BLOCK - len(self._mic))
            found += self._block(np.pad(self._mic, pad), np.pad(self._ref, pad))
            self._mic = self._ref = np.zeros(0, dtype=np.int16)
        return found + self._judged(self.ears.finish())

    def _block(self, mic: np.ndarray, ref: np.ndarray) -> list[Detection]:
        if self.tracker.feed(mic, ref):
            self._follow(self.tracker.delay_s or 0.0)
        self._line.push(ref)
        full = int(round((self.tracker.delay_s or 0.0) * RATE))
        out = mic
        if self._canceller is not None:
            out = self._canceller.process(mic, self._line.read(self._delay, len(mic)))
        echo = self._line.read(full, len(mic))
        self.gate.heard(out, echo, mic)
        if self._note_echo is not None:   # the ears' last check must not take the residue for talk
            self._note_echo(float(np.sqrt(np.mean(echo.astype(np.float32) ** 2))) > self.ECHO_RMS)
        if self._quiet_residue:
            out = self._quieted(out)
        return self._judged(self.ears.feed(self._hiss(out)))

    def _quieted(self, out: np.ndarray) -> np.ndarray:
        """``out`` with the frames that hold only the coach's residue turned down (``QUIET_DB``), so
        that a recognizer's speech detector does not run the residue into the person's words; frames
        stay open ``HOLD_S`` after the person was last heard (the quiet ends of words)."""
        person, silent = self.gate.person_in(len(out) // FRAME)
        gains = np.empty(len(person), dtype=np.float32)
        for i in range(len(person)):
            self._open_for = self.HOLD if person[i] else max(0, self._open_for - 1)
            gains[i] = 1.0 if self._open_for or silent[i] else 10 ** (-self.QUIET_DB / 20)
        ramp = np.concatenate(([self._gain], gains))
        per_sample = np.concatenate([np.linspace(ramp[i], ramp[i + 1], FRAME, endpoint=False, dtype=np.float32)
                                     for i in range(len(gains))])
        self._gain = float(gains[-1])
        return (out[:len(per_sample)] * per_sample).astype(np.int16)

    def _hiss(self, out: np.ndarray) -> np.ndarray:
        """``out`` with a faint hiss under it, as every real microphone has: a muted input or a
        virtual device gives exact digital silence, and recognizers that normalise on the background
        level lose the next word after it (the same seed every time, so a replay hears the same)."""
        hiss = self._noise.normal(0.0, self.HISS, len(out))
        return np.clip(out + hiss, -32768, 32767).astype(np.int16)

    def _follow(self, delay_s: float) -> None:
        delay = max(0, int(round((delay_s - self.LEAD_S) * RATE)))
        if abs(delay - self._delay) > self.RESET_S * RATE or not self.gate.aligned:
            if self._canceller is not None:
                self._canceller.reset()
        # even a canceller that keeps its filter leaves more residue once the reference moved: the
        # gate learns the residue again, and is strict meanwhile
        self.gate.restart()
        self._delay = delay
        self.gate.aligned = True
        if self.tracker.level_db is not None:  # the echo before cancellation, with its reverberation
            self.gate.unlearned = 10 ** ((self.tracker.level_db + self.REVERB_DB) / 10)

    def _judged(self, found: list[Detection]) -> list[Detection]:
        kept = []
        for detection in found:
            why, how = self.gate.verdict(detection)
            if why is None:
                log.debug("kept %r at %.2f s as the person's: %s", detection.phrase, detection.end, how)
                kept.append(detection)
                continue
            self.echoes += 1
            log.info("ignored %r at %.2f s: %s", detection.phrase, detection.end, why)
            if self.on_echo is not None:
                self.on_echo(detection, why)
        return kept

    def close(self) -> None:
        if self._canceller is not None:
            self._canceller.close()

"""Acoustic echo cancellation: the coach's own voice taken out of the microphone signal.

SpeexDSP's echo canceller (Debian's libspeexdsp1, through ctypes: no compiler needed, and the
same library ships on Raspberry Pi OS) is fed the exact audio the speaker played as its
reference, followed by its preprocessor, which suppresses the residual echo.
"""

import ctypes
import ctypes.util
import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from assistant.core.errors import MatcoachError

log = logging.getLogger(__name__)
FRAME = 160          # 10 ms at 16 kHz
SET_SAMPLING_RATE = 24  # SPEEX_ECHO_SET_SAMPLING_RATE
SET_ECHO_STATE = 24     # SPEEX_PREPROCESS_SET_ECHO_STATE


class EchoCancellerError(MatcoachError):
    """SpeexDSP is missing."""


def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("speexdsp") or "libspeexdsp.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        raise EchoCancellerError("libspeexdsp is missing, so the coach cannot hear you over its own voice; "
                                 "install it (sudo apt-get install libspeexdsp1) or run ./setup.sh") from None
    lib.speex_echo_state_init.restype = ctypes.c_void_p
    lib.speex_echo_state_init.argtypes = [ctypes.c_int, ctypes.c_int]
    lib.speex_echo_ctl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    lib.speex_echo_cancellation.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.speex_echo_state_destroy.argtypes = [ctypes.c_void_p]
    lib.speex_preprocess_state_init.restype = ctypes.c_void_p
    lib.speex_preprocess_state_init.argtypes = [ctypes.c_int, ctypes.c_int]
    lib.speex_preprocess_ctl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    lib.speex_preprocess_run.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.speex_preprocess_state_destroy.argtypes = [ctypes.c_void_p]
    return lib


class EchoCanceller:
    """16 kHz int16 in, 16 kHz int16 out; ``tail_s`` is the longest echo delay it can follow."""

    def __init__(self, rate: int = 16000, tail_s: float = 0.5) -> None:
        self._lib = _library()
        self._echo = self._lib.speex_echo_state_init(FRAME, int(tail_s * rate))
        value = ctypes.c_int(rate)
        self._lib.speex_echo_ctl(self._echo, SET_SAMPLING_RATE, ctypes.byref(value))
        self._pre = self._lib.speex_preprocess_state_init(FRAME, rate)
        self._lib.speex_preprocess_ctl(self._pre, SET_ECHO_STATE, self._echo)
        self._mic = np.zeros(0, dtype=np.int16)
        self._ref = np.zeros(0, dtype=np.int16)

    def process(self, mic: np.ndarray, reference: np.ndarray) -> np.ndarray:
        """The microphone block with the echo of ``reference`` (same length, played audio) removed."""
        self._mic = np.concatenate((self._mic, mic))
        self._ref = np.concatenate((self._ref, reference))
        whole = len(self._mic) // FRAME * FRAME
        out = np.empty(whole, dtype=np.int16)
        mic_in = np.ascontiguousarray(self._mic[:whole])
        ref_in = np.ascontiguousarray(self._ref[:whole])
        for i in range(0, whole, FRAME):
            frame_out = out[i:i + FRAME]
            self._lib.speex_echo_cancellation(self._echo, mic_in[i:].ctypes.data, ref_in[i:].ctypes.data,
                                              frame_out.ctypes.data)
            self._lib.speex_preprocess_run(self._pre, frame_out.ctypes.data)
        self._mic, self._ref = self._mic[whole:], self._ref[whole:]
        return out

    def close(self) -> None:
        if self._echo:
            self._lib.speex_echo_state_destroy(self._echo)
            self._lib.speex_preprocess_state_destroy(self._pre)
            self._echo = self._pre = None


class Reference:
    """The speaker's played audio at 16 kHz, read in step with the microphone.

    Both streams run from the same audio server, so after one alignment at the first block the
    two sample counts advance together. The reference is taken slightly ahead of the echo (the
    sound is played after it is handed over, and heard later still); the canceller's tail
    covers that delay.
    """

    def __init__(self, played: Callable[[int, int], np.ndarray], frames_now: Callable[[], int],
                 out_rate: int, rate: int = 16000) -> None:
        import soxr

        self._played = played
        self._frames_now = frames_now
        self._ratio = out_rate / rate
        self._next: float | None = None
        self.rate = rate
        self._resampler = soxr.ResampleStream(out_rate, rate, 1, dtype="float32")
        self._pending = np.zeros(0, dtype=np.float32)

    def take(self, n: int) -> np.ndarray:
        """The reference for the next ``n`` microphone samples, as int16."""
        if self._next is None:
            self._next = self._frames_now() - n * self._ratio
        first = int(round(self._next))
        count = int(round(self._next + n * self._ratio)) - first
        self._next += n * self._ratio
        audio = self._resampler.resample_chunk(self._played(first, count))
        self._pending = np.concatenate((self._pending, audio))
        if len(self._pending) < n:  # the resampler's start-up delay
            self._pending = np.concatenate((np.zeros(n - len(self._pending), dtype=np.float32), self._pending))
        out, self._pending = self._pending[:n], self._pending[n:]
        return (np.clip(out, -1, 1) * 32767).astype(np.int16)

    def realign(self) -> None:
        """The microphone was reopened (samples lost): align again at its next block."""
        self._next = None
        self._pending = np.zeros(0, dtype=np.float32)

    def delay(self, seconds: float) -> None:
        """From now on, read the played audio ``seconds`` later than before: the echo path's delay."""
        if self._next is not None:
            self._next -= seconds * self.rate * self._ratio


class EchoPath:
    """The playback-to-capture delay, measured from the first seconds the coach speaks: the raw
    microphone is cross-correlated with what was played. The reference is then moved to match,
    so the canceller's filter spends its length on the room, not on buffering."""

    MAX_DELAY_S = 0.45  # within the canceller's tail
    LISTEN_S = 3.0      # of the coach speaking
    MIN_CORRELATION = 0.2

    def __init__(self, reference: Reference, rate: int = 16000) -> None:
        self._reference = reference
        self._rate = rate
        self._mic: list[np.ndarray] = []
        self._ref: list[np.ndarray] = []
        self._loud = 0
        self.delay_s: float | None = None
        self.correlation = 0.0
        self.done = False

    def restart(self) -> None:
        """Measure again (the microphone was reopened, the reference realigned)."""
        self._mic, self._ref, self._loud, self.done = [], [], 0, False

    def observe(self, mic: np.ndarray, ref: np.ndarray) -> None:
        if self.done:
            return
        if not self._ref and not np.any(ref):
            return  # wait for the coach's first words
        self._mic.append(mic.astype(np.float32))
        self._ref.append(ref.astype(np.float32))
        self._loud += len(ref) if np.sqrt(np.mean(ref.astype(np.float32) ** 2)) > 300 else 0
        if self._loud >= self.LISTEN_S * self._rate or sum(map(len, self._ref)) >= 3 * self.LISTEN_S * self._rate:
            self._measure()

    def _measure(self) -> None:
        self.done = True
        mic, ref = np.concatenate(self._mic), np.concatenate(self._ref)
        self._mic, self._ref = [], []
        self.delay_s, self.correlation = estimate_delay(mic, ref, self._rate, self.MAX_DELAY_S)
        if self.delay_s is None or self.correlation < self.MIN_CORRELATION:
            log.info("echo path: the coach's voice was not heard back (correlation %.2f); a headset, or a "
                     "device that cancels echo itself", self.correlation)
            self.delay_s = None
            return
        log.info("echo path: %.0f ms from playback to capture (correlation %.2f), measured at start-up",
                 self.delay_s * 1000, self.correlation)
        self._reference.delay(self.delay_s)


def estimate_delay(mic: np.ndarray, ref: np.ndarray, rate: int, max_delay_s: float) -> tuple[float | None, float]:
    """How much later ``ref`` shows up in ``mic`` (0 to ``max_delay_s``), and the normalised
    correlation at that lag (1 for a clean copy)."""
    n = len(mic) + len(ref)
    size = 1 << (n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(mic, size) * np.conj(np.fft.rfft(ref, size)), size)
    lags = corr[:int(max_delay_s * rate) + 1]
    if not len(lags) or not np.any(ref) or not np.any(mic):
        return None, 0.0
    lag = int(np.argmax(lags))
    shifted_ref = ref[:len(ref) - lag] if lag else ref
    mic_part = mic[lag:lag + len(shifted_ref)]
    norm = float(np.sqrt(np.sum(mic_part ** 2) * np.sum(shifted_ref[:len(mic_part)] ** 2)))
    return lag / rate, float(lags[lag] / norm) if norm else 0.0


def canceller_for(speaker: Any, mic: Any) -> Callable[[np.ndarray], np.ndarray] | None:
    """Echo cancellation of ``mic`` fed with what ``speaker`` played; None (with a warning) without SpeexDSP.

    When either device is reopened, samples were lost: the reference is aligned and the echo path
    measured again."""
    try:
        canceller = EchoCanceller()
    except EchoCancellerError as e:
        log.warning("%s", e)
        return None
    reference = Reference(speaker.played_audio, speaker.frames, speaker.rate)
    path = EchoPath(reference)
    reopened = [mic.revival.reopened + speaker.revival.reopened]

    def cancel(block: np.ndarray) -> np.ndarray:
        if mic.revival.reopened + speaker.revival.reopened != reopened[0]:  # audio lost: align again
            reopened[0] = mic.revival.reopened + speaker.revival.reopened
            reference.realign()
            path.restart()
        played = reference.take(len(block))
        path.observe(block, played)
        return canceller.process(block, played)

    return cancel

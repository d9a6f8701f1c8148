"""Acoustic echo cancellation: the coach's own voice taken out of the microphone signal.

SpeexDSP's echo canceller (Debian's libspeexdsp1, through ctypes: no compiler needed, and the
same library ships on Raspberry Pi OS) is fed the audio the speaker played as its reference,
delayed to line up with its echo (assistant.live.echo_path measures by how much), followed by
its preprocessor's residual echo suppression. The preprocessor's noise suppression stays off: it
eats soft consonants ("허" in "허리" came out as "더") and the recognizers cope with noise better.
"""

import ctypes
import ctypes.util
import logging
from collections.abc import Callable

import numpy as np

from assistant.core.errors import MatcoachError

log = logging.getLogger(__name__)
FRAME = 160          # 10 ms at 16 kHz
SET_SAMPLING_RATE = 24  # SPEEX_ECHO_SET_SAMPLING_RATE
SET_DENOISE = 0         # SPEEX_PREPROCESS_SET_DENOISE
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
    lib.speex_echo_state_reset.argtypes = [ctypes.c_void_p]
    lib.speex_echo_state_destroy.argtypes = [ctypes.c_void_p]
    lib.speex_preprocess_state_init.restype = ctypes.c_void_p
    lib.speex_preprocess_state_init.argtypes = [ctypes.c_int, ctypes.c_int]
    lib.speex_preprocess_ctl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    lib.speex_preprocess_run.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.speex_preprocess_state_destroy.argtypes = [ctypes.c_void_p]
    return lib


class EchoCanceller:
    """16 kHz int16 in, 16 kHz int16 out; ``tail_s`` is how long an echo (its delay, once the
    reference is lined up, plus the room's reverberation) it can follow."""

    def __init__(self, rate: int = 16000, tail_s: float = 0.3) -> None:
        self._lib = _library()
        self._echo = self._lib.speex_echo_state_init(FRAME, int(tail_s * rate))
        value = ctypes.c_int(rate)
        self._lib.speex_echo_ctl(self._echo, SET_SAMPLING_RATE, ctypes.byref(value))
        self._pre = self._lib.speex_preprocess_state_init(FRAME, rate)
        self._lib.speex_preprocess_ctl(self._pre, SET_ECHO_STATE, self._echo)
        off = ctypes.c_int(0)
        self._lib.speex_preprocess_ctl(self._pre, SET_DENOISE, ctypes.byref(off))
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

    def reset(self) -> None:
        """Forget the echo learned so far (its path changed): it is learned again in a second or two."""
        self._lib.speex_echo_state_reset(self._echo)

    def close(self) -> None:
        if self._echo:
            self._lib.speex_echo_state_destroy(self._echo)
            self._lib.speex_preprocess_state_destroy(self._pre)
            self._echo = self._pre = None


class Reference:
    """What the speaker played, at 16 kHz, block for block with the microphone: the second track
    of the live chain (assistant.live.duplex), and of a recording of a session.

    Once lined up, the two sample counts advance together. A microphone block is lined up with
    what had been handed to the speaker ``EARLY_S`` before the block arrived from the device (by
    the callbacks' clocks, not by when the listener got to it): sound is played after it is handed
    over and captured before the block arrives, so the echo always comes later in the reference's
    time; how much later is measured from the audio (assistant.live.echo_path).

    The two clocks are watched all session long, not only at the lining up. When the speaker's
    callback comes late (a busy machine), the device runs dry and plays silence, and everything
    after it is heard later than its frame count says: on a private PulseAudio server a 150 ms
    stall moved the echo 54 ms later, at every stall. The audio devices say when each block is
    played and captured (PortAudio's DAC and ADC times; the callbacks' arrival times jitter by up
    to 40 ms there, these by under 1 ms), so each microphone block is lined up again by them, and
    once ``STEADY`` blocks in a row agree that the speaker slipped by more than ``SLIP_S``, the
    reference follows. The echo keeps its delay, the canceller keeps what it learned, and the move
    is not left for the echo path tracker to find the next time the coach speaks, which in a
    session is the countdown. The devices' first ``WARM_S`` are not trusted (PulseAudio's latency
    reports settle in about a second), and without those times (some audio systems give none) the
    tracker alone follows.

    The first lining up can also be off the other way, and that one matters: the echo then comes
    *before* its reference, where no canceller can take it out and the tracker finds nothing (the
    person's words were taken for the coach's all session long). It happened in Korean sessions
    (in one of the live tests, most times), the echo up to 10 ms before its reference all session
    long, and the devices' times showed it: the reference was 5-18 ms ahead of what the devices
    said the speaker was playing, where every other session had 44-55 ms (the echo path, measured
    from the audio, about 18 ms less). A block that reaches the listener late cannot do this (it
    lines the reference up later, the echo only comes later behind it); the speaker's frame count,
    read when the first block arrived, was behind. So when the devices' times first agree, a
    reference less than ``AHEAD_S`` ahead of what they say was playing moves on to that (never
    beyond what had been handed to the speaker ``EARLY_S`` before the block arrived), and the log
    says how far ahead it was.

    Lined up again (a device reopened, audio lost), the reference goes back to as far ahead of what
    the devices say is playing as it was first: the echo path is unchanged, nothing for the tracker
    or the canceller to learn again. A speaker just reopened runs slow for a second or so after it
    starts: live, a reference lined up again as it came back was 500-590 ms ahead of what the
    devices said was playing (45 before), at the edge of the tracker's reach, all session.
    """

    EARLY_S = 0.05
    SLIP_S = 0.008    # a smaller move is left to the echo path tracker and the canceller
    SPREAD_S = 0.003  # the blocks that show a slip agree this closely
    STEADY = 5        # ... and this many of them, in a row (a quarter of a second of 50 ms blocks)
    WARM_S = 2.0      # after a lining up, the devices' times are trusted only after this long
    MOST_S = 1.0      # a larger "slip" is a bad report, not followed
    AHEAD_S = 0.035   # the reference is at least this far ahead of what the devices say is playing

    def __init__(self, played: Callable[[int, int], np.ndarray], frames_at: Callable[[float], float],
                 out_rate: int, rate: int = 16000,
                 frames_at_dac: Callable[[float], float | None] = lambda t: None) -> None:
        import soxr

        self._played = played
        self._frames_at = frames_at
        self._frames_at_dac = frames_at_dac   # the speaker frame being played at a device time, if known
        self._out_rate = out_rate
        self._ratio = out_rate / rate
        self._next: float | None = None
        self.rate = rate
        self._resampler = soxr.ResampleStream(out_rate, rate, 1, dtype="float32")
        self._pending = np.zeros(0, dtype=np.float32)
        self.samples = 0  # taken so far: the chain's sample count
        self._base = (0.0, 0)  # (speaker frame, sample) at the last lining up
        self._lined_up_at = 0    # the sample of the last lining up
        self._steady: float | None = None   # by the devices' times: speaker frame minus pointer, when steady
        self._recent: list[float] = []       # ... for the last blocks
        self.slips: list[tuple[int, float]] = []   # (sample, seconds): the reference followed the speaker
        self.relined: list[tuple[int, float]] = []   # (sample, seconds): moved once the devices' times were trusted
        self._still: float | None = -np.inf  # after realign(): handed to the speaker at the last block (None: not
        # read yet); a lining up waits for more, for a speaker just reopened and not started yet
        self._ahead: float | None = None  # speaker frames ahead of what was playing, as first trusted

    def take(self, n: int, captured_at: float, adc: float = 0.0) -> np.ndarray:
        """The reference for the next ``n`` microphone samples, the block that arrived from the
        device at ``captured_at`` (time.monotonic()) and was captured at ``adc`` by the device's
        clock (0: unknown), as int16."""
        if self._next is None:
            handed = self._frames_at(captured_at)
            if self._still is None or handed <= self._still:  # lined up again: once the speaker plays
                self._still = handed
                self.samples += n
                return np.zeros(n, dtype=np.int16)
            self._next = self._latest(n, captured_at)
            self._base = (self._next, self.samples)
            self._lined_up_at, self._steady, self._recent = self.samples, None, []
            log.debug("reference lined up at frame %.0f", self._next)
        elif adc > 0:
            self._follow(adc, n, captured_at)
        self.samples += n
        first = int(round(self._next))
        count = int(round(self._next + n * self._ratio)) - first
        self._next += n * self._ratio
        audio = self._resampler.resample_chunk(self._played(first, count))
        self._pending = np.concatenate((self._pending, audio))
        if len(self._pending) < n:  # the resampler's start-up delay
            self._pending = np.concatenate((np.zeros(n - len(self._pending), dtype=np.float32), self._pending))
        out, self._pending = self._pending[:n], self._pending[n:]
        return (np.clip(out, -1, 1) * 32767).astype(np.int16)

    def _latest(self, n: int, captured_at: float) -> float:
        """The latest lining up the speaker's frame count allows for the ``n`` samples that arrived
        at ``captured_at``: what had been handed to it ``EARLY_S`` before."""
        return self._frames_at(captured_at) - n * self._ratio - self.EARLY_S * self._out_rate

    def _follow(self, adc: float, n: int, captured_at: float) -> None:
        """Follow the speaker when the devices' times show it slipped (see the class), for the block
        of ``n`` samples that arrived at ``captured_at``."""
        playing = self._frames_at_dac(adc)
        if playing is None or self.samples - self._lined_up_at < self.WARM_S * self.rate:
            return
        self._recent = self._recent[-(self.STEADY - 1):] + [playing - self._next]
        if len(self._recent) < self.STEADY or np.ptp(self._recent) > self.SPREAD_S * self._out_rate:
            return
        now = float(np.median(self._recent))
        if self._steady is None:
            ahead = -now
            log.info("echo reference: %.0f ms ahead of what the devices say the speaker was playing",
                     1000 * ahead / self._out_rate)
            if self._ahead is None:  # the session's first lining up: only ever moved on
                want, why = max(ahead, self.AHEAD_S * self._out_rate), "so that its echo cannot come before it"
                least = 0.001 * self._out_rate
            else:  # less than a slip is left to the tracker
                want, why = self._ahead, "as far ahead as before it was lined up again"
                least = self.SLIP_S * self._out_rate
            shift = min(want - ahead, self._latest(n, captured_at) - self._next)
            if shift > least or (self._ahead is not None and shift < -least):
                self._move(shift)
                self.relined.append((self.samples, shift / self._out_rate))
                log.info("echo reference: moved %+.0f ms, %s", 1000 * shift / self._out_rate, why)
                now -= shift
            if self._ahead is None:
                self._ahead = -now
            self._steady = now
            return
        shift = now - self._steady
        if not self.SLIP_S * self._out_rate < abs(shift) < self.MOST_S * self._out_rate:
            return
        self._move(shift)
        self.slips.append((self.samples, shift / self._out_rate))
        log.info("the coach's audio slipped %+.0f ms against the microphone (the audio output ran dry); "
                 "the echo reference follows it", 1000 * shift / self._out_rate)

    def _move(self, shift: float) -> None:
        """Take the reference from ``shift`` speaker frames further on (back, when negative), from this block."""
        self._next += shift
        self._base = (self._next, self.samples)
        self._recent = []

    def frame_of(self, sample: float) -> float:
        """The speaker frame the reference held at the chain's ``sample`` (since the last lining up)."""
        frame, at = self._base
        return frame + (sample - at) * self._ratio

    def realign(self) -> None:
        """Samples were lost (a device reopened, the listener fell behind): line up again at the
        next block that finds the speaker taking audio. A speaker just reopened can take a second to
        start: lined up meanwhile, the reference ran ahead of all it had been handed, and stayed
        silent all session. The devices' times then bring it back to where it was (see the class)."""
        self._next = None
        self._pending = np.zeros(0, dtype=np.float32)
        self._still = None

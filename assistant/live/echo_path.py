"""The echo path, tracked all session long: how much later, and how loud, the coach's voice comes
back into the microphone.

Every half second of audio in which the coach spoke, the last few seconds of microphone and
reference are cross-correlated (a regularised GCC-PHAT: sharp peaks with speech, room reverb and
the person talking at once). A delay is taken when three of the last five confident estimates
agree on it, so the estimate follows drifts and jumps (a Bluetooth speaker, a device reopened and
its buffers with it) within a few seconds of the coach speaking, and never a stray peak (the
person's voice, or two synthetic voices sharing one pitch period). Everything is computed from the
two signals alone, so a replay of a recording finds exactly what the live session found.
"""

import logging
from collections import deque
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)
RATE = 16000


@dataclass(frozen=True)
class PathEstimate:
    delay_s: float       # playback (the reference) to capture (the microphone)
    level_db: float      # the echo's level against the reference
    confidence: float    # the correlation peak against its surroundings (about 1 for noise)
    at_s: float          # seconds of audio heard when it was made


class EchoTracker:
    """Feed raw microphone and reference blocks (same length, same instant at sample 0);
    ``delay_s`` is the echo path's delay once it has been heard, else None."""

    WINDOW_S = 3.0       # audio correlated for each estimate
    HOP_S = 0.5          # a new estimate this often, when the coach spoke enough in the window
    MAX_DELAY_S = 0.6    # longest delay looked for
    MIN_VOICE_S = 1.0    # of the coach's voice in the window before an estimate is made
    VOICE = 10 ** (-45 / 20)  # a 10 ms reference frame louder than this: the coach is speaking
    MIN_CONFIDENCE = 8.0  # the peak stands this far above the correlation's spread
    AGREE_S = 0.002      # two estimates this close agree
    VOTES, QUORUM = 5, 3  # a delay is taken when this many of the last confident estimates agree on it
    MOVE_S = 0.002       # a change smaller than this is not worth moving the reference

    def __init__(self, rate: int = RATE) -> None:
        self.rate = rate
        self._window = int(self.WINDOW_S * rate)
        self._hop = int(self.HOP_S * rate)
        self._frame = rate // 100
        self._mic: deque[np.ndarray] = deque()
        self._ref: deque[np.ndarray] = deque()
        self._voiced: deque[int] = deque()  # voiced samples per block held
        self._held = 0
        self._since = 0
        self._heard = 0
        self._recent: deque[PathEstimate] = deque(maxlen=self.VOTES)  # the last confident estimates
        self.delay_s: float | None = None
        self.level_db: float | None = None
        self.changes = 0
        self.last: PathEstimate | None = None  # the latest estimate, taken or not

    def feed(self, mic: np.ndarray, ref: np.ndarray) -> bool:
        """Take the next blocks; True when the delay changed."""
        self._heard += len(mic)
        frames = ref[:len(ref) // self._frame * self._frame].astype(np.float32).reshape(-1, self._frame) / 32768
        voiced = int(np.count_nonzero(np.sqrt(np.mean(frames * frames, axis=1)) > self.VOICE)) * self._frame
        self._mic.append(mic)
        self._ref.append(ref)
        self._voiced.append(voiced)
        self._held += len(mic)
        while self._held - len(self._mic[0]) >= self._window:
            self._held -= len(self._mic.popleft())
            self._ref.popleft()
            self._voiced.popleft()
        self._since += len(mic)
        if self._since < self._hop or sum(self._voiced) < self.MIN_VOICE_S * self.rate:
            return False
        self._since = 0
        estimate = self._estimate()
        self.last = estimate
        return estimate is not None and self._consider(estimate)

    def _estimate(self) -> PathEstimate | None:
        mic = np.concatenate(self._mic).astype(np.float32)
        ref = np.concatenate(self._ref).astype(np.float32)
        if not np.any(mic) or not np.any(ref):
            return None
        longest = int(self.MAX_DELAY_S * self.rate)
        size = 1 << (len(mic) + longest).bit_length()  # no wrap-around for the lags looked at
        cross = np.fft.rfft(mic, size) * np.conj(np.fft.rfft(ref, size))
        # phase transform, held back where there is little energy: whitening bins that hold only
        # hiss or rounding would let them outvote the voice
        magnitude = np.abs(cross)
        corr = np.fft.irfft(cross / (magnitude + 0.1 * np.mean(magnitude) + 1e-12), size)
        lags = corr[:longest + 1]
        lag = int(np.argmax(lags))
        spread = float(np.std(lags)) or 1e-12
        confidence = float((lags[lag] - np.median(lags)) / spread)
        shifted = ref[:len(ref) - lag] if lag else ref
        heard = mic[lag:]
        gain = float(np.dot(heard, shifted) / max(float(np.dot(shifted, shifted)), 1e-9))
        level_db = 20 * np.log10(max(abs(gain), 1e-6))
        return PathEstimate(delay_s=lag / self.rate, level_db=level_db, confidence=confidence,
                            at_s=self._heard / self.rate)

    def _consider(self, estimate: PathEstimate) -> bool:
        """Take ``estimate`` when most recent ones agree with it: a stray peak (the person's voice, or
        two synthetic voices sharing one pitch period) never wins twice in a row for long."""
        if estimate.confidence < self.MIN_CONFIDENCE:
            return False
        self._recent.append(estimate)
        if sum(abs(e.delay_s - estimate.delay_s) <= self.AGREE_S for e in self._recent) < self.QUORUM:
            return False
        self.level_db = estimate.level_db
        if self.delay_s is not None and abs(estimate.delay_s - self.delay_s) < self.MOVE_S:
            return False
        before, self.delay_s = self.delay_s, estimate.delay_s
        self.changes += 1
        if before is None:
            log.info("echo path: %.0f ms from playback to capture, echo %+.0f dB (confidence %.0f), at %.1f s",
                     1000 * estimate.delay_s, estimate.level_db, estimate.confidence, estimate.at_s)
        else:
            log.info("echo path: %.0f ms -> %.0f ms, echo %+.0f dB (confidence %.0f), at %.1f s", 1000 * before,
                     1000 * estimate.delay_s, estimate.level_db, estimate.confidence, estimate.at_s)
        return True

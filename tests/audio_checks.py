"""Reading audio the way a listener would: where does each sound start, and how late is one
signal behind another?"""

import numpy as np

ONSET_DB = -40.0   # louder than this is sound
FLOOR_DB = -55.0   # an onset is traced back to where the rise began from below this
MIN_GAP_S = 0.08   # a new sound starts after at least this much quiet
WINDOW_S = 0.002   # smoothing of the envelope


def onsets(samples: np.ndarray, rate: int, *, level_db: float = ONSET_DB, min_gap_s: float = MIN_GAP_S,
           backtrack: bool = True) -> list[float]:
    """Seconds at which sound starts after a quiet stretch, from the audio alone.

    A sound is found where its envelope crosses ``level_db``; with ``backtrack`` the onset is
    traced back to where that rise began (the envelope last below ``FLOOR_DB``), so soft
    beginnings such as an aspirated "h" are not reported late.
    """
    window = max(1, int(WINDOW_S * rate))
    envelope = np.sqrt(np.convolve(samples.astype(np.float64) ** 2, np.ones(window) / window, mode="same"))
    loud = envelope > 10 ** (level_db / 20)
    found, quiet_run = [], int(min_gap_s * rate)  # the start of the file counts as quiet
    for i in np.flatnonzero(np.diff(np.concatenate(([0], loud.astype(np.int8)))) == 1):
        previous_loud = np.flatnonzero(loud[:i])
        if previous_loud.size == 0 or i - previous_loud[-1] >= quiet_run:
            start = i
            if backtrack:
                floor = 10 ** (FLOOR_DB / 20)
                below = np.flatnonzero(envelope[max(0, i - quiet_run):i] < floor)
                start = max(0, i - quiet_run) + below[-1] + 1 if below.size else i
            found.append(start / rate)
    return found


def rms_db(samples: np.ndarray) -> float:
    return 20 * np.log10(max(float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))), 1e-12))


def lag(later: np.ndarray, earlier: np.ndarray, a: int, b: int, lags: range) -> int:
    """The lag in ``lags`` (samples) at which ``later[a:b]`` best matches ``earlier`` that many
    samples before, by cross-correlation."""
    scores = [np.dot(later[a:b], earlier[a - d:b - d]) for d in lags]
    return lags[int(np.argmax(scores))]


def echo_delay_ms(mic: np.ndarray, ref: np.ndarray, a: float, b: float, lo_ms: int, hi_ms: int,
                  rate: int = 16000) -> float:
    """The echo's lag behind the reference over seconds a..b, from ``lo_ms`` up to ``hi_ms``, to the
    sample (white noise matches at one lag only)."""
    lags = range(lo_ms * rate // 1000, hi_ms * rate // 1000)
    return 1000 * lag(mic, ref, int(a * rate), int(b * rate), lags) / rate

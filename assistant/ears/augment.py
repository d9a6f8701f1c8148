"""Audio augmentation in numpy: noises, babble, breath, reverb, distance, clipping, microphone colour.

Used by training and by personal enrollment (so numpy only). All signals float32 at 16 kHz, -1..1.
"""

from __future__ import annotations

import numpy as np

RATE = 16000


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def active_rms(x: np.ndarray, frame: int = 160) -> float:
    """RMS over the 10 ms frames within 30 dB of the loudest: the level of the speech itself."""
    n = len(x) // frame
    if n == 0:
        return rms(x)
    e = np.mean(x[:n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1)
    keep = e > e.max() * 1e-3
    return float(np.sqrt(np.mean(e[keep]))) if keep.any() else 0.0


def db(x: float) -> float:
    return 20 * np.log10(max(x, 1e-12))


def gain_to(x: np.ndarray, level_db: float, *, active: bool = True) -> np.ndarray:
    cur = active_rms(x) if active else rms(x)
    return (x * (10 ** (level_db / 20) / max(cur, 1e-9))).astype(np.float32)


def _shape(white: np.ndarray, exponent: float) -> np.ndarray:
    spec = np.fft.rfft(white)
    f = np.arange(len(spec), dtype=np.float64)
    f[0] = 1
    spec /= f ** (exponent / 2)
    out = np.fft.irfft(spec, len(white))
    return out / max(rms(out), 1e-12)


def noise(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Stationary-ish noise at 0 dB RMS: white, pink, brown, fan (hum + low rumble, slow swell)."""
    white = rng.standard_normal(n)
    if kind == "white":
        out = white
    elif kind == "pink":
        out = _shape(white, 1.0)
    elif kind == "brown":
        out = _shape(white, 2.0)
    elif kind == "fan":
        t = np.arange(n) / RATE
        base = rng.uniform(25, 120)   # blade pass frequency
        hum = sum(rng.uniform(0.1, 1.0) / k * np.sin(2 * np.pi * base * k * t + rng.uniform(0, 6.3))
                  for k in range(1, 6))
        body = _shape(white, rng.uniform(0.8, 1.8))
        swell = 1 + 0.15 * np.sin(2 * np.pi * rng.uniform(0.1, 0.6) * t)
        out = (0.6 * body + 0.4 * hum / max(rms(hum), 1e-9)) * swell
    else:
        raise ValueError(kind)
    return (out / max(rms(out), 1e-12)).astype(np.float32)


def bandpass(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / RATE)
    spec[(f < lo) | (f > hi)] = 0
    return np.fft.irfft(spec, len(x)).astype(np.float32)


def breath(n: int, rng: np.random.Generator, *, every: float = 2.0) -> np.ndarray:
    """Loud exhales and inhales: band-limited noise bursts of 0.3-1.4 s (0 dB RMS over the bursts)."""
    out = np.zeros(n, np.float32)
    t = rng.uniform(0.0, every / 2)
    while t < n / RATE:
        length = rng.uniform(0.3, 1.4)
        a, b = int(t * RATE), min(n, int((t + length) * RATE))
        if b - a > 160:
            burst = bandpass(rng.standard_normal(b - a).astype(np.float32), rng.uniform(150, 500),
                             rng.uniform(2500, 6000))
            x = np.linspace(0, 1, b - a)
            env = np.sin(np.pi * x ** rng.uniform(0.5, 2.0)) ** 2
            out[a:b] += burst / max(rms(burst), 1e-9) * env * rng.uniform(0.5, 1.0)
        t += length + rng.uniform(0.3, every * 1.5)
    return out / max(active_rms(out), 1e-9)


def clicks(n: int, rng: np.random.Generator, *, rate_per_s: float = 0.5) -> np.ndarray:
    """Coughs, mat thumps, claps and clicks: short bursts with fast decays (0 dB peak-ish)."""
    out = np.zeros(n, np.float32)
    count = rng.poisson(rate_per_s * n / RATE)
    for _ in range(count):
        kind = rng.integers(3)
        length = {0: 0.02, 1: 0.12, 2: 0.35}[int(kind)] * rng.uniform(0.6, 1.6)
        m = int(length * RATE)
        a = int(rng.integers(0, max(1, n - m)))
        burst = rng.standard_normal(m).astype(np.float32)
        if kind == 1:     # thump: low
            burst = bandpass(burst, 30, rng.uniform(200, 800))
        elif kind == 2:   # cough: voiced-ish noise band
            burst = bandpass(burst, rng.uniform(200, 500), rng.uniform(2000, 5000))
        env = np.exp(-np.arange(m) / (m / rng.uniform(2, 6)))
        burst = burst / max(np.abs(burst).max(), 1e-9) * env
        out[a:a + m] += burst * rng.uniform(0.3, 1.0)
    return out


def babble(n: int, rng: np.random.Generator, pool: list[np.ndarray], talkers: int | None = None) -> np.ndarray:
    """Several people talking at once, from ``pool`` (speech clips): 0 dB RMS."""
    talkers = talkers or int(rng.integers(3, 7))
    out = np.zeros(n, np.float32)
    for _ in range(talkers):
        track = np.zeros(n, np.float32)
        t = int(rng.integers(0, RATE))
        while t < n:
            clip = pool[int(rng.integers(len(pool)))]
            clip = gain_to(clip, rng.uniform(-6, 0))
            m = min(len(clip), n - t)
            track[t:t + m] += clip[:m]
            t += m + int(rng.uniform(0.05, 0.5) * RATE)
        out += track
    return out / max(rms(out), 1e-9)


def fft_convolve(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    n = len(x) + len(h) - 1
    size = 1 << (n - 1).bit_length()
    y = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h, size), size)[:len(x)]
    return y.astype(np.float32)


def room_ir(rng: np.random.Generator, rt60: float, *, drr_db: float = 3.0) -> np.ndarray:
    """A synthetic room impulse response: direct path, a few early reflections, exponential tail."""
    length = int(min(1.2, rt60 * 1.2) * RATE) + 1
    t = np.arange(length) / RATE
    tail = rng.standard_normal(length) * np.exp(-6.9 * t / rt60)
    tail = bandpass(tail.astype(np.float32), 80, rng.uniform(3000, 7500))
    onset = int(rng.uniform(0.002, 0.01) * RATE)
    tail[:onset] = 0
    h = tail / max(np.sqrt(np.sum(tail ** 2)), 1e-9) * 10 ** (-drr_db / 20)
    for _ in range(int(rng.integers(2, 6))):
        k = int(rng.uniform(0.002, 0.03) * RATE)
        h[k] += rng.uniform(-0.5, 0.5)
    h[0] += 1.0
    return h.astype(np.float32)


def reverb(x: np.ndarray, rng: np.random.Generator, rt60: float | None = None,
           drr_db: float | None = None) -> np.ndarray:
    rt60 = rt60 if rt60 is not None else rng.uniform(0.15, 0.8)
    drr_db = drr_db if drr_db is not None else rng.uniform(-3, 10)
    return fft_convolve(x, room_ir(rng, rt60, drr_db=drr_db))


def lowpass(x: np.ndarray, cutoff: float) -> np.ndarray:
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / RATE)
    spec *= 1 / np.sqrt(1 + (f / cutoff) ** 8)
    return np.fft.irfft(spec, len(x)).astype(np.float32)


def colour(x: np.ndarray, rng: np.random.Generator, depth_db: float = 6.0) -> np.ndarray:
    """A random smooth microphone/speaker frequency response (+-depth_db), highpass at 60-200 Hz."""
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / RATE)
    knots = np.linspace(0, RATE / 2, 8)
    curve_db = np.interp(f, knots, rng.uniform(-depth_db, depth_db, len(knots)))
    hp = 1 / np.sqrt(1 + (rng.uniform(60, 200) / np.maximum(f, 1)) ** 4)
    spec *= 10 ** (curve_db / 20) * hp
    return np.fft.irfft(spec, len(x)).astype(np.float32)


def clip(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Overdriven input: boosted until 1-10% of samples clip."""
    peak = np.percentile(np.abs(x), rng.uniform(90, 99))
    return np.clip(x / max(peak, 1e-9), -1, 1).astype(np.float32) * np.float32(rng.uniform(0.5, 1.0))


def far_field(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A few metres away in a room: reverberant, duller."""
    y = reverb(x, rng, rt60=rng.uniform(0.3, 0.9), drr_db=rng.uniform(-6, 3))
    return lowpass(y, rng.uniform(2500, 6000))


def quantize(x: np.ndarray) -> np.ndarray:
    """What a 16-bit microphone delivers."""
    return np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)


def perturb_speed(x: np.ndarray, factor: float) -> np.ndarray:
    """Tempo and pitch change together (resampling by linear interpolation): cheap and numpy only."""
    n = int(len(x) / factor)
    if n < 2:
        return x
    return np.interp(np.linspace(0, len(x) - 1, n), np.arange(len(x)), x).astype(np.float32)

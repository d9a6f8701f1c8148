"""espeak-ng speech as float32 16 kHz arrays (the command line tool, ``--stdout``).

Used by training (synthetic speakers) and by personal enrollment (the coach's own lines, rendered on
the device as known negatives). Output is trimmed to its sound; ``Rendered.end`` etc. are exact.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from dataclasses import dataclass

import numpy as np

RATE = 16000


@dataclass(frozen=True)
class Voice:
    """One espeak-ng speaker setting."""

    name: str            # espeak voice, e.g. "en-us", "de", "ko"
    variant: str = ""    # e.g. "m3", "f2", "klatt4", "whisper"
    speed: int = 165     # words per minute (-s)
    pitch: int = 50      # 0..99 (-p)
    gap: int = 0         # extra word gap, 10 ms units (-g)
    amplitude: int = 100  # -a

    @property
    def spec(self) -> str:
        return f"{self.name}+{self.variant}" if self.variant else self.name

    def args(self) -> list[str]:
        a = ["-v", self.spec, "-s", str(self.speed), "-p", str(self.pitch), "-a", str(self.amplitude)]
        if self.gap:
            a += ["-g", str(self.gap)]
        return a


def available() -> bool:
    return shutil.which("espeak-ng") is not None


def _parse_wav(data: bytes) -> tuple[np.ndarray, int]:
    # espeak --stdout writes a streaming header (sizes are bogus): find "fmt " and "data" by hand
    if data[:4] != b"RIFF":
        raise ValueError("espeak-ng gave no WAV output")
    rate = struct.unpack("<I", data[24:28])[0]
    pos = data.find(b"data", 12)
    pcm = np.frombuffer(data[pos + 8:len(data) - ((len(data) - pos - 8) % 2)], dtype="<i2")
    return pcm.astype(np.float32) / 32768.0, rate


def resample(x: np.ndarray, rate_in: int, rate_out: int = RATE) -> np.ndarray:
    if rate_in == rate_out:
        return x.astype(np.float32)
    import soxr  # a training / file-input dependency; runtime audio is already 16 kHz

    return soxr.resample(x, rate_in, rate_out).astype(np.float32)


def raw(text: str, voice: Voice) -> np.ndarray:
    """The untrimmed synthesis at 16 kHz."""
    text = text.lstrip("- ")   # a leading "-" would be read as an option
    if not text:
        return np.zeros(0, np.float32)
    out = subprocess.run(["espeak-ng", *voice.args(), "--stdout", text], capture_output=True, check=True).stdout
    x, rate = _parse_wav(out)
    return resample(x, rate)


def phonemes(text: str, voice: Voice) -> str:
    """How ``voice`` would say ``text``, as espeak-ng phoneme mnemonics (``-x``; say them back with
    ``[[...]]``)."""
    text = text.lstrip("- ")
    out = subprocess.run(["espeak-ng", "-q", "-x", *voice.args(), text], capture_output=True, check=True, text=True)
    return " ".join(out.stdout.split())


def trim_bounds(x: np.ndarray, floor_db: float = 45.0) -> tuple[int, int]:
    """First and one-past-last sample of sound: 5 ms frames within ``floor_db`` of the loudest."""
    hop = 80
    n = len(x) // hop
    if n == 0:
        return 0, len(x)
    e = 10 * np.log10(np.mean(x[:n * hop].reshape(n, hop) ** 2, axis=1) + 1e-12)
    on = np.flatnonzero(e > e.max() - floor_db)
    if not on.size:
        return 0, 0
    return int(on[0] * hop), int(min(len(x), (on[-1] + 1) * hop))


def say(text: str, voice: Voice) -> np.ndarray:
    """``text`` spoken, trimmed to its sound (float32, 16 kHz, espeak's own level)."""
    x = raw(text, voice)
    a, b = trim_bounds(x)
    return x[a:b].copy()

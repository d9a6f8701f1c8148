"""Enrollment takes and their checks: a take that is silent, clipped, too long, mostly noise or unlike
the other takes of its command is refused with a one-line reason a person can act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RATE = 16000
MAX_SPEECH_S = 3.0            # a command is shorter than this
MAX_FILE_S = 600.0            # longer than this is not a take but a mistake (read_take refuses it)


def read_take(path: Path) -> np.ndarray:
    """A take file (any WAV rate and channel count) as float32 mono 16 kHz; AudioFileError otherwise."""
    from assistant.voice.clips import read_audio_file

    return read_audio_file(path, RATE, max_seconds=MAX_FILE_S).astype(np.float32)


def _db(x: float) -> float:
    return 20 * float(np.log10(max(x, 1e-12)))


@dataclass
class TakeCheck:
    """What a take's checks found: kept (``ok``), or refused with a one-line ``reason``."""

    command: str
    index: int
    ok: bool
    reason: str = ""
    audio: np.ndarray | None = field(default=None, repr=False)   # trimmed take (speech +-0.1 s)
    speech_s: float = 0.0
    kind: str = ""    # why refused, as a word the guided enrollment says: quiet, clipped, long, noise, unlike


def _frames_db(x: np.ndarray, hop: int = 160) -> np.ndarray:
    n = len(x) // hop
    return 10 * np.log10(np.mean(x[:n * hop].reshape(n, hop).astype(np.float64) ** 2, axis=1) + 1e-12)


def check_take(x: np.ndarray, command: str = "", index: int = 0) -> TakeCheck:
    """Silent/too quiet, clipped, too long, mostly noise: a one-line reason when refused."""
    if len(x) < RATE // 4:
        return TakeCheck(command, index, False, "too short to hold a word (under 0.25 s)", kind="quiet")
    e = _frames_db(x)
    peak = float(np.abs(x).max())
    if peak == 0:
        return TakeCheck(command, index, False, "silent (nothing but zeros was recorded)", kind="quiet")
    if peak < 10 ** (-45 / 20) or e.max() < -55:
        return TakeCheck(command, index, False, f"silent or too quiet (peak {_db(peak):.0f} dBFS)",
                         kind="quiet")
    clipped = np.mean(np.abs(x) >= 0.999)
    if clipped > 0.001:
        return TakeCheck(command, index, False, f"clipped ({clipped * 100:.1f}% of samples at full scale): "
                                                "speak further from the microphone or lower its gain", kind="clipped")
    top = float(e.max())
    loud = e > top - 30
    idx = np.flatnonzero(loud)
    first, last = idx[0], idx[-1]
    speech_s = (last - first + 1) * 0.01
    if speech_s > MAX_SPEECH_S:
        return TakeCheck(command, index, False, f"too long ({speech_s:.1f} s of sound; a command is under "
                                                f"{MAX_SPEECH_S:.0f} s): say just the command", kind="long")
    level = 10 * np.log10(np.mean(10 ** (e[loud] / 10)))
    if level < -50:
        return TakeCheck(command, index, False, f"too quiet (speech at {level:.0f} dBFS)", kind="quiet")
    outside = np.concatenate([e[:max(0, first - 5)], e[last + 6:]])
    if len(outside) >= 20:   # enough background around the word to judge it
        floor = float(np.percentile(outside, 50))
        if level - floor < 10:
            return TakeCheck(command, index, False,
                             f"mostly noise (speech only {level - floor:.0f} dB over the background)", kind="noise")
    # a steady sound all through (a fan, a hiss) is not a word: speech rises and falls
    if len(e) > 60 and np.std(e[loud]) < 4.0 and loud.mean() > 0.8:
        return TakeCheck(command, index, False, "mostly noise (a steady sound, no word in it)", kind="noise")
    a = max(0, first * 160 - 1600)
    b = min(len(x), (last + 1) * 160 + 800)
    return TakeCheck(command, index, True, "", x[a:b].astype(np.float32), speech_s)


def refuse_unlike(vecs: dict[str, list[np.ndarray]], accepted_checks: list[TakeCheck]) -> dict[str, list[int]]:
    """Refuse a take whose sound (embeddings at its word end) is far from the other takes of its
    command (needs 3+ takes); marks its check and returns the indices dropped per command."""
    drop: dict[str, list[int]] = {}
    for c, vs in vecs.items():
        mine = [ck for ck in accepted_checks if ck.command == c]
        if len(vs) < 3 or any(v is None for v in vs):
            continue
        V = np.array(vs)
        S = V @ V.T
        np.fill_diagonal(S, np.nan)
        mean_sim = np.nanmean(S, axis=1)
        for i, (ck, ms) in enumerate(zip(mine, mean_sim)):
            others = np.nanmean(np.delete(np.delete(S, i, 0), i, 1)) if len(vs) > 2 else np.nan
            if ms < others - 0.2 and ms < 0.5:
                ck.ok, ck.kind = False, "unlike"
                ck.reason = (f"unlike the other takes of {c!r} (similarity {ms:.2f}, the others {others:.2f} "
                             "among themselves): another word, or cut off?")
                drop.setdefault(c, []).append(i)
    return drop

"""Speech on a sample-accurate timeline: clips placed at their planned session time, mixed into a
WAV file (a Mixdown) or into the speaker's stream (assistant.live.speaker)."""

import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import soundfile

from assistant.core.errors import MatcoachError
from assistant.core.planner import Placement, Planner
from assistant.voice.clips import Clips

log = logging.getLogger(__name__)


@dataclass
class _Clip:
    start: int      # sample index on the timeline
    samples: np.ndarray


class Mixdown:
    """Clips at sample positions; cutting at a moment silences everything after it (pure numpy)."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.clips: list[_Clip] = []

    def add(self, start_s: float, samples: np.ndarray) -> None:
        self.clips.append(_Clip(start=round(start_s * self.rate), samples=samples))

    def cut(self, at_s: float) -> None:
        at = round(at_s * self.rate)
        kept = []
        for clip in self.clips:
            if clip.start < at:
                kept.append(_Clip(start=clip.start, samples=clip.samples[:at - clip.start]))
        self.clips = kept

    def mix_into(self, out: np.ndarray, first: int) -> None:
        """Add every clip sounding in [first, first + len(out)) into ``out``."""
        last = first + len(out)
        for clip in self.clips:
            end = clip.start + len(clip.samples)
            if clip.start < last and end > first:
                a, b = max(clip.start, first), min(end, last)
                out[a - first:b - first] += clip.samples[a - clip.start:b - clip.start]

    def drop_before(self, sample: int) -> None:
        self.clips = [c for c in self.clips if c.start + len(c.samples) > sample]

    def length(self, until_s: float | None = None) -> int:
        """Samples up to the end of the last clip, or ``until_s`` when that is later."""
        end = max((c.start + len(c.samples) for c in self.clips), default=0)
        return end if until_s is None else max(end, round(until_s * self.rate))

    def render(self, until_s: float | None = None) -> np.ndarray:
        out = np.zeros(self.length(until_s), dtype=np.float32)
        self.mix_into(out, 0)
        return out

    def blocks(self, until_s: float | None = None, size: int = 1 << 18) -> Iterator[np.ndarray]:
        """The same audio as ``render``, a block at a time: memory stays flat however long the session."""
        end = self.length(until_s)
        for first in range(0, end, size):
            out = np.zeros(min(size, end - first), dtype=np.float32)
            self.mix_into(out, first)
            yield out


class Sink(Protocol):
    """Where the coach's clips go: a Mixdown (a file) or the Speaker (live)."""

    def add(self, start_s: float, samples: np.ndarray) -> None: ...

    def cut(self, at_s: float) -> None: ...


class SpokenVoice:
    """The session's Voice, heard: the planner decides when, the clips say it, the sink plays it."""

    def __init__(self, planner: Planner, clips: Clips, sink: "Sink") -> None:
        self.planner = planner
        self.clips = clips
        self.sink = sink

    @property
    def busy_until(self) -> float:
        return self.planner.busy_until

    def place(self, cue: str, params: Mapping[str, Any], *, at: float, fit: float | None = None) -> Placement:
        placed = self.planner.place(cue, params, at=at, fit=fit)
        self.sink.add(placed.start, self.clips.get(placed.said))
        return placed

    def hush(self, now: float) -> list[Placement]:
        self.sink.cut(now)
        return self.planner.hush(now)


def check_wav_path(path: Path, option: str) -> None:
    """Fail now, before a session is rendered, when ``path`` cannot take a WAV file (``option`` names
    where it came from, e.g. --out-wav)."""
    where = f"{option} {path}"
    if path.is_dir():
        raise MatcoachError(f"{where}: is a folder; give a file name ending in .wav")
    if path.suffix.lower() != ".wav":
        raise MatcoachError(f"{where}: matcoach writes WAV audio; give a file name ending in .wav")
    if not path.parent.is_dir():
        raise MatcoachError(f"{where}: the folder does not exist; create it or choose another path")
    if path.exists() and not path.is_file():
        raise MatcoachError(f"{where}: is not a regular file (a device or a pipe); give a .wav file name")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise MatcoachError(f"{where}: cannot be written there (permission denied); choose another path")


def write_wav(mixdown: Mixdown, path: Path, until_s: float | None = None, option: str = "--out-wav") -> float:
    """The whole session's audio as 16-bit WAV, written in one step (never half a file); returns its
    length in seconds."""
    check_wav_path(path, option)
    peak = max((float(np.max(np.abs(block))) for block in mixdown.blocks(until_s)), default=0.0)
    if peak > 1.0:
        log.warning("speech overlapped and clipped (peak %.2f); it was scaled down", peak)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with soundfile.SoundFile(partial, "w", samplerate=mixdown.rate, channels=1, subtype="PCM_16",
                                 format="WAV") as out:
            for block in mixdown.blocks(until_s):
                out.write(block / peak if peak > 1.0 else block)
        os.replace(partial, path)
    except (OSError, soundfile.LibsndfileError, RuntimeError, ValueError, TypeError) as e:
        reason = getattr(e, "strerror", None) or str(e)
        raise MatcoachError(f"{option} {path}: cannot write it ({reason}); choose a writable .wav path with room "
                            f"for it") from None
    finally:
        partial.unlink(missing_ok=True)
    return mixdown.length(until_s) / mixdown.rate

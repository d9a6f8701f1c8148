"""Speech on a sample-accurate timeline: clips placed at their planned session time, mixed into a
WAV file (a Mixdown) or into the speaker's stream (assistant.live.speaker)."""

import logging
from collections.abc import Mapping
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

    def render(self, until_s: float | None = None) -> np.ndarray:
        end = max((c.start + len(c.samples) for c in self.clips), default=0)
        if until_s is not None:
            end = max(end, round(until_s * self.rate))
        out = np.zeros(end, dtype=np.float32)
        self.mix_into(out, 0)
        return out


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


def write_wav(mixdown: Mixdown, path: Path, until_s: float | None = None) -> float:
    """The whole session's audio as 16-bit WAV; returns its length in seconds."""
    audio = mixdown.render(until_s)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak > 1.0:
        log.warning("speech overlapped and clipped (peak %.2f); it was scaled down", peak)
        audio /= peak
    try:
        soundfile.write(path, audio, mixdown.rate, subtype="PCM_16")
    except (OSError, soundfile.LibsndfileError, RuntimeError) as e:
        raise MatcoachError(f"--out-wav {path}: cannot write it ({e}); choose a writable .wav path") from None
    return len(audio) / mixdown.rate

"""Audio clips for cues: synthesized or recorded, trimmed, resampled, and cached on disk."""

import contextlib
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import soundfile
import soxr

from assistant.core.errors import MatcoachError
from assistant.core.pack import Said, VoiceSettings
from assistant.data import paths

log = logging.getLogger(__name__)

# Below this level (-45 dBFS) a clip's edges count as silence and are trimmed away.
SILENCE = 10 ** (-45 / 20)
CACHE_FORMAT = 3  # FLAC; 3: renders before it could carry the previous line's rate


class AudioFileError(MatcoachError):
    """A recorded cue (WAV) cannot be used."""


def trim(samples: np.ndarray, threshold: float = SILENCE) -> np.ndarray:
    """Leading and trailing silence removed, so a clip starts sounding at its first sample."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if loud.size == 0:
        return samples[:0]
    return samples[loud[0]:loud[-1] + 1]


def resample(samples: np.ndarray, rate: int, to: int) -> np.ndarray:
    if rate == to or samples.size == 0:
        return samples.astype(np.float32, copy=False)
    return soxr.resample(samples, rate, to, quality="HQ").astype(np.float32, copy=False)


def check_audio_path(path: Path) -> None:
    """A clear error unless ``path`` is a regular file (never a folder, a pipe or a device, which could
    block or never end)."""
    if path.is_dir():
        raise AudioFileError(f"{path}: is a folder, not an audio file; give a .wav file")
    if not path.exists():
        raise AudioFileError(f"{path}: no such audio file; check the path")
    if not path.is_file():
        raise AudioFileError(f"{path}: is not a regular file (a pipe or a device); give a .wav file")


def read_audio_file(path: Path, to_rate: int, *, max_seconds: float | None = None) -> np.ndarray:
    """Any WAV (or other libsndfile format): down-mixed to mono, resampled; clear errors otherwise."""
    check_audio_path(path)
    try:
        info = soundfile.info(str(path))
        if max_seconds is not None and info.duration > max_seconds:
            raise AudioFileError(f"{path}: lasts {info.duration:.0f} s, too long for this (at most "
                                 f"{max_seconds:g} s); trim it or choose the right file")
        samples, rate = soundfile.read(path, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, OSError, ValueError) as e:
        raise AudioFileError(f"{path}: not a readable audio file ({e}); record or export it as a WAV file") \
            from None
    if samples.size == 0:
        raise AudioFileError(f"{path}: the recording is empty; record it again")
    return resample(samples.mean(axis=1), rate, to_rate)


class Clips:
    """Cue audio at one output rate: rendered once, then read from the cache."""

    def __init__(self, render: Callable[..., tuple[np.ndarray, int]] | None, voice: VoiceSettings, *,
                 rate: int, engine: str = "pyttsx3", cache_dir: Path | None = None) -> None:
        self._render = render
        self.voice = voice
        self.rate = rate
        self.engine = engine
        self.cache_dir = cache_dir or paths.cache_dir() / "cues"
        self._memory: dict[Said, np.ndarray] = {}
        self._cache_broken = False

    def key(self, said: Said) -> str:
        """Everything that changes the sound."""
        if said.wav is not None:
            stat = said.wav.stat()
            what = {"wav": str(said.wav.resolve()), "size": stat.st_size, "mtime": stat.st_mtime_ns}
        else:
            what = {"text": said.text, "engine": self.engine, "voice": self.voice.engine_voice,
                    "words_per_minute": self.voice.rate, "volume": self.voice.volume}
        what |= {"rate": self.rate, "format": CACHE_FORMAT}
        return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:32]

    def get(self, said: Said) -> np.ndarray:
        clip = self._memory.get(said)
        if clip is None:
            clip = self._memory[said] = self._load(said)
        return clip

    def duration(self, said: Said) -> float:
        return len(self.get(said)) / self.rate

    def warm(self, lines: Iterable[Said], progress: Callable[[int, int], None] | None = None) -> int:
        """Have every line ready; returns how many had to be rendered (not found in the cache)."""
        todo = [s for s in dict.fromkeys(lines) if s not in self._memory]
        rendered = 0
        for i, said in enumerate(todo):
            if not self._cached_path(said).exists():
                rendered += 1
            self.get(said)
            if progress is not None:
                progress(i + 1, len(todo))
        return rendered

    def is_cached(self, said: Said) -> bool:
        return said in self._memory or self._cached_path(said).exists()

    def _cached_path(self, said: Said) -> Path:
        key = self.key(said)
        return self.cache_dir / key[:2] / f"{key}.flac"

    def _load(self, said: Said) -> np.ndarray:
        path = self._cached_path(said)
        if path.exists():
            try:
                samples, _ = soundfile.read(path, dtype="float32")
                return samples
            except (soundfile.LibsndfileError, RuntimeError, OSError):
                log.warning("%s: damaged cache entry; rendering it again", path)
        clip = self._make(said)
        if self._cache_broken:
            return _as_stored(clip)
        partial = path.with_suffix(".partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            soundfile.write(partial, clip, self.rate, format="FLAC", subtype="PCM_16")
            partial.replace(path)  # a crash never leaves half a clip in the cache
            # read back what was stored (16-bit): a cold start plays exactly what a warm one will
            samples, _ = soundfile.read(path, dtype="float32")
            return samples
        except (OSError, soundfile.LibsndfileError, RuntimeError) as e:
            # a cache is a convenience: without one, every start renders again
            self._cache_broken = True
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            log.warning("cannot keep rendered cues in %s (%s); rendering them each time", self.cache_dir,
                        getattr(e, "strerror", None) or e)
            return _as_stored(clip)

    def _make(self, said: Said) -> np.ndarray:
        if said.wav is not None:
            clip = trim(read_audio_file(said.wav, self.rate))
            if clip.size == 0:
                raise AudioFileError(f"{said.wav}: the recording is silent; record it again, closer to the mic")
            return clip
        if self._render is None:
            raise MatcoachError("no speech engine to render cues with")
        samples, rate = self._render(said.text, voice=self.voice.engine_voice, rate=self.voice.rate,
                                     volume=self.voice.volume)
        clip = trim(resample(trim(samples), rate, self.rate))
        if clip.size == 0:
            raise MatcoachError(f"the speech engine rendered silence for {said.text!r}; check espeak-ng works")
        return clip


def _as_stored(clip: np.ndarray) -> np.ndarray:
    """The clip as the 16-bit cache would give it back, so a session sounds the same with or without one."""
    return (np.clip(np.round(clip * 32768), -32768, 32767) / 32768).astype(np.float32)

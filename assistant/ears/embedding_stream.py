"""Live speech embeddings: one stream per listener, shared by every model that listens.

``EmbeddingStream.feed(block)`` turns int16 blocks of any size into ``Frames`` (usually 0 or 1 new
embedding per 50 ms block), the same numbers ``embed_audio`` gives for the whole clip. It also keeps
a 10 ms energy track, from which ``speech_bounds`` estimates where a phrase began and ended.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from assistant.ears.embedding import (
    CHUNK,
    DIM,
    HOP,
    LEAD,
    MEL_PER_EMB,
    RATE,
    Interpreters,
    as_float,
    emb_time,
    mel_chunks,
)


@dataclass(frozen=True)
class Frames:
    """New embeddings from one ``feed``: ``vectors[i]`` covers audio up to ``times[i]`` (seconds)."""

    index: np.ndarray    # (n,) embedding numbers since the stream began
    times: np.ndarray    # (n,)
    vectors: np.ndarray  # (n, 96) float32

    def __len__(self) -> int:
        return len(self.times)


BATCH = 128   # embeddings per interpreter call: a long block is done in a few calls


class EmbeddingStream:
    """Live embeddings from int16 16 kHz blocks of any size, plus a 10 ms energy track.

    ``feed(block)`` returns the embeddings completed by the block (usually 0 or 1 for 50 ms blocks).
    Each is ready as soon as its last sample has arrived. ``reset()`` starts a new stream at time 0;
    there is no zero buffer, so the first embedding comes after 0.782 s of audio.
    """

    ENERGY_KEEP_S = 6.0

    def __init__(self) -> None:
        self._interp = Interpreters()   # its own interpreters, fixed shapes
        self.reset()

    def reset(self) -> None:
        # mel chunk c covers samples [1280c - 640, 1280c + 992) and gives frames 8c-4 .. 8c+3;
        # pre-filling 640 zeros makes chunk 0's real frames 0..3 (frames < 0 are dropped)
        self._audio = np.zeros(LEAD, np.float32)
        self._audio_origin = -LEAD      # sample number of self._audio[0]
        self._chunk = 0
        self._mels = np.zeros((0, 32), np.float32)
        self._mel_origin = 0            # frame number of self._mels[0]
        self._next_emb = 0
        self.samples = 0                # samples fed since reset
        self._energy = deque(maxlen=int(self.ENERGY_KEEP_S * 100))
        self._ecarry = np.zeros(0, np.float32)

    @property
    def position(self) -> float:
        return self.samples / RATE

    def feed(self, block: np.ndarray, *, track: bool = True) -> Frames:
        """The embeddings ``block`` completes, computed in one batch. With ``track=False`` the energy
        track is left to ``track()`` (a long block is embedded at once, then tracked piece by piece)."""
        if track:
            self.track(block)  # as given: track() scales it (an int16-scale float would be taken for -1..1)
        x = as_float(np.asarray(block))
        self._audio = np.concatenate((self._audio, x))
        while HOP * self._chunk - LEAD + CHUNK <= self._audio_origin + len(self._audio):
            mels = mel_chunks(self._interp, self._audio, self._chunk, 1, self._audio_origin)
            if self._chunk == 0:
                mels = mels[4:]
            self._mels = np.concatenate((self._mels, mels))
            self._chunk += 1
        # drop audio no longer needed
        keep_from = HOP * self._chunk - LEAD - self._audio_origin
        if keep_from > 0:
            self._audio = self._audio[keep_from:]
            self._audio_origin += keep_from
        idx = []
        while 8 * self._next_emb + MEL_PER_EMB <= self._mel_origin + len(self._mels):
            idx.append(self._next_emb)
            self._next_emb += 1
        vecs = np.zeros((0, DIM), np.float32)
        if idx:
            starts = 8 * np.asarray(idx) - self._mel_origin
            windows = self._mels[starts[:, None] + np.arange(MEL_PER_EMB)[None, :]]
            vecs = np.concatenate([self._interp.embed(windows[a:a + BATCH]) for a in range(0, len(idx), BATCH)])
        cut = 8 * self._next_emb - self._mel_origin
        if cut > 0:
            self._mels = self._mels[cut:]
            self._mel_origin += cut
        index = np.asarray(idx, dtype=np.int64)
        return Frames(index, emb_time(index) if idx else np.zeros(0), vecs.reshape(-1, DIM))

    def track(self, block: np.ndarray) -> None:
        """Count ``block`` as heard and add it to the energy track (``feed`` does it unless told not to)."""
        x = as_float(np.asarray(block))
        self.samples += len(x)
        x = np.concatenate((self._ecarry, x))
        n = len(x) // 160
        if n:
            e = 10 * np.log10(np.mean((x[:n * 160].reshape(n, 160) / 32768.0) ** 2, axis=1) + 1e-10)
            self._energy.extend(e.tolist())
        self._ecarry = x[n * 160:]

    def energy(self) -> tuple[np.ndarray, float]:
        """Recent 10 ms frame energies (dBFS) and the time (s) the first of them starts."""
        e = np.asarray(self._energy, np.float32)
        end = (self.samples - len(self._ecarry)) / RATE
        return e, end - len(e) * 0.01

    def close(self) -> None:
        self._interp.close()


LOUD_DB = 12.0  # a 10 ms frame this far over the recent floor is sound
GAP_FRAMES = 25  # quiet shorter than this (0.25 s) inside a phrase is bridged


def loud_frames(energy: np.ndarray, percentile: float = 10) -> np.ndarray:
    """Which 10 ms frames are sound: more than ``LOUD_DB`` over the floor (this percentile of the
    energies heard; digital silence, a stream's start or a muted device, is no floor)."""
    if not len(energy):
        return np.zeros(0, bool)
    heard = energy[energy > -90.0]
    floor = np.percentile(heard if len(heard) else energy, percentile)
    return energy > floor + LOUD_DB


def stretch_start(loud: np.ndarray, last: int, max_frames: int) -> int:
    """The first frame of the stretch of sound whose last loud frame is ``last``, walking back
    through gaps under ``GAP_FRAMES`` and at most ``max_frames`` back."""
    i = j = last
    gap = 0
    while j > 0 and last - j < max_frames:
        j -= 1
        if loud[j]:
            gap, i = 0, j
        else:
            gap += 1
            if gap >= GAP_FRAMES:
                break
    return i


def speech_bounds(energy: np.ndarray, origin: float, before: float, *, max_len: float = 2.5,
                  min_end: float | None = None) -> tuple[float, float] | None:
    """Start and end (s) of the last stretch of sound ending at or before ``before``, from 10 ms
    energies: frames more than 12 dB over the recent floor; gaps under 0.25 s bridged."""
    loud = loud_frames(energy)
    if not len(loud):
        return None
    last = min(len(energy) - 1, int((before - origin) / 0.01))
    first_allowed = 0 if min_end is None else max(0, int((min_end - origin) / 0.01))
    end_i = last
    while end_i >= first_allowed and not loud[end_i]:
        end_i -= 1
    if end_i < first_allowed:
        return None
    i = stretch_start(loud, end_i, int(np.ceil(max_len / 0.01 - 1e-9)))
    return origin + i * 0.01, origin + (end_i + 1) * 0.01

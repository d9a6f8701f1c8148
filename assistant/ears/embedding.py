"""The speech-embedding front end: pyopen-wakeword's TFLite melspectrogram and Google's speech embedding.

One 96-d embedding per 80 ms. Embedding ``k`` of a stream (counted from its first sample) is computed
from mel frames ``8k .. 8k+75`` (10 ms hop, 512-sample frames) and so covers audio up to
``(12512 + 1280 k) / 16000 = 0.782 + 0.08 k`` seconds: that is its ``time``.

Two ways in, giving the same numbers (differences ~1e-5, float rounding):
- ``embed_audio(samples)``: whole clips or long files, in bounded blocks (memory stays flat), with
  the mel interpreter resized to each block and the embedding interpreter run in batches.
- ``EmbeddingStream.feed(block)`` (assistant.ears.embedding_stream): live audio, int16 blocks of any
  size (the listener feeds 50 ms).
  It does NOT use ``OpenWakeWordFeatures.process_streaming`` (whose ``reset()`` fills an 8 s buffer of
  zeros that yields ~100 embeddings of digital silence first): it drives the same two interpreters
  itself, with a mel grid chosen so each embedding is ready the moment its last sample arrives.

One ``EmbeddingStream`` is meant to be shared by every consumer in the listener thread (shipped
model, personal model): ``feed`` returns the new ``Frames``, and each consumer takes them.
"""

from __future__ import annotations

import ctypes as C

import numpy as np

RATE = 16000
HOP = 1280                     # samples per embedding (80 ms)
MEL_HOP = 160                  # samples per mel frame (10 ms)
MEL_WIN = 512                  # samples one mel frame reads
MEL_PER_EMB = 76               # mel frames one embedding reads
EMB_SPAN = MEL_HOP * (MEL_PER_EMB - 1) + MEL_WIN   # 12512 samples = 0.782 s
DIM = 96
EMB_HOP_S = HOP / RATE


def emb_time(k: np.ndarray | int, origin: float = 0.0):
    """Audio time (s) of the newest sample embedding ``k`` covers."""
    return origin + (EMB_SPAN + HOP * np.asarray(k)) / RATE


class Interpreters:
    """pyopen-wakeword's two tflite interpreters, driven through its ctypes handle."""

    def __init__(self) -> None:
        from pyopen_wakeword import OpenWakeWordFeatures

        self._owner = OpenWakeWordFeatures.from_builtin()   # keeps the models alive
        self.lib = self._owner.lib
        self.mel = self._owner.mel_interpreter
        self.emb = self._owner.emb_interpreter
        self._mel_n = None
        self._emb_b = None

    def _resize(self, interp, shape) -> None:
        dims = (C.c_int32 * len(shape))(*shape)
        self.lib.TfLiteInterpreterResizeInputTensor(interp, C.c_int32(0), dims, C.c_int32(len(shape)))
        self.lib.TfLiteInterpreterAllocateTensors(interp)

    def _run(self, interp, x: np.ndarray) -> np.ndarray:
        lib = self.lib
        x = np.ascontiguousarray(x, dtype=np.float32)
        inp = lib.TfLiteInterpreterGetInputTensor(interp, C.c_int32(0))
        lib.TfLiteTensorCopyFromBuffer(inp, x.ctypes.data_as(C.c_void_p), C.c_size_t(x.nbytes))
        lib.TfLiteInterpreterInvoke(interp)
        out = lib.TfLiteInterpreterGetOutputTensor(interp, C.c_int32(0))
        nbytes = lib.TfLiteTensorByteSize(out)
        y = np.empty(nbytes // 4, dtype=np.float32)
        lib.TfLiteTensorCopyToBuffer(out, y.ctypes.data_as(C.c_void_p), C.c_size_t(nbytes))
        return y

    def mels(self, audio: np.ndarray) -> np.ndarray:
        """Mel frames (n, 32) of int16-scale float audio, already mapped ``/10 + 2``."""
        n = len(audio)
        if n < MEL_WIN:
            return np.zeros((0, 32), np.float32)
        if self._mel_n != n:
            self._resize(self.mel, (1, n))
            self._mel_n = n
        return self._run(self.mel, audio[None]).reshape(-1, 32) / 10.0 + 2.0

    def embed(self, windows: np.ndarray) -> np.ndarray:
        """(B, 76, 32) mel windows -> (B, 96) embeddings."""
        b = len(windows)
        if self._emb_b != b:
            self._resize(self.emb, (b, MEL_PER_EMB, 32, 1))
            self._emb_b = b
        return self._run(self.emb, windows[..., None]).reshape(b, DIM)

    def close(self) -> None:
        self._owner.close()


_shared: Interpreters | None = None


def interpreters() -> Interpreters:
    """One process-wide pair of interpreters for batch work (not thread-safe: one user at a time)."""
    global _shared
    if _shared is None:
        _shared = Interpreters()
    return _shared


def as_float(samples: np.ndarray) -> np.ndarray:
    """int16-scale float32, whatever came in (int16, or float in -1..1)."""
    if samples.dtype == np.int16:
        return samples.astype(np.float32)
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.float32)


CHUNK = 8 * MEL_HOP + MEL_WIN - MEL_HOP   # 1632 samples -> 8 mel frames
LEAD = 4 * MEL_HOP                          # chunk c starts at sample 1280c - 640


def mel_chunks(interp: Interpreters, audio: np.ndarray, first_chunk: int, n_chunks: int,
                audio_origin: int) -> np.ndarray:
    """Mel frames of chunks ``first_chunk .. +n_chunks`` (8 frames each, frames 8c-4 .. 8c+3).

    The melspectrogram model clamps its output to 80 dB below the loudest frame *of the call*, so
    frames are always computed in these same 8-frame calls: batch and streaming then agree exactly,
    even around digital silence. ``audio[0]`` is sample number ``audio_origin``.
    """
    out = np.empty((8 * n_chunks, 32), np.float32)
    for i in range(n_chunks):
        a = HOP * (first_chunk + i) - LEAD - audio_origin
        out[8 * i:8 * i + 8] = interp.mels(audio[a:a + CHUNK])
    return out


def embed_audio(samples: np.ndarray, *, block_s: float = 20.0, batch: int = 64,
                interp: Interpreters | None = None) -> np.ndarray:
    """Every embedding of a 16 kHz mono clip (int16, or float in -1..1): (K, 96) float32.

    Row k covers audio up to ``emb_time(k)``. Work is done in blocks of ``block_s`` seconds, so peak
    memory does not grow with the clip. Same numbers as ``EmbeddingStream`` fed the same audio.
    """
    return np.concatenate(list(iter_embed(samples, block_s=block_s, batch=batch, interp=interp))
                          or [np.zeros((0, DIM), np.float32)])


def iter_embed(samples, *, block_s: float = 20.0, batch: int = 64, interp: Interpreters | None = None):
    """Like ``embed_audio`` but yields (k, 96) pieces as they are made; ``samples`` may also be an
    iterable of consecutive arrays (a file read block by block). Incomplete tail audio is ignored."""
    interp = interp or interpreters()
    per_block = max(1, int(block_s * RATE / HOP))
    audio = np.zeros(LEAD, np.float32)
    origin = -LEAD
    chunk = 0
    mels = np.zeros((0, 32), np.float32)
    mel_origin = 0
    chunks = [samples] if isinstance(samples, np.ndarray) else samples
    for piece in chunks:
        audio = np.concatenate((audio, as_float(np.asarray(piece))))
        while True:
            avail = (len(audio) + origin - CHUNK + LEAD) // HOP + 1 - chunk   # complete chunks
            if avail < per_block:
                break
            new = mel_chunks(interp, audio, chunk, per_block, origin)
            chunk += per_block
            cut = HOP * chunk - LEAD - origin
            audio, origin = audio[cut:], origin + cut
            mels, mel_origin, out = _embed_new(mels, mel_origin, new, interp, batch)
            if len(out):
                yield out
    avail = max(0, (len(audio) + origin - CHUNK + LEAD) // HOP + 1 - chunk)
    if avail:
        new = mel_chunks(interp, audio, chunk, avail, origin)
        mels, mel_origin, out = _embed_new(mels, mel_origin, new, interp, batch)
        if len(out):
            yield out


def _embed_new(mels, mel_origin, new, interp, batch):
    """Append new mel frames (the first call's frames start at -4) and embed every complete window."""
    if mel_origin == 0 and not len(mels):
        new = new[4:]     # frames -4..-1 of chunk 0 lie before the stream
    mels = np.concatenate((mels, new))
    first_k = -(-mel_origin // 8)
    k = (mel_origin + len(mels) - MEL_PER_EMB) // 8 + 1 - first_k
    if k <= 0:
        return mels, mel_origin, np.zeros((0, DIM), np.float32)
    base = 8 * first_k - mel_origin
    idx = base + np.arange(k)[:, None] * 8 + np.arange(MEL_PER_EMB)[None, :]
    out = []
    for a in range(0, k, batch):
        b = min(k, a + batch)
        if b - a < batch and k > batch:   # keep the interpreter at one size: pad the last batch
            out.append(interp.embed(mels[idx[b - batch:b]])[batch - (b - a):])
        else:
            out.append(interp.embed(mels[idx[a:b]]))
    cut = base + 8 * k
    return mels[cut:], mel_origin + cut, np.concatenate(out)

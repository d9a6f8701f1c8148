"""The shipped, speaker-independent command model: a small MLP over a window of speech embeddings.

Inference is numpy only. A model file (``models/commands-<lang>.npz``, float16 weights) holds:
``format`` (version), ``language``, ``commands`` (class 1.. names; class 0 is "none"), ``window``
(embeddings per input, 16 = 1.98 s of audio), ``mu``/``sd`` (per-dimension input scaling),
``W0,b0,W1,b1,...`` (layers, ReLU between them, softmax at the end), ``thresholds`` (one per
command), ``durations`` (typical phrase length per command, for start-time estimates).

``Events`` turns per-embedding probabilities into one event per spoken command, as soon as the
command's probability crosses its threshold (the model is trained to rise 60-400 ms after the word
ends), then stays silent for that command until the probability falls back under half its threshold,
and for every command for ``refractory_s`` (training and the benchmark use it; live listening goes
through ``assistant.ears.fusion``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.ears.embedding import DIM
from assistant.ears.embedding_stream import EmbeddingStream, speech_bounds

FORMAT = 1
MODELS = Path(__file__).resolve().parent / "models"


class MLP:
    """Numpy forward pass of a saved network: ReLU layers, softmax output."""

    def __init__(self, layers: list[tuple[np.ndarray, np.ndarray]], mu: np.ndarray, sd: np.ndarray,
                 center: float = 0.0) -> None:
        self.layers = [(w.astype(np.float32), b.astype(np.float32)) for w, b in layers]
        self.mu = mu.astype(np.float32)
        self.sd = sd.astype(np.float32)
        self.center = float(center)   # share of the window's own mean embedding subtracted

    def logits(self, x: np.ndarray) -> np.ndarray:
        """``x``: (n, window*96) -> (n, classes)."""
        h = (x.reshape(len(x), -1, DIM) - self.mu) / self.sd
        if self.center:
            h = h - self.center * h.mean(axis=1, keepdims=True)
        h = h.reshape(len(x), -1)
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                np.maximum(h, 0, out=h)
        return h

    def probs(self, x: np.ndarray) -> np.ndarray:
        z = self.logits(x)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


@dataclass
class CommandModel:
    language: str
    commands: list[str]
    window: int
    net: MLP
    thresholds: np.ndarray            # (C,)
    durations: np.ndarray             # (C,) seconds
    meta: dict

    @classmethod
    def load(cls, path: str | Path) -> "CommandModel":
        z = np.load(path, allow_pickle=False)
        if int(z["format"]) != FORMAT:
            raise ValueError(f"{path}: command model format {int(z['format'])}, expected {FORMAT}")
        n = int(z["layers"])
        layers = [(z[f"W{i}"], z[f"b{i}"]) for i in range(n)]
        meta = {k: z[k].tolist() for k in z.files if k.startswith("meta_")}
        return cls(language=str(z["language"]), commands=[str(c) for c in z["commands"]], window=int(z["window"]),
                   net=MLP(layers, z["mu"], z["sd"], float(z["center"]) if "center" in z.files else 0.0),
                   thresholds=z["thresholds"].astype(np.float32),
                   durations=z["durations"].astype(np.float32), meta=meta)

    @classmethod
    def shipped(cls, language: str) -> "CommandModel | None":
        path = MODELS / f"commands-{language}.npz"
        return cls.load(path) if path.exists() else None

    def save(self, path: str | Path, layers: list[tuple[np.ndarray, np.ndarray]], **meta) -> None:
        arrays = {"format": np.int32(FORMAT), "language": np.str_(self.language),
                  "commands": np.array(self.commands), "window": np.int32(self.window),
                  "mu": self.net.mu.astype(np.float16), "sd": self.net.sd.astype(np.float16),
                  "center": np.float32(self.net.center),
                  "layers": np.int32(len(layers)), "thresholds": self.thresholds.astype(np.float32),
                  "durations": self.durations.astype(np.float32)}
        for i, (w, b) in enumerate(layers):
            arrays[f"W{i}"] = w.astype(np.float16)
            arrays[f"b{i}"] = b.astype(np.float16)
        for k, v in meta.items():
            arrays[f"meta_{k}"] = np.asarray(v)
        np.savez_compressed(path, **arrays)

    def probs(self, windows: np.ndarray) -> np.ndarray:
        return self.net.probs(windows)

    def score_stream(self, emb: np.ndarray) -> np.ndarray:
        """Class probabilities for every complete window of an embedding sequence: row i is the
        window ending at embedding ``i + window - 1``."""
        w = self.window
        if len(emb) < w:
            return np.zeros((0, len(self.commands) + 1), np.float32)
        idx = np.arange(w - 1, len(emb))[:, None] - np.arange(w - 1, -1, -1)[None, :]
        out = []
        for a in range(0, len(idx), 2048):
            out.append(self.net.probs(emb[idx[a:a + 2048]].reshape(-1, w * DIM).astype(np.float32)))
        return np.concatenate(out)


class Events:
    """Threshold crossings -> one event per command said (the logic shared by all embedding paths)."""

    def __init__(self, commands: list[str], thresholds: np.ndarray, *, refractory_s: float = 0.6,
                 release: float = 0.5) -> None:
        self.commands = commands
        self.thresholds = np.asarray(thresholds, np.float32)
        self.refractory_s = refractory_s
        self.release = release
        self._armed = np.ones(len(commands), bool)
        self._quiet_until = -1.0

    def step(self, t: float, p: np.ndarray) -> int | None:
        """``p``: probabilities of the commands (no "none") at time ``t``; returns a command index."""
        below = p < self.thresholds * self.release
        self._armed |= below
        if t < self._quiet_until:
            return None
        over = (p >= self.thresholds) & self._armed
        if not over.any():
            return None
        c = int(np.argmax(np.where(over, p / self.thresholds, -1)))
        self._armed[c] = False
        self._quiet_until = t + self.refractory_s
        return c


def estimate_bounds(t: float, duration: float, stream: EmbeddingStream | None) -> tuple[float, float]:
    """Where the phrase probably was: the last stretch of sound ending 0-0.45 s before ``t``, else
    the trained offset (end ~ t - 0.2 s) and the phrase's typical duration."""
    end, start = t - 0.2, t - 0.2 - duration
    if stream is not None:
        energy, origin = stream.energy()
        found = speech_bounds(energy, origin, t, max_len=max(2.0, duration * 2), min_end=t - 0.45)
        if found is not None:
            start, end = found
    return max(0.0, start), max(0.0, end)

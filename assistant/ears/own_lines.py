"""The coach's own lines, recognised by their sound: a command the coach itself just said is not the person's.

The coach speaks with one synthetic voice, and its lines are known ("Arched. That one doesn't count.",
"Hold.", "Slow down..."). Heard without an echo reference (``listen --file`` on a room recording),
they can sound like commands to the command model. So each shipped
language has a small bank (``models/own-lines-<lang>.npz``) of the speech embeddings of its voice
pack's lines in the coach's voice, kept only where the command model stirs (where a false command
could come from). A decision whose last ``k`` embeddings match a stretch of the bank closely
(cosine similarity of the centred, stacked embeddings at least ``threshold``) is the coach's own
line, and is dropped. "pain" and "start" never are. This applies only where there is no echo reference: with one
(a live session, ``listen --reference``), the echo gate knows what the coach played, and the coach's
residue under a barge-in would make the person's word look like the line.

Measured on the development set (training voices; ``tests/bench/bench_ears_heldout.py --voices
dev``), where the command model stirs the coach's lines match at 0.90 (median) and the person's
commands at 0.55 (English; Korean 0.91 and 0.62). The thresholds (0.85 English, 0.92 Korean) took
false commands on that set from 14.9 to 5.8 an hour in English, at 0.005 of recall.

The bank is made by ``python -m assistant.ears.train.own_lines`` (espeak-ng, the shipped pack and
model; seconds), and must be made again when the pack's lines or the command model change.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.ears.embedding import DIM

FORMAT = 1
MODELS = Path(__file__).resolve().parent / "models"
# never dropped: pain (a missed pain is worse than a false one) and start (listened for only while the
# coach is silent, in `serve`; its phrases name the variations the coach's lines name too, and a
# voice close to the coach's lost "start hanging leg raises" to the bank)
EXEMPT = frozenset({"pain", "start"})
LOOK_BACK = 4        # the decision's last windows compared (the words may have ended up to 0.3 s before)


@dataclass
class OwnLines:
    language: str
    k: int                 # embeddings per compared window (0.08 s each, plus 0.7 s the first covers)
    threshold: float
    mu: np.ndarray         # (96,) centre of the coach's embeddings (stored: frames - mu in 8 bits per dimension)
    bank: np.ndarray       # (n, k*96) unit windows of the coach's lines

    @classmethod
    def load(cls, path: str | Path) -> "OwnLines":
        z = np.load(path, allow_pickle=False)
        if int(z["format"]) != FORMAT:
            raise ValueError(f"{path}: own-lines format {int(z['format'])}, expected {FORMAT}")
        k = int(z["k"])
        mu = z["mu"].astype(np.float32)
        frames = z["frames"].astype(np.float32) * z["scale"].astype(np.float32) + mu   # 8-bit, per dimension
        bounds = np.concatenate([z["starts"].astype(np.int64), [len(frames)]])
        windows = [_unit(_stack(frames[a:b], k, mu)) for a, b in zip(bounds[:-1], bounds[1:]) if b - a >= k]
        bank = np.concatenate(windows) if windows else np.zeros((0, k * DIM), np.float32)
        return cls(str(z["language"]), k, float(z["threshold"]), mu, bank)

    @classmethod
    def shipped(cls, language: str) -> "OwnLines | None":
        path = MODELS / f"own-lines-{language}.npz"
        return cls.load(path) if path.exists() else None

    def similarity(self, recent: np.ndarray) -> float:
        """The best match of the last ``LOOK_BACK`` windows of ``recent`` (embeddings, oldest first)."""
        if len(recent) < self.k or not len(self.bank):
            return 0.0
        windows = _unit(_stack(np.asarray(recent, np.float32)[-(self.k + LOOK_BACK - 1):], self.k, self.mu))
        return float((windows @ self.bank.T).max())

    def said_by_coach(self, command: str, recent: np.ndarray) -> bool:
        return command not in EXEMPT and self.similarity(recent) >= self.threshold


def _stack(frames: np.ndarray, k: int, mu: np.ndarray) -> np.ndarray:
    """Every run of ``k`` consecutive embeddings, centred and laid end to end: (n - k + 1, k*96)."""
    idx = np.arange(k - 1, len(frames))[:, None] - np.arange(k - 1, -1, -1)[None, :]
    return (frames[idx] - mu).reshape(len(idx), -1)


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-9)).astype(np.float32)


def save(path: str | Path, language: str, *, k: int, threshold: float, mu: np.ndarray,
         segments: list[np.ndarray]) -> None:
    """Write a bank: ``segments`` are runs of consecutive embeddings (windows never span two)."""
    starts = np.cumsum([0] + [len(s) for s in segments[:-1]]).astype(np.int32)
    mu = mu.astype(np.float16).astype(np.float32)
    frames = (np.concatenate(segments) if segments else np.zeros((0, DIM), np.float32)) - mu
    scale = np.maximum(np.abs(frames).max(axis=0) if len(frames) else np.ones(DIM), 1e-6) / 127
    scale = scale.astype(np.float16).astype(np.float32)
    q = np.clip(np.round(frames / scale), -127, 127).astype(np.int8)
    np.savez_compressed(path, format=np.int32(FORMAT), language=np.str_(language), k=np.int32(k),
                        threshold=np.float32(threshold), mu=mu.astype(np.float16), scale=scale.astype(np.float16),
                        frames=q, starts=starts)

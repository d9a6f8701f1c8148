"""The personal model: a user's own commands, learned from their takes (assistant.ears.personal_fit).

Its scores are cosine similarities (0..1) of the newest embeddings to the user's takes of each
command, kept only where a small classifier over the same window leans to that command.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.core.errors import MatcoachError
from assistant.ears.embedding import DIM

FORMAT = 1
WINDOW = 12                   # embeddings per input (1.66 s)


class PersonalModelError(MatcoachError):
    """A personal model file that cannot be used."""


@dataclass
class PersonalModel:
    """A logistic regression over the last ``window`` embeddings, and the takes' own embeddings as
    templates; a window scores for a command when it is like that command's takes."""

    language: str
    commands: list[str]            # enrolled commands (class 1..), class 0 = none
    mu: np.ndarray
    sd: np.ndarray
    W: np.ndarray                  # (WINDOW*96, C+1)
    b: np.ndarray
    thresholds: np.ndarray         # (C,) alone
    templates: np.ndarray          # (T, WINDOW*96) standardized, unit length
    template_class: np.ndarray     # (T,)
    min_sim: np.ndarray            # (C,)
    window: int = WINDOW
    sim_frames: int = 8            # the newest embeddings compared with the takes

    def _feats(self, x: np.ndarray) -> np.ndarray:
        z = (x.reshape(len(x), -1, DIM) - self.mu) / self.sd
        return z.reshape(len(x), -1)

    def probs(self, x: np.ndarray) -> np.ndarray:
        z = self._feats(x) @ self.W + self.b
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def _sim_feats(self, x: np.ndarray) -> np.ndarray:
        f = self._feats(x)[:, -self.sim_frames * DIM:]
        return f / (np.linalg.norm(f, axis=1, keepdims=True) + 1e-9)

    def similarity(self, x: np.ndarray) -> np.ndarray:
        """(n, C): best cosine similarity to any take of each command."""
        f = self._sim_feats(x)
        s = f @ self.templates.T
        out = np.full((len(x), len(self.commands)), -1.0, np.float32)
        for c in range(len(self.commands)):
            m = self.template_class == c
            if m.any():
                out[:, c] = s[:, m].max(axis=1)
        return out

    def scores(self, x: np.ndarray) -> np.ndarray:
        """(n, C) command scores: how like the user's takes of each command the window is (cosine
        similarity of the newest embeddings), kept only where the classifier also leans to that
        command (probability >= 0.3). Compared with ``thresholds``."""
        p = self.probs(x)[:, 1:]
        sim = self.similarity(x)
        return np.where(p >= 0.3, np.maximum(sim, 0), 0).astype(np.float32)

    def score_stream(self, emb: np.ndarray) -> np.ndarray:
        w = self.window
        if len(emb) < w:
            return np.zeros((0, len(self.commands)), np.float32)
        idx = np.arange(w - 1, len(emb))[:, None] - np.arange(w - 1, -1, -1)[None, :]
        return np.concatenate([self.scores(emb[idx[a:a + 2048]].reshape(-1, w * DIM).astype(np.float32))
                               for a in range(0, len(idx), 2048)])

    def save(self, path: str | Path) -> None:
        np.savez_compressed(path, format=np.int32(FORMAT), language=np.str_(self.language),
                            commands=np.array(self.commands), mu=self.mu.astype(np.float16),
                            sd=self.sd.astype(np.float16), W=self.W.astype(np.float16), b=self.b.astype(np.float32),
                            thresholds=self.thresholds, templates=self.templates.astype(np.float16),
                            template_class=self.template_class.astype(np.int16), min_sim=self.min_sim,
                            window=np.int32(self.window), sim_frames=np.int32(self.sim_frames))

    @classmethod
    def load(cls, path: str | Path) -> "PersonalModel":
        z = np.load(path, allow_pickle=False)
        if int(z["format"]) != FORMAT:
            raise PersonalModelError(f"{path}: personal model format {int(z['format'])}, expected {FORMAT}")
        return cls(str(z["language"]), [str(c) for c in z["commands"]], z["mu"].astype(np.float32),
                   z["sd"].astype(np.float32), z["W"].astype(np.float32), z["b"].astype(np.float32),
                   z["thresholds"].astype(np.float32), z["templates"].astype(np.float32),
                   z["template_class"].astype(np.int64), z["min_sim"].astype(np.float32), int(z["window"]),
                   int(z["sim_frames"]))


def windows(emb: np.ndarray, w: int) -> np.ndarray:
    """Every complete window of ``w`` embeddings, flattened: (len(emb) - w + 1, w * 96)."""
    idx = np.arange(w - 1, len(emb))[:, None] - np.arange(w - 1, -1, -1)[None, :]
    return emb[idx].reshape(len(idx), -1)

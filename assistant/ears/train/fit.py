"""Fitting the command MLP in numpy (Adam, dropout, balanced batches, hard-negative mining) and
choosing per-command thresholds on the validation split (training voices only)."""

from __future__ import annotations

import time

import numpy as np

from assistant.ears.command_model import MLP
from assistant.ears.train.data import Pool


class Net:
    """MLP; with ``proj`` the first layer is one (96 -> proj) projection shared by every time step
    (linear), then the rest of the network sees the window as (window * proj)."""

    def __init__(self, sizes: list[int], rng: np.random.Generator, proj: int = 0) -> None:
        self.proj = proj
        if proj:
            self.P = rng.standard_normal((96, proj)).astype(np.float32) * np.float32(np.sqrt(1.0 / 96))
            sizes = [sizes[0] // 96 * proj] + list(sizes[1:])
        self.W = [rng.standard_normal((a, b)).astype(np.float32) * np.float32(np.sqrt(2.0 / a))
                  for a, b in zip(sizes[:-1], sizes[1:])]
        self.b = [np.zeros(b, np.float32) for b in sizes[1:]]
        self.params = self.W + self.b + ([self.P] if proj else [])
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def forward(self, x: np.ndarray, rng: np.random.Generator | None = None, drop: tuple = (0.0, 0.0)):
        self._x_in = x
        if self.proj:
            x = (x.reshape(len(x), -1, 96) @ self.P).reshape(len(x), -1)
        hs, masks = [x], []
        h = x
        self._drop_in = None
        if rng is not None and drop[0] > 0:
            mk = (rng.random(h.shape, dtype=np.float32) >= drop[0]) / np.float32(1 - drop[0])
            h = h * mk
            hs[0] = h
            self._drop_in = mk
        for i, (w, b) in enumerate(zip(self.W, self.b)):
            z = h @ w + b
            if i < len(self.W) - 1:
                z = np.maximum(z, 0)
                if rng is not None and drop[1] > 0:
                    mk = (rng.random(z.shape, dtype=np.float32) >= drop[1]) / np.float32(1 - drop[1])
                    z = z * mk
                    masks.append(mk)
                else:
                    masks.append(None)
            hs.append(z)
            h = z
        return hs, masks

    def step(self, x, y, w, rng, *, lr, wd, drop):
        hs, masks = self.forward(x, rng, drop)
        z = hs[-1]
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        n = len(x)
        loss = -np.sum(w * np.log(p[np.arange(n), y] + 1e-9)) / w.sum()
        g = p
        g[np.arange(n), y] -= 1
        g *= (w / w.sum())[:, None]
        grads_W, grads_b = [None] * len(self.W), [None] * len(self.W)
        for i in range(len(self.W) - 1, -1, -1):
            grads_W[i] = hs[i].T @ g + wd * self.W[i]
            grads_b[i] = g.sum(axis=0)
            if i > 0 or self.proj:
                g = g @ self.W[i].T
                if i > 0:
                    g *= hs[i] > 0
                    if masks[i - 1] is not None:
                        g *= masks[i - 1]
        extra = []
        if self.proj:
            if self._drop_in is not None:
                g = g * self._drop_in
            xin = self._x_in.reshape(-1, 96)
            extra = [xin.T @ g.reshape(-1, self.proj) + wd * self.P]
        self.t += 1
        b1, b2 = 0.9, 0.999
        for k, (prm, gr) in enumerate(zip(self.params, grads_W + grads_b + extra)):
            self.m[k] = b1 * self.m[k] + (1 - b1) * gr
            self.v[k] = b2 * self.v[k] + (1 - b2) * gr * gr
            mh = self.m[k] / (1 - b1 ** self.t)
            vh = self.v[k] / (1 - b2 ** self.t)
            prm -= lr * mh / (np.sqrt(vh) + 1e-8)
        return float(loss)

    def predict(self, x: np.ndarray) -> np.ndarray:
        z = self.forward(x)[0][-1]
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)


def prep(x: np.ndarray, mu, sd, center: float = 0.0) -> np.ndarray:
    """Standardize per dimension; with ``center``, also subtract that share of the window's own mean
    embedding (removes voice/channel offsets)."""
    z = (x.reshape(len(x), -1, 96) - mu) / sd
    if center:
        z = z - center * z.mean(axis=1, keepdims=True)
    return z.reshape(len(x), -1).astype(np.float32)


def scale(pool: Pool, train_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sample = pool.emb[np.unique(pool.end[train_rows])].astype(np.float32)
    return sample.mean(axis=0), sample.std(axis=0) + 1e-3


def predict_rows(net: Net, pool: Pool, rows: np.ndarray, mu, sd, batch: int = 4096, center: float = 0.0) -> np.ndarray:
    out = []
    for a in range(0, len(rows), batch):
        out.append(net.predict(prep(pool.x(rows[a:a + batch]), mu, sd, center)))
    return np.concatenate(out) if out else np.zeros((0, len(net.b[-1])), np.float32)


def fit(pool: Pool, n_classes: int, *, hidden=(128, 64), steps: int = 9000, batch: int = 512,
        lr: float = 1e-3, wd: float = 1e-4, pos_share: float = 0.4, drop=(0.1, 0.2),
        mine_at=(3000, 6000), seed: int = 0, proj: int = 0, ctx_mix: float = 0.0, center: float = 0.0, log=print):
    """Returns (layers, mu, sd). Rows of the validation split are never used here."""
    rng = np.random.default_rng(seed)
    train = np.flatnonzero(~pool.val)
    mu, sd = scale(pool, train)
    pos_by_class = [train[pool.lab[train] == c] for c in range(1, n_classes)]
    neg = train[pool.lab[train] == 0]
    hard = np.zeros(0, np.int64)
    net = Net([pool.window * 96, *hidden, n_classes], rng, proj=proj)
    n_pos = int(batch * pos_share)
    t0 = time.time()
    losses = []
    for step in range(steps):
        if step in mine_at:
            p = predict_rows(net, pool, neg, mu, sd, center=center)
            score = p[:, 1:].max(axis=1)
            hard = neg[score > 0.1]
            log(f"    step {step}: {len(hard)} hard negatives of {len(neg)} (>{0.1}); "
                f"{int((score > 0.5).sum())} over 0.5; loss {np.mean(losses[-200:]):.4f} ({time.time() - t0:.0f} s)")
        cls = rng.integers(0, n_classes - 1, n_pos)
        pos = np.array([pos_by_class[c][rng.integers(len(pos_by_class[c]))] for c in cls])
        n_neg = batch - n_pos
        if len(hard):
            k = n_neg // 3
            negs = np.concatenate([neg[rng.integers(len(neg), size=n_neg - k)], hard[rng.integers(len(hard), size=k)]])
        else:
            negs = neg[rng.integers(len(neg), size=n_neg)]
        rows = np.concatenate([pos, negs])
        x = pool.x(rows)
        if ctx_mix > 0:
            # other preceding context: the oldest r embeddings come from a random other window
            mix = rng.random(len(rows)) < ctx_mix
            donors = pool.x(train[rng.integers(len(train), size=int(mix.sum()))]).reshape(-1, pool.window, 96)
            r = rng.integers(2, max(3, pool.window - 6), size=int(mix.sum()))
            xm = x.reshape(len(x), pool.window, 96)
            keep = np.arange(pool.window)[None, :] < r[:, None]
            xm[mix] = np.where(keep[..., None], donors, xm[mix])
            x = xm.reshape(len(x), -1)
        x = prep(x, mu, sd, center)
        y = pool.lab[rows]
        w = np.ones(len(rows), np.float32)
        cur_lr = lr * (0.5 * (1 + np.cos(np.pi * step / steps)) * 0.95 + 0.05)
        losses.append(net.step(x, y, w, rng, lr=cur_lr, wd=wd, drop=drop))
        if step % 1000 == 999:
            log(f"    step {step + 1}: loss {np.mean(losses[-500:]):.4f} ({time.time() - t0:.0f} s)")
    layers = list(zip(net.W, net.b))
    if proj:   # fold the shared projection into the first layer for saving/inference
        W0 = np.kron(np.eye(pool.window, dtype=np.float32), net.P) @ net.W[0]
        layers[0] = (W0, net.b[0])
    return layers, mu, sd, net


def choose_thresholds(pool: Pool, probs: np.ndarray, rows: np.ndarray, commands: list[str], *,
                      policy: dict[str, float] | None = None, floor: float = 0.3, ceil: float = 0.98):
    """Per command: just above the highest score any validation negative window reached for it,
    then shifted by ``policy`` (stricter for stop, more lenient for pain), within [floor, ceil].
    Returns thresholds and a report of validation recall (window level) at them."""
    policy = policy or {}
    lab = pool.lab[rows]
    th = np.zeros(len(commands), np.float32)
    report = {}
    for c, name in enumerate(commands):
        s = probs[:, c + 1]
        negs = np.sort(s[lab == 0])[::-1]
        # highest negatives, ignoring the single top one for lenient commands
        skip = int(policy.get(name, 0) < 0)
        top = negs[skip] if len(negs) > skip else 0.0
        t = float(np.clip(top + 0.02 + max(0.0, policy.get(name, 0.0)), floor, ceil))
        th[c] = t
        pos = s[lab == c + 1]
        report[name] = (t, float((pos >= t).mean()) if len(pos) else float("nan"))
    return th, report


def to_model_layers(net: Net):
    return [(w.copy(), b.copy()) for w, b in zip(net.W, net.b)]


def as_mlp(layers, mu, sd) -> MLP:
    return MLP(layers, mu, sd)

"""Fitting the personal model on the device, for any language: the user's takes, augmented (noise, other
talk, a room), against known negatives (assistant.ears.known_negatives), in a few seconds (numpy)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from assistant.ears import augment as A
from assistant.ears import espeak as synth
from assistant.ears.embedding import DIM, emb_time, embed_audio
from assistant.ears.known_negatives import coach_negatives, talk_negatives
from assistant.ears.personal_model import WINDOW, PersonalModel, windows
from assistant.ears.takes import TakeCheck, check_take, refuse_unlike

log = logging.getLogger(__name__)
RATE = 16000
POS_LO, POS_HI = 0.06, 0.40   # the shipped model's labelling: just after the word's end


def _take_stream(takes: list[tuple[int, np.ndarray]], rng: np.random.Generator, background: np.ndarray | None):
    """All augmented takes one after another: audio, and per-take (class, start, end) in seconds."""
    pieces, marks, t = [np.zeros(int(1.4 * RATE), np.float32)], [], 1.4
    for cls, x in takes:
        pieces.append(x)
        marks.append((cls, t, t + len(x) / RATE))
        t += len(x) / RATE
        gap = rng.uniform(0.5, 0.7)
        pieces.append(np.zeros(int(gap * RATE), np.float32))
        t += int(gap * RATE) / RATE
    audio = np.concatenate(pieces)
    return audio, marks


def _labels(n: int, marks) -> np.ndarray:
    t = emb_time(np.arange(n))
    lab = np.zeros(n, np.int64)
    for cls, s, e in marks:
        lab[(t > s + 0.1) & (t < e + POS_LO)] = -1
        lab[(t > e + POS_HI) & (t < e + 0.7)] = -1
        lab[(t >= e + POS_LO) & (t <= e + POS_HI)] = cls
    return lab


def _augment(x: np.ndarray, kind: str, rng: np.random.Generator, babble_src: np.ndarray | None) -> np.ndarray:
    y = A.gain_to(x, rng.uniform(-30, -18))
    lvl = A.db(A.active_rms(y))
    if kind == "noise":
        level = np.float32(10 ** ((lvl - rng.uniform(5, 15)) / 20))
        y = y + A.noise(rng.choice(["pink", "fan", "brown"]), len(y), rng) * level
    elif kind == "talk" and babble_src is not None and len(babble_src) > len(y):
        a = int(rng.integers(0, len(babble_src) - len(y)))
        bg = babble_src[a:a + len(y)]
        y = A.reverb(y, rng, rt60=rng.uniform(0.2, 0.5)) + A.gain_to(bg, lvl - rng.uniform(0, 8), active=False)
    elif kind == "far":
        y = A.far_field(y, rng) * np.float32(10 ** (-rng.uniform(3, 8) / 20))
        y = y + A.noise("pink", len(y), rng) * np.float32(10 ** ((lvl - 20) / 20))
    elif kind == "fast":
        y = A.perturb_speed(y, rng.uniform(1.05, 1.15))
    elif kind == "slow":
        y = A.perturb_speed(y, rng.uniform(0.87, 0.95))
    return y.astype(np.float32)


AUGMENTS = ("clean", "noise", "talk")


def fit(language: str, takes: dict[str, list[np.ndarray]], *, coach_emb: np.ndarray | None = None,
        coach_audio: np.ndarray | None = None, talk_emb: np.ndarray | None = None, augments=AUGMENTS,
        seed: int = 0, steps: int = 120, on_takes=None, log=None) -> PersonalModel | None:
    """Fit from accepted, trimmed takes (float32 16 kHz) per command. ``on_takes(vectors)`` may
    refuse takes after their clean copies are embedded: it gets {command: [unit vectors]} and
    returns {command: [indices to drop]}."""
    rng = np.random.default_rng(seed)
    commands = [c for c in takes if takes[c]]
    items = []   # (class, audio, command, take index, augmentation)
    for ci, c in enumerate(commands):
        for ti, x in enumerate(takes[c]):
            for k in augments:
                items.append((ci + 1, _augment(x, k, rng, coach_audio), c, ti, k))
    order = rng.permutation(len(items))
    items = [items[i] for i in order]
    audio, marks = _take_stream([(it[0], it[1]) for it in items], rng, None)
    audio = audio + A.noise("pink", len(audio), rng) * np.float32(10 ** (-62 / 20))
    emb = embed_audio(A.quantize(audio))
    lab_all = _labels(len(emb), marks)
    take_of = np.full(len(emb), -1)
    for n, (cls, s0, e0) in enumerate(marks):
        t = emb_time(np.arange(len(emb)))
        take_of[(t > s0) & (t <= e0 + 0.7)] = n
    if on_takes is not None:
        vecs: dict[str, list[np.ndarray]] = {}
        for n, it in enumerate(items):
            if it[4] != "clean":
                continue
            k = min(len(emb) - 1, int(np.ceil((marks[n][2] + 0.14 - 0.782) / 0.08)))
            win = emb[max(0, k - 7):k + 1].reshape(-1).astype(np.float64)
            win -= win.mean()
            vecs.setdefault(it[2], [None] * len(takes[it[2]]))[it[3]] = win / (np.linalg.norm(win) + 1e-9)
        drop = on_takes(vecs)
        for n, it in enumerate(items):
            if it[3] in drop.get(it[2], ()):
                lab_all[take_of == n] = -1
        if not (lab_all > 0).any():
            return None
    lab = lab_all[WINDOW - 1:]
    X = windows(emb, WINDOW)
    keep = lab >= 0
    X, y = X[keep], lab[keep]
    # known negatives: the coach's lines and ordinary talk; the second half of each is kept out of
    # the fit and used to set the thresholds
    held = []
    for neg in (coach_emb, talk_emb):
        if neg is None or len(neg) < 2 * WINDOW:
            continue
        Xn = windows(neg.astype(np.float32), WINDOW)
        half = len(Xn) // 2
        X = np.concatenate([X, Xn[:half]])
        y = np.concatenate([y, np.zeros(half, np.int64)])
        held.append(Xn[half + WINDOW:])
    allv = X.reshape(-1, DIM)
    mu, sd = allv.mean(axis=0), allv.std(axis=0) + 1e-3
    F = ((X.reshape(len(X), -1, DIM) - mu) / sd).reshape(len(X), -1)
    C = len(commands) + 1
    # multinomial logistic regression, balanced classes, L2, Adam
    counts = np.bincount(y, minlength=C).astype(np.float64)
    wcls = np.where(counts > 0, len(y) / (C * np.maximum(counts, 1)), 0)
    sw = wcls[y].astype(np.float32)
    sw /= sw.sum()
    W = np.zeros((F.shape[1], C), np.float32)
    b = np.zeros(C, np.float32)
    m = [np.zeros_like(W), np.zeros_like(b)]
    v = [np.zeros_like(W), np.zeros_like(b)]
    Y = np.eye(C, dtype=np.float32)[y]
    lam = 1e-3
    for it in range(1, steps + 1):
        z = F @ W + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - Y) * sw[:, None]
        grads = [F.T @ g + lam * W, g.sum(axis=0)]
        for k, (prm, gr) in enumerate(zip((W, b), grads)):
            m[k] = 0.9 * m[k] + 0.1 * gr
            v[k] = 0.999 * v[k] + 0.001 * gr * gr
            prm -= 0.02 * (m[k] / (1 - 0.9 ** it)) / (np.sqrt(v[k] / (1 - 0.999 ** it)) + 1e-8)
    # templates: the clean takes' windows just after the word end
    tpl, tcls = [], []
    Fs = F[:, -8 * DIM:]
    Fn = Fs / (np.linalg.norm(Fs, axis=1, keepdims=True) + 1e-9)
    for ci in range(len(commands)):
        rows = np.flatnonzero(y == ci + 1)
        tpl.append(Fn[rows])
        tcls.append(np.full(len(rows), ci))
    templates = np.concatenate(tpl)
    template_class = np.concatenate(tcls)
    # minimum similarity: well under how alike a command's own windows are to its other takes
    min_sim = np.zeros(len(commands), np.float32)
    for ci in range(len(commands)):
        rows = np.flatnonzero(template_class == ci)
        if len(rows) < 2:
            min_sim[ci] = 2.0 if not len(rows) else 0.5
            continue
        s = templates[rows] @ templates[rows].T
        np.fill_diagonal(s, -1)
        min_sim[ci] = float(np.percentile(s.max(axis=1), 5)) * 0.8
    model = PersonalModel(language, commands, mu.astype(np.float32), sd.astype(np.float32), W, b,
                          np.full(len(commands), 0.9, np.float32), templates.astype(np.float32),
                          template_class, min_sim)
    # thresholds: 0.10 (stop: 0.15) above every held-out negative window's score (a margin fixed a priori),
    # within 0.6..0.97
    model.thresholds = np.full(len(commands), 0.8, np.float32)
    if held:
        sc = model.scores(np.concatenate(held))
        margin = np.array([0.15 if c == "stop" else 0.10 for c in commands], np.float32)   # strict for stop
        model.thresholds = np.clip(sc.max(axis=0) + margin, 0.6, 0.97).astype(np.float32)
    return model


def enroll(language: str, kept: dict[str, list[np.ndarray]], new: dict[str, list[np.ndarray]], *,
           coach_lines: list[str] = (), coach_voice: tuple[str, int] | None = None, phrases: list[str] = (),
           fillers: list[str] = (), cache_dir: Path | None = None,
           seed: int = 0) -> tuple[list[TakeCheck], PersonalModel | None]:
    """Check every new take, then fit a model from the takes already kept and the new ones accepted.

    The checks say which new takes were refused and why (``TakeCheck.ok``, ``reason``); an accepted
    take's ``audio`` is the take trimmed to its word (what is kept). Takes kept before are not checked
    again. The model is None when no take at all is usable."""
    began = time.monotonic()
    checks = [check_take(np.asarray(x, np.float32), c, i) for c, xs in new.items() for i, x in enumerate(xs)]
    takes: dict[str, list[np.ndarray]] = {c: list(xs) for c, xs in kept.items() if xs}
    first_new = {c: len(takes.get(c, [])) for c in new}
    for ck in checks:
        if ck.ok:
            takes.setdefault(ck.command, []).append(ck.audio)
    if not takes:
        return checks, None
    coach_emb = coach_audio = None
    if coach_lines and coach_voice:
        coach_emb = coach_negatives(list(coach_lines), coach_voice, cache_dir=cache_dir, phrases=list(phrases))
        voice = synth.Voice(coach_voice[0], "", speed=int(coach_voice[1]))
        spoken = [x for x in (synth.say(line, voice) for line in list(coach_lines)[:12]) if len(x)]
        coach_audio = np.concatenate(spoken) if spoken else None
    talk_emb = talk_negatives(list(fillers), coach_voice[0], cache_dir=cache_dir) if fillers and coach_voice else None

    def unlike(vecs: dict[str, list[np.ndarray]]) -> dict[str, list[int]]:
        # only new takes can be refused: each command's vectors are its kept takes, then its new ones
        accepted = {c: [ck for ck in checks if ck.ok and ck.command == c] for c in vecs}
        drop: dict[str, list[int]] = {}
        for c, vs in vecs.items():
            offset = first_new.get(c, len(vs))
            placed = [TakeCheck(c, i, True) for i in range(offset)] + accepted.get(c, [])
            for i in refuse_unlike({c: vs}, placed).get(c, []):
                if i >= offset:
                    drop.setdefault(c, []).append(i)
        return drop

    model = fit(language, takes, coach_emb=coach_emb, coach_audio=coach_audio, talk_emb=talk_emb, seed=seed,
                on_takes=unlike)
    log.info("personal model: %d takes of %d commands in %.1f s", sum(len(v) for v in takes.values()), len(takes),
             time.monotonic() - began)
    return checks, model

"""Known negatives for the personal model: the coach's own lines in the coach's voice, and ordinary
talk made of the grammar's filler words, synthesized with espeak-ng on the device. Only their
embeddings are kept (in the cache folder), never audio."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from assistant.ears import augment as A
from assistant.ears import espeak as synth
from assistant.ears.embedding import embed_audio

RATE = 16000


def coach_negatives(lines: list[str], voice: tuple[str, int], *, seconds: float = 420.0,
                    cache_dir: Path | None = None, phrases: list[str] = ()) -> np.ndarray:
    """Embeddings of the coach's own lines in the coach's voice (espeak-ng on the device), at most
    ``seconds`` of them (lines holding a command word first), cached as embeddings, not audio."""
    def has_phrase(text):
        t = " " + " ".join(text.lower().replace(".", " ").replace(",", " ").split()) + " "
        return any(f" {p} " in t for p in phrases)

    chosen = sorted(lines, key=lambda s: (not has_phrase(s), hashlib.sha1(s.encode()).hexdigest()))
    path = _cached_path(cache_dir, "coach", (chosen, voice, seconds))
    if path is not None and path.exists():
        return np.load(path).astype(np.float32)
    rng = np.random.default_rng(0)
    pieces, total = [], 0.0
    v = synth.Voice(voice[0], "", speed=int(voice[1]))
    for text in chosen:
        x = synth.say(text, v)
        if not len(x):
            continue
        pieces.append(A.gain_to(x, -24.0))
        pieces.append(np.zeros(int(0.4 * RATE), np.float32))
        total += len(x) / RATE + 0.4
        if total >= seconds:
            break
    audio = np.concatenate([np.zeros(int(1.0 * RATE), np.float32)] + pieces) if pieces else np.zeros(RATE, np.float32)
    audio += A.noise("pink", len(audio), rng) * np.float32(10 ** (-65 / 20))
    return _embed_and_keep(audio, path)


def filler_talk(fillers: list[str], voice_name: str, *, n: int = 40, seed: int = 0) -> list[tuple[str, object]]:
    """Ordinary talk for any language with a grammar: random sequences of its filler words, in a few
    espeak-ng variants of the language's voice. (text, Voice) pairs."""
    rng = np.random.default_rng(seed)
    variants = ["", "m1", "m3", "f2", "f4", "m7", "klatt2", "f1"]
    out = []
    for i in range(n):
        k = int(rng.integers(2, 7))
        words = [fillers[int(j)] for j in rng.integers(0, len(fillers), k)]
        v = synth.Voice(voice_name, variants[i % len(variants)], speed=int(rng.integers(130, 210)),
                        pitch=int(rng.integers(30, 70)))
        out.append((" ".join(words), v))
    return out


def talk_negatives(fillers: list[str], voice_name: str, *, cache_dir: Path | None = None, n: int = 80) -> np.ndarray:
    """Embeddings of ``filler_talk`` (cached; synthetic, not user audio)."""
    pairs = filler_talk(fillers, voice_name, n=n)
    path = _cached_path(cache_dir, "talk", [(t, v) for t, v in pairs])
    if path is not None and path.exists():
        return np.load(path).astype(np.float32)
    rng = np.random.default_rng(1)
    pieces = [np.zeros(RATE, np.float32)]
    for text, v in pairs:
        x = synth.say(text, v)
        if len(x):
            gap = np.zeros(int(rng.uniform(0.2, 0.6) * RATE), np.float32)
            pieces += [A.gain_to(x, float(rng.uniform(-30, -18))), gap]
    audio = np.concatenate(pieces)
    audio += A.noise("pink", len(audio), rng) * np.float32(10 ** (-62 / 20))
    return _embed_and_keep(audio, path)


def _cached_path(cache_dir: Path | None, kind: str, what: object) -> Path | None:
    """Where the embeddings made from ``what`` are kept (named by its hash), or None without a cache."""
    if cache_dir is None:
        return None
    return Path(cache_dir) / f"{kind}-{hashlib.sha1(repr(what).encode()).hexdigest()[:16]}.npy"


def _embed_and_keep(audio: np.ndarray, path: Path | None) -> np.ndarray:
    emb = embed_audio(A.quantize(audio))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, emb.astype(np.float16))
    return emb

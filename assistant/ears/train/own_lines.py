"""Make the banks of the coach's own lines: ``python -m assistant.ears.train.own_lines [--language en|ko|all]``.

Every line of the shipped voice pack (placeholders filled twice), in the coach's voice (espeak-ng),
0.4 s apart -> speech embeddings -> kept only around the embeddings where the shipped command model
stirs (any command over ``HOT``) -> ``assistant/ears/models/own-lines-<lang>.npz``. Deterministic;
run it again when the pack's lines or the command model change. See ``assistant.ears.own_lines``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from assistant.data import catalog
from assistant.ears.command_model import CommandModel
from assistant.ears.known_negatives import coach_negatives
from assistant.ears.own_lines import LOOK_BACK, MODELS, save
from assistant.ears.train.data import cache_root
from assistant.ears.vocabulary import coach_lines, coach_voice

K = 5
HOT = 0.1         # the command model's probability (any command) that marks a stretch worth keeping
AFTER = 3         # embeddings kept after a hot one
# chosen on the development set (training voices, `bench_ears_heldout.py --voices dev`): recall against false commands
THRESHOLDS = {"en": 0.85, "ko": 0.92}


def build(language: str, log=print) -> str:
    t0 = time.time()
    pack = catalog.load_shipped_pack(language)
    grammar = catalog.load_grammar(language)
    voice = coach_voice(pack)
    lines = coach_lines(pack, fillings=2, seed=3)
    emb = coach_negatives(lines, (voice.engine_voice, voice.rate), seconds=1e9, phrases=list(grammar.phrases),
                          cache_dir=cache_root())   # embeddings, cached with the training scenes
    emb = emb.astype(np.float32)
    model = CommandModel.shipped(language)
    if model is None:
        raise SystemExit(f"no shipped command model for {language}: train it first (python -m assistant.ears.train)")
    hot_p = model.score_stream(emb)[:, 1:].max(axis=1)
    hot = np.flatnonzero(hot_p > HOT) + model.window - 1      # embedding index each window ends at
    keep = np.zeros(len(emb), bool)
    for i in hot:
        keep[max(0, i - K - LOOK_BACK):min(len(emb), i + AFTER + 1)] = True
    edges = np.flatnonzero(np.diff(np.concatenate([[0], keep.astype(np.int8), [0]])))
    segments = [emb[a:b] for a, b in zip(edges[::2], edges[1::2])]
    out = MODELS / f"own-lines-{language}.npz"
    save(out, language, k=K, threshold=THRESHOLDS.get(language, 0.9), mu=emb.mean(axis=0), segments=segments)
    log(f"{language}: {len(lines)} lines, {len(emb) * 0.08:.0f} s of the coach's voice; kept {int(keep.sum())} "
        f"embeddings in {len(segments)} stretches -> {out} ({os.path.getsize(out) / 1024:.0f} KB, "
        f"{time.time() - t0:.0f} s)")
    return str(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m assistant.ears.train.own_lines", description=__doc__.split("\n\n")[0])
    ap.add_argument("--language", default="all", help="en, ko or all")
    args = ap.parse_args(argv)
    for language in (["en", "ko"] if args.language == "all" else [args.language]):
        build(language)
    return 0


if __name__ == "__main__":
    sys.exit(main())

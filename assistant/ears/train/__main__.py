"""Train the shipped command models: ``python -m assistant.ears.train --language en|ko|all``.

Synthesis (espeak-ng, training voices only) -> augmentation -> embeddings (cached in the cache
folder) -> MLP fit with hard-negative mining -> per-command thresholds on the validation split
(training voices only) -> assistant/ears/models/commands-<lang>.npz. Seeded: the same command on the
same grammars, voice packs and package versions gives the same model.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time

# one BLAS thread: the same sums in the same order on every machine (and a polite load)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from assistant.ears.command_model import MLP, MODELS, CommandModel  # noqa: E402
from assistant.ears.train import data as D  # noqa: E402
from assistant.ears.train import fit as F  # noqa: E402
from assistant.ears.train.thresholds import ALLOWANCE, choose_event_thresholds, event_scores  # noqa: E402


def train_language(language: str, args) -> dict:
    t0 = time.time()
    log = print
    plan = D.PLANS[language]
    if args.quick:
        plan = D.Plan(command_scenes=24, negative_scenes=12)
    if args.accents:
        plan = dataclasses.replace(plan, accents=True)
    streams, commands = D.build(language, plan, jobs=args.jobs, log=log)
    t_data = time.time() - t0
    if args.data_only:
        log(f"{language}: {len(streams)} scenes ready in {t_data:.0f} s")
        return {}
    log(f"{language}: {len(streams)} scenes ready in {t_data:.0f} s")
    pool = D.Pool(streams, args.window, shift=args.shift)
    n_classes = len(commands) + 1
    tr = ~pool.val
    log(f"{language}: {int(tr.sum())} training windows ({int((pool.lab[tr] > 0).sum())} positive), "
        f"{int((~tr).sum())} validation windows")
    if args.reuse and os.path.exists(MODELS / f"commands-{language}.npz"):
        old = CommandModel.load(MODELS / f"commands-{language}.npz")
        layers, mu, sd = old.net.layers, old.net.mu, old.net.sd
        log(f"{language}: reusing the fitted network of the current model; thresholds only")
    else:
        layers, mu, sd, net = F.fit(pool, n_classes, hidden=tuple(args.hidden), steps=args.steps, seed=args.seed,
                                    drop=(0.2, 0.3), mine_at=(args.steps // 3, 2 * args.steps // 3), log=log)
    t_fit = time.time() - t0 - t_data
    mlp = MLP(layers, mu, sd)
    # validation: per-stream probabilities for event-level threshold choice
    val_streams = [D.Stream(s.emb, D._shift_pos(s.lab, args.shift) if args.shift else s.lab, s.kind, s.condition, s.val)
                   for s in streams if s.val]
    probs = []
    for s in val_streams:
        e = s.emb.astype(np.float32)
        w = args.window
        idx = np.arange(w - 1, len(e))[:, None] - np.arange(w - 1, -1, -1)[None, :]
        probs.append(mlp.probs(e[idx].reshape(len(idx), -1)))
    allowance = ALLOWANCE.get(language, 0) if args.allow_false is None else args.allow_false
    th = choose_event_thresholds(val_streams, probs, args.window, commands, allowance=allowance, log=log)
    found, total, false, minutes = event_scores(val_streams, probs, args.window, th, commands)
    report = {name: {"threshold": round(float(th[c]), 3), "val_recall": round(float(found[c] / max(1, total[c])), 3),
                     "val_false": int(false[c])} for c, name in enumerate(commands)}
    log(f"{language}: validation ({minutes:.1f} min of audio, training voices): " + json.dumps(report))
    # typical phrase durations, for start estimates: from the labels' run lengths is not possible
    # (labels only mark ends), so use a fixed guess per command from the grammar's word counts
    from assistant.data import catalog
    from assistant.ears.vocabulary import phrases_of

    said = phrases_of(catalog.load_grammar(language))
    durations = np.array([0.25 + 0.22 * np.mean([len(p.split()) for p in said[c]]) for c in commands], np.float32)
    model = CommandModel(language, commands, args.window, mlp, th, durations, {})
    MODELS.mkdir(parents=True, exist_ok=True)
    out = MODELS / f"commands-{language}.npz" if not args.out else args.out
    model.save(out, layers, trained_on=f"{len(streams)} scenes, {sum(len(s.lab) for s in streams) * 0.08 / 3600:.2f} h",
               seed=args.seed, hidden=list(args.hidden), steps=args.steps)
    log(f"{language}: wrote {out} ({os.path.getsize(out) / 1024:.0f} KB); data {t_data:.0f} s, fit {t_fit:.0f} s, "
        f"total {time.time() - t0:.0f} s")
    return report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m assistant.ears.train", description=__doc__)
    ap.add_argument("--language", default="all", help="en, ko or all")
    ap.add_argument("--window", type=int, default=16)
    ap.add_argument("--hidden", type=int, nargs="+", default=[256, 128])
    ap.add_argument("--steps", type=int, default=12000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="a small run to check the pipeline")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes for making scenes (same result)")
    ap.add_argument("--data-only", action="store_true", help="make (cache) the training scenes, fit nothing")
    ap.add_argument("--out", default=None)
    ap.add_argument("--accents", action="store_true",
                    help="English speakers with vowels of accents espeak-ng lacks (an experiment: see the README)")
    ap.add_argument("--reuse", action="store_true", help="keep the current model's network, choose thresholds again")
    ap.add_argument("--shift", type=int, default=-1,
                    help="move positive labels by this many embeddings (-1: 80 ms earlier)")
    ap.add_argument("--allow-false", type=int, default=None,
                    help="false validation events each command may have (default: per language, see thresholds.py)")
    args = ap.parse_args(argv)
    langs = ["en", "ko"] if args.language == "all" else [args.language]
    t0 = time.time()
    for lang in langs:
        train_language(lang, args)
    import resource
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"all done in {time.time() - t0:.0f} s wall; CPU {me.ru_utime + me.ru_stime:.0f} s in this process, "
          f"{kids.ru_utime + kids.ru_stime:.0f} s in child processes (espeak-ng, workers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

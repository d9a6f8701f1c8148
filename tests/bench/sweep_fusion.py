"""Fusion's numbers swept on the development set: ``python tests/bench/sweep_fusion.py [--model X.npz]``.

For a command model (the shipped one, or one trained with other settings: ``--model``), replays the
development set's material (training voices only; ``bench_ears_heldout.py --voices dev`` makes and
caches it) through ``Fusion`` with the grammar engine, once per setting, and prints fused recall per
condition, false commands an hour on the audio without commands, and false stops. This is how
fusion's settings are chosen for a model; the held-out voices are then measured once, with
``bench_ears_heldout.py``. It never reads the held-out material.

What it varies (see ``assistant.ears.fusion``): the floor under the model deciding alone
(``--alone``), the support a grammar report needs (``--support``), the candidate floor
(``--candidate``), the least probability at which the model alone may stop (``--stop-alone``) and
the most it may need for pain (``--pain-alone``).
Every combination of the values given is tried. The own-lines bank used is the shipped one, made for
the shipped model: for another model, make its bank first (``python -m assistant.ears.train.own_lines``
in a checkout holding that model). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assistant.ears import fusion  # noqa: E402
from assistant.ears.command_model import CommandModel  # noqa: E402
from assistant.ears.own_lines import OwnLines  # noqa: E402
from tests.bench import bench_ears_heldout as B  # noqa: E402

ES = B.ES


def floats(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give numbers separated by commas, e.g. 0.99,0.999") from None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python tests/bench/sweep_fusion.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--language", default="en")
    ap.add_argument("--model", default=None, help="command model .npz (default: the shipped one)")
    ap.add_argument("--alone", type=floats, default=[fusion.ALONE_FLOOR], help="floors under the model alone")
    ap.add_argument("--support", type=floats, default=[fusion.SUPPORT], help="support a grammar report needs")
    ap.add_argument("--candidate", type=floats, default=[fusion.CANDIDATE_FLOOR], help="candidate floors")
    ap.add_argument("--stop-alone", type=floats, default=[fusion.STOP_ALONE_FLOOR],
                    help="least probability at which the model alone may stop (0: its validated threshold)")
    ap.add_argument("--pain-alone", type=floats, default=[fusion.PAIN_ALONE],
                    help="the probability at which the model alone decides pain, when lower than its own "
                         "(1: its validated threshold)")
    ap.add_argument("--json", default=None, help="also write every row to this file")
    args = ap.parse_args(argv)
    lang = args.language
    ES.use_voice_set("dev")
    model = CommandModel.load(args.model) if args.model else CommandModel.shipped(lang)
    commands = model.commands
    gname = "pocketsphinx" if lang == "en" else "vosk"
    t0 = time.time()
    cmd = {c: B.item(f"{lang}-cmd-{c}", lambda c=c: ES.command_scene(lang, c)) for c in ES.CONDITIONS}
    negs = B.negatives(lang)
    own = OwnLines.shipped(lang)
    lone = dict(zip(commands, map(float, model.durations)))

    def prepared(name, pcm):
        return name, pcm, model.score_stream(B.embeddings(name, pcm)), B.grammar_dets(name, pcm, lang)

    scenes = {c: (prepared(f"{lang}-cmd-{c}", pcm), said) for c, (pcm, said) in cmd.items()}
    quiet = [prepared(B._neg_key(lang, n), pcm) for n, pcm, _ in negs]
    minutes = sum(len(pcm) for _, pcm, _ in negs) / B.RATE / 60
    print(f"== {lang}, development set (training voices): {sum(len(s) for _, s in scenes.values())} commands, "
          f"{minutes:.0f} min without commands; model {args.model or 'shipped'}; ready in {time.time() - t0:.0f} s")

    def fused(prep, policy):
        name, pcm, sh, gr = prep
        return B.fused(sh, model.window, None, 12, gr, policy, pcm, lone, B.embeddings(name, pcm), own)

    rows = []
    print(f"{'alone':>6s} {'support':>7s} {'cand':>5s} {'stop':>6s} {'pain':>5s}  "
          + " ".join(f"{c:>7s}" for c in ES.CONDITIONS)
          + f" {'all':>6s} {'stop':>6s} {'pain':>6s} {'false/h':>7s} {'stops':>5s}  false commands")
    for alone, support, candidate, stop, pain in itertools.product(args.alone, args.support, args.candidate,
                                                                   args.stop_alone, args.pain_alone):
        policy = fusion.Policy.default(commands, model.thresholds, None, grammar_engine=gname, alone_floor=alone,
                                       support=support, candidate_floor=candidate, stop_alone_floor=stop,
                                       pain_alone=pain)
        recall, heard = {}, {c: [] for c in commands}
        for cond, (prep, said) in scenes.items():
            s = B.score(fused(prep, policy), said)
            recall[cond] = len(s.hits) / max(1, sum(1 for x in said if x.command))
            for x in said:
                if x.command:
                    heard[x.command].append(any(h is x for h, _ in s.hits))
        wrong = [(prep[0].removeprefix(f"{lang}-neg-"), d.command) for prep in quiet for d in fused(prep, policy)]
        false = [c for _, c in wrong]
        row = {"alone": alone, "support": support, "candidate": candidate, "stop_alone": stop, "pain_alone": pain,
               **{c: round(r, 4) for c, r in recall.items()}, "all": round(float(np.mean(list(recall.values()))), 4),
               "per_command": {c: round(float(np.mean(v)), 4) for c, v in heard.items() if v},
               "false_per_hour": round(len(false) / minutes * 60, 2), "false_stops": false.count("stop"),
               "false": {c: false.count(c) for c in sorted(set(false))},
               "false_by_part": {part: [c for p, c in wrong if p == part] for part in sorted({p for p, _ in wrong})}}
        rows.append(row)
        pc = row["per_command"]
        print(f"{alone:6.4g} {support:7.3g} {candidate:5.3g} {stop:6.4g} {pain:5.3g}  "
              + " ".join(f"{recall[c]:7.3f}" for c in ES.CONDITIONS)
              + f" {row['all']:6.3f} {pc.get('stop', 0):6.3f} {pc.get('pain', 0):6.3f}"
              + f" {row['false_per_hour']:7.1f} {row['false_stops']:5d}  "
              + ", ".join(f"{c}:{n}" for c, n in row["false"].items()), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

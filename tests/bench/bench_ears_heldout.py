"""The listening benchmark on held-out voices (issue 11): ``python tests/bench/bench_ears_heldout.py --language en|ko``.

Prints recall per command and per condition, wrong commands, latency (detection minus word end,
with detections available only at the end of the 50 ms block that completes them), and false
commands on an hour or more of audio without commands, for each path alone (shipped embedding
model, grammar engine, personal model) and fused, without and with enrollment.

Everything expensive is cached in the cache folder's ears-eval (audio, embeddings, grammar engine
outputs; ``MATCOACH_EVAL_CACHE`` moves it). The held-out voices (espeak-ng en-us-nyc and
en-gb-x-gbclan; Korean: the ko variants training never uses) appear nowhere in training or in
choosing thresholds. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assistant.ears.command_model import CommandModel, Events  # noqa: E402
from assistant.ears.embedding import emb_time, embed_audio  # noqa: E402
from assistant.ears.embedding_engine import last_checks  # noqa: E402
from assistant.ears.embedding_stream import EmbeddingStream  # noqa: E402
from assistant.ears.fusion import Fusion, Policy  # noqa: E402
from assistant.ears.isolation import Isolation  # noqa: E402
from assistant.ears.own_lines import OwnLines  # noqa: E402
from tests.bench import heldout as ES  # noqa: E402

RATE = 16000
BLOCK = 800


@dataclass
class Det:
    command: str
    start: float
    end: float
    detected_at: float
    confidence: float
    engine: str
    phrase: str = ""


def block_time(t: float) -> float:
    """When an embedding covering audio up to ``t`` is available: the end of the 50 ms block holding it."""
    return math.ceil(round(t * RATE) / BLOCK - 1e-9) * BLOCK / RATE


# --- cached per-item computations ------------------------------------------------------------------
def item(name: str, make):
    pcm, said = ES.cached(name, make)
    return pcm, said


def embeddings(name: str, pcm: np.ndarray) -> np.ndarray:
    path = ES.ROOT / ES.VERSION / f"{name}.emb.npy"
    if path.exists():
        return np.load(path).astype(np.float32)
    emb = embed_audio(pcm)
    np.save(path, emb.astype(np.float16))
    return emb.astype(np.float16).astype(np.float32)


@functools.cache
def _judging_code() -> str:
    """A fingerprint of what turns audio into grammar engine reports (the engines, how an utterance is
    judged, the grammars): cached reports are made again when it changes."""
    root = Path(__file__).resolve().parents[2]
    files = [root / "assistant/ears" / f for f in ("recognizer.py", "sphinx_engine.py", "vosk_engine.py", "vad.py")]
    files += sorted((root / "grammars").glob("*.toml"))
    return hashlib.sha1(b"".join(f.read_bytes() for f in files)).hexdigest()[:10]


def grammar_dets(name: str, pcm: np.ndarray, language: str) -> list[Det]:
    engine = "pocketsphinx" if language == "en" else "vosk"
    path = ES.ROOT / ES.VERSION / f"{name}.{engine}-{_judging_code()}.json"
    if path.exists():
        return [Det(**d) for d in json.loads(path.read_text())]
    from assistant.data import catalog
    from assistant.ears.engines import open_ears

    ears, _ = open_ears(catalog.load_grammar(language), engine="pocketsphinx" if language == "en" else "vosk")
    out = []
    for i in range(0, len(pcm), BLOCK):
        for d in ears.feed(pcm[i:i + BLOCK]):
            out.append(Det(d.command, d.start, d.end, d.detected_at, d.confidence, d.engine, d.phrase))
    for d in ears.finish():
        out.append(Det(d.command, d.start, d.end, d.detected_at, d.confidence, d.engine, d.phrase))
    path.write_text(json.dumps([d.__dict__ for d in out]))
    return out


# --- detectors over precomputed scores --------------------------------------------------------------
def events_from_scores(scores: np.ndarray, window: int, commands: list[str], thresholds, engine: str,
                       durations=None) -> list[Det]:
    ev = Events(commands, thresholds)
    out = []
    for i, p in enumerate(scores):
        t = float(emb_time(i + window - 1))
        c = ev.step(t, p)
        if c is not None:
            d = 0.5 if durations is None else float(durations[c])
            out.append(Det(commands[c], t - 0.2 - d, t - 0.2, block_time(t), float(p[c]), engine))
    return out


def energy_track(pcm: np.ndarray) -> np.ndarray:
    """10 ms frame energies in dBFS, as the live embedding stream keeps them."""
    x = pcm.astype(np.float32) / (32768.0 if pcm.dtype == np.int16 else 1.0)
    n = len(x) // 160
    return 10 * np.log10(np.mean(x[:n * 160].reshape(n, 160) ** 2, axis=1) + 1e-10)


def fused(shipped: np.ndarray, shipped_window: int, personal: np.ndarray | None, personal_window: int,
          grammar: list[Det], policy: Policy, pcm: np.ndarray | None = None,
          durations: dict[str, float] | None = None, emb: np.ndarray | None = None,
          own: OwnLines | None = None) -> list[Det]:
    """Replay the three sources in time order through ``Fusion`` (causal: each input at the time it
    would be available), then, as the product does, drop what sounds like the coach's own lines
    (``own``, reading ``emb``) and what is not said on its own (when ``pcm`` is given)."""
    f = Fusion(policy)
    clock = [0.0]
    newest = [-1]   # the newest embedding available
    iso = None
    if pcm is not None:
        energy = energy_track(pcm)
        keep = int(EmbeddingStream.ENERGY_KEEP_S * 100)

        def recent():
            k = min(len(energy), int(clock[0] / 0.01 + 1e-6))
            a = max(0, k - keep)
            return energy[a:k], a * 0.01

        iso = Isolation(recent, durations)

    def passed(decisions, at):
        clock[0] = at
        recent = emb[max(0, newest[0] - 15):newest[0] + 1] if emb is not None else np.zeros((0, 96), np.float32)
        decisions = last_checks(decisions, at, iso, own if emb is not None else None, recent)   # as the product
        return [(d, at) for d in decisions]

    n = len(shipped) + shipped_window - 1
    events = []   # (available_at, order, kind, payload)
    for k in range(n):
        t = float(emb_time(k))
        sp = shipped[k - shipped_window + 1, 1:] if k >= shipped_window - 1 else None
        pp = None
        if personal is not None and k >= personal_window - 1 and k - personal_window + 1 < len(personal):
            pp = personal[k - personal_window + 1]
        if sp is not None or pp is not None:
            events.append((block_time(t), 0, "frame", (t, sp, pp, k)))
    for d in grammar:
        events.append((d.detected_at, 1, "grammar", d))
    events.sort(key=lambda e: (e[0], e[1]))
    out = []
    for at, _, kind, payload in events:
        if kind == "frame":
            t, sp, pp, newest[0] = payload
            decisions = f.frame(t, sp, pp)
        else:
            d = payload
            f.tick(at)
            decisions = f.grammar(d.command, d.start, d.end, at, d.confidence, d.phrase)
        for dec, when in passed(decisions, at):
            out.append(Det(dec.command, dec.start, dec.end, when, dec.confidence, dec.engine))
    if iso is not None:
        out += [Det(d.command, d.start, d.end, d.detected_at, d.confidence, d.engine) for d in iso.flush()]
    return out


# --- scoring ---------------------------------------------------------------------------------------
@dataclass
class Score:
    hits: list
    misses: list
    wrong: list
    false: list

    @property
    def latencies(self):
        return [d.detected_at - s.end for s, d in self.hits]


def score(dets: list[Det], said: list) -> Score:
    """A detection counts for a phrase if it comes after the phrase starts and at most 1.5 s after it ends."""
    hits, wrong, false, used = [], [], [], set()
    for d in sorted(dets, key=lambda d: d.detected_at):
        near = [i for i, s in enumerate(said) if s.start + 0.05 <= d.detected_at <= s.end + 1.5]
        match = next((i for i in near if i not in used and said[i].command == d.command), None)
        if match is not None:
            used.add(match)
            hits.append((said[match], d))
        elif any(said[i].command for i in near):
            wrong.append((said[near[0]], d))
        else:
            false.append((said[near[0]] if near else None, d))
    misses = [s for i, s in enumerate(said) if i not in used and s.command]
    return Score(hits, misses, wrong, false)


def pct(xs, q):
    return float(np.percentile(xs, q)) * 1000 if xs else float("nan")


# --- the run ---------------------------------------------------------------------------------------
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python tests/bench/bench_ears_heldout.py")
    ap.add_argument("--language", default="en")
    ap.add_argument("--model", default=None, help="command model .npz (default: the shipped one)")
    ap.add_argument("--no-grammar", action="store_true", help="skip the grammar engine (and fusion with it)")
    ap.add_argument("--json", default=None, help="also write all figures to this file")
    ap.add_argument("--voices", choices=("held-out", "dev"), default="held-out",
                    help="held-out: the reserved voices (results); dev: training voices, to tune on (not results)")
    ap.add_argument("--no-isolation", action="store_true",
                    help="fused paths without the last check that a command stands on its own")
    ap.add_argument("--material-only", action="store_true", help="make (cache) the material, embeddings and "
                    "grammar engine outputs; score nothing")
    args = ap.parse_args(argv)
    lang = args.language
    ES.use_voice_set(args.voices)
    model = CommandModel.load(args.model) if args.model else CommandModel.shipped(lang)
    commands = model.commands
    gname = "pocketsphinx" if lang == "en" else "vosk"
    results = {"language": lang, "held_out": held_out_text(lang)}
    if args.voices == "dev":
        results["held_out"] = "NONE: dev set of training voices (for tuning; these figures are not results)"
    print(f"== {lang}: held-out voices: {results['held_out']}")
    t0 = time.time()

    # material
    cmd_items = {c: item(f"{lang}-cmd-{c}", lambda c=c: ES.command_scene(lang, c)) for c in ES.CONDITIONS}
    neg_parts = negatives(lang)
    enroll_items = {c: item(f"{lang}-enrolltest-{c}", lambda c=c: ES.enrollment_test_scene(lang, c))
                    for c in ES.CONDITIONS}
    neg_minutes = sum(len(p) for _, p, _ in neg_parts) / RATE / 60
    print(f"material ready ({time.time() - t0:.0f} s); negative audio {neg_minutes:.1f} min")
    if args.material_only:
        named = [(f"{lang}-cmd-{c}", pcm) for c, (pcm, _) in cmd_items.items()]
        named += [(_neg_key(lang, n), pcm) for n, pcm, _ in neg_parts]
        named += [(f"{lang}-enrolltest-{c}", pcm) for c, (pcm, _) in enroll_items.items()]
        for name, pcm in named:
            embeddings(name, pcm)
            if not args.no_grammar:
                grammar_dets(name, pcm, lang)
            print(f"  {name}: embeddings and grammar engine done ({time.time() - t0:.0f} s)", flush=True)
        return 0

    def shipped_scores(name, pcm):
        return model.score_stream(embeddings(name, pcm))

    # personal model from the enrollment takes
    from assistant.ears.personal_fit import enroll
    product = ES.product
    takes, _ = ES.enrollment_takes(lang)
    cv = product.coach_voice(lang)
    g = product.load_grammar(lang)
    te = time.time()
    checks, pmodel = enroll(lang, {}, takes, coach_lines=product.coach_lines(lang, fillings=1, seed=3),
                            coach_voice=(cv.engine_voice, cv.rate), phrases=list(g.phrases), fillers=g.fillers,
                            cache_dir=ES.ROOT / "personal-cache")
    enroll_s = time.time() - te
    refused = [f"{c.command} take {c.index + 1}: {c.reason}" for c in checks if not c.ok]
    print(f"enrollment: {sum(c.ok for c in checks)}/{len(checks)} takes accepted, fitted in {enroll_s:.1f} s"
          + (f"; refused: {refused}" if refused else ""))
    results["enrollment"] = {"accepted": sum(c.ok for c in checks), "takes": len(checks), "seconds": enroll_s,
                             "refused": refused, "voice": ES.enrollment_voice(lang).spec}

    def personal_scores(name, pcm):
        if pmodel is None:
            return None
        full = pmodel.score_stream(embeddings(name, pcm))
        # map onto the shipped command order
        out = np.zeros((len(full), len(commands)), np.float32)
        for i, c in enumerate(pmodel.commands):
            out[:, commands.index(c)] = full[:, i]
        return out

    pth = np.full(len(commands), 2.0, np.float32)
    if pmodel is not None:
        for i, c in enumerate(pmodel.commands):
            pth[commands.index(c)] = pmodel.thresholds[i]
    lone = None if args.no_isolation else dict(zip(commands, map(float, model.durations)))

    own = None if args.no_isolation else OwnLines.shipped(lang)

    def fuse(name, pcm, sh, ps, gr, policy):
        return fused(sh, model.window, ps, 12, gr, policy, None if lone is None else pcm, lone,
                     embeddings(name, pcm), own)

    pol_plain = Policy.default(commands, model.thresholds, None, grammar_engine=gname)
    pol_pers = Policy.default(commands, model.thresholds, pth, grammar_engine=gname)

    paths = {
        "embedding": lambda n, pcm, sh, ps, gr: events_from_scores(sh[:, 1:], model.window, commands, model.thresholds,
                                                                   "embedding", model.durations),
        gname: lambda n, pcm, sh, ps, gr: gr,
        f"fused (embedding+{gname})": lambda n, pcm, sh, ps, gr: fuse(n, pcm, sh, None, gr, pol_plain),
        "personal": lambda n, pcm, sh, ps, gr: events_from_scores(ps, 12, commands, pth, "personal"),
        "embedding+personal": lambda n, pcm, sh, ps, gr: fuse(n, pcm, sh, ps, [], pol_pers),
        f"fused (embedding+{gname}+personal)": lambda n, pcm, sh, ps, gr: fuse(n, pcm, sh, ps, gr, pol_pers),
    }
    if args.no_grammar:
        paths = {k: v for k, v in paths.items() if gname not in k}

    def run_all(name, pcm, with_personal):
        sh = shipped_scores(name, pcm)
        ps = personal_scores(name, pcm) if with_personal else None
        gr = [] if args.no_grammar else grammar_dets(name, pcm, lang)
        out = {}
        for p, fn in paths.items():
            if "personal" in p and ps is None:
                continue
            out[p] = fn(name, pcm, sh, ps, gr)
        return out

    # 1. command scenes (no enrollment: personal paths skipped here)
    table = defaultdict(dict)
    per_cmd = defaultdict(lambda: defaultdict(list))
    lat = defaultdict(list)
    wrong = Counter()
    per_voice = defaultdict(lambda: defaultdict(list))
    for cond, (pcm, said) in cmd_items.items():
        outs = run_all(f"{lang}-cmd-{cond}", pcm, False)
        for p, dets in outs.items():
            s = score(dets, said)
            n = sum(1 for x in said if x.command)
            table[p][cond] = len(s.hits) / n
            for x in said:
                ok = any(h is x for h, _ in s.hits)
                per_cmd[p][x.command].append(ok)
                per_voice[p][x.voice].append(ok)
            lat[p] += s.latencies
            wrong[p] += len(s.wrong) + len(s.false)
    print(f"\n-- recall on {args.voices} voices, {len(cmd_items['clean'][1])} commands per condition "
          f"({len(commands)} commands x {len(cmd_items['clean'][1]) // len(commands)} voice settings) --")
    hdr = (f"{'path':44s} " + " ".join(f"{c:>8s}" for c in ES.CONDITIONS)
           + f" {'all':>7s} {'wrong+extra':>11s} {'p50 ms':>7s} {'p95 ms':>7s}")
    print(hdr)
    results["recall"] = {}
    for p in table:
        allr = np.mean([v for v in table[p].values()])
        print(f"{p:44s} " + " ".join(f"{table[p][c]:8.3f}" for c in ES.CONDITIONS)
              + f" {allr:7.3f} {wrong[p]:11d} {pct(lat[p], 50):7.0f} {pct(lat[p], 95):7.0f}")
        results["recall"][p] = {**{c: round(table[p][c], 4) for c in ES.CONDITIONS}, "all": round(float(allr), 4),
                                "wrong_or_extra": wrong[p], "latency_p50_ms": round(pct(lat[p], 50)),
                                "latency_p95_ms": round(pct(lat[p], 95))}
    print("\n-- recall per command (all conditions) --")
    print(f"{'path':44s} " + " ".join(f"{c[:7]:>7s}" for c in commands))
    results["per_command"] = {}
    for p in per_cmd:
        print(f"{p:44s} " + " ".join(f"{np.mean(per_cmd[p][c]):7.3f}" for c in commands))
        results["per_command"][p] = {c: round(float(np.mean(per_cmd[p][c])), 4) for c in commands}

    print("\n-- recall per held-out voice setting (all conditions) --")
    voices = sorted(per_voice["embedding"])
    results["per_voice"] = {}
    for p in per_voice:
        results["per_voice"][p] = {v: round(float(np.mean(per_voice[p][v])), 3) for v in voices}
    for v in voices:
        print(f"   {v:28s} " + "  ".join(f"{p.split(' ')[0][:12]}={np.mean(per_voice[p][v]):.2f}" for p in per_voice))

    # 2. negatives: false commands
    print("\n-- false commands on audio with no command --")
    minutes = sum(len(pcm) for _, pcm, _ in neg_parts) / RATE / 60
    falses = defaultdict(list)
    for pname, pcm, said in neg_parts:
        key = _neg_key(lang, pname)
        outs = run_all(key, pcm, True)
        for p, dets in outs.items():
            for d in dets:
                near = next((s.text for s in said if s.start <= d.detected_at <= s.end + 1.5), "")
                falses[p].append((pname, d.command, near, round(d.detected_at, 2), round(d.confidence, 3)))
    results["false"] = {"minutes": round(minutes, 1),
                        "parts": [(n, round(len(pcm) / RATE / 60, 1)) for n, pcm, _ in neg_parts]}
    for n, pcm, _ in neg_parts:
        print(f"   part: {n}: {len(pcm) / RATE / 60:.1f} min")
    print(f"{'path':44s} {'false':>6s} {'per min':>8s} {'per hour':>9s}  false stop  which")
    for p in list(paths):
        fl = falses.get(p, [])
        if "personal" in p and pmodel is None:
            continue
        c = Counter(x[1] for x in fl)
        parts = Counter(x[0] for x in fl)
        print(f"{p:44s} {len(fl):6d} {len(fl) / minutes:8.3f} {len(fl) / minutes * 60:9.1f}  {c.get('stop', 0):10d}  "
              + ", ".join(f"{k}:{v}" for k, v in c.most_common()) + "   [by part: "
              + "; ".join(f"{k.split(',')[0]}{' (' + k.split(',')[1].strip() + ')' if ',' in k else ''}: {v}"
                          for k, v in parts.most_common()) + "]")
        results["false"][p] = {"by_part": dict(parts), "count": len(fl), "per_min": round(len(fl) / minutes, 4),
                               "per_hour": round(len(fl) / minutes * 60, 2), "false_stop": c.get("stop", 0),
                               "which": dict(c), "examples": fl[:40]}
    print("\nfalse commands in detail (path: part / command / on what):")
    for p in list(paths):
        for x in falses.get(p, [])[:25]:
            print(f"   {p}: {x[0]} / {x[1]} ({x[4]}) at {x[3]} s on {x[2]!r}")

    # 3. enrollment: the enrolled voice's other takes, per condition
    print(f"\n-- with enrollment: {ES.enrollment_voice(lang).spec}, 3 takes per command enrolled; "
          f"tested on {len(enroll_items['clean'][1])} other takes per condition --")
    print(f"{'path':44s} " + " ".join(f"{c:>8s}" for c in ES.CONDITIONS)
          + f" {'all':>7s} {'wrong+extra':>11s} {'p95 ms':>7s}")
    results["enrolled"] = {}
    etab = defaultdict(dict)
    ewrong = Counter()
    elat = defaultdict(list)
    for cond, (pcm, said) in enroll_items.items():
        outs = run_all(f"{lang}-enrolltest-{cond}", pcm, True)
        for p, dets in outs.items():
            s = score(dets, said)
            etab[p][cond] = len(s.hits) / max(1, sum(1 for x in said if x.command))
            ewrong[p] += len(s.wrong) + len(s.false)
            elat[p] += s.latencies
    for p in etab:
        allr = np.mean(list(etab[p].values()))
        print(f"{p:44s} " + " ".join(f"{etab[p][c]:8.3f}" for c in ES.CONDITIONS)
              + f" {allr:7.3f} {ewrong[p]:11d} {pct(elat[p], 95):7.0f}")
        results["enrolled"][p] = {**{c: round(etab[p][c], 4) for c in ES.CONDITIONS}, "all": round(float(allr), 4),
                                  "wrong_or_extra": ewrong[p], "latency_p95_ms": round(pct(elat[p], 95))}
    print(f"\nevaluation took {time.time() - t0:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str))
    return 0


def negatives(lang: str):
    """The negative parts, cached one file per part."""
    folder = ES.ROOT / ES.VERSION
    folder.mkdir(parents=True, exist_ok=True)
    index = folder / f"{lang}-neg-index.json"
    if index.exists():
        names = json.loads(index.read_text())
        out = []
        for n in names:
            pcm, said = ES.cached(_neg_key(lang, n), lambda: (_ for _ in ()).throw(RuntimeError("missing")))
            out.append((n, pcm, said))
        return out
    parts = ES.negative_audio(lang)
    out = []
    for n, audio, said in parts:
        pcm, said = ES.cached(_neg_key(lang, n), lambda a=audio, s=said: (a, s))
        out.append((n, pcm, said))
    index.write_text(json.dumps([n for n, _, _ in parts]))
    return out


def _neg_key(lang, n):
    return f"{lang}-neg-" + "".join(ch if ch.isalnum() else "_" for ch in n)[:40]


def held_out_text(lang: str) -> str:
    from assistant.ears.train.voices import EN_EVAL_VARIANTS, EN_RESERVED, KO_EVAL_VARIANTS
    if lang == "en":
        return (f"{' and '.join(EN_RESERVED)}, each with variants "
                f"{', '.join(v or '(none)' for v in EN_EVAL_VARIANTS)} at assorted speeds and pitches")
    return f"ko with variants {', '.join(KO_EVAL_VARIANTS)} (not used in training), assorted speeds and pitches"


if __name__ == "__main__":
    sys.exit(main())

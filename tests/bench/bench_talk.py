"""How much of a session is the coach talking: prints figures, passes or fails nothing.

Runs `matcoach simulate --json --out-wav` (real speech, so every cue's start and end are the real
timings) and measures the share of session time with speech: over the whole session, and after
the first working set. Also checks, from the same run, that every rep's count is heard (said, and
not cut short) and that the descent is counted on every attempt.

    .venv/bin/python tests/bench/bench_talk.py                     # this tree: default and quick, every talk
    .venv/bin/python tests/bench/bench_talk.py --tree /work/main   # another checkout (the "before")
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile

HERE = Path(__file__).resolve().parents[2]


def simulate(tree: Path, home: Path, wav: Path, *args: str) -> list[dict]:
    env = dict(os.environ, MATCOACH_HOME=str(home), PYTHONDONTWRITEBYTECODE="1")  # leave other trees untouched
    run = subprocess.run([sys.executable, "-m", "assistant", "simulate", "--json", "--out-wav", str(wav), *args],
                         cwd=tree, env=env, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in run.stdout.splitlines()]


def speech_share(cues: list[dict], start: float, end: float) -> float:
    """The share of [start, end] during which at least one cue is sounding."""
    spans = sorted((max(c["t"], start), min(c["end"], end)) for c in cues if c["end"] > start and c["t"] < end)
    covered, reach = 0.0, start
    for a, b in spans:
        a = max(a, reach)
        if b > a:
            covered += b - a
            reach = b
    return covered / (end - start)


def audible_share(wav: Path, start: float, end: float) -> float:
    """The same share measured on the audio itself: 20 ms frames whose peak is above -40 dBFS."""
    audio, rate = soundfile.read(wav, dtype="float32")
    frame = rate // 50
    a, b = int(start * rate) // frame, int(end * rate) // frame
    frames = audio[: len(audio) // frame * frame].reshape(-1, frame)
    loud = np.abs(frames).max(axis=1) > 10 ** (-40 / 20)
    return float(loud[a:b].mean())


def measure(tree: Path, label: str, *args: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home, wav = Path(tmp) / "home", Path(tmp) / "session.wav"
        events = simulate(tree, home, wav, *args)
        cues = [e for e in events if e["event"] == "cue"]
        end = max([events[-1]["t"]] + [c["end"] for c in cues])  # the session lasts until the coach falls silent
        first_set = next((e["t"] for e in events if e["event"] == "set_done"), 0.0)
        # the first moment of exercise: the first cat-cow counted, or the first set starting (its tone, or
        # its first brace where there is no tone)
        first_word = next((c["t"] for c in cues if c["cue"] in ("guide-count", "tone", "brace")), end)
        before = [c for c in cues if c["t"] < first_word]
        counted = [e for e in events if e["event"] == "rep_counted" and e["set"] > 0]
        count_cues = [c for c in cues if c["cue"] == "rep-counted"]
        heard = sum(1 for r in counted if any(c["params"]["n"] == r["perfect"] and c["t"] >= r["t"]
                                              and c["end"] > c["t"] for c in count_cues))
        attempts = len([e for e in events if e["event"] in ("rep_counted", "rep_failed")])
        lowers = len([c for c in cues if c["cue"].split("/")[0] == "lower"])
        print(f"{label:<34} {end:6.0f} s   speech {100 * speech_share(cues, 0, end):4.1f} % of the session, "
              f"{100 * speech_share(cues, first_set, end):4.1f} % after set 1 "
              f"(audio: {100 * audible_share(wav, first_set, end):4.1f} %)   "
              f"before the first exercise word: {sum(c['end'] - c['t'] for c in before):4.1f} s   "
              f"rep counts heard {heard}/{len(counted)}, descents counted {lowers}/{attempts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=HERE, help="the checkout to measure (default: this one)")
    parser.add_argument("--talk", nargs="*", default=["full", "normal", "brief"],
                        help="talk settings to measure (none: the tree has no --talk option)")
    args = parser.parse_args()
    for routine in ("leg-lift", "quick"):
        if not args.talk:
            measure(args.tree, f"{routine}", "--routine", routine)
        for talk in args.talk:
            measure(args.tree, f"{routine}, talk {talk}", "--routine", routine, "--talk", talk)


if __name__ == "__main__":
    main()

"""Coach voice figures: cue onset error in a rendered session, start-up to the first cue, cache size.

    .venv/bin/python tests/bench/bench_voice.py

Prints figures; passes or fails nothing.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.audio_checks import onsets

RUNS = 5


def simulate(home: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, MATCOACH_HOME=str(home))
    return subprocess.Popen([sys.executable, "-m", "assistant", "simulate", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def onset_errors(rate: int, backtrack: bool = True) -> tuple[list[float], int, float]:
    with tempfile.TemporaryDirectory() as home:
        wav = Path(home) / "session.wav"
        proc = simulate(Path(home), "--json", "--out-wav", str(wav), "--sample-rate", str(rate),
                        "--say", "150:arched", "200:arched", "330:pause", "345:resume")
        out, _ = proc.communicate()
        cues = [e for e in map(json.loads, out.splitlines()) if e["event"] == "cue"]
        samples, r = soundfile.read(wav, dtype="float32")
        heard = np.array(onsets(samples, r, backtrack=backtrack))
        errors = [float(np.min(np.abs(heard - c["t"]))) for c in cues]
        return errors, len(cues), len(samples) / r


def first_cue_latency(home: Path, rate: int) -> float:
    start = time.perf_counter()
    proc = simulate(home, "--json", "--out-wav", str(home / "s.wav"), "--sample-rate", str(rate),
                    "--speed", "100000")
    proc.stdout.readline()
    took = time.perf_counter() - start
    proc.kill()
    proc.wait()
    return took


def main() -> None:
    for rate, backtrack in ((22050, True), (48000, True), (48000, False)):
        errors, count, seconds = onset_errors(rate, backtrack)
        ms = sorted(e * 1000 for e in errors)
        how = "with onset backtracking" if backtrack else "plain -40 dBFS threshold crossing"
        print(f"onset error, default session at {rate} Hz, {how} ({count} cues, {seconds:.0f} s of audio, "
              f"two arches and a pause): max {ms[-1]:.2f} ms, p95 {ms[int(0.95 * (len(ms) - 1))]:.2f} ms, "
              f"median {statistics.median(ms):.2f} ms")
    rate = 48000
    cold = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as home:
            cold.append(first_cue_latency(Path(home), rate))
    with tempfile.TemporaryDirectory() as home:
        first_cue_latency(Path(home), rate)
        warm = [first_cue_latency(Path(home), rate) for _ in range(RUNS)]
        cache = Path(home) / "cache" / "cues"
        files = list(cache.rglob("*.flac"))
        size = sum(f.stat().st_size for f in files)
    print(f"start-up to first cue (process start to the first cue ready, default routine, {rate} Hz), "
          f"median of {RUNS}: cold cache {statistics.median(cold):.2f} s, warm cache {statistics.median(warm):.2f} s")
    print(f"cache for the default pack and routine at {rate} Hz: {len(files)} clips, {size / 1e6:.1f} MB "
          f"(16-bit FLAC)")


if __name__ == "__main__":
    main()

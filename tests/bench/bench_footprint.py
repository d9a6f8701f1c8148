"""Footprint on one core, per engine (PocketSphinx English; the shipped command model alone; the fused
pipeline, command model + PocketSphinx; Vosk with the Korean model standing in for a small Vosk model;
the command model + Vosk), the budget of a Raspberry Pi: recognition real-time factor and peak RSS,
idle `matcoach serve` CPU, and a live session's CPU. Prints figures; asserts nothing.

    python tests/bench/bench_footprint.py [--idle-s 60] [--core 0] [--engines auto:en,vosk:ko]

Each measurement runs in its own process, pinned with taskset to one core.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.pulse import PulseServer

ENGINES = (("pocketsphinx", "en"), ("embedding", "en"), ("auto", "en"), ("vosk", "ko"), ("auto", "ko"))

RECOGNITION = r"""
import json, sys, time
sys.path.insert(0, {root!r})
import soundfile
from assistant.data import catalog
from assistant.ears.recognizer import blocks, hear
from assistant.ears.engines import open_ears
audio, rate = soundfile.read({wav!r}, dtype="float32")
ears, _ = open_ears(catalog.load_grammar({language!r}), engine={engine!r})
t = time.process_time()
found = list(hear(ears, blocks(audio)))
cpu = time.process_time() - t
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec
status = open("/proc/self/status").read().splitlines()
peak_kb = int(next(line.split()[1] for line in status if line.startswith("VmHWM")))
print(json.dumps(dict(rtf=cpu / (len(audio) / rate), audio_s=len(audio) / rate, commands=len(found),
                      peak_mb=peak_kb / 1024)))
"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0


def peak_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024


def talk_and_commands(language: str, path: Path) -> None:
    """A minute of talk and commands in a fan's noise, written to ``path``."""
    import soundfile

    from tests.speechdata import KOREAN_TALK, RATE, SMALL_TALK, say, scene

    voice = "en-us" if language == "en" else "ko"
    talk = SMALL_TALK if language == "en" else KOREAN_TALK
    words = (["pause", "resume", "arched", "done", "stop"] if language == "en"
             else ["잠깐", "계속해", "허리", "완료", "정지"])
    texts = [t for pair in zip(talk, words) for t in pair] * 2
    audio, _ = scene([say(t, voice, 160) for t in texts], texts, background="pink", snr_db=20)
    soundfile.write(path, audio, RATE)


def recognition(core: int, work: Path) -> None:
    root = str(Path(__file__).resolve().parents[2])
    for engine, language in ENGINES:
        wav = work / f"{language}.wav"
        talk_and_commands(language, wav)
        code = RECOGNITION.format(root=root, engine=engine, language=language, wav=str(wav))
        out = subprocess.run(["taskset", "-c", str(core), sys.executable, "-c", code], capture_output=True,
                             text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"recognition, {engine} ({language}), one core: real-time factor {r['rtf']:.3f} over "
              f"{r['audio_s']:.0f} s of talk and commands, peak RSS {r['peak_mb']:.0f} MB "
              f"(the whole process: Python, numpy, the model)")


def idle_serve(pulse: PulseServer, core: int, idle_s: float, work: Path) -> None:
    for engine, language in ENGINES:
        env = dict(pulse.env, MATCOACH_HOME=str(work / f"home-{engine}"))
        serve = subprocess.Popen(["taskset", "-c", str(core), sys.executable, "-m", "assistant", "serve",
                                  "--engine", engine, "--language", language, "--voice", language],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        try:
            while "waiting; say" not in (line := serve.stderr.readline()):
                if not line:
                    raise RuntimeError(f"serve did not start ({engine})")
            time.sleep(3)  # the microphone open and settled
            cpu0, t0 = cpu_seconds(serve.pid), time.monotonic()
            time.sleep(idle_s)
            cpu1, t1 = cpu_seconds(serve.pid), time.monotonic()
            print(f"idle serve, {engine} ({language}): {100 * (cpu1 - cpu0) / (t1 - t0):.2f} % of one core over "
                  f"{t1 - t0:.0f} s of a quiet room; peak RSS {peak_mb(serve.pid):.0f} MB")
        finally:
            serve.terminate()
            serve.wait(timeout=30)


def live_session(pulse: PulseServer, core: int, work: Path) -> None:
    for engine, language in ENGINES:
        env = dict(pulse.env, MATCOACH_HOME=str(work / f"live-{engine}"))
        start = time.monotonic()
        session = subprocess.Popen(["taskset", "-c", str(core), sys.executable, "-m", "assistant", "start",
                                    "--engine", engine, "--language", language, "--voice", language, "--routine",
                                    "quick", "--sets", "1", "--reps", "4", "--json"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        cpu0 = None
        while (line := session.stdout.readline()):
            if cpu0 is None and '"event": "cue"' in line:  # start-up over: the session is running
                cpu0, t0 = cpu_seconds(session.pid), time.monotonic()
            if '"event": "summary"' in line:
                cpu1, t1, peak = cpu_seconds(session.pid), time.monotonic(), peak_mb(session.pid)
        session.wait(timeout=60)
        if cpu0 is None:
            print(f"live session, {engine}: did not run ({session.stderr.read()[-300:]})")
            continue
        print(f"live session, {engine} ({language}): {100 * (cpu1 - cpu0) / (t1 - t0):.1f} % of one core while it runs "
              f"({t1 - t0:.0f} s, start-up of {t0 - start:.1f} s excluded), peak RSS {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle-s", type=float, default=60.0)
    parser.add_argument("--core", type=int, default=0)
    parser.add_argument("--only", choices=("recognition", "idle", "live"))
    parser.add_argument("--engines", help="ENGINE:LANGUAGE,... (default: all of them)")
    args = parser.parse_args()
    if args.engines:
        global ENGINES
        ENGINES = tuple(tuple(pair.split(":")) for pair in args.engines.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "recognition"):
            recognition(args.core, Path(tmp))
        if args.only == "recognition":
            return
        pulse = PulseServer(Path(tmp) / "pulse").start()
        try:
            if args.only in (None, "idle"):
                idle_serve(pulse, args.core, args.idle_s, Path(tmp))
            if args.only in (None, "live"):
                live_session(pulse, args.core, Path(tmp))
        finally:
            pulse.stop()


if __name__ == "__main__":
    main()

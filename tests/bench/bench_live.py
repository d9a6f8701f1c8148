"""Live-session benchmark on a private PulseAudio server, the coach's voice looped back into the
virtual microphone at room level (the echo). Prints figures; asserts nothing.

- self-triggering: commands fired while nobody speaks, per engine (Vosk Korean, PocketSphinx English);
- barge-in recall: "허리" (arched) spoken over the countdown of each rep, recognized or not;
- command-to-reaction latency: from the end of the spoken "잠깐" (pause), said while the coach is
  silent, to the start of the coach's answer, both found in a recording of the room (the
  microphone's monitor, where the person's voice and the looped-back coach mix);
- CPU (percent of one core) and peak RSS of each live session.

    python tests/bench/bench_live.py [--quiet-sets 3] [--barge-reps 20] [--pauses 10]
"""

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.live_harness import LiveSession, NotSeen, cue
from tests.pulse import PulseServer, Room
from tests.speechdata import RATE

TICK = 1 / 100  # the room recording's loudness resolution: 10 ms


class Usage(threading.Thread):
    """CPU time and peak RSS of a process, read from /proc until it ends."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.cpu_s, self.peak_kb, self.started = pid, 0.0, 0, time.monotonic()
        self.wall_s = 0.0
        self.start()

    def run(self) -> None:
        ticks = 100.0
        while True:
            try:
                fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
                self.cpu_s = (int(fields[11]) + int(fields[12])) / ticks
                status = Path(f"/proc/{self.pid}/status").read_text()
                self.peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
                self.wall_s = time.monotonic() - self.started
            except (OSError, StopIteration, IndexError):
                return
            time.sleep(0.5)

    def __str__(self) -> str:
        return (f"CPU {100 * self.cpu_s / max(self.wall_s, 1e-9):.1f} % of one core over {self.wall_s:.0f} s "
                f"(start-up included), peak RSS {self.peak_kb / 1024:.0f} MB")


def speech_minutes(events: list[dict]) -> float:
    return sum((e["end"] or e["t"]) - e["t"] for e in events if e["event"] == "cue") / 60


def quiet(pulse: PulseServer, work: Path, language: str, sets: int) -> None:
    live = LiveSession(pulse, work / f"quiet-{language}", "--routine", "quick", "--sets", str(sets),
                       "--reps", "10", "--rest", "20", language=language)
    usage = Usage(live.process.pid)
    events, err = live.finish(timeout=3600)
    heard = [e for e in events if e["event"] == "heard"]
    summary = next(e for e in events if e["event"] == "summary")
    echoes = [line for line in err.splitlines() if "the coach's own words" in line or "ignored" in line]
    print(f"self-triggering, {language}: {len(heard)} commands fired in {summary['duration_s'] / 60:.1f} min "
          f"of session ({speech_minutes(events):.1f} min of the coach speaking), nobody speaking "
          f"{[e['command'] for e in heard]}; echo gate caught {len(echoes)}")
    print(f"  {usage}")


def barge_in(pulse: PulseServer, work: Path, reps: int) -> None:
    rng = random.Random(5)
    live = LiveSession(pulse, work / "barge", "--routine", "quick", "--sets", "1", "--reps", str(reps + 1))
    usage = Usage(live.process.pid)
    spoken = 0
    for rep in range(2, reps + 2):
        live.wait_for(lambda e, rep=rep: e["event"] in ("rep_counted", "rep_failed") and e["rep"] == rep - 1,
                      timeout=120)
        live.wait_for(cue("lower"), timeout=60)
        time.sleep(0.2 + rng.random() * 1.0)  # somewhere in "three, two"
        live.say("허리", work)
        spoken += 1
    events, err = live.finish(timeout=600)
    failed = [e for e in events if e["event"] == "rep_failed"]
    over_countdown = [e for e in failed if e["phase"] == "lower"]
    heard = [e["command"] for e in events if e["event"] == "heard"]
    print(f"barge-in: {len(over_countdown)} of {spoken} \"허리\" said over the countdown ended the rep "
          f"({100 * len(over_countdown) / spoken:.0f} %); heard {heard.count('arched')} arched, "
          f"other commands {[c for c in heard if c != 'arched']}")
    print(f"  {usage}")


def reaction_latency(pulse: PulseServer, work: Path, pauses: int) -> None:
    raw = work / "room.raw"
    recorder = pulse.record("mic.monitor", raw, rate=RATE)
    started = time.monotonic()
    live = LiveSession(pulse, work / "latency", "--routine", "quick", "--sets", str(pauses + 1), "--reps", "1",
                       "--rest", "12")
    usage = Usage(live.process.pid)
    said_at, missed = [], 0
    for _ in range(pauses):
        live.after(live.wait_for(cue("rest"), timeout=120), extra=1.0)
        word_started = time.monotonic() - started
        audio = live.say("잠깐", work)
        try:
            paused = live.wait_for(cue("paused"), timeout=5)
            said_at.append((word_started, audio))
        except NotSeen:  # not understood: no latency to measure; say it again to go on
            missed += 1
            paused = live.say_until("잠깐", work, cue("paused"))
        live.after(paused, extra=0.8)
        live.say_until("계속해", work, lambda e: e["event"] == "resumed")
    events, err = live.finish(timeout=600)
    recorder.terminate()
    recorder.wait()
    room = np.frombuffer(raw.read_bytes(), dtype="<i2").astype(np.float32) / 32768
    hop = int(RATE * TICK)
    # above the person's recording's own floor (-60 dBFS), below the coach's voice in the room (about -40)
    loud = np.sqrt(np.convolve(room ** 2, np.ones(hop) / hop, mode="same")) > 10 ** (-50 / 20)
    latencies = []
    if said_at:
        # the person's words are exact copies of one file: find them by cross-correlating the whole
        # recording with it (no clock to align), strongest peaks first, half a second apart at least
        audio = said_at[0][1]
        size = 1 << (len(room) + len(audio)).bit_length()
        corr = np.fft.irfft(np.fft.rfft(room, size) * np.conj(np.fft.rfft(audio, size)), size)[:len(room)]
        starts: list[int] = []
        for peak in np.argsort(corr)[::-1]:
            if all(abs(int(peak) - s) > RATE // 2 for s in starts):
                starts.append(int(peak))
            if len(starts) == len(said_at):
                break
        voiced = np.nonzero(np.abs(audio) > 0.02)[0]
        for start in sorted(starts):
            word_end = start + int(voiced[-1])
            # the coach's answer: the first sound after the word, the room being silent in between
            after_word = np.nonzero(loud[word_end + hop * 3:word_end + 3 * RATE])[0]
            if len(after_word):
                latencies.append((after_word[0] + hop * 3) / RATE * 1000)
    heard = [e["command"] for e in events if e["event"] == "heard"]
    if latencies:
        latencies.sort()
        p95 = latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))]
        print(f"reaction latency (end of \"잠깐\" to the coach's answer in the room, {len(latencies)} of "
              f"{pauses}, {missed} not understood): p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, "
              f"max {latencies[-1]:.0f} ms; "
              f"includes the room loopback's ~20 ms")
    print(f"  heard {heard}")
    detection = sorted(float(line.split(" ms after")[0].rsplit(" ", 1)[1]) for line in err.splitlines()
                       if "ms after the words ended" in line)
    if detection:
        print(f"  of which recognition (end of the words to the command): p50 {statistics.median(detection):.0f} ms, "
              f"max {detection[-1]:.0f} ms")
    cue_after_heard = [next(c["t"] for c in events[i:] if c["event"] == "cue") - e["t"]
                       for i, e in enumerate(events) if e["event"] == "heard" and e["command"] == "pause"]
    if cue_after_heard:
        print(f"  and the answer placed {1000 * statistics.median(cue_after_heard):.0f} ms (p50) after the command "
              f"reached the coach")
    print(f"  {usage}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quiet-sets", type=int, default=2)
    parser.add_argument("--barge-reps", type=int, default=20)
    parser.add_argument("--pauses", type=int, default=10)
    parser.add_argument("--only", choices=("quiet", "barge", "latency"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pulse = PulseServer(work / "pulse").start()
        try:
            with Room(pulse):
                if args.only in (None, "quiet"):
                    quiet(pulse, work, "ko", args.quiet_sets)
                    quiet(pulse, work, "en", args.quiet_sets)
                if args.only in (None, "barge"):
                    barge_in(pulse, work, args.barge_reps)
                if args.only in (None, "latency"):
                    reaction_latency(pulse, work, args.pauses)
        finally:
            pulse.stop()


if __name__ == "__main__":
    main()

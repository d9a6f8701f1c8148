"""History figures: time to record one rep, database size and `matcoach history` time over 1,000 sessions.

    .venv/bin/python tests/bench/bench_history.py [--sessions 1000]

Sessions are the full default routine (3 x 10), simulated in virtual time with a few arches,
two to three days apart, recorded through the same SessionRecord the CLI uses.
Prints figures; passes or fails nothing.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from assistant.core.clock import VirtualClock
from assistant.core.commands import Command
from assistant.core.events import Event, RepCounted, RepFailed
from assistant.core.planner import Planner
from assistant.core.runner import Scripted, ScriptedCommands, run
from assistant.core.session import Session
from assistant.data import catalog
from assistant.history.record import SessionRecord


def record_sessions(path: Path, count: int) -> list[float]:
    variations = catalog.load_variations()
    routine = catalog.find_routine("leg-lift", variations)
    rng = random.Random(7)
    rep_times: list[float] = []
    when = datetime(2024, 1, 1, 18, 0).astimezone()
    for _ in range(count):
        when += timedelta(days=rng.choice((2, 3)))
        record = SessionRecord(routine, simulated=True, path=path, now=lambda w=when: w)

        def emit(event: Event, record: SessionRecord = record) -> None:
            if isinstance(event, (RepCounted, RepFailed)):
                start = time.perf_counter()
                record(event)
                rep_times.append(time.perf_counter() - start)
            else:
                record(event)

        # a few arches in the descents of the working sets (they start after about 70 s)
        script = [Scripted(t=t, command=Command.ARCHED) for t in sorted(rng.sample(range(75, 400), 3))]
        clock = VirtualClock()
        run(Session(routine, variations, clock, Planner(catalog.load_pack()), emit), ScriptedCommands(clock, script))
        record.recorder.history.close()
    return rep_times


def timed(args: list[str], env: dict[str, str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1000)
    count = parser.parse_args().sessions
    with tempfile.TemporaryDirectory() as home:
        path = Path(home) / "history.sqlite"
        start = time.perf_counter()
        rep_times = record_sessions(path, count)
        took = time.perf_counter() - start
        q = statistics.quantiles(rep_times, n=100)
        print(f"{count} sessions recorded in {took:.1f} s ({len(rep_times)} reps, synchronous=FULL, WAL)")
        print(f"  time to record one rep: median {statistics.median(rep_times) * 1000:.2f} ms, "
              f"p95 {q[94] * 1000:.2f} ms, max {max(rep_times) * 1000:.2f} ms")
        size = sum(p.stat().st_size for p in Path(home).glob("history.sqlite*"))
        print(f"  database size: {size / 1e6:.2f} MB (with WAL and shared-memory files)")
        env = dict(os.environ, MATCOACH_HOME=home)
        exe = [sys.executable, "-m", "assistant", "history"]
        print(f"  `matcoach history` over {count} sessions, median of 5: table {timed(exe, env) * 1000:.0f} ms, "
              f"--json {timed(exe + ['--json'], env) * 1000:.0f} ms, --csv {timed(exe + ['--csv'], env) * 1000:.0f} ms")
        startup = timed([sys.executable, "-m", "assistant", "--version"], env)
        print(f"  (process start-up alone, `matcoach --version`: {startup * 1000:.0f} ms)")


if __name__ == "__main__":
    main()

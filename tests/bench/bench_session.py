"""Simulated session speed: prints figures, passes or fails nothing.

    .venv/bin/python tests/bench/bench_session.py
"""

import statistics
import subprocess
import sys
import time

from assistant.core.clock import VirtualClock
from assistant.core.events import Event
from assistant.core.planner import Planner
from assistant.core.runner import ScriptedCommands, run
from assistant.core.session import Session
from assistant.data import catalog

RUNS = 5


def one_session() -> tuple[float, int, float]:
    variations = catalog.load_variations()
    routine = catalog.find_routine("leg-lift", variations)
    events: list[Event] = []
    clock = VirtualClock()
    start = time.perf_counter()
    session = Session(routine, variations, clock, Planner(catalog.load_pack()), events.append)
    run(session, ScriptedCommands(clock, []))
    return time.perf_counter() - start, len(events), clock.now()


def one_process() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant", "simulate", "--json"], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    one_session()  # warm imports and file caches
    sessions = [one_session() for _ in range(RUNS)]
    walls = [s[0] for s in sessions]
    _, events, virtual = sessions[0]
    print(f"full default session (warm-up, 3x10, rests, plank): {virtual:.0f} s of session time, "
          f"{events} events")
    print(f"  in-process wall time, median of {RUNS}: {statistics.median(walls) * 1000:.1f} ms "
          f"(min {min(walls) * 1000:.1f}, max {max(walls) * 1000:.1f})")
    processes = [one_process() for _ in range(RUNS)]
    print(f"  whole process `python -m assistant simulate --json`, median of {RUNS}: "
          f"{statistics.median(processes) * 1000:.0f} ms (min {min(processes) * 1000:.0f}, "
          f"max {max(processes) * 1000:.0f})")


if __name__ == "__main__":
    main()

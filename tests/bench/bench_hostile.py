"""Hostile-input figures: every case of tests/hostile.py run as a real `matcoach` process, each in a fresh
data directory that holds a session on record, and concurrent first runs on fresh data directories.

    .venv/bin/python tests/bench/bench_hostile.py [--only ITEM] [--trials 10] [--jobs 2]

Counts, as issue 15 did: cases tried, tracebacks, hangs (a run still going after 60 s), wrong exit
status, misleading or multi-line messages, data lost (the session on record gone, a damaged file
changed, a file outside deleted) and writes outside the data directory; then, for four
`simulate --record` started at once on a fresh data directory, how many sessions ended up outside
the history file and how many runs warned. Prints figures; passes or fails nothing.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.hostile import CASES, Case  # noqa: E402
from tests.hostile_run import KINDS, fill, prepare, verdict  # noqa: E402

TIMEOUT_S = 60
# A run that grows without end is stopped here, not when the shared machine runs out of memory.
MEMORY_LIMIT = 3 << 30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_case(c: Case) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="matcoach-hostile-") as folder:
        home, scratch, env, before = prepare(Path(folder), c)
        args = [fill(a, home, scratch) for a in c.args]
        try:
            done = subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                                  env=dict(os.environ, **env), cwd=scratch, timeout=TIMEOUT_S,
                                  preexec_fn=_limit_memory)
            code, out, err = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as e:
            code, out, err = None, "", (e.stderr or b"").decode(errors="replace") if isinstance(e.stderr, bytes) \
                else (e.stderr or "")
        if code is not None and code < 0:
            return [f"traceback: killed by signal {-code} (a crash)"]
        problems = verdict(c, home, scratch, before, code, out, err)
        if "MemoryError" in err:
            problems.append(f"hang: grew past {MEMORY_LIMIT >> 30} GB and was stopped")
        return problems


def concurrent_first_runs(trials: int, runs: int = 4) -> tuple[int, int, int]:
    """(sessions recorded, sessions outside history.sqlite, runs that warned) over ``trials`` trials."""
    recorded = outside = warned = 0
    for _ in range(trials):
        with tempfile.TemporaryDirectory(prefix="matcoach-first-") as folder:
            env = dict(os.environ, MATCOACH_HOME=folder)
            procs = [subprocess.Popen([sys.executable, "-m", "assistant", "simulate", "--routine", "quick",
                                       "--record"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                      env=env) for _ in range(runs)]
            warned += sum(1 for p in procs if p.communicate(timeout=120)[1].strip())
            out = subprocess.run([sys.executable, "-m", "assistant", "history", "--json"], capture_output=True,
                                 text=True, env=env).stdout
            in_history = out.count('"started_at"')
            recorded += runs
            outside += runs - in_history
    return recorded, outside, warned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", type=int, help="only the cases of this issue-15 finding")
    parser.add_argument("--trials", type=int, default=10, help="trials of concurrent first runs (default 10)")
    parser.add_argument("--jobs", type=int, default=2, help="cases run at once (default 2)")
    args = parser.parse_args()
    cases = [c for c in CASES if args.only is None or c.item == args.only]
    started = time.monotonic()
    kinds: Counter[str] = Counter()
    failed = 0
    with ThreadPoolExecutor(args.jobs) as pool:
        for c, problems in zip(cases, pool.map(run_case, cases)):
            if problems:
                failed += 1
                print(f"FAIL {c.id}", flush=True)
                for problem in problems:
                    print(f"     {problem}", flush=True)
            kinds.update({p.split(":", 1)[0] for p in problems})
    print(f"\n{len(cases)} cases tried as processes in {time.monotonic() - started:.0f} s "
          f"({len({c.item for c in cases} - {0})} findings of issue 15, and cases found since)")
    print(f"  as expected: {len(cases) - failed}")
    for kind in KINDS:
        print(f"  {kind:<10} {kinds[kind]}")
    if args.only is None and args.trials:
        recorded, outside, warned = concurrent_first_runs(args.trials)
        print(f"\nconcurrent first runs: {args.trials} trials of 4 `simulate --record` on a fresh data directory: "
              f"{recorded} sessions, {outside} outside history.sqlite, {warned} runs warned")


if __name__ == "__main__":
    main()

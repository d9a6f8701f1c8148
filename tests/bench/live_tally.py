"""The live end-to-end tests run again and again: how many runs in a row pass, per test (issue 12's tally).

Each run is a separate `pytest tests/test_live.py` (its own private PulseAudio server, its own
sessions), so runs do not share state. A failed run keeps the coach's log and both audio tracks
(microphone and reference) of every live session in ``--logs`` (see tests/live_harness.py), so a
chance failure can be read and replayed (``matcoach listen --file mic.wav --reference ref.wav``),
not just counted.

    python tests/bench/live_tally.py --runs 20
    python tests/bench/live_tally.py --minutes 90     # as many runs as fit
    python tests/bench/live_tally.py --keep-logs      # passing runs keep their logs too
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def one_run(logs: Path, select: str) -> dict[str, str]:
    """One pytest run of the live tests: {test id: "passed" | "failed" | "skipped"}."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        env = dict(os.environ, MATCOACH_LIVE_LOGS=str(logs))
        subprocess.run([sys.executable, "-m", "pytest", "tests/test_live.py", "-m", "live", "-k", select,
                        "-p", "no:cacheprovider", "-q", f"--junitxml={report}"],
                       cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if not report.exists():
            return {"(the run itself)": "failed"}
        out = {}
        for case in ET.parse(report).iter("testcase"):
            name = case.get("name")
            if case.find("failure") is not None or case.find("error") is not None:
                out[name] = "failed"
            elif case.find("skipped") is not None:
                out[name] = "skipped"
            else:
                out[name] = "passed"
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="at most this many runs (default 20)")
    parser.add_argument("--minutes", type=float, default=None, help="start no new run after this long")
    parser.add_argument("--logs", type=Path, default=Path(tempfile.gettempdir()) / "matcoach-live-tally",
                        help="where failed runs keep the coach's logs")
    parser.add_argument("--keep-logs", action="store_true",
                        help="keep the coach's logs of passing runs too (their audio tracks are dropped)")
    parser.add_argument("-k", dest="select", default="", help="pytest -k expression (default: every live test)")
    args = parser.parse_args()
    begun = time.monotonic()
    passed, failed, streak = Counter(), Counter(), Counter()
    tests: list[str] = []
    done = clean = clean_streak = 0
    for run in range(1, args.runs + 1):
        if args.minutes is not None and time.monotonic() - begun > args.minutes * 60:
            break
        logs = args.logs / f"run-{run:02d}"
        t0 = time.monotonic()
        outcome = one_run(logs, args.select)
        for name, result in outcome.items():
            if name not in tests:
                tests.append(name)
            if result == "passed":
                passed[name] += 1
                streak[name] += 1
            elif result == "failed":
                failed[name] += 1
                streak[name] = 0
        bad = [n for n, r in outcome.items() if r == "failed"]
        done += 1
        if not bad:
            if args.keep_logs:
                for tracks in logs.glob("*/"):
                    shutil.rmtree(tracks, ignore_errors=True)
            else:
                shutil.rmtree(logs, ignore_errors=True)
            clean, clean_streak = clean + 1, clean_streak + 1
        else:
            clean_streak = 0
        print(f"run {run}: {sum(r == 'passed' for r in outcome.values())} passed, {len(bad)} failed "
              f"in {time.monotonic() - t0:.0f} s" + (f": {', '.join(bad)} (logs in {logs})" if bad else ""),
              flush=True)
    print(f"\n{'test':<72} {'passed':>6} {'failed':>6} {'in a row (last)':>16}")
    for name in tests:
        print(f"{name:<72} {passed[name]:>6} {failed[name]:>6} {streak[name]:>16}")
    print(f"{done} runs in {(time.monotonic() - begun) / 60:.0f} min: {clean} with every test passing, "
          f"the last {clean_streak} in a row")


if __name__ == "__main__":
    main()

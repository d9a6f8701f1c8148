"""The progression ladder's trajectory over simulated sessions: prints figures, passes or fails nothing.

Ten sessions three days apart, each run with `matcoach simulate --record --date DAY` into a fresh
MATCOACH_HOME, and `matcoach plan --json` read before each one:

- a perfect person: every attempt perfect; when the ladder offers its next step, they say "harder"
  a second into the session;
- a struggling person: the back arches two seconds into the descent on the last four attempts of
  every set (ten attempts, six perfect reps: the domain brief's example);
- a person whose back comes up early on every attempt (in the lift).

    .venv/bin/python tests/bench/bench_ladder.py
"""

import json
import os
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

SESSIONS = 10
FIRST_DAY = date(2026, 1, 5)


def matcoach(home: Path, *args: str) -> str:
    env = dict(os.environ, MATCOACH_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "assistant", *args], env=env, capture_output=True, text=True,
                          check=True).stdout


def attempts(events: list[dict]) -> list[tuple[int, int, float, float | None]]:
    """(set, attempt, when its lift began, when its descent began) for every attempt of the working sets
    (an attempt that arched before the descent has none)."""
    out: list[list] = []
    current, attempt = 0, 0
    for e in events:
        if e["event"] == "set_started":
            current, attempt = e["set"], 0
        elif e["event"] == "cue" and current and e["cue"].split("/")[0] in ("lift", "lift-short"):
            attempt += 1
            out.append([current, attempt, e["t"], None])
        elif e["event"] == "cue" and current and e["cue"].split("/")[0] == "lower":
            out[-1][3] = e["t"]
        elif e["event"] == "set_done":
            current = 0
    return [tuple(a) for a in out]  # type: ignore[misc]


def scripted(home: Path, day: str, arches, early: bool, extra: list[str]) -> list[str]:
    """The --say list that makes the chosen attempts arch, found one arch at a time (each one changes
    the timeline after it)."""
    says: list[str] = list(extra)
    done: set[tuple[int, int]] = set()
    while True:
        out = matcoach(home, "simulate", "--json", "--date", day, "--say", *says) if says else \
            matcoach(home, "simulate", "--json", "--date", day)
        events = [json.loads(line) for line in out.splitlines()]
        reps = {e["set"]: e["target"] for e in events if e["event"] == "set_started"}
        todo = [(s, a, lift, lower) for s, a, lift, lower in attempts(events)
                if arches(a, reps[s]) and (s, a) not in done]
        if not todo:
            return says
        s, a, lift, lower = todo[0]
        done.add((s, a))
        says.append(f"{(lift + 1.0 if early else lower + 2.0):.3f}:arched")


def trajectory(label: str, arches=lambda attempt, reps: False, *, early: bool = False,
               take_offers: bool = False) -> None:
    print(f"\n{label}")
    print(f"{'day':>4}  {'plan':<34} {'offered':<22} {'said':<8} result")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        for i in range(SESSIONS):
            day = (FIRST_DAY + timedelta(days=3 * i)).isoformat()
            plan = json.loads(matcoach(home, "plan", "--json", "--date", day))
            offered = plan["proposal"]
            extra = ["1:harder"] if take_offers and offered else []
            says = scripted(home, day, arches, early, extra)
            out = matcoach(home, "simulate", "--json", "--record", "--date", day, *(["--say", *says] if says else []))
            summary = json.loads(out.splitlines()[-1])
            weight = " + weight" if plan["weight"] else ""
            what = f"{plan['sets']} x {plan['reps']} {plan['variation']}{weight}"
            offer = "-" if not offered else (f"{offered['variation']}" + (" + weight" if offered["weight"] else ""))
            sets = " ".join(f"{s['perfect']}/{s['target']}" for s in summary["sets"])
            print(f"{3 * i:>4}  {what:<34} {offer:<22} {'harder' if extra else '-':<8} {sets} ({summary['variation']})")


def main() -> None:
    trajectory("Ten perfect sessions (the offered step taken by saying \"harder\")", take_offers=True)
    trajectory("Ten struggling sessions (the last four attempts of every set arch, late in the descent)",
               lambda attempt, reps: attempt > reps - 4)
    trajectory("Ten sessions where the back comes up early on every attempt", lambda attempt, reps: True,
               early=True)


if __name__ == "__main__":
    main()

"""``matcoach history``: the sessions on record as a table, JSON, CSV or a plot."""

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from assistant.cli.options import within
from assistant.cli.terminal import note
from assistant.core.limits import LAST
from assistant.history.store import History, Record, history_file


def add_history_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("history", help="the sessions on record",
                            description="Show the sessions on record: date, variation, perfect/target per set, "
                                        "arched reps. Live sessions are recorded; simulated ones with --record.")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="a JSON list of sessions")
    out.add_argument("--csv", action="store_true", help="CSV, one row per set")
    out.add_argument("--plot", metavar="FILE.png", type=Path,
                     help="plot perfect reps per set over time, per variation (needs matplotlib: the plot extra)")
    p.add_argument("--last", type=within(LAST), metavar="N", help="only the last N sessions")
    p.add_argument("--file", type=Path, metavar="PATH", help="another history file (default: the data directory's)")
    p.set_defaults(run=run_history)


def as_json(record: Record) -> dict[str, Any]:
    past = record.past
    return {"id": record.id, "started_at": past.started.isoformat(), "routine": record.routine,
            "variation": past.variation, "lower_s": past.lower_s,
            "sets": [{"set": s.number, "perfect": s.perfect, "failed": s.failed, "target": s.target}
                     for s in past.sets],
            "perfect_total": past.perfect, "failed_total": past.failed, "floor_s": past.floor_s,
            "duration_s": record.duration_s, "reason": record.reason, "simulated": record.simulated}


def run_history(args: argparse.Namespace) -> int:
    path = args.file or history_file()
    records: list[Record] = []
    if args.file is not None or path.exists() or path.is_symlink():  # a fresh install has no history yet
        history = History.read(path)
        try:
            records = history.sessions(last=args.last)
        finally:
            history.close()
        for skipped in history.skipped:
            note(f"{path}: {skipped}; it is left out")
    if args.file is None:
        _mention_fallbacks(path)
    if args.json:
        json.dump([as_json(r) for r in records], sys.stdout, indent=1)
        print()
    elif args.csv:
        write_csv(records)
    elif args.plot and not records:
        note(f"no sessions on record yet in {path}, so nothing to plot; live sessions are recorded as they "
             f"happen, simulated ones with `matcoach simulate --record`")
    elif args.plot:
        from assistant.history.plot import plot_history

        plot_history(records, args.plot)
        print(f"wrote {args.plot}")
    else:
        print_table(records, path)
    return 0


def _mention_fallbacks(primary: Path) -> None:
    """Sessions recorded beside the history file (it was damaged or locked then) are not in it: say where."""
    if not primary.parent.is_dir():
        return
    others = sorted(primary.parent.glob(f"{primary.stem}-*{primary.suffix}"))
    if others:
        names = ", ".join(p.name for p in others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        note(f"more sessions were recorded beside it when it could not be used: {names}; read them with "
             f"`matcoach history --file {others[0]}`")


def write_csv(records: list[Record]) -> None:
    out = csv.writer(sys.stdout)
    out.writerow(["session", "started_at", "routine", "variation", "set", "perfect", "failed", "target",
                  "lower_s", "floor_s", "reason", "simulated"])
    for r in records:
        for s in r.past.sets:
            out.writerow([r.id, r.past.started.isoformat(), r.routine, r.past.variation, s.number, s.perfect,
                          s.failed, s.target, r.past.lower_s, r.past.floor_s if r.past.floor_s is not None else "",
                          r.reason or "unfinished", int(r.simulated)])


def print_table(records: list[Record], path: Path) -> None:
    from rich.table import Table

    from assistant.cli.terminal import console

    table = Table(title="Sessions on record", caption=str(path))
    for column, justify in (("date", "left"), ("routine", "left"), ("variation", "left"),
                            ("perfect/target per set", "left"), ("arched", "right"), ("floor", "right"),
                            ("time", "right"), ("ended", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for r in records:
        past = r.past
        sets = "  ".join(f"{s.perfect}/{s.target}" for s in past.sets) or "-"
        floor = f"{past.floor_s:.1f} s" if past.floor_s is not None else "-"
        minutes = f"{r.duration_s / 60:.0f} min" if r.duration_s is not None else "-"
        ended = (r.reason or "unfinished") + (" (simulated)" if r.simulated else "")
        table.add_row(past.started.strftime("%Y-%m-%d %H:%M"), r.routine, past.variation, sets,
                      str(past.failed), floor, minutes, ended)
    if not records:
        print(f"No sessions on record yet in {path}. Live sessions (`matcoach start`) are recorded as they "
              f"happen; simulated ones with `matcoach simulate --record`.")
        return
    console().print(table)

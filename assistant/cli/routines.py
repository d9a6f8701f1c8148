"""``matcoach routines``: the routines (shipped and your own) and the variations."""

import argparse
import json
from typing import Any

from assistant.core.errors import MatcoachError
from assistant.data import catalog


def add_routines_parser(commands: argparse._SubParsersAction) -> None:
    routines = commands.add_parser("routines", help="list routines and variations",
                                   description="List the routines (shipped and your own) and the variations.")
    routines.add_argument("--json", action="store_true", help="print JSON instead of tables")
    routines.set_defaults(run=run_routines)


def run_routines(args: argparse.Namespace) -> int:
    from rich.table import Table

    from assistant.cli.terminal import console
    from assistant.core.routine import Count, FirstRep, Hold, RestStep
    from assistant.data import paths

    variations = catalog.load_variations()
    rows: list[dict[str, Any]] = []
    for entry in catalog.routine_files().values():
        try:
            routine = catalog.load_routine_file(entry.path, variations)
        except MatcoachError as e:
            rows.append(dict(name=entry.name, source=entry.source, path=str(entry.path),
                             error=str(e).removeprefix(f"{paths.shown(entry.path)}: ")))
            continue
        warmup = [s.exercise if isinstance(s, (Count, Hold)) else f"rest {s.seconds:g} s"
                  if isinstance(s, RestStep) else "first rep"
                  for s in routine.steps if isinstance(s, (Count, Hold, RestStep, FirstRep))]
        sets = [dict(sets=s.sets, reps=s.reps, rest_s=s.rest_s) for s in routine.working_sets()]
        rows.append(dict(name=routine.name if routine.name == entry.name else entry.name,
                         source=entry.source, path=str(entry.path), description=routine.description,
                         variation=routine.variation, steps=warmup, sets=sets, talk=routine.talk,
                         progress=routine.progress))
    if args.json:
        print(json.dumps(dict(routines=rows, variations=list(variations.ids()),
                              default_variation=variations.default), indent=2))
        return 0
    out = console()
    table = Table(title="Routines", caption=f"your own routines go in {paths.user_routines_dir()}")
    for column in ("name", "source", "working sets", "other steps", "description"):
        table.add_column(column)
    for row in rows:
        if "error" in row:
            table.add_row(row["name"], row["source"], "", "", f"[red]broken: {row['error']}[/red]")
            continue
        working = ", ".join(f"{s['sets']}×{s['reps']} (rest {s['rest_s']:g} s)" for s in row["sets"]) or "none"
        table.add_row(row["name"], row["source"], working, ", ".join(row["steps"]) or "none", row["description"])
    out.print(table)
    order = " → ".join(f"[bold]{v}[/bold]" if v == variations.default else v for v in variations.ids())
    out.print(f"Variations, easiest to hardest (default in bold): {order}")
    return 0

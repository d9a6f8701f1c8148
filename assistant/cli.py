"""The command line: parses arguments, wires the real parts together, maps errors to exit codes."""

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from assistant import __version__, catalog
from assistant.cues_cli import add_cue_parsers
from assistant.errors import MatcoachError
from assistant.history_cli import add_history_parser
from assistant.listen_cli import add_listen_parser
from assistant.models_cli import add_models_parser
from assistant.serve import add_serve_parser
from assistant.service_cli import add_service_parser
from assistant.simulate import add_simulate_parser
from assistant.start_cli import add_start_parser

log = logging.getLogger(__name__)
EXIT_USER_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="matcoach", description="An offline, voice-guided coach for lying leg lifts.")
    parser.add_argument("--version", action="version", version=f"matcoach {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_simulate_parser(commands)
    routines = commands.add_parser("routines", help="list routines and variations",
                                   description="List the routines (shipped and your own) and the variations.")
    routines.add_argument("--json", action="store_true", help="print JSON instead of tables")
    routines.set_defaults(run=run_routines)
    add_history_parser(commands)
    add_cue_parsers(commands)
    add_models_parser(commands)
    add_listen_parser(commands)
    add_start_parser(commands)
    add_serve_parser(commands)
    add_service_parser(commands)
    return parser


def run_routines(args: argparse.Namespace) -> int:
    from rich.table import Table

    from assistant import paths
    from assistant.routine import Count, FirstRep, Hold
    from assistant.terminal import console

    variations = catalog.load_variations()
    rows: list[dict[str, Any]] = []
    for entry in catalog.routine_files().values():
        try:
            routine = catalog.load_routine_file(entry.path, variations)
        except MatcoachError as e:
            rows.append(dict(name=entry.name, source=entry.source, path=str(entry.path),
                             error=str(e).removeprefix(f"{entry.path}: ")))
            continue
        warmup = [s.exercise if isinstance(s, (Count, Hold)) else "first rep"
                  for s in routine.steps if isinstance(s, (Count, Hold, FirstRep))]
        sets = [dict(sets=s.sets, reps=s.reps, rest_s=s.rest_s) for s in routine.working_sets()]
        rows.append(dict(name=routine.name if routine.name == entry.name else entry.name,
                         source=entry.source, path=str(entry.path), description=routine.description,
                         variation=routine.variation, steps=warmup, sets=sets))
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="matcoach: %(levelname)s: %(message)s" if level > logging.DEBUG
                        else "matcoach: %(levelname)s %(name)s: %(message)s")
    logging.getLogger("transitions").setLevel(max(level, logging.WARNING))  # one line per state change
    try:
        return args.run(args)
    except MatcoachError as e:
        print(f"matcoach: error: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("matcoach: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0

"""``matcoach models``: the offline speech recognition models (Vosk) on this machine."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.ears import models


def add_models_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("models", help="speech recognition models: list, download, install, remove",
                            description="Vosk models for offline recognition. Without one, matcoach listens "
                                        "with PocketSphinx's built-in English model.")
    sub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="installed models and the ones matcoach can fetch")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=run_list)
    get = sub.add_parser("download", help="download a pinned model, check it, install it")
    get.add_argument("name", nargs="?", default=models.KNOWN[0].name,
                     help=f"the model (default: {models.KNOWN[0].name})")
    get.add_argument("--from", dest="url", metavar="URL", help="a mirror to fetch the same file from")
    get.set_defaults(run=run_download)
    put = sub.add_parser("install", help="install a model from its .zip or unpacked folder (the offline route)")
    put.add_argument("source", type=Path, metavar="ZIP_OR_DIR")
    put.add_argument("--name", help="the name to install it under (default: the archive's folder name)")
    put.set_defaults(run=run_install)
    rm = sub.add_parser("remove", help="delete an installed model")
    rm.add_argument("name")
    rm.set_defaults(run=run_remove)


def run_list(args: argparse.Namespace) -> int:
    found = models.installed()
    names = {m.name for m in found}
    rows: list[dict[str, Any]] = [{"name": m.name, "language": m.language, "path": str(m.path), "source": m.source,
             "installed": True, "complete": m.complete} for m in found]
    rows += [{"name": k.name, "language": k.language, "path": None, "source": k.url or k.how,
              "installed": False, "complete": False} for k in models.KNOWN if k.name not in names]
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    from rich.table import Table

    from assistant.cli.terminal import console

    table = Table(title="Speech recognition models", caption=f"installed models live in {models.models_dir()}")
    for column in ("name", "language", "status", "where"):
        table.add_column(column)
    for row in rows:
        status = ("installed" if row["complete"] else "incomplete: remove it") if row["installed"] \
            else "not installed"
        table.add_row(row["name"], row["language"] or "?", status, row["path"] or row["source"])
    console().print(table)
    return 0


def run_download(args: argparse.Namespace) -> int:
    entry = models.known(args.name)
    if sys.stderr.isatty():
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TransferSpeedColumn,
        )

        with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                      TransferSpeedColumn(), transient=True) as bar:
            task = bar.add_task(f"downloading {entry.name}", total=entry.size)
            path = models.download(entry, url=args.url,
                                   progress=lambda done, total: bar.update(task, completed=done, total=total))
    else:
        path = models.download(entry, url=args.url)
    print(f"installed {entry.name} in {path} (size and SHA-256 checked)")
    return 0


def run_install(args: argparse.Namespace) -> int:
    path = models.install(args.source, name=args.name)
    print(f"installed {path.name} in {path}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    print(f"removed {models.remove(args.name)}")
    return 0

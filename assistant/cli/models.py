"""``matcoach models``: the offline speech recognition models (Vosk) on this machine."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.ears import model_install, models
from assistant.ears.model_archive import size_text


def add_models_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("models", help="speech recognition models: list, download, install, remove",
                            description="Vosk models for offline recognition. Without one, matcoach listens "
                                        "with PocketSphinx's built-in English model.")
    sub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="installed models and the ones matcoach can fetch")
    listing.add_argument("--json", action="store_true",
                         help='the installed models as one JSON array ([] when none): {"name", "language", "path", '
                              '"source", "complete", "size", "sha256", "verified"}')
    listing.set_defaults(run=run_list)
    get = sub.add_parser("download", help="download a pinned model, check it, install it")
    get.add_argument("name", nargs="?", default=models.KNOWN[0].name,
                     help=f"the model (default: {models.KNOWN[0].name})")
    get.add_argument("--from", dest="url", metavar="URL", help="a mirror to fetch the same file from")
    get.set_defaults(run=run_download)
    put = sub.add_parser("install", help="install a model from its .zip or unpacked folder (the offline route)",
                         description="Install a Vosk model from its .zip (checked against its pinned size and "
                                     "SHA-256 when matcoach knows it) or from an unpacked folder.")
    put.add_argument("source", type=Path, metavar="ZIP_OR_DIR")
    put.add_argument("--name", help="the name to install it under (default: the archive's folder name)")
    put.add_argument("--unverified", action="store_true",
                     help="install an archive matcoach has no pin for, or a folder (nothing checks what it is)")
    put.set_defaults(run=run_install)
    rm = sub.add_parser("remove", help="delete an installed model")
    rm.add_argument("name")
    rm.set_defaults(run=run_remove)


def run_list(args: argparse.Namespace) -> int:
    model_install.sweep()
    found = models.installed()
    rows: list[dict[str, Any]] = [{"name": m.name, "language": m.language, "path": str(m.path), "source": m.source,
                                   "installed": True, "complete": m.complete, "size": m.size(), "sha256": m.sha256,
                                   "verified": m.verified} for m in found]
    if args.json:  # installed models only (CONTRACTS: shapes of JSON)
        print(json.dumps(rows, indent=1))
        return 0
    from rich.table import Table

    from assistant.cli.terminal import console, note

    names = {m.name for m in found}
    table = Table(title="Speech recognition models", caption=f"installed models live in {models.models_dir()}")
    for column in ("name", "language", "status", "size", "SHA-256", "where"):
        table.add_column(column)
    for row in rows:
        status = ("installed" if row["complete"] else "incomplete: remove it") + \
            (", verified" if row["verified"] else "")
        table.add_row(row["name"], row["language"] or "?", status, size_text(row["size"]),
                      row["sha256"] or "-", row["path"])
    for k in models.KNOWN:
        if k.name not in names:
            table.add_row(k.name, k.language, "not installed", size_text(k.size) if k.size else "-",
                          k.sha256 or "-", k.url or k.how)
    console().print(table)
    if not rows:
        note("no Vosk model is installed yet: matcoach listens with PocketSphinx (English, built in); for better "
             "recognition: `matcoach models download` (or `models install` the .zip on an offline machine)")
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
            done = model_install.download(entry, url=args.url,
                                          progress=lambda got, total: bar.update(task, completed=got, total=total))
    else:
        done = model_install.download(entry, url=args.url)
    print(f"installed {entry.name} in {done.path} ({done.how()})")
    return 0


def run_install(args: argparse.Namespace) -> int:
    done = model_install.install(args.source, name=args.name, unverified=args.unverified)
    print(f"installed {done.path.name} in {done.path} ({done.how()})")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    print(f"removed {models.remove(args.name)}")
    return 0

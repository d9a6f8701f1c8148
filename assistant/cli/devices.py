"""``matcoach devices``: the microphones and speakers, by index and name."""

import argparse
import json

from assistant.cli.terminal import note


def add_devices_parser(commands: argparse._SubParsersAction) -> None:
    d = commands.add_parser("devices", help="list the microphones and speakers",
                            description="Audio inputs and outputs, by index and name; use either with "
                                        "--input-device and --output-device (a part of the name is enough).")
    d.add_argument("--json", action="store_true", help="print JSON")
    d.set_defaults(run=run_devices)


def run_devices(args: argparse.Namespace) -> int:
    from assistant.live.devices import list_devices

    rows = list_devices()
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    if not rows:
        note("no audio devices found: connect a microphone and a speaker (or start PulseAudio/PipeWire)")
        return 0
    from rich.table import Table

    from assistant.cli.terminal import console

    table = Table(title="Audio devices", caption="* the system default")
    for column in ("index", "name", "inputs", "outputs", "rate"):
        table.add_column(column)
    for row in rows:
        mark = "*" if row["default_input"] or row["default_output"] else ""
        table.add_row(str(row["index"]), f"{row['name']} {mark}".strip(), str(row["inputs"]), str(row["outputs"]),
                      f"{row['rate']:g} Hz")
    console().print(table)
    return 0

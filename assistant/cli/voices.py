"""``matcoach voices``: the speech engine's voices on this machine (a voice pack picks one)."""

import argparse
import json


def add_voices_parser(commands: argparse._SubParsersAction) -> None:
    voices = commands.add_parser("voices", help="the speech voices on this machine",
                                 description="The speech engine's voices; a pack picks one with engine_voice.")
    voices.add_argument("--lang", metavar="CODE", help="only voices for this language, e.g. en")
    voices.add_argument("--json", action="store_true", help="print JSON")
    voices.set_defaults(run=run_voices)


def run_voices(args: argparse.Namespace) -> int:
    from assistant.cli.terminal import console
    from assistant.voice.tts import Pyttsx3Speech


    voices = Pyttsx3Speech().voices()
    if args.lang:
        voices = [v for v in voices if any(lang.lower().startswith(args.lang.lower()) for lang in v.languages)
                  or v.id.rsplit("/", 1)[-1].startswith(args.lang.lower())]
    if args.json:
        print(json.dumps([{"id": v.id, "name": v.name, "languages": list(v.languages)} for v in voices], indent=1))
        return 0
    from rich.table import Table

    table = Table(title="Speech voices (set engine_voice in a voice pack)")
    for column in ("id", "name", "languages"):
        table.add_column(column)
    for v in voices:
        table.add_row(v.id, v.name, ", ".join(v.languages))
    console().print(table)
    return 0

"""``matcoach listen``: hear commands from the microphone or a recording, and print them."""

import argparse
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from assistant.cli.options import add_ears_options
from assistant.cli.settings import typed
from assistant.data import catalog
from assistant.ears.engines import open_ears
from assistant.ears.recognizer import BLOCK, RATE, Detection, Recognizer, blocks, hear

log = logging.getLogger(__name__)


def add_listen_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "listen", help="print the commands heard from the microphone or a recording",
        description="Listen for spoken commands (done, arched, pause, ...) and print each one with its "
                    "confidence. Nothing is recorded.")
    add_ears_options(p)
    p.add_argument("--file", type=Path, metavar="FILE.wav",
                   help="a recording to listen to instead of the microphone (any rate, any channels)")
    p.add_argument("--json", action="store_true",
                   help='one JSON object per command: {"command", "phrase", "start", "end", "detected_at", '
                        '"confidence", "engine"}')
    p.add_argument("--realtime", action="store_true", help="with --file: take as long as the recording lasts")
    p.set_defaults(run=run_listen)


def _file_blocks(path: Path, realtime: bool, long_blocks: bool) -> Iterator[np.ndarray]:
    """The recording in bounded pieces: whole pieces for ears that take them (the embedding pipeline
    computes a piece's embeddings in batches), else 50 ms blocks; paced by the clock with ``realtime``."""
    from assistant.ears.file_input import file_blocks

    began, fed = time.monotonic(), 0
    for piece in file_blocks(path):
        if long_blocks and not realtime:
            yield piece
            continue
        for block in blocks(piece, BLOCK):
            if realtime:
                time.sleep(max(0.0, began + fed / RATE - time.monotonic()))
            fed += len(block)
            yield block


def _show(found: Detection, as_json: bool) -> None:
    if as_json:
        print(found.to_json(), flush=True)
    else:
        print(f"{found.detected_at:8.2f} s  {found.command:<8} \"{found.phrase}\"  "
              f"confidence {found.confidence:.2f}", flush=True)


def run_listen(args: argparse.Namespace) -> int:
    from assistant.cli.terminal import note

    grammar = catalog.load_grammar(args.language)
    if args.file is not None:
        from assistant.ears.file_input import check_file

        check_file(args.file)  # fail on a bad file before loading a model
        if typed(args, "input-device"):
            log.warning("--input-device is ignored with --file")
    else:
        from assistant.live.devices import find_device

        device = find_device(args.input_device, "input")  # a wrong device fails before a model loads
        if args.realtime:
            log.warning("--realtime only applies to --file")
    ears: Recognizer
    ears, which = open_ears(grammar, engine=args.engine, model=args.model)
    note(which)
    if args.file is not None:
        for found in hear(ears, _file_blocks(args.file, args.realtime, getattr(ears, "long_blocks", False))):
            _show(found, args.json)
        return 0
    from assistant.live.mic import Microphone

    with Microphone(device) as mic:
        note(f"say a command ({', '.join(sorted(set(grammar.phrases.values())))}); Ctrl-C to stop")
        try:
            for found in hear(ears, mic.blocks()):
                _show(found, args.json)
        except KeyboardInterrupt:
            note("stopped listening")
    return 0

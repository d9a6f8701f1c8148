"""``matcoach listen``: hear commands from the microphone or a recording, and print them."""

import argparse
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from assistant.cli.options import add_ears_options
from assistant.cli.settings import typed
from assistant.core.errors import MatcoachError
from assistant.data import catalog
from assistant.ears.engines import open_ears
from assistant.ears.recognizer import BLOCK, RATE, Detection, Recognizer, hear
from assistant.ears.recording import Recording

log = logging.getLogger(__name__)


def add_listen_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "listen", help="print the commands heard from the microphone or a recording",
        description="Listen for spoken commands (done, arched, pause, ...) and print each one with its "
                    "confidence. Nothing is recorded. With --file and --reference it replays a recorded "
                    "session (`matcoach start --record-audio DIR`) through the live chain: echo "
                    "cancellation, the recognizer and the echo gate, exactly as the session heard it.")
    add_ears_options(p)
    p.add_argument("--file", type=Path, metavar="MIC.wav",
                   help="a recording to listen to instead of the microphone (any rate, any channels)")
    p.add_argument("--reference", type=Path, metavar="PLAYED.wav",
                   help="with --file: what the speaker played while MIC.wav was recorded (sample 0 of both is "
                        "the same instant; any rate, any channels): the coach's voice is taken out as live")
    p.add_argument("--no-echo-cancel", action="store_true",
                   help="with --reference: leave the coach's echo in, as `start --no-echo-cancel` does")
    p.add_argument("--json", action="store_true",
                   help='one JSON object per command: {"command", "phrase", "start", "end", "detected_at", '
                        '"confidence", "engine"}')
    p.add_argument("--realtime", action="store_true", help="with --file: take as long as the recording lasts")
    p.set_defaults(run=run_listen)


LONG_PIECE = 10 * RATE  # ears that take long blocks (the embedding pipeline batches a piece's embeddings)


def _paced(blocks: Iterator[np.ndarray], realtime: bool) -> Iterator[np.ndarray]:
    began, fed = time.monotonic(), 0
    for block in blocks:
        if realtime:
            time.sleep(max(0.0, began + fed / RATE - time.monotonic()))
        fed += len(block)
        yield block


def _block_size(ears: Recognizer, realtime: bool) -> int:
    """Whole pieces of the recording for ears that take them, unless paced like a microphone."""
    return LONG_PIECE if getattr(ears, "long_blocks", False) and not realtime else BLOCK


def _show(found: Detection, as_json: bool) -> None:
    if as_json:
        print(found.to_json(), flush=True)
    else:
        print(f"{found.detected_at:8.2f} s  {found.command:<8} \"{found.phrase}\"  "
              f"confidence {found.confidence:.2f}", flush=True)


def _replay(ears: Recognizer, mic: Recording, played: Recording, args: argparse.Namespace) -> Iterator[Detection]:
    """The live chain over the two tracks; the microphone's length decides (after the end of a
    shorter reference, the speaker was silent)."""
    from assistant.live.duplex import DuplexEars

    chain = DuplexEars(ears, cancel=not args.no_echo_cancel)
    reference = played.blocks(BLOCK)
    try:
        for block in _paced(mic.blocks(BLOCK), args.realtime):
            ref = next(reference, np.zeros(0, dtype=np.int16))[:len(block)]
            yield from chain.feed(block, np.pad(ref, (0, len(block) - len(ref))))
        yield from chain.finish()
    finally:
        chain.close()


def run_listen(args: argparse.Namespace) -> int:
    from assistant.cli.terminal import note

    grammar = catalog.load_grammar(args.language)
    if args.reference is not None and args.file is None:
        raise MatcoachError("--reference goes with --file: replay a recording, e.g. "
                            "--file DIR/mic.wav --reference DIR/ref.wav")
    if args.no_echo_cancel and args.reference is None:
        raise MatcoachError("--no-echo-cancel goes with --reference (there is no coach's voice to cancel otherwise)")
    if args.file is not None:
        mic = Recording(args.file)  # a bad file fails before a model loads
        played = Recording(args.reference) if args.reference is not None else None
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
        heard = (_replay(ears, mic, played, args) if played is not None
                 else hear(ears, _paced(mic.blocks(_block_size(ears, args.realtime)), args.realtime)))
        for found in heard:
            _show(found, args.json)
        return 0
    from assistant.live.mic import Microphone

    with Microphone(device) as mic_stream:
        note(f"say a command ({', '.join(sorted(set(grammar.phrases.values())))}); Ctrl-C to stop")
        try:
            for found in hear(ears, mic_stream.blocks()):
                _show(found, args.json)
        except KeyboardInterrupt:
            note("stopped listening")
    return 0

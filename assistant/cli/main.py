"""The command line: parses arguments, wires the real parts together, maps errors to exit codes."""

import argparse
import io
import logging
import signal
import sys
import threading
from collections.abc import Sequence

from assistant import __version__
from assistant.cli import settings, terminal
from assistant.cli.completion import add_completion_parser
from assistant.cli.config import add_config_parser
from assistant.cli.cues import add_cues_parser
from assistant.cli.devices import add_devices_parser
from assistant.cli.enroll import add_enroll_parser
from assistant.cli.history import add_history_parser
from assistant.cli.listen import add_listen_parser
from assistant.cli.models import add_models_parser
from assistant.cli.options import MatcoachParser
from assistant.cli.plan import add_plan_parser
from assistant.cli.routines import add_routines_parser
from assistant.cli.serve import add_serve_parser
from assistant.cli.service import add_service_parser
from assistant.cli.simulate import add_simulate_parser
from assistant.cli.start import add_start_parser
from assistant.cli.voices import add_voices_parser
from assistant.core.errors import MatcoachError
from assistant.data import paths

log = logging.getLogger(__name__)
EXIT_USER_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = MatcoachParser(
        prog="matcoach", description="An offline, voice-guided coach for lying leg lifts.",
        epilog=f"Settings that stick: `matcoach config show`. Shell completion: `matcoach completion bash|zsh`. "
               f"The whole story: {paths.readme()}")
    parser.add_argument("--version", action="version", version=f"matcoach {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_simulate_parser(commands)
    add_routines_parser(commands)
    add_history_parser(commands)
    add_plan_parser(commands)
    add_cues_parser(commands)
    add_voices_parser(commands)
    add_models_parser(commands)
    add_listen_parser(commands)
    add_enroll_parser(commands)
    add_start_parser(commands)
    add_devices_parser(commands)
    add_serve_parser(commands)
    add_service_parser(commands)
    add_config_parser(commands)
    add_completion_parser(commands)
    return parser


LOG_LEVELS = {"quiet": logging.ERROR, "normal": logging.WARNING, "verbose": logging.INFO, "debug": logging.DEBUG}


def _sturdy_streams() -> None:
    """Text a terminal cannot show (Korean lines on an ASCII terminal) is escaped instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    _sturdy_streams()
    args = build_parser().parse_args(argv)
    try:
        settings.apply(args)
    except MatcoachError as e:
        print(f"matcoach: error: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    level = LOG_LEVELS[args.verbosity]
    terminal.quiet(args.verbosity == "quiet")
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="matcoach: %(levelname)s: %(message)s" if level > logging.DEBUG
                        else "matcoach: %(levelname)s %(name)s: %(message)s")
    logging.getLogger("transitions").setLevel(max(level, logging.WARNING))  # one line per state change
    # SIGTERM ends a command like Ctrl-C: its clean-up runs, so no half-written file is left behind
    previous = signal.signal(signal.SIGTERM, _interrupt) if threading.current_thread() is threading.main_thread() \
        else None
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
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)

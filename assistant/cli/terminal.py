"""Tables for people: the terminal's width on a terminal, unwrapped lines when piped into a file."""

import sys

from rich.console import Console

PIPED_WIDTH = 200


def console() -> Console:
    return Console() if sys.stdout.isatty() else Console(width=PIPED_WIDTH)


def note(message: str) -> None:
    """A status line for people, on stderr: stdout stays clean for JSON and pipes."""
    print(f"matcoach: {message}", file=sys.stderr, flush=True)

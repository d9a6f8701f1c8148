"""Tables for people: the terminal's width on a terminal, unwrapped lines when piped into a file."""

import sys

from rich.console import Console

PIPED_WIDTH = 200
_quiet = False


def console() -> Console:
    return Console() if sys.stdout.isatty() else Console(width=PIPED_WIDTH)


def quiet(on: bool) -> None:
    """-q: status lines are left out (errors still show)."""
    global _quiet
    _quiet = on


def note(message: str) -> None:
    """A status line for people, on stderr: stdout stays clean for JSON and pipes."""
    if _quiet:
        return
    print(f"matcoach: {message}", file=sys.stderr, flush=True)

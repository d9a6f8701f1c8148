"""Reading a TOML file, with one-line errors for the ways that goes wrong."""

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from assistant.core.errors import MatcoachError
from assistant.data.paths import shown

# Routines, packs, grammars and settings are a few kilobytes; anything this big is not one of them.
MAX_BYTES = 1 << 20


def read_text_file(path: Path, error: type[MatcoachError], what: str) -> str:
    """The text of a regular file of at most MAX_BYTES (never a FIFO or a device, which could block or
    never end); ``what`` names the kind of file in the fix ("routine", "voice pack")."""
    name = shown(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; a regular file ignores it
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise error(f"{name}: no such {what} file; check the path") from None
    except IsADirectoryError:
        raise error(f"{name}: is a directory, not a {what} file; name the .toml file") from None
    except PermissionError:
        raise error(f"{name}: cannot be read (permission denied); fix its permissions") from None
    except OSError as e:  # a symbolic link loop, a name too long, ...
        raise error(f"{name}: cannot be read ({e.strerror}); check the path") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{name}: is a directory, not a {what} file; name the .toml file")
        raise error(f"{name}: is not a regular file (a pipe or a device); give a {what} .toml file")
    with os.fdopen(fd, "rb") as f:
        if info.st_size > MAX_BYTES:
            raise error(f"{name}: is {info.st_size:,} bytes, too large for a {what} file (at most "
                        f"{MAX_BYTES:,}); check the path")
        try:
            data = f.read(MAX_BYTES + 1)
        except OSError as e:
            raise error(f"{name}: cannot be read ({e.strerror}); check the file") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{name}: is not UTF-8 text; save the {what} as UTF-8 TOML") from None


def read_toml(path: Path, error: type[MatcoachError], what: str) -> dict[str, Any]:
    """Parse ``path``; ``what`` names the kind of file in the fix ("routine", "voice pack")."""
    text = read_text_file(path, error, what)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise error(f"{shown(path)}: is not valid TOML ({e}); fix the {what} file there") from None

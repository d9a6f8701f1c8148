"""Reading a TOML file, with one-line errors for the ways that goes wrong."""

import tomllib
from pathlib import Path
from typing import Any

from assistant.core.errors import MatcoachError


def read_toml(path: Path, error: type[MatcoachError], what: str) -> dict[str, Any]:
    """Parse ``path``; ``what`` names the kind of file in the fix ("routine", "voice pack")."""
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise error(f"{path}: no such {what} file; check the path") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not a {what} file; name the .toml file") from None
    except PermissionError:
        raise error(f"{path}: cannot be read (permission denied); fix its permissions") from None
    except UnicodeDecodeError:
        raise error(f"{path}: is not UTF-8 text; save the {what} as UTF-8 TOML") from None
    except tomllib.TOMLDecodeError as e:
        raise error(f"{path}: is not valid TOML ({e}); fix the {what} file there") from None

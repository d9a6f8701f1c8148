"""Reading a TOML file, with one-line errors for the ways that goes wrong."""

import tomllib
from pathlib import Path
from typing import Any

from assistant.core.errors import MatcoachError
from assistant.data.paths import shown


def read_toml(path: Path, error: type[MatcoachError], what: str) -> dict[str, Any]:
    """Parse ``path``; ``what`` names the kind of file in the fix ("routine", "voice pack")."""
    name = shown(path)
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise error(f"{name}: no such {what} file; check the path") from None
    except IsADirectoryError:
        raise error(f"{name}: is a directory, not a {what} file; name the .toml file") from None
    except PermissionError:
        raise error(f"{name}: cannot be read (permission denied); fix its permissions") from None
    except UnicodeDecodeError:
        raise error(f"{name}: is not UTF-8 text; save the {what} as UTF-8 TOML") from None
    except tomllib.TOMLDecodeError as e:
        raise error(f"{name}: is not valid TOML ({e}); fix the {what} file there") from None

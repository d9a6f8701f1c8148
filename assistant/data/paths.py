"""Where things live: the user's data directory and the data shipped with the package."""

import os
from pathlib import Path

import platformdirs

HOME_VARIABLE = "MATCOACH_HOME"
_PACKAGE = Path(__file__).resolve().parents[1]  # assistant/
_DATA = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The one directory for user data and configuration (``$MATCOACH_HOME`` overrides it)."""
    override = os.environ.get(HOME_VARIABLE)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("matcoach", appauthor=False))


def user_routines_dir() -> Path:
    return data_dir() / "routines"


def shipped(folder: str) -> Path:
    """A data folder shipped with matcoach: inside the wheel, or at the root of a source checkout."""
    inside = _PACKAGE / folder
    return inside if inside.is_dir() else _PACKAGE.parent / folder


def shipped_routines_dir() -> Path:
    return _DATA / "routines"


def variations_file() -> Path:
    return _DATA / "variations.toml"

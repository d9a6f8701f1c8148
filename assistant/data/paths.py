"""Where things live: the user's data directory and the data shipped with the package."""

import os
from pathlib import Path

import platformdirs

from assistant.core.errors import MatcoachError

HOME_VARIABLE = "MATCOACH_HOME"
_PACKAGE = Path(__file__).resolve().parents[1]  # assistant/
_DATA = Path(__file__).resolve().parent


class DataDirError(MatcoachError):
    """A folder matcoach must write in cannot be used."""


def data_dir() -> Path:
    """The one directory for user data and configuration (``$MATCOACH_HOME`` overrides it)."""
    override = os.environ.get(HOME_VARIABLE)
    if override:
        try:
            return Path(override).expanduser()
        except RuntimeError:  # "~someone" for a user this machine does not have
            raise DataDirError(f"{HOME_VARIABLE}={override}: no such user's home folder; give a full path, "
                               f"e.g. {HOME_VARIABLE}=$HOME/matcoach") from None
    return Path(platformdirs.user_data_dir("matcoach", appauthor=False))


def writable_dir(path: Path) -> Path:
    """``path`` as a folder matcoach can write in, created when missing; a one-line error otherwise."""
    fix = (f"fix its permissions, or set {HOME_VARIABLE} to a folder you can write to"
           if os.environ.get(HOME_VARIABLE) else "fix its permissions")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DataDirError(f"{path}: is a file, not a folder; move the file aside, or set {HOME_VARIABLE} to "
                           f"a folder") from None
    except NotADirectoryError:
        raise DataDirError(f"{path}: a part of this path is a file, not a folder; set {HOME_VARIABLE} to a "
                           f"folder") from None
    except OSError as e:
        raise DataDirError(f"{path}: cannot create this folder ({e.strerror}); {fix}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise DataDirError(f"{path}: this folder is not writable; {fix}")
    return path


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

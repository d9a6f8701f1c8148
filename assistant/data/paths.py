"""Where things live: the user's configuration, data and cache directories, and the data shipped with
the package.

Configuration (config.toml, your routines and voice packs) goes in the XDG configuration directory,
data (history, models, enrollment) in the data directory, rendered cues in the cache directory.
``$MATCOACH_HOME`` puts all three in one directory of your choosing.
"""

import os
import shlex
import sys
from pathlib import Path

import platformdirs

from assistant.core.errors import MatcoachError

HOME_VARIABLE = "MATCOACH_HOME"
CONFIG_FILE = "config.toml"
_PACKAGE = Path(__file__).resolve().parents[1]  # assistant/
_DATA = Path(__file__).resolve().parent


class DataDirError(MatcoachError):
    """A folder matcoach must write in cannot be used."""


def _home() -> Path | None:
    override = os.environ.get(HOME_VARIABLE)
    if not override:
        return None
    try:
        return Path(override).expanduser()
    except RuntimeError:  # "~someone" for a user this machine does not have
        raise DataDirError(f"{HOME_VARIABLE}={override}: no such user's home folder; give a full path, "
                           f"e.g. {HOME_VARIABLE}=$HOME/matcoach") from None


def config_dir() -> Path:
    """Settings and your own files (routines, voice packs): ``~/.config/matcoach`` on Linux."""
    return _home() or Path(platformdirs.user_config_dir("matcoach", appauthor=False))


def data_dir() -> Path:
    """What matcoach keeps for you (history, models, enrollment): ``~/.local/share/matcoach`` on Linux."""
    return _home() or Path(platformdirs.user_data_dir("matcoach", appauthor=False))


def cache_dir() -> Path:
    """What can be made again (rendered cues): ``~/.cache/matcoach`` on Linux."""
    home = _home()
    return home / "cache" if home else Path(platformdirs.user_cache_dir("matcoach", appauthor=False))


def config_file() -> Path:
    return config_dir() / CONFIG_FILE


def _yours(folder: str) -> Path:
    """``folder`` in the configuration directory; before 0.2 it lived in the data directory, and a
    folder still there is used where it is until it is moved (nothing is moved for you)."""
    new = config_dir() / folder
    old = data_dir() / folder
    return old if not new.exists() and old.is_dir() else new


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
    return _yours("routines")


def user_voices_dir() -> Path:
    return _yours("voices")


def user_grammars_dir() -> Path:
    """Your own grammars (``<language>.toml``): a language matcoach does not ship, to enroll and listen in."""
    return config_dir() / "grammars"


def shown(path: Path) -> Path | str:
    """``path`` as a person wants to read it in a message: relative to the working directory when it is
    inside it (a folder below the home directory, or outside it), else from ``~`` when it is in the home
    directory."""
    path = Path(path)
    try:
        absolute = path.absolute()
        cwd, home = Path.cwd(), Path.home()
    except (OSError, RuntimeError):  # no working or home directory
        return path
    if absolute.is_relative_to(cwd) and absolute != cwd and not home.is_relative_to(cwd):
        return absolute.relative_to(cwd)
    if absolute.is_relative_to(home) and absolute != home:
        return f"~/{absolute.relative_to(home)}"
    return absolute


def beside(package: str) -> str:
    """How to install an optional ``package`` into the environment matcoach runs in (a clone's .venv, pipx)."""
    if "pipx" in Path(sys.prefix).parts:
        return f"pipx inject matcoach {package}"
    return f"{shlex.quote(sys.executable)} -m pip install {package}"


def shipped(folder: str) -> Path:
    """A data folder shipped with matcoach: inside the wheel, or at the root of a source checkout."""
    inside = _PACKAGE / folder
    return inside if inside.is_dir() else _PACKAGE.parent / folder


def readme() -> Path:
    """The README: inside the wheel, or at the root of a source checkout."""
    inside = _PACKAGE / "README.md"
    return inside if inside.is_file() else _PACKAGE.parent / "README.md"


def shipped_routines_dir() -> Path:
    return _DATA / "routines"


def variations_file() -> Path:
    return _DATA / "variations.toml"

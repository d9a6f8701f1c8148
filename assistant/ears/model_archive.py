"""What a model archive or folder holds, checked before anything of it is unpacked or copied: only plain
files and folders, nothing that lands outside, no more than a model's size, and its pin when matcoach
knows it."""

import hashlib
import os
import shutil
import stat
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from assistant.ears.models import KNOWN, Known, ModelError

# No Vosk model unpacks to more than this (the big English one is about 3 GB), and none compresses
# better than a few to one; a zip bomb does both.
MAX_UNPACKED_BYTES = 16 << 30
MAX_RATIO = 20
MAX_ENTRIES = 100_000
FREE_SPACE_MARGIN = 64 << 20


def source_kind(source: Path) -> str:
    """"zip" or "dir", or a one-line error that says what the file is instead."""
    try:
        mode = source.stat().st_mode
    except FileNotFoundError:
        raise ModelError(f"{source}: no such file or folder; give the model's .zip or its unpacked folder") from None
    except OSError as e:
        raise ModelError(f"{source}: cannot be read ({e.strerror}); check the path") from None
    if stat.S_ISDIR(mode):
        return "dir"
    if not stat.S_ISREG(mode):
        raise ModelError(f"{source}: is not a regular file (a pipe or a device); give the model's .zip or folder")
    try:
        with source.open("rb"):
            pass
        if zipfile.is_zipfile(source):
            return "zip"
        tar = source.name.endswith((".tar.gz", ".tgz", ".tar", ".tar.xz", ".tar.bz2")) or tarfile.is_tarfile(source)
    except OSError as e:
        raise ModelError(f"{source}: cannot be read ({e.strerror}); check its permissions") from None
    if tar:
        raise ModelError(f"{source}: is a tar archive, not a zip; unpack it (tar xf {source.name}) and run "
                         f"`matcoach models install FOLDER --unverified`, or get the model's .zip")
    raise ModelError(f"{source}: not a zip archive (damaged or incomplete download?); download it again")


def sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def pin_for(source: Path, digest: str, size: int) -> Known | None:
    """The pin this archive matches; a ModelError when it claims a known name but does not match."""
    for entry in KNOWN:
        if entry.sha256 == digest and entry.size in (None, size):
            return entry
    try:
        with zipfile.ZipFile(source) as archive:
            tops = {PurePosixPath(n).parts[0] for n in archive.namelist() if PurePosixPath(n).parts}
    except (zipfile.BadZipFile, OSError) as e:
        raise ModelError(f"{source}: the archive is damaged ({e}); download it again") from None
    for entry in KNOWN:
        if entry.sha256 and (source.stem == entry.name or tops == {entry.name}):
            raise ModelError(f"{source}: looks like {entry.name}, but its SHA-256 does not match the pinned one "
                             f"({entry.sha256[:16]}...): the archive is damaged or altered; download it again "
                             f"(`matcoach models list` shows where from and the SHA-256)")
    return None


def unpack(source: Path, into: Path, target_dir: Path) -> Path:
    """Unpack a model archive, refusing anything that would land outside ``into`` or fill the disk."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = _safe_members(archive, source)
            total = sum(info.file_size for info in members)
            if total > MAX_UNPACKED_BYTES or total > MAX_RATIO * max(source.stat().st_size, 1 << 20):
                packed = size_text(source.stat().st_size)
                raise ModelError(f"{source}: unpacks to {size_text(total)} from {packed}, which no model does; "
                                 f"refusing it (a zip bomb?); get the archive from a trusted place")
            check_free_space(target_dir, total)
            archive.extractall(into, members=members)
    except zipfile.BadZipFile as e:
        raise ModelError(f"{source}: the archive is damaged ({e}); download it again") from None
    return _model_root(into)


def _safe_members(archive: zipfile.ZipFile, source: Path) -> list[zipfile.ZipInfo]:
    """Every entry, refusing any that would land outside the target folder."""
    members = archive.infolist()
    if not [m for m in members if not m.is_dir()]:
        raise ModelError(f"{source}: the archive is empty; download the model again")
    if len(members) > MAX_ENTRIES:
        raise ModelError(f"{source}: holds {len(members):,} entries, which no model does; get the archive from a "
                         f"trusted place")
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


def copy_folder(source: Path, into: Path, target_dir: Path) -> None:
    """Copy a model folder that holds only folders and plain files (no links, pipes or devices)."""
    total = 0
    for folder, dirs, files in os.walk(source):
        for entry in dirs + files:
            path = Path(folder) / entry
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                raise ModelError(f"{source}: refusing symbolic link {path.relative_to(source)}: a model folder holds "
                                 f"plain files; copy it without links (cp -rL) or install the .zip")
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise ModelError(f"{source}: refusing {path.relative_to(source)}, which is not a plain file")
            total += path.lstat().st_size if stat.S_ISREG(mode) else 0
    check_free_space(target_dir, total)
    shutil.copytree(source, into, symlinks=True)


def _model_root(folder: Path) -> Path:
    """The folder holding am/ and conf/: the archive's single top folder, or the archive itself."""
    children = [p for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []
    if len(children) == 1 and not (folder / "am").is_dir():
        return children[0]
    return folder


def check_free_space(folder: Path, needed: int) -> None:
    free = shutil.disk_usage(folder).free
    if needed + FREE_SPACE_MARGIN > free:
        raise ModelError(f"{folder}: the model needs about {size_text(needed)} free, there is {size_text(free)}; "
                         f"free some space first")


def size_text(n: int) -> str:
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GB"
    return f"{n / (1 << 20):.0f} MB" if n >= 1 << 20 else f"{n / 1024:.0f} kB"

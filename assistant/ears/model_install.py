"""Installing Vosk models: from a pinned download, a .zip or a folder.

A model is used only once it is complete: it is unpacked into a hidden folder beside the others,
checked, marked complete, then renamed into place in one step. An archive matcoach knows is checked
against its pin (size and SHA-256); anything else is installed only when the user says so
(``--unverified``). Nothing is unpacked or downloaded past what its size says, and what a killed
run leaves behind is swept away by the next one.
"""

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.data import leftovers, paths
from assistant.data.leftovers import stale
from assistant.ears.model_archive import check_free_space, copy_folder, pin_for, sha256, source_kind, unpack
from assistant.ears.models import (
    COMPLETE,
    REQUIRED,
    Known,
    ModelError,
    check_model_folder,
    check_name,
    models_dir,
)

log = logging.getLogger(__name__)

LEFTOVER_PREFIXES = (".installing-", ".download-")


@dataclass(frozen=True, kw_only=True)
class Installation:
    """Where a model was installed, and what checked it."""

    path: Path
    sha256: str | None       # of the archive it came from (None: a folder)
    verified: bool           # the archive matched a pin

    def how(self) -> str:
        if self.verified:
            return "size and SHA-256 match the pin"
        return "unverified: nothing checked that it is the model it claims to be"


def install(source: Path, *, name: str | None = None, unverified: bool = False,
            pin: Known | None = None) -> Installation:
    """Install a model from a .zip or a folder; ``pin`` is the pin a download was already checked against."""
    source = source.expanduser()
    kind = source_kind(source)
    target_dir = paths.writable_dir(models_dir())
    sweep()
    digest = None
    if kind == "zip":
        try:
            digest, size = sha256(source)
        except OSError as e:
            raise ModelError(f"{source}: cannot be read ({e.strerror}); check its permissions") from None
        pin = pin or pin_for(source, digest, size)
        if pin is not None and name is None:
            name = pin.name
    if name is not None:
        check_name(name, "name for the model (choose one with --name)")
    if pin is None and not unverified:
        what = "a folder cannot be checked against a pin" if kind == "dir" else "matcoach has no pin for this archive"
        raise ModelError(f"{source}: {what}; install it anyway with --unverified if you trust where it came from, "
                         f"or get a model `matcoach models list` knows")
    if kind == "dir":
        check_model_folder(source)
    work = _workspace(target_dir, ".installing-")
    try:
        if kind == "dir":
            root = work / source.name
            copy_folder(source, root, target_dir)
        else:
            root = unpack(source, work / "unpacked", target_dir)
            missing = [f for f in REQUIRED if not (root / f).is_file()]
            if missing:
                raise ModelError(f"{source}: does not hold a whole Vosk model (no {missing[0]}); download it again")
        final_name = check_name(name if name is not None else root.name if root.name != "unpacked" else source.stem,
                                "name for the model (choose one with --name)")
        final = target_dir / final_name
        if final.exists() or final.is_symlink():
            raise ModelError(f"a model named {final_name!r} is already installed; remove it first with "
                             f"`matcoach models remove {final_name}`")
        marker = {"source": str(source), "sha256": digest, "verified": pin is not None}
        (root / COMPLETE).write_text(json.dumps(marker) + "\n")
        root.rename(final)  # one step: a half-unpacked model is never in place
        if pin is None:
            log.warning("installed %s unverified: nothing checked that it is the model it claims to be", source)
        return Installation(path=final, sha256=digest, verified=pin is not None)
    except OSError as e:
        raise ModelError(f"installing {source} failed ({e.strerror or e}); check the free space and permissions "
                         f"of {target_dir}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def download(entry: Known, *, url: str | None = None,
             progress: Callable[[int, int | None], None] | None = None) -> Installation:
    """Fetch a pinned model, check its size and SHA-256 as it arrives, then install it."""
    import urllib.error
    import urllib.request

    url = url or entry.url
    if url is None:
        raise ModelError(f"{entry.name} is not downloaded but installed with: {entry.how}")
    target_dir = paths.writable_dir(models_dir())
    sweep()
    manual = (f"download {entry.url or url} on a machine with internet, copy it here and run "
              f"`matcoach models install {entry.name}.zip`")
    if entry.size is not None:
        check_free_space(target_dir, 2 * entry.size)  # the archive, and what it unpacks to
    work = _workspace(target_dir, ".download-")
    partial = work / f"{entry.name}.zip"
    digest, received = hashlib.sha256(), 0
    try:
        with partial.open("wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    announced = int(response.headers.get("Content-Length") or 0) or None
                    if entry.size is not None and announced is not None and announced != entry.size:
                        raise ModelError(f"{entry.name}: the server offers {announced:,} bytes, the pin says "
                                         f"{entry.size:,}; nothing was downloaded; {manual}")
                    while block := response.read(1 << 16):
                        received += len(block)
                        if entry.size is not None and received > entry.size:
                            raise ModelError(f"{entry.name}: the download is larger than its pinned {entry.size:,} "
                                             f"bytes; stopped, nothing was installed; {manual}")
                        out.write(block)
                        digest.update(block)
                        if progress is not None:
                            progress(received, announced or entry.size)
            except (urllib.error.URLError, OSError, ValueError) as e:
                reason = getattr(e, "reason", None) or getattr(e, "strerror", None) or e
                raise ModelError(f"cannot download {entry.name} ({reason}); {manual}") from None
        if entry.size is not None and received != entry.size:
            raise ModelError(f"{entry.name}: downloaded {received:,} bytes, expected {entry.size:,}; the download "
                             f"was cut short or altered; try again, or {manual}")
        if entry.sha256 is not None and digest.hexdigest() != entry.sha256:
            raise ModelError(f"{entry.name}: the download's SHA-256 does not match the pinned one; nothing was "
                             f"installed; try again, or {manual}")
        return install(partial, name=entry.name, pin=entry if entry.sha256 else None, unverified=not entry.sha256)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def sweep() -> list[Path]:
    """Remove what killed runs left in the models folder (their process is gone); returns what went."""
    folder = models_dir()
    if not folder.is_dir():
        return []
    removed = []
    for path in folder.iterdir():
        prefix = next((p for p in LEFTOVER_PREFIXES if path.name.startswith(p)), None)
        old_partial = path.name.startswith(".") and path.name.endswith(".partial")  # an older matcoach's download
        if (prefix is not None or old_partial) and stale(path, prefix or "."):
            leftovers.remove(path)
            removed.append(path)
    return removed


def _workspace(target_dir: Path, prefix: str) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=target_dir))
    except OSError as e:
        raise ModelError(f"{target_dir}: cannot work there ({e.strerror}); check its permissions") from None

"""Adding a line to the user's own voice pack: checked before anything is written, written in one step,
and a refused line leaves nothing behind (not even its copied recording)."""

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.errors import PackError
from assistant.core.pack import Line, UserPack
from assistant.data import catalog, paths
from assistant.data.packs import parse_user_pack
from assistant.data.tomlfile import read_text_file


@dataclass(frozen=True, kw_only=True)
class Addition:
    """A line ready to be added: the pack file with it, and the recording to copy in (if any)."""

    path: Path
    cue: str
    document: Any          # a tomlkit document: the user's file as they wrote it, comments kept
    pack: UserPack         # what it parses to
    line: Line             # the new line, its recording still at its source
    recording: tuple[Path, Path] | None = None  # (source, target)


def prepare(voice: str, cue: str, *, text: str | None = None, wav: Path | None = None,
            replace: bool = False) -> Addition:
    """The user pack of ``voice`` with one more line for ``cue``, validated; nothing is written yet."""
    import tomlkit
    import tomlkit.exceptions

    path = catalog.user_pack_file(voice)
    if path.exists():
        content = read_text_file(path, PackError, "voice pack")
        catalog.load_user_pack(voice)  # a hand-edited mistake is named before anything is added to it
        try:
            doc = tomlkit.parse(content)
        except tomlkit.exceptions.TOMLKitError as e:
            raise PackError(f"{path}: is not valid TOML ({e}); fix the voice pack file there") from None
    else:
        doc = _new_user_pack(voice)
    section = "cues" if replace else "extra"
    if section not in doc:
        doc.add(section, tomlkit.table())
    recording = None
    if wav is not None:
        digest = hashlib.sha256(wav.read_bytes()).hexdigest()[:8]
        target = path.parent / "recordings" / f"{cue}-{digest}{wav.suffix.lower() or '.wav'}"
        entry: Any = tomlkit.inline_table()
        entry.update({"wav": str(target.relative_to(path.parent)), "text": f"[{wav.name}]"})
        recording = (wav, target)
    else:
        entry = text
    if replace or cue not in doc[section]:
        doc[section][cue] = tomlkit.array()
    doc[section][cue].append(entry)
    pack = parse_user_pack(doc.unwrap(), source=str(path), known=catalog.known_cues(), folder=path.parent,
                           inherited=catalog.shipped_plurals(voice))
    new = (pack.replace if replace else pack.extra)[cue][-1]
    line = Line(text=new.text, wav=wav, source="user") if wav is not None else new
    return Addition(path=path, cue=cue, document=doc, pack=pack, line=line, recording=recording)


def save(addition: Addition) -> None:
    """Copy the recording in and write the pack file in one step; on failure, nothing new is left."""
    import tomlkit

    path = addition.path
    paths.writable_dir(path.parent)
    copied = None
    try:
        if addition.recording is not None:
            source, target = addition.recording
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                copied = target
                shutil.copyfile(source, target)
        partial = path.with_suffix(".toml.partial")
        try:
            partial.write_text(tomlkit.dumps(addition.document), encoding="utf-8")
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    except OSError as e:
        if copied is not None:
            copied.unlink(missing_ok=True)
        raise PackError(f"{path}: cannot be written ({e.strerror}); check the data directory's permissions and "
                        f"free space") from None


def _new_user_pack(name: str) -> Any:
    import tomlkit

    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"Your own lines for the {name!r} voice pack (see the README: custom cues)."))
    doc.add(tomlkit.comment("[cues] replaces the shipped lines of a cue; [extra] adds to them."))
    return doc

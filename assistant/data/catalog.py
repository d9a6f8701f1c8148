"""Finding data files: routines and variations, voice packs and grammars."""

import dataclasses
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.core.cues import all_cues
from assistant.core.errors import GrammarError, PackError, RoutineError
from assistant.core.grammar import Grammar
from assistant.core.pack import Line, Pack, UserPack
from assistant.core.plurals import Plural
from assistant.core.routine import Routine, Variations
from assistant.data import paths
from assistant.data.grammars import parse_grammar
from assistant.data.packs import parse_pack, parse_user_pack
from assistant.data.routines import parse_routine, parse_variations
from assistant.data.tomlfile import read_toml

log = logging.getLogger(__name__)
DEFAULT_ROUTINE = "leg-lift"


def load_variations() -> Variations:
    path = paths.variations_file()
    return parse_variations(read_toml(path, RoutineError, "variations"), source=str(paths.shown(path)))


def load_routine_file(path: Path, variations: Variations) -> Routine:
    return parse_routine(read_toml(path, RoutineError, "routine"), source=str(paths.shown(path)),
                         variations=variations)


@dataclass(frozen=True, kw_only=True)
class Entry:
    name: str
    path: Path
    source: str  # "shipped" or "user"


def routine_files() -> dict[str, Entry]:
    """Every routine by name; the user's own override shipped ones of the same name."""
    found: dict[str, Entry] = {}
    for source, folder in (("shipped", paths.shipped_routines_dir()), ("user", paths.user_routines_dir())):
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                found[path.stem] = Entry(name=path.stem, path=path, source=source)
    return found


def find_routine(name_or_path: str | None, variations: Variations) -> Routine:
    """A routine by name (``matcoach routines`` lists them) or by the path of a TOML file."""
    if name_or_path is None:
        name_or_path = DEFAULT_ROUTINE
    entries = routine_files()
    if not name_or_path.strip():
        raise RoutineError(f"the routine name is empty; use one of: {', '.join(sorted(entries))}, or the path of "
                           f"a routine .toml file")
    if name_or_path in entries:
        return load_routine_file(entries[name_or_path].path, variations)
    path = Path(name_or_path).expanduser()
    if path.suffix == ".toml" or path.exists() or "/" in name_or_path:
        return load_routine_file(path, variations)
    raise RoutineError(f"no routine named {name_or_path!r}; use one of: {', '.join(sorted(entries))}, "
                       f"or the path of a routine .toml file")


def known_cues() -> dict[str, tuple[str, ...]]:
    """Every cue id a voice pack gives text for: the session's and guided enrollment's."""
    from assistant.data.enroll_cues import ENROLLMENT_CUES

    return {**all_cues(load_variations().order), **ENROLLMENT_CUES}


def shipped_packs() -> list[str]:
    return sorted(p.stem for p in paths.shipped("voices").glob("*.toml"))


def check_pack_name(name: str) -> str:
    """A voice pack is named by a shipped pack (en, ko): the user's own pack adds to one of them, so a
    name can never lead anywhere else."""
    if name not in shipped_packs():
        raise PackError(f"no voice pack named {name!r}; use one of: {', '.join(shipped_packs())}")
    return name


def user_pack_file(name: str = "en") -> Path:
    return paths.user_voices_dir() / f"{check_pack_name(name)}.toml"


def shipped_pack_file(name: str = "en") -> Path:
    return paths.shipped("voices") / f"{check_pack_name(name)}.toml"


def load_shipped_pack(name: str = "en") -> Pack:
    path = shipped_pack_file(name)
    return parse_pack(read_toml(path, PackError, "voice pack"), source=str(path), known=known_cues(),
                      complete=True, folder=path.parent)


def shipped_plurals(name: str) -> dict[str, Plural]:
    """The plural placeholders of the shipped pack ``name`` (none when there is no such pack): a user's
    pack of that name may use them."""
    return dict(load_shipped_pack(name).plurals) if name in shipped_packs() else {}


def load_user_pack(name: str = "en") -> UserPack | None:
    path = user_pack_file(name)
    if not path.exists():
        return None
    return parse_user_pack(read_toml(path, PackError, "voice pack"), source=str(paths.shown(path)),
                           known=known_cues(), folder=path.parent, inherited=shipped_plurals(name))


def load_pack(name: str = "en") -> Pack:
    """The voice pack ``name`` as the coach will use it: the shipped one with the user's on top."""
    pack = load_shipped_pack(name)
    user = load_user_pack(name)
    return pack.overlaid(_without_missing_recordings(user)) if user is not None else pack


def _without_missing_recordings(user: UserPack) -> UserPack:
    """A recording deleted since it was added costs its line, never the session: the cue's other lines
    (or the shipped ones) are said instead."""
    def present(cue: str, lines: tuple[Line, ...]) -> tuple[Line, ...]:
        kept = []
        for line in lines:
            if line.wav is not None and not line.wav.is_file():
                log.warning("%s: the recording %s for cue %r is missing; saying the cue's other lines (record it "
                            "again, or see `matcoach cues check`)", user.source, line.wav, cue)
                continue
            kept.append(line)
        return tuple(kept)

    replace_lines = {cue: kept for cue, lines in user.replace.items() if (kept := present(cue, lines))}
    extra = {cue: kept for cue, lines in user.extra.items() if (kept := present(cue, lines))}
    return dataclasses.replace(user, replace=replace_lines, extra=extra)


def _grammar_files() -> dict[str, Path]:
    """Language -> grammar file: the shipped ones, and yours (in the configuration folder's grammars/)
    for languages matcoach does not ship."""
    files = {}
    yours = paths.user_grammars_dir()
    if yours.is_dir():
        files = {p.stem: p for p in yours.glob("*.toml") if p.is_file() and re.fullmatch(r"[A-Za-z0-9_-]+", p.stem)}
    files.update({p.stem: p for p in paths.shipped("grammars").glob("*.toml")})
    return files


def languages() -> list[str]:
    return sorted(_grammar_files())


def load_grammar(language: str = "en") -> Grammar:
    files = _grammar_files()
    if language not in files:  # also keeps a name from leading anywhere else
        raise GrammarError(f"no grammar for the language {language!r}; use one of: {', '.join(sorted(files))} "
                           f"(or add your own as {paths.shown(paths.user_grammars_dir())}/{language}.toml)")
    path = files[language]
    return parse_grammar(read_toml(path, GrammarError, "grammar"), source=str(path))

"""Finding data files: routines and variations, voice packs and grammars."""

import logging
from dataclasses import dataclass
from pathlib import Path

from assistant.core.cues import all_cues
from assistant.core.errors import GrammarError, PackError, RoutineError
from assistant.core.grammar import Grammar
from assistant.core.pack import Pack, UserPack
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
    name_or_path = name_or_path or DEFAULT_ROUTINE
    entries = routine_files()
    if name_or_path in entries:
        return load_routine_file(entries[name_or_path].path, variations)
    path = Path(name_or_path).expanduser()
    if path.suffix == ".toml" or path.exists() or "/" in name_or_path:
        return load_routine_file(path, variations)
    raise RoutineError(f"no routine named {name_or_path!r}; use one of: {', '.join(sorted(entries))}, "
                       f"or the path of a routine .toml file")


def known_cues() -> dict[str, tuple[str, ...]]:
    return all_cues(load_variations().order)


def shipped_packs() -> list[str]:
    return sorted(p.stem for p in paths.shipped("voices").glob("*.toml"))


def user_pack_file(name: str = "en") -> Path:
    return paths.user_voices_dir() / f"{name}.toml"


def load_shipped_pack(name: str = "en") -> Pack:
    path = paths.shipped("voices") / f"{name}.toml"
    if not path.exists():
        raise PackError(f"no voice pack named {name!r}; use one of: {', '.join(shipped_packs())}")
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
    return pack.overlaid(user) if user is not None else pack


def languages() -> list[str]:
    return sorted(p.stem for p in paths.shipped("grammars").glob("*.toml"))


def load_grammar(language: str = "en") -> Grammar:
    path = paths.shipped("grammars") / f"{language}.toml"
    if not path.is_file():
        raise GrammarError(f"no grammar for the language {language!r}; use one of: {', '.join(languages())}")
    return parse_grammar(read_toml(path, GrammarError, "grammar"), source=str(path))

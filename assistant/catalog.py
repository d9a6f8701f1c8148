"""Finding data files: routines and variations, voice packs and grammars."""

import logging
from dataclasses import dataclass
from pathlib import Path

from assistant import paths
from assistant.cues import all_cues
from assistant.errors import GrammarError, PackError, RoutineError
from assistant.grammar import Grammar, parse_grammar
from assistant.routine import Routine, Variations, parse_routine, parse_variations
from assistant.tomlfile import read_toml
from assistant.voicepack import Pack, parse_pack

log = logging.getLogger(__name__)
DEFAULT_ROUTINE = "leg-lift"


def load_variations() -> Variations:
    path = paths.variations_file()
    return parse_variations(read_toml(path, RoutineError, "variations"), source=str(path))


def load_routine_file(path: Path, variations: Variations) -> Routine:
    return parse_routine(read_toml(path, RoutineError, "routine"), source=str(path), variations=variations)


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


def load_pack(language: str = "en") -> Pack:
    """The shipped voice pack for ``language``; it must cover every cue the core can emit."""
    path = paths.shipped("voices") / f"{language}.toml"
    return parse_pack(read_toml(path, PackError, "voice pack"), source=str(path),
                      known=all_cues(load_variations().ids()), complete=True)


def load_grammar(language: str = "en") -> Grammar:
    path = paths.shipped("grammars") / f"{language}.toml"
    return parse_grammar(read_toml(path, GrammarError, "grammar"), source=str(path))

"""Voice packs read from parsed TOML tables: shipped packs must cover every cue; user packs add or replace
lines. Every problem names the file, the key and the fix."""

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.core.cues import NUMBER_PARAMS, RENAMED, REQUIRED
from assistant.core.errors import PackError
from assistant.core.limits import VOICE
from assistant.core.pack import Line, Pack, UserPack, VoiceSettings, placeholders
from assistant.core.plurals import CATEGORIES, Plural, usable_in
from assistant.data.fields import Fields

_PLURAL_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def parse_pack(data: Any, *, source: str, known: Mapping[str, tuple[str, ...]], complete: bool,
               folder: Path | None = None) -> Pack:
    """Validate a shipped pack against the cue ids the core emits; ``complete`` packs must cover every id."""
    top = Fields(data, source=source, where="", error=PackError)
    v = top.table_of("voice")
    if v is None:
        top.fail("[voice] is missing", 'add [voice] with language = "en"')
    voice = VoiceSettings(language=v.get("language", str, check=bool, expect="a language code"),
                          **parse_voice_settings(v))
    v.finish()
    names = parse_names(top)
    plurals = parse_plurals(top, known)
    cue_table = top.table_of("cues")
    if cue_table is None:
        top.fail("[cues] is missing", "add a [cues] table: cue id = [\"phrasing\", ...]")
    cues = {cue: parse_lines(cue_table, cue, known, folder, "shipped", plurals) for cue in cue_table.table}
    top.finish()
    if complete:
        missing = sorted(set(known) - set(cues))
        if missing:
            top.fail(*missing_cues(missing))
    return Pack(source=source, voice=voice, cues=cues, names=names, plurals=plurals)


def missing_cues(missing: list[str]) -> tuple[str, str]:
    """(problem, fix) for cues a complete pack lacks; a variation's own phrasing says which variation."""
    first = missing[0]
    fix = f'add "{first}" = ["..."] under [cues]' if "/" in first else f'add {first} = ["..."] under [cues]'
    if "/" in first:
        cue, variation = first.split("/", 1)
        fix += f" ({variation} says {cue} its own way: see variations.toml)"
    return f"cues {', '.join(missing)} have no text", fix


def parse_user_pack(data: Any, *, source: str, known: Mapping[str, tuple[str, ...]], folder: Path,
                    inherited: Mapping[str, Plural] | None = None) -> UserPack:
    """A user's pack: every table optional; [cues] replaces the shipped lines, [extra] adds to them.
    Lines may use the shipped pack's plural placeholders (``inherited``) and the user's own."""
    top = Fields(data, source=source, where="", error=PackError)
    v = top.table_of("voice")
    voice: dict[str, Any] = {}
    if v is not None:
        voice = {k: val for k, val in parse_voice_settings(v, defaults=False).items() if val is not None}
        v.finish()
    names = parse_names(top)
    plurals = parse_plurals(top, known)
    usable = {**(inherited or {}), **plurals}
    tables = {}
    for key in ("cues", "extra"):
        table = top.table_of(key)
        tables[key] = {} if table is None else {cue: parse_lines(table, cue, known, folder, "user", usable)
                                                for cue in table.table}
    top.finish()
    return UserPack(source=source, voice=voice, replace=tables["cues"], extra=tables["extra"], names=names,
                    plurals=plurals)


def parse_voice_settings(v: Fields, defaults: bool = True) -> dict[str, Any]:
    return dict(
        engine_voice=v.get("engine_voice", str, "" if defaults else None, example='engine_voice = "en-us"'),
        rate=v.number("rate", VOICE["rate"], 165 if defaults else None),
        volume=v.number("volume", VOICE["volume"], 1.0 if defaults else None))


def parse_names(top: Fields) -> dict[str, str]:
    table = top.table_of("names")
    if table is None:
        return {}
    return {key: table.get(key, str, check=bool, expect="non-empty text") for key in table.table}


def parse_plurals(top: Fields, known: Mapping[str, tuple[str, ...]]) -> dict[str, Plural]:
    """The [plurals] table: placeholder = { of = "a number parameter", one = "...", other = "..." }."""
    table = top.table_of("plurals")
    if table is None:
        return {}
    taken = {p for params in known.values() for p in params}
    plurals = {}
    for name in table.table:
        if not _PLURAL_NAME.match(name) or name in taken:
            why = "is a cue parameter already" if name in taken else "is not a plain name"
            table.fail(f"plurals.{name} {why}", f"name it in lower case letters, digits and _, e.g. {name}_word")
        f = Fields(table.table[name], source=table.source, where=f"plurals.{name}", error=PackError)
        of = f.choice("of", NUMBER_PARAMS)
        forms = {}
        for key in f.table:
            if key == "of":
                continue
            if key not in CATEGORIES and not key.isdigit():
                f.fail(f"unknown key plurals.{name}.{key}",
                       'use of, other, one, two, few, many, zero, or an exact number such as "1"')
            forms[key] = f.get(key, str, check=bool, expect="non-empty text", example=f'{key} = "..."')
            try:
                extra = placeholders(forms[key]) - {of}
            except ValueError as e:
                f.fail(f"plurals.{name}.{key} has a broken placeholder ({e})", f"write {{{of}}} with braces")
            if extra:
                f.fail(f"plurals.{name}.{key} may only use {{{of}}}", f"remove {{{min(extra)}}}")
        if "other" not in forms:
            f.fail(f"plurals.{name} has no other form",
                   'add other = "..." (said for every number without a form of its own)')
        plurals[name] = Plural(of=of, forms=forms)
    return plurals


def parse_lines(table: Fields, cue: str, known: Mapping[str, tuple[str, ...]], folder: Path | None,
                source: str, plurals: Mapping[str, Plural] | None = None) -> tuple[Line, ...]:
    if cue not in known:
        if cue in RENAMED:
            table.fail(f"cue {cue!r} is now called {RENAMED[cue]!r}", f"rename it to {RENAMED[cue]}")
        table.fail(f"cue {cue!r} is not a cue the coach says", "remove it or use an id from `matcoach cues list`")
    raw = table.table[cue]
    items = [raw] if isinstance(raw, (str, dict)) else raw
    if not isinstance(items, list) or not items:
        table.fail(f"cue {cue!r} needs text", f'write {cue} = ["..."] with one or more phrasings')
    return tuple(_line(table, cue, item, known[cue], folder, source, plurals or {}) for item in items)


def _line(table: Fields, cue: str, item: Any, params: tuple[str, ...], folder: Path | None,
          source: str, plurals: Mapping[str, Plural]) -> Line:
    if isinstance(item, dict):
        return _recording(table, cue, item, params, folder, source)
    if not isinstance(item, str) or not item.strip():
        table.fail(f"cue {cue!r} needs text", f'write {cue} = ["..."] with one or more phrasings')
    try:
        used = placeholders(item)
    except ValueError as e:
        table.fail(f"cue {cue!r} line {item!r} has a broken placeholder ({e})",
                   "use only plain placeholders such as {n} (`matcoach cues list` shows each cue's), and {{ or }} "
                   "for a brace")
    agreeing = usable_in(plurals, params)
    unknown = used - set(params) - set(agreeing)
    if unknown:
        allowed = ", ".join(f"{{{p}}}" for p in params + agreeing) or "none"
        table.fail(f"cue {cue!r} uses unknown placeholder {{{min(unknown)}}} in {item!r}", f"use only: {allowed}")
    said = used | {plurals[name].of for name in used & set(agreeing)}  # a plural form may say the number
    missing = set(REQUIRED.get(cue.split("/")[0], ())) - said
    if missing:
        table.fail(f"cue {cue!r} line {item!r} is missing placeholder {{{min(missing)}}}",
                   f"say it in every line, e.g. {cue} = [\"... {{{min(missing)}}} ...\"]")
    return Line(text=item, source=source)


def _recording(table: Fields, cue: str, item: dict, params: tuple[str, ...], folder: Path | None,
               source: str) -> Line:
    f = Fields(item, source=table.source, where=f"{table.where}.{cue}" if table.where else cue, error=PackError)
    wav = f.get("wav", str, check=bool, expect="the path of a .wav file", example='wav = "lift.wav"')
    caption = f.get("text", str, "", example='text = "what the recording says"')
    f.finish()
    required = REQUIRED.get(cue.split("/")[0], ())
    if required:
        f.fail(f"cue {cue!r} cannot be a recording: it must say {{{required[0]}}}, which changes every time",
               "use text for this cue")
    path = Path(wav).expanduser()
    if not path.is_absolute() and folder is not None:
        path = folder / path
    return Line(text=caption or f"[{path.name}]", wav=path, source=source)

"""Voice packs read from parsed TOML tables: shipped packs must cover every cue; user packs add or replace
lines. Every problem names the file, the key and the fix."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.core.cues import REQUIRED
from assistant.core.errors import PackError
from assistant.core.limits import VOICE
from assistant.core.pack import Line, Pack, UserPack, VoiceSettings, placeholders
from assistant.data.fields import Fields


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
    cue_table = top.table_of("cues")
    if cue_table is None:
        top.fail("[cues] is missing", "add a [cues] table: cue id = [\"phrasing\", ...]")
    cues = {cue: parse_lines(cue_table, cue, known, folder, "shipped") for cue in cue_table.table}
    top.finish()
    if complete:
        missing = sorted(set(known) - set(cues))
        if missing:
            top.fail(f"cues {', '.join(missing)} have no text", f'add {missing[0]} = ["..."] under [cues]')
    return Pack(source=source, voice=voice, cues=cues, names=names)


def parse_user_pack(data: Any, *, source: str, known: Mapping[str, tuple[str, ...]], folder: Path) -> UserPack:
    """A user's pack: every table optional; [cues] replaces the shipped lines, [extra] adds to them."""
    top = Fields(data, source=source, where="", error=PackError)
    v = top.table_of("voice")
    voice: dict[str, Any] = {}
    if v is not None:
        voice = {k: val for k, val in parse_voice_settings(v, defaults=False).items() if val is not None}
        v.finish()
    names = parse_names(top)
    tables = {}
    for key in ("cues", "extra"):
        table = top.table_of(key)
        tables[key] = {} if table is None else {cue: parse_lines(table, cue, known, folder, "user")
                                                for cue in table.table}
    top.finish()
    return UserPack(source=source, voice=voice, replace=tables["cues"], extra=tables["extra"], names=names)


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


def parse_lines(table: Fields, cue: str, known: Mapping[str, tuple[str, ...]], folder: Path | None,
           source: str) -> tuple[Line, ...]:
    if cue not in known:
        table.fail(f"cue {cue!r} is not a cue the coach says", "remove it or use an id from `matcoach cues list`")
    raw = table.table[cue]
    items = [raw] if isinstance(raw, (str, dict)) else raw
    if not isinstance(items, list) or not items:
        table.fail(f"cue {cue!r} needs text", f'write {cue} = ["..."] with one or more phrasings')
    return tuple(_line(table, cue, item, known[cue], folder, source) for item in items)


def _line(table: Fields, cue: str, item: Any, params: tuple[str, ...], folder: Path | None,
          source: str) -> Line:
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
    unknown = used - set(params)
    if unknown:
        allowed = ", ".join(f"{{{p}}}" for p in params) or "none"
        table.fail(f"cue {cue!r} uses unknown placeholder {{{min(unknown)}}} in {item!r}", f"use only: {allowed}")
    missing = set(REQUIRED.get(cue, ())) - used
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
    required = REQUIRED.get(cue, ())
    if required:
        f.fail(f"cue {cue!r} cannot be a recording: it must say {{{required[0]}}}, which changes every time",
               "use text for this cue")
    path = Path(wav).expanduser()
    if not path.is_absolute() and folder is not None:
        path = folder / path
    return Line(text=caption or f"[{path.name}]", wav=path, source=source)

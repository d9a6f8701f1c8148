"""Voice packs: what the coach says for each cue id, in which voice (pure: parsed from TOML tables).

A cue maps to one or more lines. A line is text with placeholders ("Lower, {n}.") or a
recorded WAV file ({ wav = "lift.wav", text = "Exhale, lift" }); WAV paths are relative
to the pack file. A user pack adds lines ([extra]) or replaces them ([cues]).
"""

import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant.cues import REQUIRED
from assistant.errors import PackError
from assistant.fields import Fields

# Parameters that carry ids; a pack's [names] table says them in its language.
NAME_PARAMS = ("variation", "side", "routine")


@dataclass(frozen=True, kw_only=True)
class VoiceSettings:
    language: str
    engine_voice: str  # a speech engine voice id; ``matcoach voices`` lists them
    rate: int          # words per minute
    volume: float      # 0.0 to 1.0


@dataclass(frozen=True, kw_only=True)
class Line:
    """One way of saying a cue: text to synthesize, or a recording (``wav``) with its text as a caption."""

    text: str
    wav: Path | None = None
    source: str = "shipped"


@dataclass(frozen=True, kw_only=True)
class Said:
    """A line with its parameters filled in: exactly what will be heard."""

    text: str
    wav: Path | None = None


@dataclass(frozen=True, kw_only=True)
class Pack:
    source: str
    voice: VoiceSettings
    cues: Mapping[str, tuple[Line, ...]]
    names: Mapping[str, str]

    def say_name(self, value: str) -> str:
        return self.names.get(value, value.replace("-", " "))

    def lines(self, cue: str, params: Mapping[str, Any]) -> tuple[Said, ...]:
        """Every way this pack can say ``cue`` with these parameters."""
        lines = self.cues.get(cue)
        if not lines:
            raise PackError(f"{self.source}: cue {cue!r} has no text; add {cue} = [\"...\"] under [cues]")
        values = {k: self.say_name(v) if k in NAME_PARAMS and isinstance(v, str) else v
                  for k, v in params.items()}
        return tuple(Said(text=line.text if line.wav else line.text.format(**values), wav=line.wav)
                     for line in lines)

    def render(self, cue: str, params: Mapping[str, Any], turn: int = 0) -> str:
        said = self.lines(cue, params)
        return said[turn % len(said)].text

    def overlaid(self, user: "UserPack") -> "Pack":
        """This pack with a user's pack on top: replaced and added lines, voice and names."""
        cues = dict(self.cues)
        cues.update(user.replace)
        for cue, lines in user.extra.items():
            cues[cue] = cues.get(cue, ()) + lines
        voice = replace(self.voice, **user.voice)
        return Pack(source=f"{self.source} + {user.source}", voice=voice, cues=cues,
                    names={**self.names, **user.names})


@dataclass(frozen=True, kw_only=True)
class UserPack:
    source: str
    voice: Mapping[str, Any]
    replace: Mapping[str, tuple[Line, ...]]
    extra: Mapping[str, tuple[Line, ...]]
    names: Mapping[str, str]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


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
        rate=v.get("rate", int, 165 if defaults else None, check=lambda r: 60 <= r <= 400,
                   expect="words per minute, 60 to 400"),
        volume=v.get("volume", float, 1.0 if defaults else None, check=lambda x: 0 <= x <= 1,
                     expect="from 0.0 to 1.0"))


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
        table.fail(f"cue {cue!r} has a broken placeholder in {item!r} ({e})", "write {name} with braces")
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

"""Voice packs: what the coach says for each cue id, in which voice (pure: parsed from TOML tables)."""

import string
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
class Pack:
    source: str
    voice: VoiceSettings
    cues: Mapping[str, tuple[str, ...]]
    names: Mapping[str, str]

    def say_name(self, value: str) -> str:
        return self.names.get(value, value.replace("-", " "))

    def render(self, cue: str, params: Mapping[str, Any], turn: int = 0) -> str:
        """The text for ``cue``; ``turn`` picks among its phrasings so repeats do not sound like a loop."""
        phrasings = self.cues.get(cue)
        if not phrasings:
            raise PackError(f"{self.source}: cue {cue!r} has no text; add {cue} = [\"...\"] under [cues]")
        values = {k: self.say_name(v) if k in NAME_PARAMS and isinstance(v, str) else v
                  for k, v in params.items()}
        return phrasings[turn % len(phrasings)].format(**values)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def parse_pack(data: Any, *, source: str, known: Mapping[str, tuple[str, ...]], complete: bool) -> Pack:
    """Validate a pack against the cue ids the core emits; ``complete`` packs must cover every id."""
    top = Fields(data, source=source, where="", error=PackError)
    v = top.table_of("voice")
    if v is None:
        top.fail("[voice] is missing", 'add [voice] with language = "en"')
    voice = VoiceSettings(
        language=v.get("language", str, check=bool, expect="a language code"),
        engine_voice=v.get("engine_voice", str, "", example='engine_voice = "en-us"'),
        rate=v.get("rate", int, 165, check=lambda r: 60 <= r <= 400, expect="words per minute, 60 to 400"),
        volume=v.get("volume", float, 1.0, check=lambda x: 0 <= x <= 1, expect="from 0.0 to 1.0"))
    v.finish()
    names_table = top.table_of("names")
    names: dict[str, str] = {}
    if names_table is not None:
        for key in names_table.table:
            names[key] = names_table.get(key, str, check=bool, expect="non-empty text")
    cue_table = top.table_of("cues")
    if cue_table is None:
        top.fail("[cues] is missing", "add a [cues] table: cue id = [\"phrasing\", ...]")
    cues: dict[str, tuple[str, ...]] = {}
    for cue in cue_table.table:
        cues[cue] = _phrasings(cue_table, cue, known)
    top.finish()
    if complete:
        missing = sorted(set(known) - set(cues))
        if missing:
            top.fail(f"cues {', '.join(missing)} have no text", f'add {missing[0]} = ["..."] under [cues]')
    return Pack(source=source, voice=voice, cues=cues, names=names)


def _phrasings(table: Fields, cue: str, known: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    if cue not in known:
        table.fail(f"cue {cue!r} is not a cue the coach says",
                   "remove it or use an id from `matcoach cues list`")
    raw = table.table[cue]
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not items or not all(isinstance(t, str) and t.strip() for t in items):
        table.fail(f"cue {cue!r} needs text", f'write {cue} = ["..."] with one or more phrasings')
    for text in items:
        try:
            unknown = placeholders(text) - set(known[cue])
        except ValueError as e:
            table.fail(f"cue {cue!r} has a broken placeholder in {text!r} ({e})", "write {name} with braces")
        if unknown:
            allowed = ", ".join(f"{{{p}}}" for p in known[cue]) or "none"
            table.fail(f"cue {cue!r} uses unknown placeholder {{{min(unknown)}}}",
                       f"use only: {allowed}")
    return tuple(items)


class Phrasing:
    """Renders cue events to text, rotating through each cue's phrasings."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self._turns: Counter[str] = Counter()

    def text(self, cue: str, params: Mapping[str, Any]) -> str:
        turn = self._turns[cue]
        self._turns[cue] += 1
        return self.pack.render(cue, params, turn)

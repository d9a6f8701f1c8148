"""Voice packs: what the coach says for each cue id, in which voice (pure: `assistant.data.packs` reads them).

A cue maps to one or more lines. A line is text with placeholders ("Lower, {n}.") or a
recorded WAV file ({ wav = "lift.wav", text = "Exhale, lift" }); WAV paths are relative
to the pack file. A user pack adds lines ([extra]) or replaces them ([cues]). Words that agree
with a number come from the pack's [plurals] table (assistant.core.plurals).

Placeholders are plain ``{name}`` and nothing else; ``{{`` and ``}}`` write a brace. Python's format
language (``{n:>9999999}``, ``{n!r}``, ``{side:d}``, ``{n.real}``) is refused when a pack is read:
a line is words to say, and a format spec in a user's line could fill the memory or stop a session.
"""

import string
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assistant.core.errors import PackError
from assistant.core.plurals import Plural, agreeing

# Parameters that carry ids; a pack's [names] table says them in its language.
NAME_PARAMS = ("variation", "side", "other", "routine")


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
    plurals: Mapping[str, Plural] = field(default_factory=dict)

    def say_name(self, value: str) -> str:
        return self.names.get(value, value.replace("-", " "))

    def lines(self, cue: str, params: Mapping[str, Any]) -> tuple[Said, ...]:
        """Every way this pack can say ``cue`` with these parameters."""
        lines = self.cues.get(cue)
        if not lines:
            raise PackError(f"{self.source}: cue {cue!r} has no text; add {cue} = [\"...\"] under [cues]")
        values = {k: self.say_name(v) if k in NAME_PARAMS and isinstance(v, str) else v
                  for k, v in params.items()}
        values.update(agreeing(self.plurals, params, self.voice.language))
        return tuple(Said(text=line.text if line.wav else fill(line.text, values), wav=line.wav)
                     for line in lines)

    def overlaid(self, user: "UserPack") -> "Pack":
        """This pack with a user's pack on top: replaced and added lines, voice and names."""
        cues = dict(self.cues)
        cues.update(user.replace)
        for cue, lines in user.extra.items():
            cues[cue] = cues.get(cue, ()) + lines
        voice = replace(self.voice, **user.voice)
        return Pack(source=f"{self.source} + {user.source}", voice=voice, cues=cues,
                    names={**self.names, **user.names}, plurals={**self.plurals, **user.plurals})


@dataclass(frozen=True, kw_only=True)
class UserPack:
    source: str
    voice: Mapping[str, Any]
    replace: Mapping[str, tuple[Line, ...]]
    extra: Mapping[str, tuple[Line, ...]]
    names: Mapping[str, str]
    plurals: Mapping[str, Plural] = field(default_factory=dict)


def _fields(text: str) -> list[tuple[str, str | None]]:
    """(literal text, placeholder name or None) in order; ValueError says what is not a plain placeholder."""
    parts = []
    for literal, name, spec, conversion in string.Formatter().parse(text):  # ValueError on unbalanced braces
        if name is not None:
            written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            if not name.isidentifier():
                raise ValueError(f"{written} is not a name in braces")
            if spec or conversion:
                raise ValueError(f"{written} carries a format")
        parts.append((literal, name))
    return parts


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders of a line; ValueError for anything that is not plain (see above)."""
    return {name for _, name in _fields(text) if name is not None}


def fill(text: str, values: Mapping[str, Any]) -> str:
    """The line with each ``{name}`` replaced by its value, as plain text (never Python's format language)."""
    try:
        return "".join(literal + ("" if name is None else str(values[name])) for literal, name in _fields(text))
    except (ValueError, KeyError) as e:  # only a line that skipped validation gets here
        raise PackError(f"the line {text!r} cannot be said ({e}); run `matcoach cues check`") from None

"""Grammars: the phrases the coach listens for, mapped to commands (pure: parsed from TOML tables)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistant.commands import START, Command
from assistant.errors import GrammarError
from assistant.fields import Fields

COMMAND_NAMES = Command.names() + (START,)


@dataclass(frozen=True, kw_only=True)
class Grammar:
    source: str
    language: str
    phrases: Mapping[str, str]  # phrase -> command name

    def command_for(self, words: str) -> str | None:
        return self.phrases.get(normalize(words))


def normalize(words: str) -> str:
    return " ".join(words.lower().split())


def parse_grammar(data: Any, *, source: str) -> Grammar:
    top = Fields(data, source=source, where="", error=GrammarError)
    language = top.get("language", str, check=bool, expect="a language code")
    table = top.table_of("commands")
    if table is None:
        top.fail("[commands] is missing", 'add [commands] with done = ["done", ...]')
    phrases: dict[str, str] = {}
    for command in table.table:
        if command not in COMMAND_NAMES:
            table.fail(f"unknown command {command!r}", f"use one of: {', '.join(COMMAND_NAMES)}")
        items = table.get(command, list, example=f'{command} = ["{command}"]')
        for phrase in items:
            if not isinstance(phrase, str) or not normalize(phrase):
                table.fail(f"commands.{command} has an empty phrase", "remove it or write the words")
            key = normalize(phrase)
            if phrases.get(key, command) != command:
                table.fail(f"phrase {phrase!r} is listed for both {phrases[key]!r} and {command!r}",
                           "keep it under one command only")
            phrases[key] = command
    missing = [c for c in Command.names() if c not in table.table]
    top.finish()
    if missing:
        top.fail(f"no phrases for {', '.join(missing)}", f'add {missing[0]} = ["{missing[0]}"] under [commands]')
    return Grammar(source=source, language=language, phrases=phrases)

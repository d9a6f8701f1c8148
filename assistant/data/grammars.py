"""Grammars read from parsed TOML tables: phrases mapped to commands, fillers, start phrases naming a variation."""

from typing import Any

from assistant.core.commands import START, Command
from assistant.core.errors import GrammarError
from assistant.core.grammar import COMMAND_NAMES, Grammar, normalize
from assistant.data.fields import Fields

BOTH = "phrase {phrase!r} is listed for both {other!r} and {command!r}"


def _add_phrases(table: Fields, key: str, command: str, phrases: dict[str, str], *, example: str,
                 conflict: str = BOTH) -> list[str]:
    """Read the phrase list ``key`` of ``table`` into ``phrases`` as ``command``; returns them normalized.
    An empty phrase, or one already listed for another command (``conflict`` says so), is a clear error."""
    added = []
    for phrase in table.get(key, list, example=example):
        if not isinstance(phrase, str) or not normalize(phrase):
            table.fail(f"{table.where}.{key} has an empty phrase", "remove it or write the words")
        normal = normalize(phrase)
        if phrases.get(normal, command) != command:
            table.fail(conflict.format(phrase=phrase, other=phrases[normal], command=command),
                       "keep it under one command only")
        phrases[normal] = command
        added.append(normal)
    return added


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
        _add_phrases(table, command, command, phrases, example=f'{command} = ["{command}"]')
    missing = [c for c in Command.names() if c not in table.table]
    start_variations: dict[str, str] = {}
    named = top.table_of("start-variations")
    if named is not None:
        for variation in named.table:
            for key in _add_phrases(named, variation, START, phrases, example=f'{variation} = ["start {variation}"]',
                                    conflict="phrase {phrase!r} is a start phrase and a {other!r} phrase"):
                start_variations[key] = variation
        named.finish()
    fillers = top.get("fillers", list, [], example='fillers = ["the", "and"]')
    for word in fillers:
        if not isinstance(word, str) or not normalize(word):
            top.fail("fillers has an empty or non-text entry", "write each filler as a word in quotes")
        if normalize(word) in phrases:
            top.fail(f"filler {word!r} is also a {phrases[normalize(word)]!r} phrase", "remove it from fillers")
    top.finish()
    if missing:
        top.fail(f"no phrases for {', '.join(missing)}", f'add {missing[0]} = ["{missing[0]}"] under [commands]')
    return Grammar(source=source, language=language, phrases=phrases,
                   fillers=tuple(dict.fromkeys(normalize(w) for w in fillers)), start_variations=start_variations)

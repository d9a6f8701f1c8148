"""Grammars: the phrases the coach listens for, mapped to commands (pure: parsed from TOML tables)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
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
    fillers: tuple[str, ...] = field(default=())  # other words, so other speech has somewhere to go
    start_variations: Mapping[str, str] = field(default_factory=dict)  # start phrase -> variation it names

    def variation_for(self, words: str) -> str | None:
        """The variation a start phrase names ("start bent knee" -> "bent-knee"), if any."""
        return self.start_variations.get(normalize(words))

    def only(self, command: str) -> "Grammar":
        """The same grammar listening for one command alone (serve's idle ears: start phrases)."""
        phrases = {p: c for p, c in self.phrases.items() if c == command}
        return replace(self, phrases=phrases)

    def command_for(self, words: str) -> str | None:
        return self.phrases.get(normalize(words))

    def words(self) -> list[str]:
        """Every word a recognizer must know, in file order."""
        return list(dict.fromkeys(w for text in (*self.phrases, *self.fillers) for w in text.split()))

    def check_vocabulary(self, known: Callable[[str], bool], model: str) -> None:
        """A clear error naming the phrases whose words ``model`` cannot recognize."""
        missing = [w for w in self.words() if not known(w)]
        if not missing:
            return
        where = [p for p in (*self.phrases, *self.fillers) if set(p.split()) & set(missing)]
        raise GrammarError(f"{self.source}: {len(missing)} word(s) are not in the vocabulary of {model}: "
                           f"{', '.join(missing[:8])}{' ...' if len(missing) > 8 else ''} "
                           f"(in {', '.join(repr(p) for p in where[:4])}); replace them with words the "
                           f"model knows, or use another model")


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
    start_variations: dict[str, str] = {}
    named = top.table_of("start-variations")
    if named is not None:
        for variation in named.table:
            for phrase in named.get(variation, list, example=f'{variation} = ["start {variation}"]'):
                if not isinstance(phrase, str) or not normalize(phrase):
                    named.fail(f"start-variations.{variation} has an empty phrase", "remove it or write the words")
                key = normalize(phrase)
                if phrases.get(key, START) != START:
                    named.fail(f"phrase {phrase!r} is a start phrase and a {phrases[key]!r} phrase",
                               "keep it under one command only")
                phrases[key] = START
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

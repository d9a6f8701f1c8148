"""Grammars: the phrases the coach listens for, mapped to commands (pure: `assistant.data.grammars` reads them)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from assistant.core.commands import START, Command
from assistant.core.errors import GrammarError

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

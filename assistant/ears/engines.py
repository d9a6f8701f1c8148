"""Choosing and starting a recognizer: Vosk when a model for the language is there, else PocketSphinx."""

from collections.abc import Callable
from pathlib import Path

from assistant.core.errors import MatcoachError
from assistant.core.grammar import Grammar
from assistant.ears import models
from assistant.ears.model_choice import find_model
from assistant.ears.recognizer import Recognizer

ENGINES = ("auto", "vosk", "pocketsphinx")


class EngineError(MatcoachError):
    """The chosen recognition engine cannot run."""


def _how_to_get(language: str) -> str:
    for entry in models.KNOWN:
        if entry.language == language:
            return entry.how or f"`matcoach models download {entry.name}`"
    return "download a Vosk model for it and run `matcoach models install FILE.zip`"


def open_ears(grammar: Grammar, *, engine: str = "auto", model: Path | None = None) -> tuple[Recognizer, str]:
    """A recognizer for ``grammar``, and a line saying which engine it is (and how to get a better one)."""
    make, note = ears_maker(grammar.language, engine=engine, model=model)
    return make(grammar), note


def ears_maker(language: str, *, engine: str = "auto",
               model: Path | None = None) -> tuple[Callable[[Grammar], Recognizer], str]:
    """Recognizers for grammars of ``language`` that share one loaded model, and the line saying
    which engine it is (and how to get a better one)."""
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    path = find_model(language, model) if engine != "pocketsphinx" else None
    if engine == "vosk" and path is None:
        raise EngineError(f"no Vosk model for {language!r} is installed; get it with {_how_to_get(language)}, "
                          f"or pass --model PATH")
    if path is not None:
        from assistant.ears.vosk_engine import VoskEars, load_model

        loaded = load_model(path)
        return (lambda grammar: VoskEars(loaded, grammar, model_name=path.name)), f"listening with Vosk ({path})"
    from assistant.ears.sphinx_engine import SphinxEars

    if language != "en" and engine == "pocketsphinx":
        raise EngineError(f"PocketSphinx knows English only; for {language!r} use --engine vosk "
                          f"(get its model with {_how_to_get(language)})")
    if language != "en":
        raise EngineError(f"no Vosk model for {language!r} is installed and PocketSphinx knows English only; "
                          f"get one with {_how_to_get(language)}")
    note = "listening with PocketSphinx (built in, English)"
    if engine == "auto":
        note += f"; for better recognition install the Vosk model: {_how_to_get(language)}"
    return SphinxEars, note

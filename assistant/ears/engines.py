"""Choosing and starting a recognizer.

``auto`` uses everything there is for the language: the shipped command model, your enrollment (the
personal model) and a grammar engine (Vosk when a model for the language is installed, else
PocketSphinx for English), fused into one pipeline (assistant.ears.embedding_engine). The other
choices use one part alone (``embedding``, ``personal``, ``vosk``, ``pocketsphinx``) or insist on the
fused pipeline (``fused``).
"""

from collections.abc import Callable
from pathlib import Path

from assistant.core.errors import MatcoachError
from assistant.core.grammar import Grammar
from assistant.ears import models
from assistant.ears.model_choice import find_model
from assistant.ears.recognizer import Recognizer

ENGINES = ("auto", "fused", "embedding", "personal", "vosk", "pocketsphinx")
Maker = Callable[[Grammar], Recognizer]


class EngineError(MatcoachError):
    """The chosen recognition engine cannot run."""


def _how_to_get(language: str) -> str:
    for entry in models.KNOWN:
        if entry.language == language:
            return entry.how or f"`matcoach models download {entry.name}`"
    return "download a Vosk model for it and run `matcoach models install FILE.zip`"


def open_ears(grammar: Grammar, *, engine: str = "auto", model: Path | None = None) -> tuple[Recognizer, str]:
    """A recognizer for ``grammar``, and a line saying what listens (and how to hear better)."""
    make, note = ears_maker(grammar.language, engine=engine, model=model)
    return make(grammar), note


def _grammar_maker(language: str, engine: str, model: Path | None) -> tuple[Maker | None, str]:
    """The grammar engine for ``language`` (None when there is none), and its name for people."""
    path = find_model(language, model) if engine != "pocketsphinx" else None
    if engine == "vosk" and path is None:
        raise EngineError(f"no Vosk model for {language!r} is installed; get it with {_how_to_get(language)}, "
                          f"or pass --model PATH")
    if path is not None:
        from assistant.ears.vosk_engine import VoskEars, load_model

        loaded = load_model(path)
        return (lambda grammar: VoskEars(loaded, grammar, model_name=path.name)), f"Vosk ({path})"
    if language != "en":
        if engine == "pocketsphinx":
            raise EngineError(f"PocketSphinx knows English only; for {language!r} use --engine vosk "
                              f"(get its model with {_how_to_get(language)})")
        return None, ""
    from assistant.ears.sphinx_engine import SphinxEars

    return SphinxEars, "PocketSphinx"


def ears_maker(language: str, *, engine: str = "auto", model: Path | None = None) -> tuple[Maker, str]:
    """Recognizers for grammars of ``language`` that share the loaded models, and the status line
    saying what listens (one line, for start-up)."""
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    if engine in ("vosk", "pocketsphinx"):
        make, name = _grammar_maker(language, engine, model)
        if make is None:
            raise EngineError(f"no Vosk model for {language!r} is installed; get one with {_how_to_get(language)}")
        return make, f"listening with {name} alone" + (" (built in, English)" if name == "PocketSphinx" else "")
    from assistant.ears.command_model import CommandModel
    from assistant.ears.enrollment import load_personal

    shipped = CommandModel.shipped(language) if engine in ("auto", "fused", "embedding") else None
    personal = load_personal(language) if engine in ("auto", "fused", "personal") else None
    if engine == "embedding" and shipped is None:
        raise EngineError(f"there is no shipped command model for {language!r}; use --engine personal after "
                          f"`matcoach enroll --language {language}`, or --engine auto")
    if engine == "personal" and personal is None:
        raise EngineError(f"nothing is enrolled for {language!r}; run `matcoach enroll --language {language}` "
                          f"first (see `matcoach enroll --help`)")
    grammar_make, grammar_name = (None, "")
    if engine in ("auto", "fused"):
        grammar_make, grammar_name = _grammar_maker(language, "auto", model)
    if shipped is None and personal is None:
        if engine == "fused":
            raise EngineError(f"no command model for {language!r}: nothing shipped and nothing enrolled; run "
                              f"`matcoach enroll --language {language}`, or use --engine auto")
        if grammar_make is None:
            raise EngineError(f"no Vosk model for {language!r} is installed, PocketSphinx knows English only, and "
                              f"nothing is enrolled; run `matcoach enroll --language {language}`, or get a model "
                              f"with {_how_to_get(language)}")
        return grammar_make, f"listening with {grammar_name} alone" + _hint(language, grammar_name)
    from assistant.ears.embedding_engine import EmbeddingEars

    def make(grammar: Grammar) -> Recognizer:
        return EmbeddingEars(grammar, model=shipped, personal=personal,
                             grammar_ears=grammar_make(grammar) if grammar_make else None)

    parts = [name for name, on in (("the command model", shipped), (grammar_name, grammar_make),
                                   ("your enrollment", personal)) if on]
    note = "listening with " + " + ".join(parts)
    if engine == "auto":
        note += _hint(language, grammar_name)
        if personal is None:
            note += "; `matcoach enroll` teaches it your voice"
    return make, note


def _hint(language: str, grammar_name: str) -> str:
    if grammar_name == "PocketSphinx":
        return f"; for better recognition install the Vosk model: {_how_to_get(language)}"
    return ""

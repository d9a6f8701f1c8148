"""Which Vosk model listens: one named on the command line or in the settings, then $VOSK_MODEL_PATH
(one model, or a folder of models as vosk means it), then an installed one for the language."""

import logging
import os
from pathlib import Path

from assistant.ears.models import (
    ENV_MODEL,
    ModelError,
    check_model_folder,
    installed,
    is_model_folder,
    language_of,
    models_in,
)

log = logging.getLogger(__name__)


def _for_language(folder: Path, language: str) -> Path | None:
    return next((p for p in models_in(folder) if language_of(p.name) == language), None)


def _given(given: Path, what: str, language: str, *, strict: bool) -> Path | None:
    """A model someone named: a model folder, a folder of models (the one for ``language``; when it has none,
    an error if ``strict``, else None), or the name of an installed model."""
    path = given.expanduser()
    if not path.exists() and len(path.parts) == 1:
        named = [m.path for m in installed() if m.name == path.name and m.complete]
        if named:
            return named[0]
    if path.is_dir() and not is_model_folder(path) and models_in(path):
        found = _for_language(path, language)
        if found is None:
            names = ", ".join(p.name for p in models_in(path))
            if strict:
                raise ModelError(f"{what} {path}: no model for {language!r} in this folder of models ({names}); "
                                 f"name the model folder itself")
            log.info("%s: no model for %r among %s", what, language, names)
        return found
    try:
        check_model_folder(path)
    except ModelError as e:
        raise ModelError(f"{what}: {e}") from None
    return path


def find_model(language: str, explicit: Path | None = None) -> Path | None:
    """The model to use: ``explicit`` (--model, or the settings), then $VOSK_MODEL_PATH (one model, or vosk's
    folder of models), then an installed one for ``language``: the data directory's, vosk's own folders',
    a package's."""
    if explicit is not None:
        found = _given(explicit, "--model", language, strict=True)
        if found is not None:
            return found
    env = os.environ.get(ENV_MODEL)
    if env:
        found = _given(Path(env), ENV_MODEL, language, strict=False)
        if found is not None:
            return found
    for model in installed():
        if model.language == language and model.complete:
            return model.path
    return None

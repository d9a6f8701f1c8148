"""What is enrolled, in the data directory: the takes (the only audio matcoach keeps without being
asked) and the personal model fitted from them.

    <data dir>/enrollment/<language>/<command>/take-001.wav   16 kHz mono, trimmed to the word
    <data dir>/enrollment/<language>/personal.npz             the fitted model (no audio in it)

Languages and commands come from the grammars, never from free text, so no name leads elsewhere.
Takes are written only once the model that uses them has been fitted, and the model file replaces
the old one in one step: a failure half-way leaves what was there before.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.core.errors import MatcoachError
from assistant.core.grammar import Grammar
from assistant.core.pack import Pack
from assistant.data import paths
from assistant.ears.personal_model import PersonalModel
from assistant.ears.takes import RATE, TakeCheck

log = logging.getLogger(__name__)
MODEL_FILE = "personal.npz"


class EnrollmentError(MatcoachError):
    """Takes that cannot be enrolled (``checks`` says why each was refused)."""

    def __init__(self, message: str, checks: tuple[TakeCheck, ...] = ()) -> None:
        super().__init__(message)
        self.checks = checks


def enrollment_dir() -> Path:
    return paths.data_dir() / "enrollment"


def language_dir(language: str) -> Path:
    return enrollment_dir() / language


@dataclass(frozen=True, kw_only=True)
class Enrolled:
    """One command's kept takes in one language."""

    language: str
    command: str
    takes: tuple[Path, ...]

    def as_json(self) -> dict:
        return {"language": self.language, "command": self.command, "takes": len(self.takes),
                "files": [str(p) for p in self.takes]}


def _take_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("take-*.wav")) if folder.is_dir() else []


def enrolled() -> list[Enrolled]:
    """Every command with kept takes, by language then command name."""
    out = []
    root = enrollment_dir()
    for lang in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        for command in sorted(p for p in lang.iterdir() if p.is_dir()):
            files = _take_files(command)
            if files:
                out.append(Enrolled(language=lang.name, command=command.name, takes=tuple(files)))
    return out


def kept_takes(language: str) -> dict[str, list[np.ndarray]]:
    """The kept takes of ``language`` as float32 16 kHz audio, per command."""
    import soundfile

    takes: dict[str, list[np.ndarray]] = {}
    for entry in enrolled():
        if entry.language != language:
            continue
        for path in entry.takes:
            try:
                audio, rate = soundfile.read(path, dtype="float32")
            except (soundfile.LibsndfileError, RuntimeError, OSError) as e:
                log.warning("%s: cannot be read (%s); it is left out", path, e)
                continue
            if rate == RATE and audio.ndim == 1:
                takes.setdefault(entry.command, []).append(audio)
    return takes


def model_path(language: str) -> Path:
    return language_dir(language) / MODEL_FILE


def load_personal(language: str) -> PersonalModel | None:
    """The personal model of ``language``, if one has been fitted (a damaged file is said and skipped)."""
    path = model_path(language)
    if not path.is_file():
        return None
    try:
        return PersonalModel.load(path)
    except (OSError, ValueError, KeyError, MatcoachError) as e:
        log.warning("%s: the personal model cannot be read (%s); enroll again with `matcoach enroll`", path, e)
        return None


def _save(language: str, model: PersonalModel | None, new: list[TakeCheck]) -> list[Path]:
    """Write the accepted new takes, then the model (or remove it when there is none)."""
    import soundfile

    folder = paths.writable_dir(language_dir(language))
    written = []
    for ck in new:
        if not ck.ok or ck.audio is None:
            continue
        where = paths.writable_dir(folder / ck.command)
        files = _take_files(where)
        number = int(files[-1].stem.split("-")[1]) + 1 if files else 1
        path = where / f"take-{number:03d}.wav"
        pcm = np.clip(np.round(ck.audio * 32767), -32768, 32767).astype(np.int16)
        soundfile.write(path, pcm, RATE, subtype="PCM_16")
        written.append(path)
    target = model_path(language)
    if model is None:
        target.unlink(missing_ok=True)
    else:
        partial = target.with_name("personal.partial.npz")
        model.save(partial)
        os.replace(partial, target)
    return written


@dataclass(frozen=True, kw_only=True)
class Enrollment:
    """What ``add_takes`` did: the checks of the new takes, the files kept, and the model's size."""

    checks: tuple[TakeCheck, ...]
    kept: tuple[Path, ...]
    commands: int          # commands the personal model now knows
    takes: int             # takes it was fitted on
    seconds: float         # how long fitting took


def _fit(language: str, kept: dict, new: dict, grammar: Grammar, pack: Pack):
    from assistant.ears.personal_fit import enroll
    from assistant.ears.vocabulary import coach_lines, coach_voice

    voice = coach_voice(pack)
    return enroll(language, kept, new, coach_lines=coach_lines(pack, fillings=1, seed=3),
                  coach_voice=(voice.engine_voice, voice.rate), phrases=list(grammar.phrases),
                  fillers=list(grammar.fillers), cache_dir=paths.cache_dir() / "enrollment")


def add_takes(grammar: Grammar, pack: Pack, new: dict[str, list[np.ndarray]]) -> Enrollment:
    """Check ``new`` takes, fit the personal model on them and the ones kept before, and keep both.
    EnrollmentError (nothing stored) when no take at all is usable."""
    import time

    from assistant.ears.takes import check_take

    began = time.monotonic()
    first = [check_take(np.asarray(x, np.float32), c, i) for c, xs in new.items() for i, x in enumerate(xs)]
    if not any(ck.ok for ck in first):  # say so at once, before a fit that could not keep anything
        raise EnrollmentError("no take was accepted, so nothing was stored; record again (a quiet room, the "
                              "microphone a little away from your mouth, just the command)", tuple(first))
    kept = kept_takes(grammar.language)
    checks, model = _fit(grammar.language, kept, new, grammar, pack)
    if not any(ck.ok for ck in checks):
        raise EnrollmentError("no take was accepted, so nothing was stored; record again (a quiet room, the "
                              "microphone a little away from your mouth, just the command)", tuple(checks))
    if model is None:
        raise EnrollmentError("the personal model could not be fitted from these takes; nothing was stored",
                              tuple(checks))
    files = _save(grammar.language, model, checks)
    takes = sum(len(v) for v in kept.values()) + len(files)
    return Enrollment(checks=tuple(checks), kept=tuple(files), commands=len(model.commands), takes=takes,
                      seconds=time.monotonic() - began)


def remove(grammar: Grammar | None, pack: Pack | None, command: str | None) -> int:
    """Delete the takes of ``command`` (all commands when None) in ``grammar``'s language, or every
    enrollment when ``grammar`` is None; refit from what is left. Returns how many takes went."""
    if grammar is None:
        count = sum(len(e.takes) for e in enrolled())
        if enrollment_dir().exists():
            shutil.rmtree(enrollment_dir())
        return count
    language = grammar.language
    entries = [e for e in enrolled() if e.language == language and (command is None or e.command == command)]
    count = sum(len(e.takes) for e in entries)
    for e in entries:
        shutil.rmtree(language_dir(language) / e.command)
    left = kept_takes(language)
    if not left:
        if language_dir(language).exists():
            shutil.rmtree(language_dir(language))
        return count
    if entries and pack is not None:
        _, model = _fit(language, left, {}, grammar, pack)
        _save(language, model, [])
    return count

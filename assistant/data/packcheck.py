"""Checking voice packs line by line: every problem reported at once, each naming file, key and fix."""

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from assistant.core.errors import MatcoachError, PackError
from assistant.core.plurals import Plural
from assistant.data.fields import Fields
from assistant.data.packs import missing_cues, parse_lines, parse_names, parse_plurals, parse_voice_settings
from assistant.data.tomlfile import read_toml
from assistant.voice.clips import AudioFileError, read_audio_file, trim

CHECK_RATE = 16000


def check_pack_file(path: Path, *, known: Mapping[str, tuple[str, ...]], complete: bool,
                    voice_exists: Callable[[str], bool] | None = None,
                    inherited: Mapping[str, Plural] | None = None) -> list[str]:
    """Every problem in one pack file; an empty list when it is clean. A user pack's lines may use
    the shipped pack's plural placeholders (``inherited``)."""
    try:
        data = read_toml(path, PackError, "voice pack")
    except PackError as e:
        return [str(e)]
    source = str(path)
    problems: list[str] = []

    def attempt(check: Callable[[], Any]) -> Any:
        try:
            return check()
        except MatcoachError as e:
            problems.append(str(e))
            return None

    top = attempt(lambda: Fields(data, source=source, where="", error=PackError))
    if top is None:
        return problems
    voice = attempt(lambda: top.table_of("voice"))
    if voice is None and complete and "voice" not in data:
        problems.append(f"{source}: [voice] is missing; add [voice] with language = \"en\"")
    if voice is not None:
        settings = attempt(lambda: parse_voice_settings(voice, defaults=False))
        if complete:
            attempt(lambda: voice.get("language", str, check=bool, expect="a language code"))
        attempt(voice.finish)
        wanted = (settings or {}).get("engine_voice")
        if wanted and voice_exists is not None and not voice_exists(wanted):
            problems.append(f"{source}: voice.engine_voice {wanted!r} is not a speech voice on this machine; "
                            f"use one from `matcoach voices`")
    attempt(lambda: parse_names(top))
    plurals = {**(inherited or {}), **(attempt(lambda: parse_plurals(top, known)) or {})}
    sections = ("cues",) if complete else ("cues", "extra")
    covered: set[str] = set()
    for section in sections:
        table = attempt(partial(top.table_of, section))
        if table is None:
            if complete and section == "cues" and "cues" not in data:
                problems.append(f"{source}: [cues] is missing; add a [cues] table: cue id = [\"phrasing\", ...]")
            continue
        for cue in table.table:
            lines = attempt(partial(parse_lines, table, cue, known, path.parent, "shipped" if complete else "user",
                                    plurals))
            covered.add(cue)
            for line in lines or ():
                if line.wav is not None:
                    attempt(partial(_check_recording, line.wav, f"{source}: {section}.{cue}"))
    attempt(lambda: top.finish())
    if complete:
        missing = sorted(set(known) - covered)
        if missing:
            problem, fix = missing_cues(missing)
            problems.append(f"{source}: {problem}; {fix}")
    return problems


def _check_recording(path: Path, where: str) -> None:
    try:
        samples = read_audio_file(path, CHECK_RATE)
    except AudioFileError as e:
        raise AudioFileError(f"{where}: {e}") from None
    if trim(samples).size == 0:
        raise AudioFileError(f"{where}: {path} is silent; record it again, closer to the microphone")

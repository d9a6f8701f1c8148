"""Wiring the coach's voice: engine, clips at the output rate, every line rendered before the first word."""

import logging
import sys
import time
from dataclasses import replace

from assistant.core.cueset import needed_lines
from assistant.core.pack import Pack
from assistant.core.planner import Planner
from assistant.core.progression import Advice
from assistant.core.routine import Routine, Variations
from assistant.voice.clips import Clips
from assistant.voice.mixer import Sink, SpokenVoice
from assistant.voice.tts import ENGINE, Pyttsx3Speech

log = logging.getLogger(__name__)
# Show a progress bar only when rendering is worth watching.
PROGRESS_AFTER_LINES = 20


def make_clips(pack: Pack, rate: int) -> Clips:
    speech = Pyttsx3Speech()
    voice = replace(pack.voice, engine_voice=speech.resolve_voice(pack.voice.engine_voice))
    return Clips(speech.render, voice, rate=rate, engine=ENGINE)


def warm(clips: Clips, pack: Pack, routine: Routine, variations: Variations, advice: Advice) -> float:
    """Render (or read from the cache) every line the session can need; returns the seconds it took."""
    started = time.perf_counter()
    lines = needed_lines(pack, routine, variations, advice)
    missing = [s for s in lines if not clips.is_cached(s)]
    if len(missing) >= PROGRESS_AFTER_LINES and sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("preparing the coach's voice", total=len(lines))
            clips.warm(lines, lambda done, total: bar.update(task, completed=done))
    else:
        if missing:
            log.info("rendering %d cue lines", len(missing))
        clips.warm(lines)
    took = time.perf_counter() - started
    log.info("%d cue lines ready in %.2f s (%d rendered)", len(lines), took, len(missing))
    return took


def spoken_voice(pack: Pack, clips: Clips, sink: Sink) -> SpokenVoice:
    return SpokenVoice(Planner(pack, clips.duration), clips, sink)

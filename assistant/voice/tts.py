"""Speech synthesis with pyttsx3 (espeak-ng on Linux): text to samples, and the voices on this machine."""

import logging
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from assistant.core.errors import MatcoachError
from assistant.data import leftovers
from assistant.data.leftovers import stale

log = logging.getLogger(__name__)
ENGINE = "pyttsx3"


# The driver renders into a file: a scratch folder per process, named after it so that the next run can
# tell (and remove) what a crashed or killed one left behind.
SCRATCH = "matcoach-tts-"


def _sweep_scratch() -> None:
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH}*"):
        if stale(folder, SCRATCH):
            leftovers.remove(folder)


class SpeechError(MatcoachError):
    """The speech engine is missing or cannot say something."""


@dataclass(frozen=True, kw_only=True)
class EngineVoice:
    id: str
    name: str
    languages: tuple[str, ...]


def _quiet_driver_prints() -> None:
    """Send the driver's print() calls to the debug log.

    pyttsx3's espeak driver prints "Audio saved to ..." from espeak's callback, which may run
    after runAndWait returns; stdout carries our JSON events, so a redirect around the call is not
    enough (and a process-wide redirect would swallow the main thread's lines). A module-level
    ``print`` shadows the builtin for that module only.
    """
    for name, module in list(sys.modules.items()):
        if name.startswith("pyttsx3.drivers.") and module is not None:
            module.print = lambda *args, **_: log.debug("pyttsx3: %s", " ".join(map(str, args)))  # type: ignore[attr-defined]


class Pyttsx3Speech:
    """Renders text to float32 mono samples through pyttsx3's save_to_file (never its player)."""

    def __init__(self) -> None:
        try:
            import pyttsx3

            self._engine = pyttsx3.init()
            _quiet_driver_prints()
        except Exception as e:  # pyttsx3 raises bare RuntimeError/OSError when espeak-ng is missing
            raise SpeechError(f"the speech engine cannot start ({e}); install espeak-ng "
                              f"(sudo apt-get install espeak-ng) or run ./setup.sh") from None
        self._lock = threading.Lock()  # the driver is not reentrant
        _sweep_scratch()
        self._folder = tempfile.TemporaryDirectory(prefix=f"{SCRATCH}{os.getpid()}-")

    def voices(self) -> list[EngineVoice]:
        return [EngineVoice(id=v.id, name=v.name, languages=tuple(str(x) for x in (v.languages or ())))
                for v in self._engine.getProperty("voices")]

    def resolve_voice(self, wanted: str) -> str:
        """The engine voice id for ``wanted`` (an id, its last part such as "en-us", or a name)."""
        if not wanted:
            return ""
        voices = self.voices()
        for v in voices:
            if wanted in (v.id, v.id.rsplit("/", 1)[-1], v.name):
                return v.id
        raise SpeechError(f"no speech voice named {wanted!r} on this machine; `matcoach voices` lists them, "
                          f"set engine_voice in your voice pack to one of those")

    # pyttsx3's espeak driver (2.99) writes the WAV when espeak reports the end of the message,
    # before appending the audio that came with that same callback: when espeak hands over a
    # short line in one chunk, the file has a header and no audio (measured: 4 renders in 300);
    # when most of a long line comes in that last chunk, a fragment (0.08 s of a 6 s line, seen
    # once in a few thousand). How espeak chunks depends on thread timing, so rendering again
    # fixes it: a render far shorter than any speaking rate allows is done again.
    ATTEMPTS = 8
    MIN_S_PER_CHAR = 0.01  # a render shorter than this per character is incomplete (speech takes 50 to 200 ms)

    def render(self, text: str, *, voice: str, rate: int, volume: float) -> tuple[np.ndarray, int]:
        """Synthesize ``text``; returns (samples, sample rate)."""
        with self._lock:
            engine = self._engine
            # pyttsx3's espeak driver lets a voice change swallow the rate set after it until the next
            # render (measured: after an English line, Korean at 150 wpm came out at 165): set it on
            # both sides of the voice, and every render has its own rate
            engine.setProperty("rate", rate)
            if voice:
                engine.setProperty("voice", voice)
            engine.setProperty("rate", rate)
            engine.setProperty("volume", volume)
            shortest = self.MIN_S_PER_CHAR * len("".join(text.split()))
            best: tuple[np.ndarray, int] = (np.zeros(0, dtype=np.float32), 0)
            for attempt in range(1, self.ATTEMPTS + 1):
                samples, rate_hz = self._render_once(engine, text)
                if samples.size and samples.size >= shortest * rate_hz:
                    return samples, rate_hz
                if samples.size > best[0].size:
                    best = (samples, rate_hz)
                log.debug("incomplete render of %r: %d samples (attempt %d)", text, samples.size, attempt)
                time.sleep(0.02 * attempt)
        if best[0].size:
            log.warning("the speech engine keeps rendering %r shorter than expected; using it as it is", text)
            return best
        raise SpeechError(f"the speech engine produced no audio for {text!r}; check `espeak-ng {text!r}` works")

    def _render_once(self, engine: Any, text: str) -> tuple[np.ndarray, int]:
        path = Path(self._folder.name) / "cue.wav"
        path.unlink(missing_ok=True)
        # one file per runAndWait: the driver keeps only the last queued item
        engine.save_to_file(text, str(path))
        engine.runAndWait()
        try:
            samples, rate_hz = soundfile.read(path, dtype="float32", always_2d=True)
        except (OSError, RuntimeError):
            return np.zeros(0, dtype=np.float32), 0
        return samples.mean(axis=1), rate_hz

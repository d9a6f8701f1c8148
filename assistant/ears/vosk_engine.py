"""The Vosk engine: a recognizer restricted to the grammar's phrases, its fillers and "[unk]".

Vosk ends an utterance only after about half a second of silence (the model's endpointing), and
its partial results carry neither times nor confidences. So when the voice activity detector hears
a short stretch of speech end (a command is said on its own), the utterance is closed at once and
its final result (words, times, confidences) judged. After a longer stretch (talk, maybe ending in
a command) the partial result is watched instead (it lags the audio by a few hundred ms): as soon
as it holds a command, the utterance is closed and judged. One utterance gives at most one command.
"""

import contextlib
import ctypes
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.errors import MatcoachError
from assistant.core.grammar import Grammar
from assistant.ears.recognizer import RATE, Detection, Word, judge
from assistant.ears.vad import VoiceActivity
from assistant.live.native import native_stderr_to_log

log = logging.getLogger(__name__)
ENGINE = "vosk"
MIN_CONF = 0.6  # Kaldi word posteriors: a command said plainly is 0.9-1.0
ARMED_S = 0.6   # after the speaker stops, how long a command showing up in the partial result closes the utterance
ON_ITS_OWN_S = 1.2   # a stretch of speech this short, ended by quiet, is closed at once: how a command is said


class VoskError(MatcoachError):
    """Vosk is missing or cannot load its model."""


def load_model(path: Path) -> Any:
    try:
        import vosk
    except ImportError:
        raise VoskError("the vosk package is not installed; run ./setup.sh or pip install vosk") from None
    vosk.SetLogLevel(-1)
    model = None
    # vosk raises a bare Exception("Failed to create a model")
    with native_stderr_to_log("vosk") as said, contextlib.suppress(Exception):
        model = vosk.Model(str(path))
    if model is None:
        problem = next((line.split(") ", 1)[-1] for line in said() if "ERROR" in line), "Failed to create a model")
        raise VoskError(f"{path}: the Vosk model cannot be loaded ({problem}); it is damaged or not a Vosk "
                        f"model: remove it and install it again (`matcoach models`)")
    return model


def _same_dither() -> None:
    """Kaldi dithers every frame with noise seeded from the C library's global rand(), so the same
    audio is heard a little differently by each recognizer a process makes (word ends move by tens of
    milliseconds, a word near the confidence gate comes or goes). Seeding it as a recognizer starts
    makes a recognizer hear the same audio the same way every time: a replay of a recorded session
    (`listen --file MIC --reference PLAYED`) hears exactly what the live session heard."""
    ctypes.CDLL(None).srand(0)


def has_word(model: Any, word: str) -> bool:
    return model.vosk_model_find_word(word) >= 0


class VoskEars:
    engine = ENGINE

    def __init__(self, model: Any, grammar: Grammar, *, model_name: str, min_conf: float = MIN_CONF) -> None:
        import vosk

        grammar.check_vocabulary(lambda w: has_word(model, w), model_name)
        words = [*grammar.phrases, *grammar.fillers]
        if has_word(model, "[unk]"):
            words.append("[unk]")
        self._grammar = grammar
        self._min_conf = min_conf
        # non-ASCII words must stay unescaped, or Vosk drops them as unknown
        self._rec = vosk.KaldiRecognizer(model, RATE, json.dumps(words, ensure_ascii=False))
        self._rec.SetWords(True)
        _same_dither()
        self._speech = VoiceActivity()
        self._phrases = [p.split() for p in grammar.phrases]
        self._fed = 0
        self._armed_until = 0.0
    @property
    def position(self) -> float:
        return self._fed / RATE

    def feed(self, block: np.ndarray) -> list[Detection]:
        self._fed += len(block)
        stopped = self._speech.update(block)
        if stopped:
            self._armed_until = self.position + ARMED_S
        if self._rec.AcceptWaveform(block.tobytes()):
            return self._judge(self._rec.Result())
        if stopped and self._speech.stretch_s <= ON_ITS_OWN_S:
            # a short stretch on its own, as a command is said: decode it now instead of waiting
            # for the partial result to catch up with the audio (a few hundred ms behind)
            self._armed_until = 0.0
            return self._judge(self._rec.FinalResult())
        if (self.position <= self._armed_until and not self._speech.speaking
                and self._holds_command(json.loads(self._rec.PartialResult()).get("partial", ""))):
            self._armed_until = 0.0
            return self._judge(self._rec.FinalResult())
        return []

    def finish(self) -> list[Detection]:
        return self._judge(self._rec.FinalResult())

    def _holds_command(self, partial: str) -> bool:
        heard = partial.split()
        return any(heard[i:i + len(p)] == p for p in self._phrases for i in range(len(heard) - len(p) + 1))

    def _judge(self, result: str) -> list[Detection]:
        words = [Word(w["word"], w["start"], w["end"], w["conf"]) for w in json.loads(result).get("result", [])]
        found = judge(self._grammar, words, engine=ENGINE, detected_at=self.position, min_conf=self._min_conf)
        if words:
            log.debug("vosk heard %s at %.2f-%.2f s -> %s", " ".join(f"{w.text}:{w.conf:.2f}" for w in words),
                      words[0].start, words[-1].end, found)
        return [found] if found else []

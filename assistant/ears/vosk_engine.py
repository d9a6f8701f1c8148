"""The Vosk engine: a recognizer restricted to the grammar's phrases, its fillers and "[unk]".

Vosk ends an utterance only after about half a second of silence (the model's endpointing), and
its partial results carry neither times nor confidences. So when the voice activity detector hears
a short stretch of speech end (a command is said on its own), the utterance is closed at once and
its final result (words, times, confidences) judged. After a longer stretch (talk, maybe ending in
a command) the partial result is watched instead (it lags the audio by a few hundred ms): as soon
as it holds a command, the utterance is closed and judged. One utterance gives at most one command.

Each utterance is decoded by a recognizer of its own, made when the voice activity detector hears
speech begin and fed from ``PRE_ROLL_S`` before it; between utterances Vosk hears nothing. Kaldi's
recognizer carries its speaker adaptation (the i-vector) from one utterance to the next, and in a
session most of what it hears is the coach: its voice, or the residue the echo canceller leaves.
Carried over, it heard a person's plain "운동 종료", said twice in a quiet rest after the coach's
lines, as "보고 한쪽 무효" and "노래 조금 무효" (a live run whose stop was never heard); started afresh
on every utterance but fed the seconds of silence before it, it lost the first word of each ("종료"
alone). A recognizer is made in about 10 ms.
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
from assistant.ears.vad import PreRoll, VoiceActivity
from assistant.live.native import native_stderr_to_log

log = logging.getLogger(__name__)
ENGINE = "vosk"
MIN_CONF = 0.6  # Kaldi word posteriors: a command said plainly is 0.9-1.0
ARMED_S = 0.6   # after the speaker stops, how long a command showing up in the partial result closes the utterance
ON_ITS_OWN_S = 1.2   # a stretch of speech this short, ended by quiet, is closed at once: how a command is said
PRE_ROLL_S = 0.5     # a new utterance's recognizer hears this much from before the speech detector woke


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
        grammar.check_vocabulary(lambda w: has_word(model, w), model_name)
        words = [*grammar.phrases, *grammar.fillers]
        if has_word(model, "[unk]"):
            words.append("[unk]")
        self._grammar = grammar
        self._min_conf = min_conf
        self._model = model
        # non-ASCII words must stay unescaped, or Vosk drops them as unknown
        self._words = json.dumps(words, ensure_ascii=False)
        self._speech = VoiceActivity()
        self._phrases = [p.split() for p in grammar.phrases]
        self._fed = 0
        self._armed_until = 0.0
        self._rec: Any = None        # the current utterance's recognizer; None: waiting for speech
        self._origin = 0.0           # where its audio begins (its word times count from here)
        self._before = PreRoll(PRE_ROLL_S)

    def _fresh(self, blocks: list[np.ndarray]) -> list[Detection]:
        """A recognizer for the utterance that begins with ``blocks`` (the last of them just fed),
        with no adaptation to what came before (see above)."""
        import vosk

        self._rec = vosk.KaldiRecognizer(self._model, RATE, self._words)
        self._rec.SetWords(True)
        _same_dither()
        self._origin = (self._fed - sum(len(b) for b in blocks)) / RATE
        for b in blocks[:-1]:
            if self._rec.AcceptWaveform(b.tobytes()):
                return self._judge(self._rec.Result())
        return []

    @property
    def position(self) -> float:
        return self._fed / RATE

    def feed(self, block: np.ndarray) -> list[Detection]:
        self._fed += len(block)
        stopped = self._speech.update(block)
        if stopped:
            self._armed_until = self.position + ARMED_S
        if self._rec is None:   # waiting for speech: it gets a recognizer of its own, from just before it
            self._before.add(block)
            if not self._speech.speaking:
                return []
            found = self._fresh(self._before.take())
            if found or self._rec is None:
                return found
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
        return self._judge(self._rec.FinalResult()) if self._rec is not None else []

    def _holds_command(self, partial: str) -> bool:
        heard = partial.split()
        return any(heard[i:i + len(p)] == p for p in self._phrases for i in range(len(heard) - len(p) + 1))

    def _judge(self, result: str) -> list[Detection]:
        """The ended utterance's command, if any; the next utterance gets a fresh recognizer."""
        origin, self._rec = self._origin, None
        words = [Word(w["word"], origin + w["start"], origin + w["end"], w["conf"])
                 for w in json.loads(result).get("result", [])]
        found = judge(self._grammar, words, engine=ENGINE, detected_at=self.position, min_conf=self._min_conf)
        if words:
            log.debug("vosk heard %s at %.2f-%.2f s -> %s", " ".join(f"{w.text}:{w.conf:.2f}" for w in words),
                      words[0].start, words[-1].end, found)
        return [found] if found else []

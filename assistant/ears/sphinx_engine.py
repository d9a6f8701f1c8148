"""The PocketSphinx engine: English, bundled with the pocketsphinx wheel, no download.

A plain grammar of the command words forces every sound onto a command. Instead each stretch of
speech (found by a voice activity detector) is decoded with a small language model of the
command words *and* ordinary filler words, and only an utterance that is exactly one command
phrase counts. Other talk decodes as fillers and is ignored.
"""

import logging
import math
import tempfile
from pathlib import Path

import numpy as np

from assistant.core.errors import MatcoachError
from assistant.core.grammar import Grammar
from assistant.ears.recognizer import RATE, Detection, Word, judge
from assistant.ears.vad import PreRoll, VoiceActivity

log = logging.getLogger(__name__)
ENGINE = "pocketsphinx"
COMMAND_MASS = 0.9   # share of the language model's probability on command words
PRE_ROLL_S = 0.3     # audio kept from before speech is detected, so the first sound is decoded
MAX_UTTERANCE_S = 4.0
MIN_CONF = 0.3       # word posterior in the lattice: talk lands on fillers; this catches noise (breath: 0.17)
EXTRA_WORDS = 0      # words besides the command phrase an utterance may have...
# ...besides the coach's countdown and its sound-alikes: "arched" said over the coach's "two" comes out
# as one utterance, "arch too"
COUNTDOWN = frozenset({"one", "two", "to", "too", "three", "four", "for", "five"})


class SphinxError(MatcoachError):
    """PocketSphinx is missing or cannot start."""


def _arpa(commands: list[str], fillers: list[str]) -> str:
    """A unigram language model: command words likely, fillers possible."""
    lines = [f"{math.log10(COMMAND_MASS / len(commands)):.4f} {w} 0" for w in commands]
    if fillers:
        lines += [f"{math.log10((1 - COMMAND_MASS) / len(fillers)):.4f} {w} 0" for w in fillers]
    body = "\n".join(lines)
    return f"\\data\\\nngram 1={len(lines) + 2}\n\n\\1-grams:\n-1.0 <s> 0\n-0.3 </s> 0\n{body}\n\n\\end\\\n"


def _dictionary_entries(path: Path, wanted: set[str]) -> dict[str, list[str]]:
    """The lines of a CMU dictionary for ``wanted`` words, alternate pronunciations ("word(2)") included."""
    entries: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word = line.split(" ", 1)[0].split("(", 1)[0]
            if word in wanted:
                entries.setdefault(word, []).append(line if line.endswith("\n") else line + "\n")
    return entries


class SphinxEars:
    engine = ENGINE
    quiet_residue = True  # utterances are cut by the speech detector: the coach's residue must not hold it open

    def __init__(self, grammar: Grammar, *, min_conf: float = MIN_CONF) -> None:
        try:
            import pocketsphinx
        except ImportError:
            raise SphinxError("the pocketsphinx package is not installed; run ./setup.sh") from None
        if grammar.language != "en":
            raise SphinxError(f"PocketSphinx has an English model only, not {grammar.language!r}; "
                              f"use --engine vosk with a {grammar.language} model (`matcoach models list`)")
        # only the entries of the words listened for: the full dictionary (135,000 words) would
        # cost tens of megabytes and a second of loading, for nothing
        full = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
        entries = _dictionary_entries(full, set(grammar.words()))
        grammar.check_vocabulary(lambda w: w in entries, "PocketSphinx's English dictionary")
        commands = list(dict.fromkeys(w for phrase in grammar.phrases for w in phrase.split()))
        fillers = [w for w in grammar.fillers if w not in commands]
        with tempfile.TemporaryDirectory(prefix="matcoach-lm-") as folder:
            lm, words = Path(folder) / "commands.arpa", Path(folder) / "words.dict"
            lm.write_text(_arpa(commands, fillers), encoding="utf-8")
            words.write_text("".join(line for lines in entries.values() for line in lines), encoding="utf-8")
            self._decoder = pocketsphinx.Decoder(samprate=RATE, loglevel="FATAL", lm=str(lm), dict=str(words),
                                                 bestpath=True)
        self._grammar = grammar
        self._min_conf = min_conf
        self._speech = VoiceActivity()
        self._pre_roll = PreRoll(PRE_ROLL_S)
        self._fed = 0
        self._utt_start: float | None = None

    @property
    def position(self) -> float:
        return self._fed / RATE

    def feed(self, block: np.ndarray) -> list[Detection]:
        self._fed += len(block)
        stopped = self._speech.update(block)
        if self._utt_start is None:
            self._pre_roll.add(block)
            if self._speech.speaking or stopped:
                self._begin()
        else:
            self._decoder.process_raw(block.tobytes())
        if self._utt_start is not None and (stopped or self.position - self._utt_start > MAX_UTTERANCE_S):
            return self._end()
        if self._utt_start is not None and not self._speech.speaking:
            # a blip too short to be a word: dropped, or the utterance would run on to its longest
            # and cut the next real word in two
            self._decoder.end_utt()
            self._utt_start = None
        return []

    def finish(self) -> list[Detection]:
        return self._end() if self._utt_start is not None else []

    def _begin(self) -> None:
        audio = np.concatenate(self._pre_roll.take())
        self._utt_start = self.position - len(audio) / RATE
        self._decoder.start_utt()
        self._decoder.process_raw(audio.tobytes())

    def _end(self) -> list[Detection]:
        decoder, start = self._decoder, self._utt_start or 0.0
        decoder.end_utt()
        self._utt_start = None
        hyp = decoder.hyp()
        if hyp is None:
            return []
        frame = 0.01  # PocketSphinx's frame rate is 100 per second
        # with bestpath on, each word's prob is its posterior in the lattice
        words = [Word(s.word.split("(")[0], start + s.start_frame * frame, start + (s.end_frame + 1) * frame,
                      min(1.0, max(0.0, s.prob))) for s in decoder.seg()]
        found = judge(self._grammar, words, engine=ENGINE, detected_at=self.position, min_conf=self._min_conf,
                      extra=int(EXTRA_WORDS), spare=COUNTDOWN)
        log.debug("pocketsphinx heard %r (%.2f) -> %s", hyp.hypstr, hyp.prob, found)
        return [found] if found else []

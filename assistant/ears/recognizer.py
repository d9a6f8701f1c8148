"""Hearing commands: what a recognizer reports, and how audio reaches it.

Recognizers take 16 kHz mono 16-bit audio in blocks of at most 100 ms and report each spoken
command once, as a Detection. Times are seconds of audio since the recognizer started.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Protocol

import numpy as np

from assistant.core.grammar import Grammar

RATE = 16000
BLOCK_S = 0.05                    # what we feed: well under the 100 ms the contract allows
BLOCK = int(RATE * BLOCK_S)


@dataclass(frozen=True, kw_only=True)
class Detection:
    command: str        # a Command name, or "start"
    phrase: str         # the words heard
    start: float        # where the phrase starts in the audio, seconds
    end: float          # where it ends
    detected_at: float  # how much audio had been fed when it was reported
    confidence: float   # 0..1
    engine: str

    def to_json(self) -> str:
        fields = asdict(self)
        for key in ("start", "end", "detected_at"):
            fields[key] = round(fields[key], 3)
        fields["confidence"] = round(fields["confidence"], 3)
        return json.dumps(fields, ensure_ascii=False)


class Recognizer(Protocol):
    """A recognizer may also say ``quiet_residue = True``: it cuts utterances with a speech detector,
    so the live chain (assistant.live.duplex) turns down stretches that hold only the residue of the
    coach's voice before it hears them."""

    engine: str

    def feed(self, block: np.ndarray) -> list[Detection]:
        """Take the next int16 block (16 kHz mono, at most 100 ms); report commands it completed."""
        ...

    def finish(self) -> list[Detection]:
        """The input has ended: report what is still pending."""
        ...


def to_int16(samples: np.ndarray) -> np.ndarray:
    if samples.dtype == np.int16:
        return samples
    return (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)


def blocks(samples: np.ndarray, size: int = BLOCK) -> Iterator[np.ndarray]:
    """16 kHz float or int16 samples as int16 blocks of ``size``."""
    pcm = to_int16(samples)
    for i in range(0, len(pcm), size):
        yield pcm[i:i + size]


def hear(recognizer: Recognizer, audio: Iterable[np.ndarray]) -> Iterator[Detection]:
    """Every command in ``audio`` (int16 blocks), as soon as the recognizer reports it."""
    for block in audio:
        yield from recognizer.feed(block)
    yield from recognizer.finish()


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    conf: float


def judge(grammar: Grammar, words: list[Word], *, engine: str, detected_at: float, min_conf: float,
          extra: int = 1, spare: frozenset[str] = frozenset()) -> Detection | None:
    """The command an utterance is, if it is one: a command phrase and at most ``extra`` other words,
    besides any of the ``spare`` words (the coach's countdown, which runs into a command said over it).

    People say commands on their own ("done", or "okay done"); talk that merely contains a command
    word is longer, and must not stop a set. The phrase's least sure word must reach ``min_conf``;
    where it does not, a shorter phrase inside it still may.
    """
    spoken = [w for w in words if not _silence(w.text)]
    for size in range(len(spoken), 0, -1):  # longest phrase first
        for i in range(len(spoken) - size + 1):
            phrase = spoken[i:i + size]
            if sum(w.text not in spare for w in spoken[:i] + spoken[i + size:]) > extra:
                continue
            command = grammar.command_for(" ".join(w.text for w in phrase))
            if command is None:
                continue
            confidence = min(w.conf for w in phrase)
            if confidence < min_conf:   # a shorter phrase inside it may be sure: "허리:0.80 떴다:0.54"
                continue
            return Detection(command=command, phrase=" ".join(w.text for w in phrase), start=phrase[0].start,
                             end=phrase[-1].end, detected_at=detected_at, confidence=confidence, engine=engine)
    return None


def _silence(word: str) -> bool:
    # PocketSphinx marks silence and noise as <sil>, <s>, </s>, [NOISE], +NSN+, ++BREATH++
    return word.startswith(("<", "+")) or (word.startswith("[") and word != "[unk]")

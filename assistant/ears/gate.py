"""Ears that idle cheaply: a recognizer fed only around speech (what `matcoach serve` waits with)."""

from collections.abc import Iterable

import numpy as np

from assistant.core.commands import START
from assistant.ears.recognizer import RATE, Detection, Recognizer
from assistant.ears.vad import PreRoll, VoiceActivity


class GatedEars:
    """A recognizer fed only around speech: a WebRTC voice-activity detector on 10 ms frames opens
    the gate (with the last ``PRE_ROLL_S`` of audio, so the first syllable is not lost) and closes
    it ``HANG_S`` after the speech ends. Silence costs the detector alone."""

    PRE_ROLL_S = 1.0   # the embedding models read about 2 s: give them the second before the speech
    HANG_S = 0.8

    def __init__(self, ears: Recognizer) -> None:
        self._ears = ears
        self._speech = VoiceActivity(quiet_s=0.3)
        self._pre_roll = PreRoll(self.PRE_ROLL_S)
        self._open = False
        self._quiet_s = 0.0
        self.fed_s = 0.0  # audio the recognizer saw
        self.heard_s = 0.0  # audio in all

    def feed(self, block: np.ndarray) -> list[Detection]:
        seconds = len(block) / RATE
        self.heard_s += seconds
        self._speech.update(block)
        if not self._open:
            self._pre_roll.add(block)
            if not self._speech.speaking:
                return []
            self._open, self._quiet_s = True, 0.0
            kept = self._pre_roll.take()
            self.fed_s += sum(len(b) for b in kept) / RATE
            return [d for b in kept for d in self._ears.feed(b)]
        found = self._ears.feed(block)
        self.fed_s += seconds
        self._quiet_s = 0.0 if self._speech.speaking else self._quiet_s + seconds
        if self._quiet_s >= self.HANG_S:
            self._open = False
            found += self._ears.finish()
        return found

    def finish(self) -> list[Detection]:
        self._open = False
        return self._ears.finish()


def wait_for_start(ears: GatedEars, blocks: Iterable[np.ndarray]) -> Detection | None:
    """The first start phrase heard; None if the blocks end first."""
    for block in blocks:
        for found in ears.feed(block):
            if found.command == START:
                return found
    return None

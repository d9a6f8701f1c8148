"""Where speech starts and ends (WebRTC's voice activity detector, from pocketsphinx), and the audio
kept from just before it starts so the first syllable reaches a recognizer."""

from collections import deque

import numpy as np

from assistant.ears.recognizer import RATE


class VoiceActivity:
    """Where speech starts and ends, from a WebRTC voice activity detector over 10 ms frames.

    ``update`` returns True once per stretch of speech, when ``quiet_s`` of non-speech follows
    at least ``min_speech_s`` of speech: the moment a short command has surely been said.
    """

    def __init__(self, *, quiet_s: float = 0.06, min_speech_s: float = 0.12, mode: int = 3) -> None:
        from pocketsphinx import Vad

        self._vad = Vad(mode, RATE, 0.01)
        self._frame = self._vad.frame_bytes // 2
        self._carry = np.zeros(0, dtype=np.int16)
        self._quiet_frames = round(quiet_s / 0.01)
        self._min_frames = round(min_speech_s / 0.01)
        self.frames = 0          # frames seen
        self.speaking = False    # inside a stretch of speech (including its trailing quiet)
        self.started_at = 0.0    # seconds: where the current stretch began
        self.stretch_s = 0.0     # how long the last stretch that ended lasted (its trailing quiet left out)
        self._voiced = 0
        self._silent = 0

    def update(self, block: np.ndarray) -> bool:
        pcm = np.concatenate((self._carry, block)) if self._carry.size else block
        whole = len(pcm) // self._frame * self._frame
        self._carry = pcm[whole:].copy()
        ended = False
        for i in range(0, whole, self._frame):
            voiced = self._vad.is_speech(pcm[i:i + self._frame].tobytes())
            self.frames += 1
            if voiced:
                if not self.speaking:
                    self.speaking, self.started_at, self._voiced = True, (self.frames - 1) * 0.01, 0
                self._voiced += 1
                self._silent = 0
            elif self.speaking:
                self._silent += 1
                if self._silent >= self._quiet_frames:
                    ended = ended or self._voiced >= self._min_frames
                    self.stretch_s = (self.frames - self._silent) * 0.01 - self.started_at
                    self.speaking = False
        return ended


class PreRoll:
    """The last ``seconds`` of audio, in blocks: what came just before speech was detected."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._blocks: deque[np.ndarray] = deque()
        self._samples = 0

    def add(self, block: np.ndarray) -> None:
        self._blocks.append(block)
        self._samples += len(block)
        while self._samples - len(self._blocks[0]) >= self.seconds * RATE:
            self._samples -= len(self._blocks.popleft())

    def take(self) -> list[np.ndarray]:
        """The blocks kept, oldest first; the buffer is empty afterwards."""
        blocks = list(self._blocks)
        self._blocks.clear()
        self._samples = 0
        return blocks

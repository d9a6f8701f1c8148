"""A live session's audio kept on request (``--record-audio DIR``): what the microphone heard and what
the speaker played, 16 kHz mono, sample 0 of both the same instant, exactly the two tracks the live
chain was fed. ``matcoach listen --file DIR/mic.wav --reference DIR/ref.wav`` replays them.

Nothing is written unless the user asks. The WAV headers are brought up to date with every block
(the standard library's writer does that), so a session that ends in a crash still leaves files
that play and replay.
"""

import logging
import wave
from datetime import datetime
from pathlib import Path

import numpy as np

from assistant.core.errors import MatcoachError
from assistant.ears.recognizer import RATE

log = logging.getLogger(__name__)
MIC, REFERENCE = "mic.wav", "ref.wav"


class TracksError(MatcoachError):
    """The recordings cannot be written where asked."""


def check_folder(folder: Path, *, fresh: bool = True) -> None:
    """Fail now, before a session starts, if ``folder`` cannot take a recording (``fresh``: and
    would not overwrite one)."""
    if folder.exists() and not folder.is_dir():
        raise TracksError(f"--record-audio {folder}: is a file, not a folder; give a folder to keep the recordings in")
    if fresh and any((folder / name).exists() for name in (MIC, REFERENCE)):
        raise TracksError(f"--record-audio {folder}: already holds a recording ({MIC}, {REFERENCE}); "
                          f"move it away or choose another folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise TracksError(f"--record-audio {folder}: cannot create the folder ({e.strerror}); "
                          f"choose a folder you can write to") from None


def session_folder(folder: Path, now: datetime) -> Path:
    """Where one of several sessions (``matcoach serve``) is kept: a folder named by its start."""
    name = now.strftime("%Y%m%d-%H%M%S")
    path, n = folder / name, 1
    while path.exists():
        n += 1
        path = folder / f"{name}-{n}"
    return path


class Tracks:
    """``mic.wav`` and ``ref.wav`` in ``folder``, written block by block from the listener thread."""

    def __init__(self, folder: Path) -> None:
        check_folder(folder)
        self.folder = folder
        self._files: list[wave.Wave_write] = []
        try:
            for name in (MIC, REFERENCE):
                track = wave.open(str(folder / name), "wb")
                track.setnchannels(1)
                track.setsampwidth(2)
                track.setframerate(RATE)
                self._files.append(track)
        except OSError as e:
            self.close()
            raise TracksError(f"--record-audio {folder}: cannot write there ({e.strerror}); "
                              f"choose a folder you can write to") from None
        self.samples = 0
        self.failed = False
        log.info("recording the microphone and the coach's voice to %s", folder)

    def write(self, mic: np.ndarray, reference: np.ndarray) -> None:
        """The next microphone block and the reference the chain got with it (int16, same length)."""
        if self.failed:
            return
        try:
            for track, block in zip(self._files, (mic, reference), strict=True):
                track.writeframes(block.astype("<i2").tobytes())
        except OSError as e:  # a full disk must not end the workout
            self.failed = True
            log.warning("recording to %s stopped: %s", self.folder, e.strerror or e)
            return
        self.samples += len(mic)

    def close(self) -> None:
        for track in self._files:
            try:
                track.close()
            except OSError as e:
                log.warning("closing a recording in %s: %s", self.folder, e.strerror or e)
        self._files = []

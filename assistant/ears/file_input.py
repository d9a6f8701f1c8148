"""A recording as 16 kHz int16 blocks, read and resampled a piece at a time: memory stays flat however
long the file (`listen --file`)."""

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from assistant.ears.recognizer import RATE, to_int16


def check_file(path: Path) -> float:
    """The recording's length in seconds; AudioFileError (one line, with the fix) when it cannot be read."""
    import soundfile

    from assistant.voice.clips import AudioFileError, check_audio_path

    check_audio_path(path)
    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError, OSError, ValueError) as e:
        raise AudioFileError(f"{path}: not a readable audio file ({e}); record or export it as a WAV file") from None
    if info.frames == 0:
        raise AudioFileError(f"{path}: the recording is empty; record it again")
    return info.duration


def file_blocks(path: Path, *, seconds: float = 10.0) -> Iterator[np.ndarray]:
    """``path`` (any rate, any channels) as mono 16 kHz int16 blocks of about ``seconds`` each."""
    import soundfile
    import soxr

    check_file(path)
    with soundfile.SoundFile(str(path)) as recording:
        rate = recording.samplerate
        resampler = soxr.ResampleStream(rate, RATE, 1, dtype="float32") if rate != RATE else None
        for piece in recording.blocks(blocksize=max(1, int(seconds * rate)), dtype="float32", always_2d=True):
            mono = piece.mean(axis=1).astype(np.float32)
            out = resampler.resample_chunk(mono) if resampler is not None else mono
            if len(out):
                yield to_int16(out)
        if resampler is not None:
            tail = resampler.resample_chunk(np.zeros(0, np.float32), last=True)
            if len(tail):
                yield to_int16(tail)

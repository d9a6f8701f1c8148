"""A recording read in blocks: any rate and channel count, down-mixed and resampled to 16 kHz as it is
read, so memory stays flat however long the file (an hour of 48 kHz stereo is 1.3 GB as floats)."""

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from assistant.core.errors import MatcoachError
from assistant.ears.recognizer import BLOCK, RATE, to_int16

READ_S = 1.0  # how much of the file is read at a time


class RecordingError(MatcoachError):
    """An audio file that cannot be listened to."""


class Recording:
    """An audio file, checked when opened; ``blocks()`` reads it from the start each time it is called."""

    def __init__(self, path: Path) -> None:
        import soundfile

        from assistant.voice.clips import check_audio_path

        self.path = path
        check_audio_path(path)  # never a folder, a pipe or a device, which could block or never end
        try:
            with soundfile.SoundFile(path) as f:
                self.rate, self.channels, self.frames, self.subtype = f.samplerate, f.channels, f.frames, f.subtype
        except (soundfile.LibsndfileError, RuntimeError, OSError) as e:
            raise RecordingError(f"{path}: not a readable audio file ({e}); record or export it as a WAV file") \
                from None
        if self.frames <= 0:
            raise RecordingError(f"{path}: the recording is empty; record it again")

    @property
    def seconds(self) -> float:
        return self.frames / self.rate

    def blocks(self, size: int = BLOCK) -> Iterator[np.ndarray]:
        """16 kHz mono int16 blocks of ``size`` samples (the last may be shorter). A 16 kHz mono
        16-bit file (what ``--record-audio`` writes) comes back sample for sample."""
        import soundfile
        import soxr

        if self.rate == RATE and self.channels == 1 and self.subtype == "PCM_16":
            with soundfile.SoundFile(self.path) as f:
                yield from f.blocks(size, dtype="int16")
            return
        resampler = soxr.ResampleStream(self.rate, RATE, 1, dtype="float32") if self.rate != RATE else None
        carry = np.zeros(0, dtype=np.float32)
        with soundfile.SoundFile(self.path) as f:
            read = max(1, int(READ_S * self.rate))
            while True:
                chunk = f.read(read, dtype="float32", always_2d=True)
                last = len(chunk) < read
                mono = chunk.mean(axis=1, dtype=np.float32) if self.channels > 1 else chunk[:, 0]
                if resampler is not None:
                    mono = resampler.resample_chunk(np.ascontiguousarray(mono), last=last)
                carry = np.concatenate((carry, mono)) if carry.size else mono
                whole = len(carry) // size * size
                for i in range(0, whole, size):
                    yield to_int16(carry[i:i + size])
                carry = carry[whole:]
                if last:
                    break
        if carry.size:
            yield to_int16(carry)

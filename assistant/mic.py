"""The microphone as a stream of 16 kHz int16 blocks, whatever rate the device runs at."""

import logging
import queue
from collections.abc import Iterator
from types import TracebackType
from typing import Any

import numpy as np

from assistant.ears import BLOCK_S, RATE, to_int16
from assistant.errors import MatcoachError

log = logging.getLogger(__name__)
SILENT_LIMIT_S = 2.0  # no audio for this long: the microphone is gone


class MicrophoneError(MatcoachError):
    """The microphone cannot be opened or stopped delivering audio."""


class Microphone:
    """``with Microphone(device) as mic: for block in mic.blocks(): ...``"""

    def __init__(self, device: int | None = None) -> None:
        self.device = device
        self._queue: queue.Queue[np.ndarray] = queue.Queue(maxsize=200)
        self._stream: Any = None
        self._resampler: Any = None
        self.rate = RATE
        self.dropped = 0

    def __enter__(self) -> "Microphone":
        import sounddevice

        try:
            try:
                sounddevice.check_input_settings(self.device, channels=1, samplerate=RATE, dtype="float32")
            except Exception:  # the device cannot run at 16 kHz: take its own rate and resample
                self.rate = int(sounddevice.query_devices(self.device, "input")["default_samplerate"])
                import soxr

                self._resampler = soxr.ResampleStream(self.rate, RATE, 1, dtype="float32")
            self._stream = sounddevice.InputStream(device=self.device, channels=1, samplerate=self.rate,
                                                   dtype="float32", blocksize=int(self.rate * BLOCK_S),
                                                   callback=self._callback)
            self._stream.start()
        except (sounddevice.PortAudioError, ValueError) as e:
            raise MicrophoneError(f"the microphone cannot be opened ({e}); check it is connected, or choose "
                                  f"another with --input-device (see `matcoach devices`)") from None
        log.info("listening on %s at %d Hz", self._stream.device, self.rate)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self._stream is not None:
            try:
                self._stream.close()
            except Exception as e:  # a vanished device may fail to close; nothing to save here
                log.debug("closing the microphone: %s", e)

    def _callback(self, data: np.ndarray, frames: int, time: Any, status: Any) -> None:
        if status:
            log.debug("microphone: %s", status)
        try:
            self._queue.put_nowait(data[:, 0].copy())
        except queue.Full:  # the listener fell behind; losing audio beats growing without bound
            self.dropped += 1

    def blocks(self) -> Iterator[np.ndarray]:
        while self._stream is not None and not self._stream.closed:
            try:
                samples = self._queue.get(timeout=SILENT_LIMIT_S)
            except queue.Empty:
                if self._stream.closed:  # we closed it: the end, not a fault
                    return
                raise MicrophoneError(f"no sound from the microphone for {SILENT_LIMIT_S:g} s: it was "
                                      f"unplugged or stopped; check it and start again") from None
            if self._resampler is not None:
                samples = self._resampler.resample_chunk(samples)
            if samples.size:
                yield to_int16(samples)

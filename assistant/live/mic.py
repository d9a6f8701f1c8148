"""The microphone as a stream of 16 kHz int16 blocks, whatever rate the device runs at.

A microphone that goes quiet (unplugged, its server restarted, a stream that stalls) is reopened
until it delivers again; ``on_change`` hears when it is lost and when it is back.
"""

import logging
import queue
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

import numpy as np

from assistant.core.errors import MatcoachError
from assistant.ears.recognizer import BLOCK_S, RATE, to_int16
from assistant.live.revive import Revival

log = logging.getLogger(__name__)
POLL_S = 0.25


class MicrophoneError(MatcoachError):
    """The microphone cannot be opened."""


class Microphone:
    """``with Microphone(device) as mic: for block in mic.blocks(): ...``

    ``on_change(lost, why)`` is called from the thread reading ``blocks()``.
    """

    def __init__(self, device: int | None = None, on_change: Callable[[bool, str], None] | None = None) -> None:
        self.device = device
        self.revival = Revival("microphone", on_change)
        self._queue: queue.Queue[tuple[np.ndarray, float, float]] = queue.Queue(maxsize=200)
        self.captured_at = 0.0  # time.monotonic() when the block last yielded arrived from the device
        self.captured_adc = 0.0  # when its first sample was captured, by the device's clock (0: unknown)
        self._stream: Any = None
        self._resampler: Any = None
        self.rate = RATE
        self.dropped = 0
        self.problems = 0  # overruns and other stream trouble, logged
        self._closing = False

    def __enter__(self) -> "Microphone":
        self._open()
        self.revival.watch_from_now()
        log.info("listening on %s at %d Hz", self._stream.device, self.rate)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._closing = True
        self._close_stream()
        self._resampler = None

    def _open(self) -> None:
        import sounddevice

        self._resampler = None
        self.rate = RATE
        try:
            try:
                sounddevice.check_input_settings(self.device, channels=1, samplerate=RATE, dtype="float32")
            except Exception:  # the device cannot run at 16 kHz: take its own rate and resample
                self.rate = int(sounddevice.query_devices(self.device, "input")["default_samplerate"])
                import soxr

                self._resampler = soxr.ResampleStream(self.rate, RATE, 1, dtype="float32")
            stream = sounddevice.InputStream(device=self.device, channels=1, samplerate=self.rate,
                                             dtype="float32", blocksize=int(self.rate * BLOCK_S), latency="low",
                                             callback=self._callback)
            try:
                stream.start()
            except sounddevice.PortAudioError:
                _close(stream)  # not left open, half started
                raise
            self._stream = stream
        except (sounddevice.PortAudioError, ValueError) as e:
            self._stream = None
            raise MicrophoneError(f"the microphone cannot be opened ({e}); check it is connected, or choose "
                                  f"another with --input-device (see `matcoach devices`)") from None

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            _close(stream)

    def _callback(self, data: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status:
            self.problems += 1
            log.debug("microphone: %s", status)
        try:
            adc = float(getattr(time_info, "inputBufferAdcTime", 0.0) or 0.0)
            self._queue.put_nowait((data[:, 0].copy(), time.monotonic(), adc))
        except queue.Full:  # the listener fell behind; losing audio beats growing without bound
            self.dropped += 1

    def blocks(self) -> Iterator[np.ndarray]:
        """Blocks until ``close()``; a quiet microphone is reopened again and again meanwhile."""
        while not self._closing:
            try:
                samples, captured_at, adc = self._queue.get(timeout=POLL_S)
            except queue.Empty:
                stream = self._stream
                if not self._closing:
                    self.revival.poll(self._reopen, dead=stream is None or not stream.active)
                continue
            self.revival.moved()
            resampler = self._resampler  # close() may drop it meanwhile
            if resampler is not None:
                samples = resampler.resample_chunk(samples)
            if samples.size:
                self.captured_at, self.captured_adc = captured_at, adc
                yield to_int16(samples)

    def _reopen(self) -> None:
        self._close_stream()
        self._open()


def _close(stream: Any) -> None:
    try:
        stream.close()
    except Exception as e:  # a vanished device may fail to close; nothing to save here
        log.debug("closing the microphone: %s", e)

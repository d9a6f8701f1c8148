"""The speaker: one output stream for a whole session, playing clips at their planned session time,
keeping what it played (the echo canceller's reference), and reopened when the device vanishes."""

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from assistant.core.errors import MatcoachError
from assistant.live.revive import Revival
from assistant.voice.mixer import Mixdown

log = logging.getLogger(__name__)


class Speaker:
    """One output stream for the whole session. The coach thread queues clips and cuts; the audio
    callback alone owns the timeline it mixes from, so nothing is shared but the queue."""

    LEAD_S = 0.25  # session time 0 plays this long after the stream starts: room to schedule ahead
    # audio buffered at the device: every answer waits this long to be heard, but a starved callback
    # (a busy machine) must not run the device dry, or the coach's voice stutters and its echo jumps
    LATENCY_S = 0.08
    ONWARD_S = 0.1  # callbacks come up to 40 ms late on a busy machine; one later than this is a stall

    def __init__(self, device: int | str | None, rate: int, blocksize: int = 0,
                 on_change: Callable[[bool, str], None] | None = None) -> None:
        self.device = device
        self.rate = rate
        self.blocksize = blocksize
        self.revival = Revival("speaker", on_change)  # on_change(lost, why) comes from the watchdog thread
        self._orders: queue.SimpleQueue = queue.SimpleQueue()
        self._timeline = Mixdown(rate)
        self._frames = 0  # written by the callback only
        self._handed = (0, time.monotonic())  # (frames handed to the device, when): written by the callback only
        self._dac = (0, 0.0)  # (frame, when the device plays it by its clock, 0: unknown): by the callback only
        self._last_end = 0  # written by the coach thread only
        self._lead = round(self.LEAD_S * rate)
        self.problems = 0
        self._closing = threading.Event()
        self._watchdog = threading.Thread(target=self._watch, name="matcoach-speaker-watch", daemon=True)
        # what was played, block by block: (first frame, RMS); the echo gate compares the
        # microphone with it. deque appends are atomic, so the callback needs no lock
        self.played: deque[tuple[int, float]] = deque(maxlen=4096)
        self._history: deque[tuple[int, np.ndarray]] = deque(maxlen=2048)  # (first frame, samples): the echo reference
        self._stream = self._open()

    def _open(self) -> Any:
        import sounddevice

        try:
            return sounddevice.OutputStream(device=self.device, samplerate=self.rate, channels=1, dtype="float32",
                                            blocksize=self.blocksize, latency=self.LATENCY_S,
                                            callback=self._callback)
        except (sounddevice.PortAudioError, ValueError) as e:
            raise MatcoachError(f"cannot open the audio output ({e}); choose another --output-device "
                                f"(`matcoach devices` lists them) or write --out-wav FILE") from None

    def __enter__(self) -> "Speaker":
        self._stream.start()
        self._watchdog.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self._close(self._stream, finish=not self.lost)

    @staticmethod
    def _close(stream: Any, finish: bool = False) -> None:
        """Close ``stream``; ``finish`` lets the device play out what it holds first."""
        try:
            stream.stop() if finish else stream.abort()
            stream.close()
        except Exception as e:  # a vanished device may fail to close; nothing to save here
            log.debug("closing the audio output: %s", e)

    def _watch(self) -> None:
        """Reopen a stream that stopped taking audio; the session clock stands still meanwhile."""
        seen = self._frames
        self.revival.watch_from_now()
        while not self._closing.wait(0.25):
            if self._frames != seen:
                seen = self._frames
                self.revival.moved()
            else:
                self.revival.poll(self._reopen)

    def _reopen(self) -> None:
        self._close(self._stream)
        stream = self._open()
        try:
            stream.start()
        except Exception as e:  # PortAudioError: not back yet
            raise MatcoachError(f"cannot start the audio output ({e})") from None
        self._stream = stream

    @property
    def lost(self) -> bool:
        return self.revival.lost

    def now(self) -> float:
        """Session seconds by the audio clock: what is being played right now."""
        return (self._frames - self._lead) / self.rate

    def add(self, start_s: float, samples: np.ndarray) -> None:
        self._orders.put(("add", start_s + self.LEAD_S, samples))
        self._last_end = max(self._last_end, round((start_s + self.LEAD_S) * self.rate) + len(samples))

    def cut(self, at_s: float) -> None:
        self._orders.put(("cut", at_s + self.LEAD_S, None))

    def level(self, start_s: float, end_s: float) -> float:
        """The loudest block played between two session times, as RMS (0 when nothing played)."""
        a, b = round((start_s + self.LEAD_S) * self.rate), round((end_s + self.LEAD_S) * self.rate)
        return max((rms for first, rms in list(self.played) if a <= first < b), default=0.0)

    def frames(self) -> int:
        """Frames handed to the device so far."""
        return self._frames

    def time_of(self, frame: float) -> float:
        """The session time at which ``frame`` plays."""
        return (frame - self._lead) / self.rate

    def frames_at(self, when: float) -> float:
        """How many frames had been handed to the device at ``when`` (time.monotonic()): counted on
        from the last callback, as the device takes them, but never more than ``ONWARD_S`` past it.
        A stream that stalled or was just reopened takes nothing meanwhile; counted on, an echo
        reference lined up after a speaker came back was a second ahead of anything played (and
        silent all session)."""
        frames, at = self._handed
        return max(0.0, frames + min(when - at, self.ONWARD_S) * self.rate)

    def frames_at_dac(self, when: float) -> float | None:
        """The frame the device plays at ``when`` by its own clock (PortAudio's stream time, the
        microphone's ADC times too), or None when the device gives no such times."""
        frame, at = self._dac
        return frame + (when - at) * self.rate if at > 0 else None

    def played_audio(self, first: int, count: int) -> np.ndarray:
        """What was handed to the device for frames [first, first + count); silence where nothing was."""
        out = np.zeros(count, dtype=np.float32)
        for start, block in list(self._history):
            a, b = max(first, start), min(first + count, start + len(block))
            if a < b:
                out[a - first:b - first] = block[a - start:b - start]
        return out

    def wait_until(self, t: float) -> None:
        """Sleep until the audio clock reaches session time ``t``."""
        while (left := t - self.now()) > 0:
            time.sleep(min(left, 0.01))

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until everything queued has been played."""
        deadline = time.monotonic() + timeout
        while self._frames < self._last_end and time.monotonic() < deadline:
            time.sleep(0.02)

    def _callback(self, outdata: np.ndarray, frames: int, times: Any, status: Any) -> None:
        if status:  # under- and overruns: logged, never fatal
            self.problems += 1
            (log.warning if self.problems in (1, 10, 100, 1000) else log.debug)("audio output: %s (%d so far)",
                                                                                 status, self.problems)
        while True:
            try:
                order, at, samples = self._orders.get_nowait()
            except queue.Empty:
                break
            if order == "add":
                self._timeline.add(at, samples)
            else:
                self._timeline.cut(at)
        block = np.zeros(frames, dtype=np.float32)
        self._timeline.mix_into(block, self._frames)
        outdata[:, 0] = np.clip(block, -1.0, 1.0)
        self.played.append((self._frames, float(np.sqrt(np.mean(block * block))) if frames else 0.0))
        self._history.append((self._frames, block))
        self._dac = (self._frames, float(getattr(times, "outputBufferDacTime", 0.0) or 0.0))
        self._frames += frames
        self._handed = (self._frames, time.monotonic())
        self._timeline.drop_before(self._frames)

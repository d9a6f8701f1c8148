"""The real speaker, microphone and echo reference on an audio server (PULSE_SERVER: a private one
with the coach's voice looped into the microphone, see tests.pulse.Room), with the speaker's
callback stalled for 150 ms at 4 s and 8 s, as on a busy machine. Prints, as JSON, the slips the
reference followed, the echo's delay behind the reference and how far each stall moved it: its delay
in the second after the reference followed the stall minus its delay in the second before the stall.

The room holds still (no rate steering in the loopback), and each stall is judged by the seconds
around it: in a fresh-clone run on a busy machine the echo was 147 ms behind the reference instead of
about 30 (the loopback far from its 20 ms), and 6 ms later 4 s on, across the first stall; measured
from 1.5 s to 5.5 s, a loopback steering its rate and a slip followed short look the same.

    python -m tests.stalled_speaker     (run by test_live_parts.py, under the private server's env)
"""

import json
import os
import time
from pathlib import Path

import numpy as np

from assistant.live.aec import Reference
from assistant.live.mic import Microphone
from assistant.live.speaker import Speaker
from tests.audio_checks import echo_delay_ms

RATE, STALLS, STALL_S = 16000, [4.0, 8.0], 0.15


class StallingSpeaker(Speaker):
    def _callback(self, outdata, frames, times, status):
        if STALLS and self._frames >= STALLS[0] * self.rate:
            STALLS.pop(0)
            time.sleep(STALL_S)
        super()._callback(outdata, frames, times, status)


def delay_ms(mic: np.ndarray, ref: np.ndarray, a: float, b: float) -> float:
    return echo_delay_ms(mic, ref, a, b, 0, 300)


def main() -> None:
    from tests.pulse import PulseServer, Room

    noise = np.random.default_rng(0).standard_normal(48000 * 14).astype(np.float32) * 0.1
    mics, refs = [], []
    server = PulseServer(Path(os.environ["PULSE_RUNTIME_PATH"]))
    with Room(server, volume=60, still=True), StallingSpeaker(None, 48000) as speaker, Microphone(None) as mic:
        speaker.add(0.0, noise)
        reference = Reference(speaker.played_audio, speaker.frames_at, 48000, frames_at_dac=speaker.frames_at_dac)
        for block in mic.blocks():
            refs.append(reference.take(len(block), mic.captured_at, mic.captured_adc))
            mics.append(block)
            if sum(map(len, mics)) >= 12 * RATE:
                break
    m, r = (np.concatenate(x).astype(np.float32) for x in (mics, refs))
    # the reference follows a stall about 0.3 s after it (five device readings that agree)
    moves = [delay_ms(m, r, at + 0.8, at + 2.0) - delay_ms(m, r, at - 1.4, at - 0.2) for at in (4.0, 8.0)]
    print(json.dumps({"slips_ms": [round(1000 * s, 1) for _, s in reference.slips],
                      "delays_ms": [delay_ms(m, r, a, a + 2) for a in (1.5, 5.5, 9.5)],
                      "moved_ms": [round(ms, 2) for ms in moves]}))


if __name__ == "__main__":
    main()

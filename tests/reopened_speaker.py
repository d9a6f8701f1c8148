"""The real speaker, microphone and echo reference on an audio server (PULSE_SERVER: a private one,
see tests.pulse), with the coach's voice looped into the microphone (tests.pulse.Room). At 5 s the
speaker is unplugged for 3 s and plugged back in; the reference is lined up again whenever a
device is reopened, as in a session (assistant.live.listener). Prints, as JSON, the echo's delay
behind the reference (and how well they match) before the speaker went and after it came back.

    python -m tests.reopened_speaker     (run by test_live_parts.py, under the private server's env)
"""

import json
import os
import threading
import time
from pathlib import Path

import numpy as np

from assistant.live.aec import Reference
from assistant.live.mic import Microphone
from assistant.live.speaker import Speaker

RATE = 16000


def delay(mic: np.ndarray, ref: np.ndarray, a: float, b: float) -> tuple[float, float]:
    """The echo's lag behind the reference over seconds a..b (ms, -300 to 1000, to the sample: white
    noise matches at one lag only), and how well they match there (0-1)."""
    a, b, back, on = int(a * RATE), int(b * RATE), int(0.3 * RATE), RATE
    part, around = mic[a:b], ref[a - on:b + back]
    size = 1 << int(np.ceil(np.log2(len(around) + len(part))))
    scores = np.fft.irfft(np.fft.rfft(around, size) * np.conj(np.fft.rfft(part, size)), size)
    scores = scores[:len(around) - len(part) + 1]
    best = int(np.argmax(scores))   # ref[a - on + best] lines up with mic[a]: the echo is on - best behind
    norm = float(np.linalg.norm(part) * np.linalg.norm(around[best:best + len(part)])) or 1.0
    return 1000 * (on - best) / RATE, float(scores[best]) / norm


def main() -> None:
    from tests.pulse import PulseServer, Room, Unplugged

    server = PulseServer(Path(os.environ["PULSE_RUNTIME_PATH"]))
    rooms = [Room(server, volume=60).__enter__()]

    def unplug() -> None:
        time.sleep(5)
        with Unplugged(server, "spk"):   # the loopback goes with the speaker's monitor ...
            time.sleep(3)
        time.sleep(0.3)
        rooms.append(Room(server, volume=60).__enter__())   # ... and comes back with it

    noise = np.random.default_rng(0).standard_normal(48000 * 40).astype(np.float32) * 0.1
    mics, refs = [], []
    threading.Thread(target=unplug, daemon=True).start()
    with Speaker(None, 48000) as speaker, Microphone(None) as mic:
        speaker.add(0.0, noise)
        reference = Reference(speaker.played_audio, speaker.frames_at, 48000, frames_at_dac=speaker.frames_at_dac)
        losses = 0
        for block in mic.blocks():
            if mic.revival.reopened + speaker.revival.reopened != losses:
                losses = mic.revival.reopened + speaker.revival.reopened
                reference.realign()
            refs.append(reference.take(len(block), mic.captured_at, mic.captured_adc))
            mics.append(block)
            if sum(map(len, mics)) >= 20 * RATE:
                break
    rooms[-1].__exit__()
    m, r = (np.concatenate(x).astype(np.float32) for x in (mics, refs))
    print(json.dumps({"reopened": speaker.revival.reopened, "slips": len(reference.slips),
                      "relined": [(round(at / RATE, 2), round(1000 * s, 1)) for at, s in reference.relined],
                      "before": delay(m, r, 2, 4), "after": [delay(m, r, a, a + 2) for a in (14, 16)]}))


if __name__ == "__main__":
    main()

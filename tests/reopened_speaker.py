"""The real speaker, microphone and echo reference on an audio server (PULSE_SERVER: a private one,
see tests.pulse), with the coach's voice looped into the microphone (tests.pulse.Room). At 5 s the
speaker is unplugged for 3 s and plugged back in; the reference is lined up again whenever a
device is reopened, as in a session (assistant.live.listener). Prints, as JSON, the echo's delay
behind the reference before the speaker went and after it came back.

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
from tests.audio_checks import echo_delay_ms

RATE = 16000


def delay_ms(mic: np.ndarray, ref: np.ndarray, a: float, b: float) -> float:
    return echo_delay_ms(mic, ref, a, b, -300, 1000)


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
                      "before": delay_ms(m, r, 2, 4), "after": [delay_ms(m, r, a, a + 2) for a in (14, 16)]}))


if __name__ == "__main__":
    main()

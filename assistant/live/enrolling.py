"""Guided enrollment (`matcoach enroll` without takes): the coach asks for each command a few times,
records each take, checks it, asks again with the reason said when a take is refused, then fits the
personal model. It speaks in the voice pack's voice through the speaker and listens on the microphone.
"""

import logging
import time
from collections.abc import Callable

import numpy as np

from assistant.core.errors import MatcoachError
from assistant.core.grammar import Grammar
from assistant.core.pack import Pack
from assistant.ears.recognizer import RATE

log = logging.getLogger(__name__)
OUTPUT_RATE = 48000
WAIT_S = 6.0        # how long to wait for a take to start
LONGEST_S = 5.0     # a take is cut here (the checks then call it too long)
AFTER_S = 0.4       # kept after the speech ends
RETRIES = 3         # refused takes asked again per command, beyond the takes wanted


class NoAudioDevices(MatcoachError):
    """Guided enrollment needs a microphone and a speaker."""


def record_take(blocks, *, wait_s: float = WAIT_S, longest_s: float = LONGEST_S) -> np.ndarray | None:
    """One take from microphone ``blocks`` (int16, 16 kHz): from a little before speech starts until it
    ends; None when nobody spoke within ``wait_s``."""
    from assistant.ears.vad import PreRoll, VoiceActivity

    speech = VoiceActivity(quiet_s=AFTER_S)
    before = PreRoll(0.5)
    kept: list[np.ndarray] = []
    heard = 0.0
    for block in blocks:
        heard += len(block) / RATE
        ended = speech.update(block)
        if not kept:
            before.add(block)
            if speech.speaking:
                kept = before.take()
            elif heard > wait_s:
                return None
            continue
        kept.append(block)
        if ended or sum(len(b) for b in kept) / RATE > longest_s:
            break
    if not kept:
        return None
    return np.concatenate(kept).astype(np.float32) / 32768.0


def guided_enrollment(grammar: Grammar, pack: Pack, *, input_device: str | None, output_device: str | None,
                      takes: int, tell: Callable[[str], None]) -> int:
    """Run the guided enrollment; returns the exit status (0 when the personal model was fitted)."""
    from assistant.ears.enrollment import add_takes
    from assistant.ears.takes import check_take
    from assistant.ears.vocabulary import command_ids, phrases_of
    from assistant.live.devices import DeviceError, find_device
    from assistant.live.mic import Microphone
    from assistant.live.speaker import Speaker
    from assistant.voice.speaking import make_clips

    try:
        speaker_device = find_device(output_device, "output")
        mic_device = find_device(input_device, "input")
    except DeviceError as e:
        raise NoAudioDevices(f"{str(e).split(';')[0]}: guided enrollment needs a microphone and a speaker; "
                             f"enroll from recordings instead with `matcoach enroll --take COMMAND=FILE.wav ...`") \
            from None
    from assistant.live.priority import raise_priority

    raise_priority()  # the coach's voice and the takes must not stutter on a busy machine
    clips = make_clips(pack, OUTPUT_RATE)
    said = phrases_of(grammar)
    recorded: dict[str, list[np.ndarray]] = {}
    with Speaker(speaker_device, OUTPUT_RATE) as speaker:

        def say(cue: str, **params: object) -> None:
            line = pack.lines(cue, params)[0]
            audio = clips.get(line)
            at = speaker.now() + 0.05
            speaker.add(at, audio)
            tell(f"coach: {line.text}")
            speaker.wait_until(at + len(audio) / OUTPUT_RATE + 0.15)

        say("enroll-welcome", takes=takes)
        for command in command_ids(grammar):
            phrase = said[command][0]
            tries, good = 0, []
            while len(good) < takes and tries < takes + RETRIES:
                tries += 1
                say("enroll-say" if not good else "enroll-again", phrase=phrase)
                with Microphone(mic_device) as mic:
                    audio = record_take(mic.blocks())
                if audio is None:
                    say("enroll-unheard", phrase=phrase)
                    continue
                check = check_take(audio, command, len(good))
                if not check.ok:
                    tell(f"{command} take {tries}: not kept: {check.reason}")
                    say(f"enroll-{check.kind or 'noise'}")
                    continue
                good.append(audio)
            if good:
                recorded[command] = good
        if not recorded:
            tell("no take was kept, so nothing was stored; try again in a quieter room")
            return 2
        say("enroll-fitting")
        began = time.monotonic()
        done = add_takes(grammar, pack, recorded)
        for check in done.checks:
            if not check.ok:
                tell(f"{check.command} take {check.index + 1}: not kept: {check.reason}")
        say("enroll-done")
    tell(f"enrolled {len(done.kept)} takes ({grammar.language}) in {time.monotonic() - began:.1f} s of fitting; "
         f"`matcoach enroll list` shows them")
    return 0

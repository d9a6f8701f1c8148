"""Sessions as a microphone would hear them: the coach's real voice (the shipped pack's lines, spoken
by espeak-ng with the pack's voice settings), its echo through a room (a delay, a level, reverberation, a speaker
that distorts a little), the person's commands spoken by espeak-ng voices, and the room's hiss.
The two tracks (microphone, reference) replay through the live chain with no audio server.
"""

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from assistant.core.clock import VirtualClock
from assistant.core.events import Cue, Event
from assistant.core.planner import Planner
from assistant.core.runner import ScriptedCommands, run
from assistant.core.session import Session
from assistant.data import catalog
from assistant.ears.recognizer import BLOCK, Detection, Recognizer
from assistant.live.duplex import DuplexEars
from assistant.voice.clips import Clips
from assistant.voice.mixer import Mixdown, SpokenVoice
from tests.audio_checks import rms_db
from tests.speechdata import FLOOR_DB, RATE, SPEECH_DB, Spoken, noise, say


def espeak_render(text: str, *, voice: str, rate: int, volume: float) -> tuple[np.ndarray, int]:
    """The coach's line as espeak-ng's command line says it: the same every time (pyttsx3's rendering
    moves by a few milliseconds from run to run, and a test must hear the same session each time)."""
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-a", str(round(100 * volume)), "--stdout", text],
                         capture_output=True, check=True).stdout
    return np.frombuffer(wav[44:], dtype="<i2").astype(np.float32) / 32768, 22050


@dataclass(frozen=True)
class CoachAudio:
    audio: np.ndarray        # what the speaker played, 16 kHz float
    cues: tuple[Cue, ...]


def coach_session(language: str, cache: Path, *, sets: int = 1, reps: int = 6, rest_s: float = 20.0) -> CoachAudio:
    """A quick session with nobody speaking, as the speaker plays it (the real pack and voice)."""
    pack = catalog.load_pack(language)
    variations = catalog.load_variations()
    routine = catalog.find_routine("quick", variations).with_overrides(sets=sets, reps=reps, rest_s=rest_s)
    voice = pack.voice
    clips = Clips(espeak_render, replace(voice, engine_voice=voice.engine_voice or voice.language), rate=RATE,
                  engine="espeak-ng", cache_dir=cache)
    mixdown = Mixdown(RATE)
    events: list[Event] = []
    clock = VirtualClock()
    voice = SpokenVoice(Planner(pack, clips.duration), clips, mixdown)
    run(Session(routine, variations, clock, voice, events.append), ScriptedCommands(clock, []))
    audio = mixdown.render(max(clock.now(), voice.busy_until) + 1.0)
    return CoachAudio(audio=audio, cues=tuple(e for e in events if isinstance(e, Cue)))


@dataclass(frozen=True)
class Room:
    """How the coach's voice comes back: ``delay_s`` after it is played, its level ``level`` times
    the person's (by RMS while speaking), with reverberation and a little speaker distortion."""

    delay_s: float
    level: float
    rt60_s: float = 0.25
    drive: float = 0.5   # tanh overdrive of the speaker: 0.5, 1, 1.5, 2 distort by -40, -29, -23, -19 dB
    seed: int = 0

    def echo(self, played: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        d = int(self.delay_s * RATE)
        tail = int(self.rt60_s * RATE)
        response = np.zeros(d + tail, dtype=np.float32)
        response[d] = 1.0
        decay = np.exp(-6.9 * np.arange(1, tail) / (self.rt60_s * RATE))
        response[d + 1:] = rng.standard_normal(tail - 1) * 0.12 * decay
        peak = max(float(np.max(np.abs(played))), 1e-9)
        distorted = np.tanh(self.drive * played / peak) / np.tanh(self.drive) * peak
        size = 1 << (len(played) + len(response)).bit_length()
        echo = np.fft.irfft(np.fft.rfft(distorted, size) * np.fft.rfft(response, size), size)[:len(played)]
        speaking = np.convolve(np.abs(echo) > 0.01 * np.max(np.abs(echo)), np.ones(800), "same") > 0
        scale = 10 ** ((SPEECH_DB + 20 * np.log10(self.level) - rms_db(echo[speaking])) / 20)
        return (echo * scale).astype(np.float32)


def microphone(played: np.ndarray, room: Room, said: list[tuple[float, np.ndarray]], *,
               seed: int = 0) -> np.ndarray:
    """The microphone: the room's echo of ``played``, the person's ``said`` (session time, audio), hiss."""
    rng = np.random.default_rng(seed)
    mic = room.echo(played) + noise("white", len(played) / RATE + 1, rng)[:len(played)] * 10 ** (FLOOR_DB / 20)
    for t, audio in said:
        a = int(t * RATE)
        mic[a:a + len(audio)] += audio[:max(0, len(mic) - a)]
    return np.clip(mic, -1, 1)


def drifting_microphone(played: np.ndarray, room: Room, said: list[tuple[float, np.ndarray]], *,
                        seed: int = 0) -> tuple[np.ndarray, float]:
    """The microphone of a room whose echo comes 5-20 ms later every 8-12 s, as it did on a loaded
    live audio server (31 -> 48 -> 68 -> 78 ms in half a minute): stretches of ``microphone`` at
    growing delays, from ``room.delay_s`` on; and the delay at the end."""
    rng = np.random.default_rng(seed + 7919)
    mic = np.zeros(len(played), np.float32)
    delay, at = room.delay_s, 0
    while True:
        stretch = int(rng.uniform(8, 12) * RATE)
        mic[at:at + stretch] = microphone(played, replace(room, delay_s=delay), said, seed=seed)[at:at + stretch]
        at += stretch
        if at >= len(played):
            return mic, delay
        delay += float(rng.uniform(0.005, 0.02))


def over_the_countdown(coach: CoachAudio, word: str, voices: list[str], *, seed: int = 0,
                       ) -> tuple[list[tuple[float, np.ndarray]], list[Spoken]]:
    """``word`` said once in every countdown, over the coach's numbers: voices, speeds and moments vary."""
    rng = np.random.default_rng(seed)
    said, spoken = [], []
    counts = [c for c in coach.cues if c.cue == "count"]
    for i, lower in enumerate(c for c in coach.cues if c.cue == "lower"):
        number = next(c for c in counts if c.t > lower.t)  # "two": the word starts over it or just before
        t = number.t + float(rng.uniform(-0.3, 0.15))
        audio = say(word, voices[i % len(voices)], int(rng.uniform(140, 185)))
        said.append((t, audio))
        spoken.append(Spoken(word, t, t + len(audio) / RATE))
    return said, spoken


def replay(make_ears: Callable[[], Recognizer], mic: np.ndarray, reference: np.ndarray | None,
           *, cancel: bool = True) -> tuple[list[Detection], DuplexEars]:
    """The live chain over the two tracks, block by block; the commands it let through, and the chain."""
    chain = DuplexEars(make_ears(), cancel=cancel)
    pcm = (np.clip(mic, -1, 1) * 32767).astype(np.int16)
    ref = None if reference is None else (np.clip(reference, -1, 1) * 32767).astype(np.int16)
    found: list[Detection] = []
    for i in range(0, len(pcm), BLOCK):
        found += chain.feed(pcm[i:i + BLOCK], None if ref is None else ref[i:i + BLOCK])
    found += chain.finish()
    chain.close()
    return found, chain


def heard_in_time(found: list[Detection], spoken: list[Spoken], command: str) -> tuple[int, list[Detection]]:
    """How many of ``spoken`` were heard as ``command`` where they were said, and the other detections."""
    hits, used = 0, set()
    for s in spoken:
        match = next((i for i, d in enumerate(found) if i not in used and d.command == command
                      and d.start < s.end + 0.2 and d.end > s.start - 0.2), None)
        if match is not None:
            used.add(match)
            hits += 1
    return hits, [d for i, d in enumerate(found) if i not in used]

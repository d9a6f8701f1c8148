"""Synthetic listening material for the ears: espeak-ng speech placed in noise, with known word times.

Never pad test speech with exact digital zeros: recognizers normalise on the background level,
and real microphones always hiss. Every scene has a noise floor at least.
"""

import subprocess
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.voice.clips import resample
from tests.audio_checks import rms_db

RATE = 16000
FLOOR_DB = -60.0
SPEECH_DB = -20.0  # RMS level each utterance is scaled to


@lru_cache(maxsize=1024)
def _espeak(text: str, voice: str, speed: int) -> np.ndarray:
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
                         capture_output=True, check=True).stdout
    samples = np.frombuffer(wav[44:], dtype="<i2").astype(np.float32) / 32768  # espeak: 22,050 Hz mono
    audio = resample(samples, 22050, RATE)
    loud = np.flatnonzero(np.abs(audio) > 10 ** (-45 / 20))
    audio = audio[loud[0]:loud[-1] + 1] if loud.size else audio
    audio.setflags(write=False)
    return audio


def say(text: str, voice: str = "en-us", speed: int = 160) -> np.ndarray:
    """``text`` spoken by espeak-ng at 16 kHz, trimmed to its sound, at SPEECH_DB RMS."""
    audio = _espeak(text, voice, speed)
    return audio * np.float32(10 ** ((SPEECH_DB - rms_db(audio)) / 20))


def noise(kind: str, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Background sound at 0 dB RMS: "white", "pink" (fan, traffic) or "breath" (loud exhales)."""
    n = int(seconds * RATE)
    white = rng.standard_normal(n)
    if kind == "white":
        out = white
    elif kind == "pink":
        spectrum = np.fft.rfft(white)
        spectrum /= np.sqrt(np.maximum(np.arange(spectrum.size), 1))
        out = np.fft.irfft(spectrum, n)
    elif kind == "breath":
        # band-limited noise bursts of 0.6-1.4 s shaped like an exhale, about every 2 s
        spectrum = np.fft.rfft(white)
        freqs = np.fft.rfftfreq(n, 1 / RATE)
        spectrum[(freqs < 300) | (freqs > 4000)] = 0
        band = np.fft.irfft(spectrum, n)
        envelope = np.zeros(n)
        t = rng.uniform(0.0, 0.5)
        while t < seconds:
            length = rng.uniform(0.6, 1.4)
            a, b = int(t * RATE), min(n, int((t + length) * RATE))
            x = np.linspace(0, 1, b - a)
            envelope[a:b] = np.sin(np.pi * x) ** 2 * rng.uniform(0.6, 1.0)
            t += length + rng.uniform(0.5, 1.5)
        out = band * envelope
    else:
        raise ValueError(kind)
    return (out / max(np.sqrt(np.mean(out ** 2)), 1e-12)).astype(np.float32)


@dataclass(frozen=True)
class Spoken:
    text: str
    start: float  # seconds in the scene
    end: float


def scene(utterances: list[np.ndarray], texts: list[str], *, gap_s: float = 1.5, lead_s: float = 1.0,
          background: str | None = None, snr_db: float = 20.0, seed: int = 0) -> tuple[np.ndarray, list[Spoken]]:
    """Utterances one after another with ``gap_s`` between them, over a noise floor and ``background``.

    ``snr_db`` is the speech level over the background's RMS.
    """
    rng = np.random.default_rng(seed)
    total = lead_s + sum(len(u) / RATE + gap_s for u in utterances)
    audio = noise("white", total, rng) * np.float32(10 ** (FLOOR_DB / 20))
    if background:
        audio += noise(background, total, rng) * np.float32(10 ** ((SPEECH_DB - snr_db) / 20))
    spoken, t = [], lead_s
    for u, text in zip(utterances, texts, strict=True):
        a = int(t * RATE)
        audio[a:a + len(u)] += u
        spoken.append(Spoken(text, a / RATE, (a + len(u)) / RATE))
        t = (a + len(u)) / RATE + gap_s
    return np.clip(audio, -1, 1), spoken


# Ordinary talk that is not a command: what people say on the mat, and what a radio says nearby.
SMALL_TALK = [
    "the weather was lovely yesterday", "we walked along the river to the old bridge",
    "people were fishing and talking about the game", "I need a drink of water", "what time is it",
    "one more", "breathe", "come on", "almost there", "that was good", "and another one",
    "my legs are shaking", "this is hard work", "how many was that", "the phone is ringing",
    "I will call you back later", "put the kettle on", "the news at six o'clock",
    "traffic is heavy on the motorway", "tomorrow will be cloudy with some rain",
    "keep breathing", "I feel it in my stomach", "slowly now",
]

# Voices the tests speak commands in: espeak-ng's English accents (and one female variant), Korean.
ENGLISH_VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-029", "en-us+f3", "en-gb-x-rp"]
KOREAN_TALK = [
    "오늘 날씨가 정말 좋네요", "어제 친구랑 시장에 갔어요", "이번 주말에 뭐 할 거예요",
    "저녁은 김치찌개를 먹었어요", "버스가 늦게 와서 지각했어요", "한국어 공부는 재미있어요",
    "내일 아침에 전화할게요", "다리가 조금 떨려요",
]


@dataclass
class Score:
    """How a recognizer did on a scene: each spoken command heard once, nothing else heard."""

    hits: list[tuple[Spoken, object]]      # (what was said, the detection)
    misses: list[Spoken]
    wrong: list[object]                    # a different command than the one said
    false: list[object]                    # heard where no command was said, or heard twice

    @property
    def latencies(self) -> list[float]:
        return [d.detected_at - s.end for s, d in self.hits]


def score(detections: list, spoken: list[Spoken], command_of: dict[str, str]) -> Score:
    """Match detections to what was said: the right command, overlapping the utterance in time."""
    hits, wrong, false, used = [], [], [], set()
    for d in detections:
        during = [i for i, s in enumerate(spoken) if d.start < s.end + 0.2 and d.end > s.start - 0.2]
        match = next((i for i in during if i not in used and command_of.get(spoken[i].text) == d.command), None)
        if match is not None:
            used.add(match)
            hits.append((spoken[match], d))
        elif any(i not in used and spoken[i].text in command_of for i in during):
            wrong.append(d)
        else:
            false.append(d)
    misses = [s for i, s in enumerate(spoken) if i not in used and s.text in command_of]
    return Score(hits, misses, wrong, false)

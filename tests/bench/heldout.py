"""Held-out evaluation material for the listening benchmark (bench_ears_heldout.py), on HELD-OUT
voices only (English: en-us-nyc, en-gb-x-gbclan and their variants;
Korean: the ko variants in ``train.voices.KO_EVAL_VARIANTS``), cached in the cache folder (ears-eval).

- command scenes, one per condition: every held-out voice says every command once (a random phrasing),
  1.6-2.4 s apart, over a -60 dB noise floor plus the condition: clean, pink noise at 10 dB SNR,
  babble at 5 dB SNR, far field (quiet voice, room reverb, noise 15 dB down), over the coach's voice
  (a coach line playing at the same level, no echo cancellation);
- an hour or more in which nobody gives a command: talk in held-out voices and in other (training)
  voices (evaluation texts, never trained on), every coach line in the coach's voice, breathing, a fan.
- enrollment takes: for one held-out voice, 3 varied takes per command (enrollment) and other takes
  of it under noise (testing).

``use_voice_set("dev")`` makes the same material from training voices instead (English: the training
bases en-gb-scotland and en-029 with the same variants; Korean: six training variants of ko), cached
apart. That is the set to tune fusion and thresholds on; its figures are not results.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.data import catalog, paths
from assistant.ears import augment as A
from assistant.ears import espeak as synth
from assistant.ears.train import texts
from assistant.ears.train.voices import EN_EVAL_VARIANTS, EN_RESERVED, KO_EVAL_VARIANTS, eval_voices, random_voice
from assistant.ears.vocabulary import coach_lines as pack_lines
from assistant.ears.vocabulary import coach_voice as pack_voice
from assistant.ears.vocabulary import command_ids

RATE = 16000
ROOT = Path(os.environ.get("MATCOACH_EVAL_CACHE", "")) if os.environ.get("MATCOACH_EVAL_CACHE") \
    else paths.cache_dir() / "ears-eval"
VERSION = "r1"
VOICE_SET = "held-out"
DEV_BASES_EN = ("en-gb-scotland", "en-029")
DEV_VARIANTS_KO = ("m3", "f2", "klatt2", "Andy", "linda", "croak")


def use_voice_set(name: str) -> None:
    """"held-out" (the reserved voices: results) or "dev" (training voices: for tuning)."""
    global VOICE_SET, VERSION
    if name not in ("held-out", "dev"):
        raise ValueError(f"voice set {name!r}: held-out or dev")
    VOICE_SET, VERSION = name, "r1" if name == "held-out" else "r1-dev"


def voices(language: str) -> list[synth.Voice]:
    """The voices of the current set: held-out (never trained on) or dev (training voices)."""
    if VOICE_SET == "held-out":
        return eval_voices(language)
    rng = random.Random(4321)
    if language == "en":
        bases = [(b, v) for b in DEV_BASES_EN for v in EN_EVAL_VARIANTS]
    else:
        bases = [("ko", v) for v in DEV_VARIANTS_KO for _ in range(4)]
    out = [synth.Voice(b, v, speed=rng.choice((120, 150, 175, 200, 240)), pitch=rng.choice((25, 40, 50, 60, 75)),
                       amplitude=rng.randint(70, 150)) for b, v in bases]
    assert not any(v.name in EN_RESERVED or (language == "ko" and v.variant in KO_EVAL_VARIANTS) for v in out)
    return out
SPEECH_DB = -24.0
FLOOR_DB = -60.0
CONDITIONS = ("clean", "pink10", "babble5", "far", "coach")


@dataclass
class Said:
    text: str           # the phrase
    command: str        # the command id, or "" for none
    start: float
    end: float
    voice: str


def _babble_pool(language: str, rng: random.Random) -> list[np.ndarray]:
    pool = []
    talk = texts.talk(language, "eval")
    pool_voices = voices(language)
    for i in range(60):
        v = pool_voices[i % len(pool_voices)] if i % 2 == 0 else random_voice(rng, language, role="talk")
        x = synth.say(rng.choice(talk), v)
        if len(x) > RATE // 2:
            pool.append(x)
    return pool


def _coach_track(language: str, n: int, rng: random.Random, lines: list[str]) -> np.ndarray:
    cv = product.coach_voice(language)
    out = np.zeros(n, np.float32)
    t = rng.uniform(0, 0.5)
    while t * RATE < n:
        x = synth.say(rng.choice(lines), synth.Voice(cv.engine_voice, "", speed=cv.rate))
        a = int(t * RATE)
        m = min(len(x), n - a)
        out[a:a + m] += x[:m]
        t += len(x) / RATE + rng.uniform(0.1, 0.6)
    return out


def command_scene(language: str, condition: str, *, seed: int = 0, speakers=None, per_voice: int = 1):
    """(audio, [Said]) for one condition: each voice of the set says each command ``per_voice`` times."""
    rng = random.Random(f"{language}-{condition}-{seed}")
    g = product.load_grammar(language)
    by = {c: [p for p, k in g.phrases.items() if k == c] for c in g.commands}
    items = [(v, c, rng.choice(by[c])) for v in (speakers or voices(language)) for c in g.commands
             for _ in range(per_voice)]
    return _scene_from_items(language, condition, items, rng)


def negative_audio(language: str, *, seed: int = 0, minutes_talk_heldout: float = 22, minutes_talk_other: float = 12,
                   minutes_breath: float = 8, minutes_fan: float = 8):
    """Audio in which nobody gives a command, as named parts: (name, audio, [Said]) each."""
    rng = random.Random(f"{language}-neg-{seed}")
    nrng = np.random.default_rng(rng.getrandbits(32))
    parts = []
    talk = texts.talk(language, "eval", n_random=900)

    def talk_part(name, minutes, voice_fn):
        clips, said, t = [], [], 1.0
        while t < minutes * 60:
            v = voice_fn()
            text = rng.choice(talk)
            x = synth.say(text, v)
            if not len(x):
                continue
            x = A.gain_to(x, SPEECH_DB + rng.uniform(-6, 4))
            clips.append((t, x))
            said.append(Said(text, "", t, t + len(x) / RATE, v.spec))
            t += len(x) / RATE + rng.uniform(0.2, 1.5)
        n = int((t + 1) * RATE)
        audio = A.noise("pink", n, nrng) * np.float32(10 ** (FLOOR_DB / 20))
        for a, x in clips:
            audio[int(a * RATE):int(a * RATE) + len(x)] += x
        if rng.random() < 1.0:   # a quiet fan under talk
            audio += A.noise("fan", n, nrng) * np.float32(10 ** ((SPEECH_DB - 25) / 20))
        parts.append((name, np.clip(audio, -1, 1), said))

    ev = voices(language)
    name = "talk, held-out voices" if VOICE_SET == "held-out" else "talk, dev voices"
    talk_part(name, minutes_talk_heldout, lambda: rng.choice(ev))
    talk_part("talk, other voices", minutes_talk_other, lambda: random_voice(rng, language, role="talk"))
    # every coach line in the coach's voice, twice with different fillings
    cv = product.coach_voice(language)
    lines = product.coach_lines(language, fillings=2, seed=21)
    clips, said, t = [], [], 1.0
    for rep in range(2):
        for text in lines:
            x = synth.say(text, synth.Voice(cv.engine_voice, "", speed=cv.rate))
            x = A.gain_to(x, SPEECH_DB + rng.uniform(-3, 3))
            clips.append((t, x))
            said.append(Said(text, "", t, t + len(x) / RATE, "coach"))
            t += len(x) / RATE + rng.uniform(0.3, 1.2)
    n = int((t + 1) * RATE)
    audio = A.noise("pink", n, nrng) * np.float32(10 ** (FLOOR_DB / 20))
    for a, x in clips:
        audio[int(a * RATE):int(a * RATE) + len(x)] += x
    parts.append(("every coach line, coach's voice", np.clip(audio, -1, 1), said))
    # breathing (loud, close) with clicks and coughs
    n = int(minutes_breath * 60 * RATE)
    audio = A.breath(n, nrng) * np.float32(10 ** ((SPEECH_DB + 0) / 20))
    audio += A.clicks(n, nrng, rate_per_s=0.1) * np.float32(10 ** ((SPEECH_DB - 6) / 20))
    audio += A.noise("pink", n, nrng) * np.float32(10 ** (FLOOR_DB / 20))
    parts.append(("breathing, coughs, clicks", np.clip(audio, -1, 1), []))
    # a fan, with some breathing
    n = int(minutes_fan * 60 * RATE)
    audio = A.noise("fan", n, nrng) * np.float32(10 ** ((SPEECH_DB - 5) / 20))
    audio += A.breath(n, nrng, every=6.0) * np.float32(10 ** ((SPEECH_DB - 8) / 20))
    parts.append(("fan (and some breathing)", np.clip(audio, -1, 1), []))
    return parts


def enrollment_voice(language: str) -> synth.Voice:
    if VOICE_SET == "dev":
        return synth.Voice(DEV_BASES_EN[0], "") if language == "en" else synth.Voice("ko", DEV_VARIANTS_KO[0])
    return synth.Voice(EN_RESERVED[0] if language == "en" else "ko", "" if language == "en" else KO_EVAL_VARIANTS[0])


def enrollment_takes(language: str, *, seed: int = 0):
    """3 varied enrollment takes per command (speeds/pitches/phrasings of one held-out voice), and
    the test takes of the same voice (other speeds, pitches and phrasings)."""
    rng = random.Random(f"{language}-enroll-{seed}")
    g = product.load_grammar(language)
    base = enrollment_voice(language)
    enroll, test = {}, []
    for c in g.commands:
        phrases = [p for p, k in g.phrases.items() if k == c]
        # the user's own way of saying it: the first phrase mostly
        takes = []
        for speed, pitch in ((150, 45), (185, 55), (125, 40)):
            v = synth.Voice(base.name, base.variant, speed=speed, pitch=pitch)
            x = A.gain_to(synth.say(phrases[0], v), SPEECH_DB + rng.uniform(-4, 4))
            # as a microphone records it: some room noise before and after the word
            def pad(s, n=len(takes)):
                return A.noise("pink", int(s * RATE), np.random.default_rng(n)) * np.float32(10 ** (-58 / 20))
            takes.append(np.concatenate([pad(rng.uniform(0.3, 0.8)), x, pad(rng.uniform(0.3, 0.8))]))
        enroll[c] = takes
        for speed, pitch in ((140, 50), (170, 42), (200, 58), (160, 48), (115, 52), (230, 50)):
            v = synth.Voice(base.name, base.variant, speed=speed, pitch=pitch)
            phrase = phrases[0] if rng.random() < 0.7 else rng.choice(phrases)
            test.append((c, phrase, v))
    return enroll, test


def enrollment_test_scene(language: str, condition: str, *, seed: int = 0):
    """The enrolled voice's test takes in one condition (same conditions as command_scene)."""
    _, test = enrollment_takes(language, seed=seed)
    rng = random.Random(f"{language}-enrolltest-{condition}")
    # reuse command_scene's mixing by passing explicit (voice, command) pairs
    return _scene_from_items(language, condition, [(v, c, p) for c, p, v in test], rng)


def _scene_from_items(language, condition, items, rng):
    nrng = np.random.default_rng(rng.getrandbits(32))
    rng.shuffle(items)
    clips, said = [], []
    t = 1.5
    for v, c, phrase in items:
        x = A.gain_to(synth.say(phrase, v), SPEECH_DB + rng.uniform(-3, 3))
        clips.append((t, x))
        said.append(Said(phrase, c, t, t + len(x) / RATE, v.spec))
        t += len(x) / RATE + rng.uniform(1.6, 2.4)
    n = int((t + 1.0) * RATE)
    speech = np.zeros(n, np.float32)
    for a, x in clips:
        speech[int(a * RATE):int(a * RATE) + len(x)] += x
    floor = A.noise("pink", n, nrng) * np.float32(10 ** (FLOOR_DB / 20))
    if condition == "clean":
        audio = speech + floor
    elif condition == "pink10":
        audio = speech + floor + A.noise("pink", n, nrng) * np.float32(10 ** ((SPEECH_DB - 10) / 20))
    elif condition == "babble5":
        babble = A.babble(n, nrng, _babble_pool(language, rng))
        audio = speech + floor + babble * np.float32(10 ** ((SPEECH_DB - 5) / 20))
    elif condition == "far":   # quiet (12 dB down), reverberant, duller, a fan 15 dB under the voice
        wet = A.lowpass(A.reverb(speech, nrng, rt60=0.6, drr_db=-2.0), 4500) * np.float32(10 ** (-12 / 20))
        audio = wet + A.noise("fan", n, nrng) * np.float32(10 ** ((SPEECH_DB - 27) / 20)) + floor
    elif condition == "coach":
        coach = _coach_track(language, n, rng, product.coach_lines(language, fillings=2, seed=11))
        audio = speech + A.gain_to(coach, SPEECH_DB) + floor
    else:
        raise ValueError(condition)
    return np.clip(audio, -1, 1).astype(np.float32), said


def cached(name: str, make):
    """(audio, said) from data/eval/<VERSION>/<name>.npz, made on first use."""
    folder = ROOT / VERSION
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.npz"
    if path.exists():
        z = np.load(path, allow_pickle=False)
        said = [Said(**d) for d in json.loads(str(z["said"]))]
        return A.quantize(z["audio"].astype(np.float32) / 32767) if z["audio"].dtype != np.int16 else z["audio"], said
    audio, said = make()
    pcm = A.quantize(audio)
    np.savez(path, audio=pcm, said=json.dumps([asdict(s) for s in said]))
    return pcm, said


class _Grammar:
    """What the material needs of a grammar: phrases, commands in model order, fillers."""

    def __init__(self, language: str) -> None:
        g = catalog.load_grammar(language)
        self.phrases = dict(g.phrases)
        self.commands = command_ids(g)
        self.fillers = list(g.fillers)
        self.grammar = g


class _product:
    """The few things the lab's material read from the product, read from the repository itself."""

    @staticmethod
    def load_grammar(language: str) -> _Grammar:
        return _Grammar(language)

    @staticmethod
    def coach_voice(language: str):
        return pack_voice(catalog.load_shipped_pack(language))

    @staticmethod
    def coach_lines(language: str, *, fillings: int = 3, seed: int = 0) -> list[str]:
        return pack_lines(catalog.load_shipped_pack(language), fillings=fillings, seed=seed)


product = _product

"""Synthetic listening scenes with exact labels: commands, other talk, the coach, breath and noise.

A scene is a stretch of audio (tens of seconds) plus ``Mark``s (assistant.ears.train.labels). The
coach's exact voice never speaks a positive.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field

import numpy as np

from assistant.ears import augment as A
from assistant.ears import espeak as synth
from assistant.ears.train import accents, texts
from assistant.ears.train.labels import Mark
from assistant.ears.train.voices import is_coach_voice, random_voice

RATE = 16000


@functools.lru_cache(maxsize=4096)
def _phonemes(text: str, voice: str) -> str:
    """How an espeak-ng voice pronounces ``text`` (the same for every variant, speed and pitch)."""
    return synth.phonemes(text, synth.Voice(voice))


@dataclass
class Scene:
    audio: np.ndarray            # float32
    marks: list[Mark] = field(default_factory=list)
    kind: str = ""
    condition: str = ""


def _phrase_spans(words: list[str], phrases: dict[str, str], commands: list[str]) -> list[tuple[int, int, int]]:
    """(first word, one past last word, class) of command phrases inside ``words`` (longest first)."""
    norm = [w.lower().strip(".,!?;:") for w in words]
    spans = []
    i = 0
    by_len = sorted(phrases, key=lambda p: -len(p.split()))
    while i < len(norm):
        for p in by_len:
            pw = p.split()
            if norm[i:i + len(pw)] == pw:
                spans.append((i, i + len(pw), commands.index(phrases[p]) + 1))
                i += len(pw) - 1
                break
        i += 1
    return spans


class SceneMaker:
    def __init__(self, language: str, phrases: dict[str, str], commands: list[str], coach_voice: str,
                 coach_rate: int, coach_lines: list[str], *, split: str = "train", accents: bool = False) -> None:
        self.language = language
        self.phrases = phrases
        self.commands = commands
        self.by_class = {c: [p for p, k in phrases.items() if k == c] for c in commands}
        self.coach_voice, self.coach_rate = coach_voice, coach_rate
        self.coach_lines = coach_lines
        self.split = split
        self.accents = accents and language == "en"   # the only language with a table of neighbours
        self.talk = texts.talk(language, split)
        self.foreign = texts.foreign_talk(split)
        self.near = texts.near_misses(language)
        self.exert = texts.exertion(language)
        self.leadins = texts.leadins(language)
        self._babble_pool: list[np.ndarray] | None = None

    # --- single utterances -------------------------------------------------------------------
    def _say(self, text: str, voice: synth.Voice, rng: random.Random | None = None) -> np.ndarray:
        """``text`` in ``voice``; with ``accents`` and ``rng``, a short utterance of anyone but the
        coach may come with an accent (assistant.ears.train.accents)."""
        try:
            if self.accents and rng is not None and not is_coach_voice(voice, self.coach_voice):
                said = accents.accented(text, functools.partial(_phonemes, voice=voice.name), rng)
                text = said or text
            return synth.say(text, voice)
        except Exception:
            return np.zeros(0, np.float32)

    def command(self, rng: random.Random, cls: int) -> tuple[np.ndarray, str]:
        """One person saying command ``cls`` (1-based): a phrase of it, in a random training voice."""
        name = self.commands[cls - 1]
        phrase = rng.choice(self.by_class[name])
        style = rng.choices(["normal", "short", "drawn", "breathy"], [0.55, 0.18, 0.12, 0.15])[0]
        while True:
            voice = random_voice(rng, self.language, role="command", style=style)
            if not is_coach_voice(voice, self.coach_voice):
                break
        punct = rng.choice(["", "", ".", "!", "!", "?"]) if name != "repeat" else rng.choice(["", "?", "?", "!"])
        x = self._say(phrase + punct, voice, rng)
        if len(x) and rng.random() < 0.25:
            x = A.perturb_speed(x, rng.uniform(0.85, 1.18))
        return x, phrase

    def talk_clip(self, rng: random.Random, *, voice: synth.Voice | None = None,
                  text: str | None = None) -> tuple[np.ndarray, list[Mark]]:
        """A sentence of other talk; command phrases inside it are synthesized apart so their end is
        known exactly, and marked "inside" (or "coach" when the coach's voice says them)."""
        if text is None:
            if self.language == "en" and rng.random() < 0.08 and self.foreign:
                vname, text = rng.choice(self.foreign)
                voice = synth.Voice(vname, rng.choice(("", "m3", "f2", "f4")), speed=rng.randint(130, 210))
            else:
                text = rng.choice(self.talk)
        voice = voice or random_voice(rng, self.language, role="talk")
        words = text.split()
        spans = _phrase_spans(words, self.phrases, self.commands)
        coach = is_coach_voice(voice, self.coach_voice)
        if not spans:
            return self._say(text, voice, rng), []
        pieces, marks, t = [], [], 0.0
        cuts = [0]
        for a, b, _ in spans:
            cuts += [a, b]
        cuts.append(len(words))
        for k in range(len(cuts) - 1):
            a, b = cuts[k], cuts[k + 1]
            if a >= b:
                continue
            x = self._say(" ".join(words[a:b]), voice, rng)
            cls = next((c for s, e, c in spans if s == a and e == b), 0)
            if pieces:
                gap = np.zeros(int(rng.uniform(0.02, 0.09) * RATE), np.float32)
                pieces.append(gap)
                t += len(gap) / RATE
            start = t
            pieces.append(x)
            t += len(x) / RATE
            if cls:
                # even a phrase that ends the sentence is "inside": an utterance with more words
                # than the phrase (and a lead-in) is not a command
                marks.append(Mark("coach" if coach else "inside", cls, start, t))
        audio = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
        return audio, marks

    def coach_clip(self, rng: random.Random) -> tuple[np.ndarray, list[Mark]]:
        voice = synth.Voice(self.coach_voice, "", speed=int(self.coach_rate * rng.uniform(0.9, 1.1)),
                            pitch=rng.randint(45, 55))
        return self.talk_clip(rng, voice=voice, text=rng.choice(self.coach_lines))

    def babble_pool(self) -> list[np.ndarray]:
        if self._babble_pool is None:
            rng = random.Random(4242 if self.split == "train" else 977)
            pool = []
            for _ in range(80):
                x, _ = self.talk_clip(rng)
                if len(x) > RATE // 2:
                    pool.append(x)
            self._babble_pool = pool
        return self._babble_pool

    # --- backgrounds ----------------------------------------------------------------------------
    def background(self, rng: random.Random, n: int, condition: str, nrng: np.random.Generator) -> np.ndarray:
        if condition == "noise":
            kind = rng.choice(["pink", "brown", "white", "fan", "fan", "pink"])
            return A.noise(kind, n, nrng)
        if condition == "babble":
            return A.babble(n, nrng, self.babble_pool())
        if condition == "breath":
            return A.breath(n, nrng)
        return np.zeros(n, np.float32)

    # --- scenes ---------------------------------------------------------------------------------
    def scene(self, rng: random.Random, kind: str, seconds: float) -> Scene:
        """``kind``: "commands" (a person giving commands, with everything else around) or
        "negatives" (talk, the coach, near-misses, breath, noise: no command at all)."""
        nrng = np.random.default_rng(rng.getrandbits(32))
        n = int(seconds * RATE)
        speech = np.zeros(n, np.float32)
        marks: list[Mark] = []
        level = rng.uniform(-34, -14)          # dBFS of the person's speech
        condition = rng.choices(["clean", "noise", "babble", "coach", "far"], [0.24, 0.22, 0.2, 0.18, 0.16])[0]
        t = rng.uniform(0.8, 2.0)

        def place(x: np.ndarray, at: float, lvl: float, ms: list[Mark]) -> float:
            a = int(at * RATE)
            if not len(x) or a >= n:
                return at
            x = A.gain_to(x, lvl)
            m = min(len(x), n - a)
            speech[a:a + m] += x[:m]
            for mk in ms:
                marks.append(Mark(mk.kind, mk.cls, at + mk.start, at + mk.end))
            return at + len(x) / RATE

        if kind == "commands":
            while t < seconds - 1.0:
                r = rng.random()
                if r < 0.08:
                    t = place(A.breath(int(rng.uniform(0.4, 1.2) * RATE), nrng), t, level - rng.uniform(0, 10), [])
                    t += rng.uniform(0.1, 0.5)
                elif r < 0.14:
                    x = self._say(rng.choice(self.exert), random_voice(rng, self.language, role="talk"), rng)
                    t = place(x, t, level + rng.uniform(-6, 3), []) + rng.uniform(0.15, 0.6)
                elif r < 0.20:
                    x, ms = self.talk_clip(rng, text=rng.choice(self.near))
                    t = place(x, t, level + rng.uniform(-4, 2), ms) + rng.uniform(0.3, 0.9)
                cls = rng.randint(1, len(self.commands))
                x, phrase = self.command(rng, cls)
                if not len(x):
                    continue
                if rng.random() < 0.08:   # "okay, done"
                    lead = self._say(rng.choice(self.leadins), random_voice(rng, self.language, role="talk"), rng)
                    t = place(lead, t, level + rng.uniform(-3, 3), []) + rng.uniform(0.05, 0.3)
                lvl = level + rng.uniform(-5, 5)
                start = t
                t = place(x, t, lvl, [])
                if t <= seconds - 0.5:
                    marks.append(Mark("command", cls, start, t))
                t += rng.uniform(0.25, 0.9)
        else:
            mix = rng.choices(["talk", "coach", "near", "exert"], [0.45, 0.3, 0.15, 0.1])[0]
            while t < seconds - 0.5:
                if mix == "talk":
                    x, ms = self.talk_clip(rng)
                    gap = rng.uniform(0.1, 1.0)
                elif mix == "coach":
                    x, ms = self.coach_clip(rng)
                    gap = rng.uniform(0.2, 2.0)
                elif mix == "near":
                    x, ms = self.talk_clip(rng, text=rng.choice(self.near))
                    gap = rng.uniform(0.3, 1.2)
                else:
                    if rng.random() < 0.5:
                        x, ms = A.breath(int(rng.uniform(0.4, 1.4) * RATE), nrng), []
                    else:
                        voice = random_voice(rng, self.language, role="talk")
                        x, ms = self._say(rng.choice(self.exert), voice, rng), []
                    gap = rng.uniform(0.2, 1.0)
                t = place(x, t, level + rng.uniform(-5, 5), ms) + gap
                if rng.random() < 0.1:
                    t += rng.uniform(1.0, 4.0)   # quiet stretches

        # the room: reverb / far field on the person's speech, the coach underneath, background noise
        if condition == "far":
            speech = A.far_field(speech, nrng) * np.float32(10 ** (-rng.uniform(4, 12) / 20))
        elif rng.random() < 0.3:
            speech = A.reverb(speech, nrng)
        sp_level = A.db(A.active_rms(speech)) if speech.any() else level
        mixdown = speech.copy()
        if condition == "coach" or (kind == "negatives" and rng.random() < 0.1):
            coach = np.zeros(n, np.float32)
            tc = rng.uniform(0, 1.5)
            while tc < seconds:
                x, ms = self.coach_clip(rng)
                a = int(tc * RATE)
                m = min(len(x), n - a)
                if m <= 0:
                    break
                coach[a:a + m] += x[:m]
                for mk in ms:
                    marks.append(Mark("coach", mk.cls, tc + mk.start, tc + mk.end))
                tc += len(x) / RATE + rng.uniform(0.2, 1.5)
            coach = A.reverb(coach, nrng, rt60=rng.uniform(0.1, 0.5), drr_db=rng.uniform(3, 12))
            mixdown += A.gain_to(coach, sp_level + rng.uniform(-14, 2))
        if condition in ("noise", "babble") or (condition == "far" and rng.random() < 0.7):
            bg = self.background(rng, n, condition if condition != "far" else rng.choice(["noise", "babble"]), nrng)
            snr = rng.uniform(1, 25) if condition != "far" else rng.uniform(10, 25)
            mixdown += bg * np.float32(10 ** ((sp_level - snr) / 20))
        if rng.random() < 0.15:
            mixdown += A.clicks(n, nrng) * np.float32(10 ** ((sp_level + rng.uniform(-15, 0)) / 20))
        floor = rng.choice(["white", "pink", "brown"])
        mixdown += A.noise(floor, n, nrng) * np.float32(10 ** ((sp_level - rng.uniform(35, 65)) / 20))
        if rng.random() < 0.5:
            mixdown = A.colour(mixdown, nrng)
        if rng.random() < 0.04:
            mixdown = A.clip(mixdown, nrng)
        peak = np.abs(mixdown).max()
        if peak > 0.99:
            mixdown *= np.float32(0.99 / peak)
        marks.sort(key=lambda m: m.end)
        return Scene(mixdown.astype(np.float32), marks, kind, condition)

"""Which synthetic voices train the model and which are kept for evaluation only.

English: the reserved voices ``en-us-nyc`` and ``en-gb-x-gbclan`` (any variant, speed, pitch) are
never used in training or for choosing thresholds. Korean has one voice family (``ko``): the variants
in ``KO_EVAL_VARIANTS`` are kept for evaluation, the rest train.
"""

from __future__ import annotations

import random

from assistant.ears.espeak import Voice

EN_RESERVED = ("en-us-nyc", "en-gb-x-gbclan")
# English base voices for training. "en-us" without a variant at default pitch is the coach's own
# voice: it speaks negatives (coach lines, talk) but never a positive command (see scenes.py).
EN_TRAIN_BASES = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbcwmd", "en-029")
# other languages' voices reading English switch to English phonemes with their own voice settings
EN_ACCENT_BASES = ("hi", "vi", "fr-fr")
# voices reading English text by their own spelling rules: only for negative talk ("accented" noise)
FOREIGN_TALK_BASES = ("de", "es", "it", "nl", "pl", "sv", "pt-br", "fi", "cs", "hu", "ro", "id", "tr", "sw")

VARIANTS = (
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5",
    "klatt", "klatt2", "klatt3", "klatt4", "klatt5", "klatt6", "croak", "whisper", "whisperf",
    "Alex", "Alicia", "Andrea", "Andy", "Annie", "AnxiousAndy", "Denis", "Diogo", "Gene", "Gene2",
    "Henrique", "Hugo", "Jacky", "Lee", "Marco", "Mario", "Michael", "Mike", "Nguyen", "Storm",
    "Tweaky", "adam", "anika", "announcer", "antonio", "aunty", "belinda", "benjamin", "boris",
    "caleb", "david", "ed", "edward", "edward2", "fast", "grandma", "grandpa", "gustave", "iven",
    "iven2", "iven3", "iven4", "john", "kaukovalta", "linda", "marcelo", "max", "michel", "miguel",
    "norbert", "pablo", "paul", "pedro", "quincy", "rob", "robert", "sandro", "shelby", "steph",
    "steph2", "steph3", "travis", "victor", "zac",
)

KO_EVAL_VARIANTS = ("m2", "f3", "klatt3", "Annie", "david", "whisperf")
KO_TRAIN_VARIANTS = tuple(v for v in VARIANTS if v not in KO_EVAL_VARIANTS)

# evaluation: reserved English voices with a spread of variants
EN_EVAL_VARIANTS = ("", "m1", "m3", "m5", "m7", "f1", "f2", "f4", "klatt2", "klatt4", "croak", "Andy",
                    "linda", "steph2", "john", "whisper")


def is_coach_voice(v: Voice, coach: str) -> bool:
    """The coach's exact voice (no variant, middle pitch): it must never say a positive."""
    return v.name == coach and not v.variant and 35 <= v.pitch <= 65


def _speed(rng: random.Random, style: str) -> int:
    if style == "drawn":
        return rng.randint(80, 120)
    if style == "short":
        return rng.randint(220, 320)
    return int(min(300, max(90, rng.gauss(170, 30))))


def random_voice(rng: random.Random, language: str, *, role: str, style: str = "normal") -> Voice:
    """A training voice. ``role``: "command" (a user saying a command), "talk" (other speech)."""
    if language == "en":
        r = rng.random()
        if role == "talk" and r < 0.15:
            base = rng.choice(FOREIGN_TALK_BASES)
        elif r < 0.88:
            base = rng.choice(EN_TRAIN_BASES)
        else:
            base = rng.choice(EN_ACCENT_BASES)
        variants = VARIANTS
    else:
        base, variants = "ko", KO_TRAIN_VARIANTS
    variant = "" if rng.random() < 0.15 else rng.choice(variants)
    if style == "breathy" and rng.random() < 0.4:
        variant = rng.choice(("whisper", "whisperf")) if language == "en" else "whisper"
    v = Voice(base, variant, speed=_speed(rng, style), pitch=int(min(99, max(0, rng.gauss(50, 20)))),
              gap=rng.choice((0, 0, 0, 1, 2, 4, 8)), amplitude=rng.randint(60, 180))
    assert v.name not in EN_RESERVED
    return v


def eval_voices(language: str) -> list[Voice]:
    """Held-out voices for evaluation (never trained on, never used to choose thresholds)."""
    out = []
    rng = random.Random(1234)
    if language == "en":
        for base in EN_RESERVED:
            for variant in EN_EVAL_VARIANTS:
                out.append(Voice(base, variant, speed=rng.choice((120, 150, 175, 200, 240)),
                                 pitch=rng.choice((25, 40, 50, 60, 75)), amplitude=rng.randint(70, 150)))
    else:
        for variant in KO_EVAL_VARIANTS:
            for _ in range(4):
                out.append(Voice("ko", variant, speed=rng.choice((110, 140, 165, 190, 230)),
                                 pitch=rng.choice((25, 40, 50, 60, 75)), amplitude=rng.randint(70, 150)))
    return out

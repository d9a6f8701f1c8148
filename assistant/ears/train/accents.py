"""Accents that espeak-ng does not have: a training voice's own pronunciation with some vowels moved.

The English training voices speak six accents; a person speaks their own. Accents differ most in
their vowels (the strut vowel of the north of England, the r after a vowel, the vowel of "lot"), so
a training utterance may have some of its vowels replaced by a neighbour that some accent of English
uses in that place, then be spoken from those phonemes by the same voice. Only short utterances
(commands, near-misses, lead-ins: at most ``MAX_WORDS`` words) are varied, positives and negatives
alike, so a varied vowel says nothing about whether a command was given.

Neighbours come from general knowledge of English accents, not from the reserved evaluation voices.
Korean has no table: its training speech is left as espeak-ng says it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

MAX_WORDS = 4
SHARE = 0.4          # of the short utterances of non-coach voices
PER_VOWEL = 0.35     # each vowel of a varied utterance moves with this probability

# espeak-ng's English vowel mnemonics -> vowels accents of English use in their place
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "V": ("U", "@", "0", "a"),          # strut: foot in the north of England, schwa, lot
    "U": ("u:", "V"),
    "a": ("a#", "aa", "E", "A:"),       # trap: bath, raised, broad
    "aa": ("a", "A:"),
    "a#": ("a", "@", "A:"),
    "A:": ("a", "A@", "0", "aa"),
    "A@": ("A:", "aa", "O@", "a"),      # start: with and without the r
    "0": ("A:", "O:", "V", "O2"),       # lot: unrounded, rounded, long
    "O2": ("0", "O:"),
    "O:": ("0", "oU", "O@", "A:"),
    "O@": ("O:", "oU"),
    "oU": ("O:", "@U", "o:"),           # goat: monophthong, fronted
    "eI": ("E", "aI", "e"),             # face: monophthong, wide
    "aI": ("A:", "OI", "a"),
    "aU": ("A:", "a"),
    "i:": ("I", "i", "eI"),
    "i": ("I", "i:"),
    "I": ("i:", "@", "E"),
    "I2": ("I", "@", "i:"),
    "I#": ("I", "@"),
    "E": ("a", "I", "eI"),
    "@": ("V", "I", "3", "a#"),
    "@2": ("V", "I", "@"),
    "@5": ("V", "U", "@"),
    "3:": ("@", "V", "E"),              # nurse
    "3": ("@", "A@", "a#"),             # letter: with and without the r
    "u:": ("U", "ju:"),
    "e@": ("E", "eI", "3:"),
    "i@": ("i:", "E"),
    "U@": ("O:", "u:"),
    "OI": ("aI", "O:"),
    "@L": ("U", "@"),
}

# every vowel token of espeak-ng's English output, longest first, so "aI@" is not read as "a" + "I@"
_TOKENS = sorted(set(NEIGHBOURS) | {"aI@", "aU@", "aI3", "aI2", "i@3", "u:@", "o@", "A", "O", "o", "e", "u"},
                 key=lambda t: -len(t))
_VOWEL = re.compile("|".join(re.escape(t) for t in _TOKENS))


def vary(phonemes: str, rng: random.Random, per_vowel: float = PER_VOWEL) -> str:
    """``phonemes`` (espeak-ng ``-x`` mnemonics) with some vowels moved to a neighbour."""

    def move(m: re.Match) -> str:
        options = NEIGHBOURS.get(m.group(0))
        if options and rng.random() < per_vowel:
            return rng.choice(options)
        return m.group(0)

    return _VOWEL.sub(move, phonemes)


def accented(text: str, phonemes: Callable[[str], str], rng: random.Random) -> str | None:
    """espeak-ng input saying ``text`` with moved vowels (keeping its closing punctuation), or None
    when it stays as the voice says it. ``phonemes(text)`` is how the voice says it (asked only when
    the utterance is to be varied)."""
    if len(text.split()) > MAX_WORDS or rng.random() >= SHARE:
        return None
    said = phonemes(text)
    moved = vary(said, rng)
    if moved == said:
        return None
    last = text.rstrip()[-1:]
    return f"[[{moved}]]{last if last in '.!?,' else ''}"

"""Training accents: a short utterance's vowels moved to neighbours some accent of English uses, spoken
back by the same espeak-ng voice; consonants, stress and long utterances are left alone."""

import random
import re

import numpy as np
import pytest

from assistant.ears import espeak
from assistant.ears.train import accents
from assistant.ears.train.scenes import SceneMaker


def test_only_vowels_move_and_only_to_their_neighbours():
    rng = random.Random(0)
    strut = {f"st'0p w'{a}kaUt" for a in ("3:",) + accents.NEIGHBOURS["3:"]}
    lot = {p.replace("0p", f"{b}p", 1) for p in strut for b in ("0",) + accents.NEIGHBOURS["0"]}
    allowed = {p.replace("aUt", f"{c}t") for p in lot for c in ("aU",) + accents.NEIGHBOURS["aU"]}
    seen = {accents.vary("st'0p w'3:kaUt", rng, per_vowel=0.5) for _ in range(400)}
    assert seen <= allowed
    assert len(seen) > len(allowed) // 2          # every neighbour is used, not one favourite
    assert "st'0p w'3:kaUt" in seen                # and a vowel may stay


def test_a_long_vowel_token_is_not_read_as_its_first_letter():
    assert accents._VOWEL.findall("h'A@d3 aI@ rI2p'i:t") == ["A@", "3", "aI@", "I2", "i:"]


def test_long_utterances_are_never_varied_and_short_ones_about_as_often_as_the_share():
    rng = random.Random(1)
    assert all(accents.accented("this sentence has far too many words", lambda t: "D'Is s'Ent@ns", rng) is None
               for _ in range(50))
    varied = [accents.accented("stop!", lambda t: "st'0p", rng) for _ in range(2000)]
    share = sum(v is not None for v in varied) / len(varied)
    assert 0.5 * accents.SHARE * accents.PER_VOWEL < share <= accents.SHARE
    assert all(v.startswith("[[") and v.endswith("]]!") for v in varied if v)


@pytest.mark.slow
@pytest.mark.skipif(not espeak.available(), reason="espeak-ng is not installed")
def test_espeak_says_the_varied_phonemes_with_the_same_voice():
    voice = espeak.Voice("en-gb", "m3")
    said = espeak.phonemes("done", voice)
    assert re.fullmatch(r"d'Vn", said)
    plain = espeak.say("done", voice)
    northern = espeak.say("[[d'Un]]", voice)
    assert 0.5 * len(plain) < len(northern) < 1.5 * len(plain)
    assert not np.allclose(plain[:len(northern)], northern[:len(plain)])
    assert espeak.phonemes("[[d'Un]]", voice) == "d'Un"


@pytest.mark.slow
@pytest.mark.skipif(not espeak.available(), reason="espeak-ng is not installed")
def test_only_asked_for_never_the_coach_and_korean_is_left_as_espeak_says_it(monkeypatch):
    asked = []
    monkeypatch.setattr(accents, "accented", lambda text, ph, rng: asked.append(text) or None)
    en = SceneMaker("en", {"done": "done"}, ["done"], "en-us", 165, ["Lift."], accents=True)
    en._say("done", espeak.Voice("en-us"), random.Random(0))                 # the coach's own voice
    en._say("done", espeak.Voice("en-gb", "m3"), random.Random(0))
    ko = SceneMaker("ko", {"됐어": "done"}, ["done"], "ko", 165, ["들어요."], accents=True)
    ko._say("됐어", espeak.Voice("ko", "m3"), random.Random(0))
    plain = SceneMaker("en", {"done": "done"}, ["done"], "en-us", 165, ["Lift."])   # off unless asked
    plain._say("done", espeak.Voice("en-gb", "m3"), random.Random(0))
    assert asked == ["done"]

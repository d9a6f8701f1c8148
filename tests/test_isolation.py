"""The last check before a command is reported: it was said on its own, not inside talk."""

from dataclasses import replace

import numpy as np

from assistant.ears.fusion import Decision
from assistant.ears.isolation import WAIT_S, Isolation

QUIET, SOUND = -60.0, -25.0


class Track:
    """A 10 ms energy track written ahead of time, read up to a moving 'now' (as the stream keeps it)."""

    def __init__(self, *stretches: tuple[float, float]) -> None:
        self.energy = np.full(3000, QUIET, np.float32)   # 30 s
        for a, b in stretches:
            self.energy[int(a * 100):int(b * 100)] = SOUND
        self.now = 0.0

    def __call__(self):
        k = int(round(self.now * 100))
        a = max(0, k - 600)
        return self.energy[a:k], a * 0.01


def decision(command: str, start: float, end: float, at: float) -> Decision:
    return Decision(command, start, end, at, 0.99, "embedding", command)


def run(track: Track, iso: Isolation, d: Decision, until: float) -> list[Decision]:
    """Offer ``d`` at its time, then tick every 50 ms until ``until``."""
    track.now = d.detected_at
    out = iso.offer(d, track.now)
    while track.now < until:
        track.now = round(track.now + 0.05, 2)
        out += iso.due(track.now)
    return out


def test_a_command_followed_by_quiet_is_reported_at_once():
    track = Track((10.0, 10.4))
    iso = Isolation(track, {"done": 0.5})
    track.now = 10.6
    assert iso.offer(decision("done", 10.0, 10.4, 10.6), 10.6) == [decision("done", 10.0, 10.4, 10.6)]


def test_a_word_inside_talk_that_goes_on_is_dropped_and_says_why():
    track = Track((10.0, 13.0))          # "... continue also street ...": the sound goes on
    iso = Isolation(track, {"resume": 0.5})
    assert run(track, iso, decision("resume", 10.0, 10.5, 10.8), 12.0) == []
    (dropped, why), = iso.dropped
    assert dropped.command == "resume" and "went on" in why


def test_a_command_whose_quiet_comes_a_moment_later_is_reported_then():
    track = Track((10.0, 10.45))         # the decision came while the word's last sound still rang
    iso = Isolation(track, {"done": 0.5})
    out = run(track, iso, decision("done", 10.0, 10.3, 10.4), 11.0)
    assert [d.command for d in out] == ["done"]
    assert 10.4 < out[0].detected_at <= 10.4 + WAIT_S   # honest: when it was known


def test_the_end_of_a_long_sentence_is_not_a_command_but_a_short_lead_in_is():
    track = Track((6.4, 10.4))           # 4 s of talk ending in "... stop"
    iso = Isolation(track, {"stop": 0.5})
    track.now = 10.6
    assert iso.offer(decision("stop", 10.0, 10.4, 10.6), 10.6) == []
    assert "end of a sentence" in iso.dropped[0][1]
    track = Track((9.2, 9.6), (9.75, 10.4))   # "okay, ... stop"
    iso = Isolation(track, {"stop": 0.5})
    track.now = 10.6
    assert len(iso.offer(decision("stop", 10.0, 10.4, 10.6), 10.6)) == 1


def test_pain_is_never_dropped():
    track = Track((5.0, 13.0))
    iso = Isolation(track, {"pain": 0.5})
    track.now = 10.8
    assert len(iso.offer(decision("pain", 10.0, 10.5, 10.8), 10.8)) == 1


def test_pain_that_rests_on_the_personal_model_must_stand_on_its_own_like_any_command():
    heard = replace(decision("pain", 10.0, 10.5, 10.8), engine="embedding+personal")
    track = Track((10.0, 13.0))          # the sound goes on: a word inside talk
    iso = Isolation(track, {"pain": 0.5})
    assert run(track, iso, heard, 12.0) == []
    (dropped, why), = iso.dropped
    assert dropped.command == "pain" and "went on" in why
    track = Track((10.0, 10.5))          # said on its own
    iso = Isolation(track, {"pain": 0.5})
    assert [d.command for d in run(track, iso, heard, 11.5)] == ["pain"]


def test_the_coachs_echo_around_a_barge_in_is_not_taken_for_talk():
    track = Track((6.0, 13.0))           # the coach counts down all along; the person says "arched" at 10
    iso = Isolation(track, {"arched": 0.5})
    iso.echo_sounding(6.0, 13.0)
    assert [d.command for d in run(track, iso, decision("arched", 10.0, 10.5, 10.8), 11.5)] == ["arched"]


def test_a_stop_inside_talk_over_the_coachs_voice_is_dropped_but_a_stop_said_alone_over_it_is_kept():
    # the person talks on over the coach's line: the coach's echo does not hide that talk from "stop"
    track = Track((6.0, 13.0))
    iso = Isolation(track, {"stop": 0.5})
    iso.echo_sounding(6.0, 13.0)
    assert run(track, iso, decision("stop", 10.0, 10.5, 10.8), 11.5) == []
    # the coach talks on, the canceller leaves only a quiet residue, and the person says "stop" on its own
    track = Track((10.0, 10.5))
    iso = Isolation(track, {"stop": 0.5})
    iso.echo_sounding(6.0, 13.0)
    assert [d.command for d in run(track, iso, decision("stop", 10.0, 10.5, 10.8), 11.5)] == ["stop"]


def test_what_is_held_when_the_input_ends_is_reported():
    track = Track((10.0, 11.0))
    iso = Isolation(track, {"done": 0.5})
    track.now = 10.8
    assert iso.offer(decision("done", 10.0, 10.5, 10.8), 10.8) == []
    assert [d.command for d in iso.flush()] == ["done"]

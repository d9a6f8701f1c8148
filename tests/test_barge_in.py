"""Barge-in, replayed without an audio server: whole sessions as a microphone hears them in a room
(the coach's real voice and its echo, the person speaking over it with espeak-ng voices), through
the live chain exactly as a live session or `matcoach listen --file MIC --reference PLAYED` runs it.
Deterministic: the same tracks give the same commands. Figures over many more rooms:
tests/bench/bench_duplex.py."""

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from assistant.data import catalog
from assistant.ears.recognizer import RATE
from tests.duplexdata import Room, coach_session, heard_in_time, microphone, over_the_countdown, replay

pytestmark = pytest.mark.slow

# the echo as loud as the person: a small room with a good speaker (distortion -40 dB), and a
# reverberant one with its echo late (a Bluetooth speaker) from a speaker that distorts (-29 dB, 3.6 %)
ROOMS = [Room(0.04, 1.0, rt60_s=0.2, drive=0.5, seed=1), Room(0.25, 1.0, rt60_s=0.35, drive=1.0, seed=2)]
PEOPLE = {"en": ("arched", ["en-us", "en-gb", "en-029", "en-us+m3"]), "ko": ("허리", ["ko", "ko+m3"])}


@pytest.fixture(scope="module")
def coach(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cues")
    return {language: coach_session(language, cache, sets=1, reps=8) for language in ("en", "ko")}


def ears_for(language: str):
    from assistant.ears.engines import ears_maker

    make, _ = ears_maker(language)
    grammar = catalog.load_grammar(language)
    return lambda: make(grammar)


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("room", ROOMS, ids=["plain", "reverberant-distorting"])
def test_arched_said_over_the_countdown_is_heard_with_the_echo_as_loud_as_the_person(coach, language, room):
    word, voices = PEOPLE[language]
    said, spoken = over_the_countdown(coach[language], word, voices, seed=room.seed)
    found, chain = replay(ears_for(language), microphone(coach[language].audio, room, said), coach[language].audio)
    hits, other = heard_in_time(found, spoken, "arched")
    assert hits >= len(spoken) - 1, f"{hits} of {len(spoken)} heard"
    assert other == [], [(d.phrase, d.start) for d in other]
    assert chain.tracker.delay_s == pytest.approx(room.delay_s, abs=0.003)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_coachs_own_voice_fires_nothing(coach, language):
    for room in (*ROOMS, Room(0.12, 2.0, drive=2.0, seed=3)):  # and a loud speaker that distorts (11 %)
        found, chain = replay(ears_for(language), microphone(coach[language].audio, room, []), coach[language].audio)
        assert found == [], (room, [(d.phrase, d.start) for d in found])


def test_a_replay_hears_the_same_whatever_the_blocks_the_audio_comes_in(coach):
    from assistant.live.duplex import DuplexEars

    word, voices = PEOPLE["ko"]
    said, _ = over_the_countdown(coach["ko"], word, voices, seed=4)
    mic = (microphone(coach["ko"].audio, ROOMS[0], said) * 32767).astype(np.int16)[:60 * RATE]
    ref = (coach["ko"].audio * 32767).astype(np.int16)[:60 * RATE]
    heard = []
    for size in (800, 333, 1024):
        chain = DuplexEars(ears_for("ko")())
        found = [d for i in range(0, len(mic), size) for d in chain.feed(mic[i:i + size], ref[i:i + size])]
        heard.append(found + chain.finish())
    assert heard[0] and heard[0] == heard[1] == heard[2]


def test_the_echo_path_is_found_in_a_sweep_of_delays_and_levels(coach):
    from assistant.live.echo_path import EchoTracker

    played = coach["en"].audio[:30 * RATE]
    person, spoken = over_the_countdown(coach["en"], "arched", ["en-us"], seed=5)
    for delay_ms in (10, 40, 100, 200, 300, 400):
        for level in (0.1, 0.3, 1.0):
            mic = microphone(played, Room(delay_ms / 1000, level, seed=delay_ms), [p for p in person if p[0] < 29])
            tracker, found = EchoTracker(), []
            pcm, ref = (mic * 32767).astype(np.int16), (played * 32767).astype(np.int16)
            for i in range(0, len(pcm), 800):
                tracker.feed(pcm[i:i + 800], ref[i:i + 800])
                if tracker.delay_s is not None:
                    found.append(tracker.delay_s)
            errors = np.abs(np.array(found) * 1000 - delay_ms)
            # reflections a few ms after the direct sound may win a round: the canceller's lead covers them
            assert len(found) > 20 * RATE / 800 and np.median(errors) <= 1 and errors.max() <= 15, (
                delay_ms, level, sorted(set(found)))


def test_listen_replays_a_recording_and_what_the_speaker_played(coach, tmp_path):
    """`listen --file MIC --reference PLAYED --json`: any rate and channel count for either, the usual JSON."""
    word, voices = PEOPLE["en"]
    said, spoken = over_the_countdown(coach["en"], word, voices, seed=6)
    played = coach["en"].audio[:70 * RATE]
    mic = microphone(played, ROOMS[0], [s for s in said if s[0] < 68])
    soundfile.write(tmp_path / "mic.wav", mic, RATE, subtype="PCM_16")
    import soxr

    stereo = soxr.resample(played, RATE, 48000)
    soundfile.write(tmp_path / "ref.wav", np.stack((stereo, stereo), axis=1), 48000, subtype="FLOAT")
    run = subprocess.run([sys.executable, "-m", "assistant", "listen", "--file", str(tmp_path / "mic.wav"),
                          "--reference", str(tmp_path / "ref.wav"), "--json", "--engine", "pocketsphinx"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert lines and all(set(line) == {"command", "phrase", "start", "end", "detected_at", "confidence", "engine"}
                         for line in lines)
    inside = [s for s in spoken if s.end < 68]
    heard = [d for d in lines if d["command"] == "arched" and any(abs(d["end"] - s.end) < 0.4 for s in inside)]
    assert len(heard) >= len(inside) - 1, [(d["phrase"], d["end"]) for d in lines]
    # nothing heard where the person said nothing: the coach's voice fired nothing (PocketSphinx may
    # mishear a word the person said, which is the recognizer's doing, not the echo's)
    assert all(any(d["start"] < s.end + 0.2 and d["end"] > s.start - 0.2 for s in inside) for d in lines)


def test_a_reference_that_is_not_audio_gets_one_line(tmp_path):
    soundfile.write(tmp_path / "mic.wav", np.zeros(RATE, np.float32), RATE)
    (tmp_path / "ref.wav").write_text("not audio")
    run = subprocess.run([sys.executable, "-m", "assistant", "listen", "--file", str(tmp_path / "mic.wav"),
                          "--reference", str(tmp_path / "ref.wav")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "ref.wav: not a readable audio file" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1




def test_vosk_hears_a_stop_said_again_and_again_in_a_quiet_rest_after_the_coach_spoke(coach):
    """Vosk must not adapt to the coach: after a session's worth of the coach's voice (its echo, or the
    canceller's residue), a person's "운동 종료" said three times in a rest of exact digital silence (a
    virtual device) was heard as "보고 한쪽 무효" and "노래 조금 무효" by a recognizer carried over from
    utterance to utterance (a live run's stop was never heard). Each utterance gets a fresh recognizer."""
    from assistant.ears.engines import ears_maker
    from tests.speechdata import say

    make, _ = ears_maker("ko", engine="vosk")
    grammar = catalog.load_grammar("ko")
    played = np.concatenate([coach["ko"].audio, np.zeros(20 * RATE, np.float32)])
    mic = microphone(played, Room(0.05, 0.3, seed=1), [], seed=2)
    rest = len(coach["ko"].audio) + RATE // 2
    mic[rest:] = 0.0
    said = [rest / RATE + 0.5 + 6.0 * k for k in range(3)]
    words = say("운동 종료", "ko+m3", 160)
    for t in said:
        mic[int(t * RATE):int(t * RATE) + len(words)] += words
    found, _ = replay(lambda: make(grammar), mic, played)
    heard = [(d.command, d.start) for d in found if d.start > rest / RATE]
    assert [c for c, _ in heard] == ["stop"] * 3, heard
    assert all(abs(start - t) < 0.5 for (_, start), t in zip(heard, said)), (heard, said)

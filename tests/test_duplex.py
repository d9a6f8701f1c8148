"""Hearing over the coach's own voice, without an audio server: the echo path tracked all session
long, the echo gate, the two recorded tracks, and files read in blocks. The replays of whole
sessions through the real recognizers are in test_barge_in.py."""

import wave
from dataclasses import replace

import numpy as np
import pytest
import soundfile

from assistant.core.errors import MatcoachError
from assistant.ears.recognizer import BLOCK, RATE, Detection
from assistant.ears.recording import Recording
from assistant.live.duplex import DelayLine
from assistant.live.echo_gate import EchoGate
from assistant.live.echo_path import EchoTracker
from assistant.live.tracks import Tracks, TracksError, check_folder, session_folder
from tests.speechdata import noise


def talk_like(seconds: float, seed: int) -> np.ndarray:
    """Speech-like sound without a speech engine: bursts of shaped noise with pauses between."""
    rng = np.random.default_rng(seed)
    return noise("breath", seconds, rng) * 0.1


def through_room(played: np.ndarray, delay_s: float, gain: float) -> np.ndarray:
    d = int(delay_s * RATE)
    return np.concatenate((np.zeros(d, np.float32), played[:len(played) - d])) * gain


def track(mic: np.ndarray, ref: np.ndarray) -> tuple[EchoTracker, list[tuple[float, float | None]]]:
    tracker, seen = EchoTracker(), []
    pcm, played = frames_of(mic), frames_of(ref)
    for i in range(0, len(pcm), BLOCK):
        tracker.feed(pcm[i:i + BLOCK], played[i:i + BLOCK])
        seen.append(((i + BLOCK) / RATE, tracker.delay_s))
    return tracker, seen


@pytest.mark.parametrize("delay_ms", [10, 45, 120, 250, 400])
@pytest.mark.parametrize("level", [0.1, 0.3, 1.0])
def test_the_echo_delay_is_found_whatever_its_delay_and_level_while_the_person_talks(delay_ms, level):
    coach, person = talk_like(12, 1), talk_like(12, 2)
    # the echo's level against the person's: 1.0 means the coach comes back as loud as the person speaks
    mic = through_room(coach, delay_ms / 1000, level) + person + talk_like(12, 3) * 0.01
    tracker, seen = track(mic, coach)
    found = [d for _, d in seen if d is not None]
    assert found and max(abs(d * 1000 - delay_ms) for d in found) <= 2, (delay_ms, level, set(found))


def test_the_echo_delay_is_followed_when_it_jumps_and_when_it_drifts():
    coach = talk_like(60, 4)
    # a device reopened at 20 s: 80 ms becomes 230 ms; then from 40 s the delay drifts by 0.5 ms a
    # second (two sound cards' clocks 500 ppm apart: ten times worse than usual)
    mic = np.concatenate((through_room(coach, 0.08, 0.5)[:20 * RATE],
                          through_room(coach, 0.23, 0.5)[20 * RATE:40 * RATE]))
    drifting = [through_room(coach, 0.23 + 0.0005 * s, 0.5)[(40 + s) * RATE:(41 + s) * RATE] for s in range(20)]
    mic = np.concatenate((mic, *drifting)) + talk_like(60, 5) * 0.3
    tracker, seen = track(mic, coach)
    at = dict(seen)
    assert at[19.0] == pytest.approx(0.08, abs=0.002)
    assert at[25.0] == pytest.approx(0.23, abs=0.002)  # followed within 5 s of the coach talking
    assert at[59.0] == pytest.approx(0.23 + 0.0005 * 19, abs=0.003)
    assert tracker.changes >= 3


def test_no_echo_heard_leaves_the_delay_unknown():
    coach = talk_like(15, 6)
    tracker, _ = track(talk_like(15, 7) * 0.2, coach)  # a headset: the coach never comes back
    assert tracker.delay_s is None


def test_the_delay_line_gives_back_what_was_pushed_some_samples_earlier():
    line = DelayLine(4000)
    signal = np.arange(10 * BLOCK, dtype=np.int16)
    for i in range(0, len(signal), BLOCK):
        line.push(signal[i:i + BLOCK])
    assert list(line.read(0, 3)) == list(signal[-3:])
    assert list(line.read(1000, BLOCK)) == list(signal[-1000 - BLOCK:-1000])


def frames_of(x: np.ndarray) -> np.ndarray:
    return (np.clip(x, -1, 1) * 32767).astype(np.int16)


def gate_after(out: np.ndarray, ref: np.ndarray, *, aligned: bool = True, gate: EchoGate | None = None,
               mic: np.ndarray | None = None) -> EchoGate:
    """A gate that heard ``out`` after cancellation, with ``ref`` played and ``mic`` before cancellation
    (it judges the words just heard)."""
    gate = gate or EchoGate()
    gate.aligned = aligned
    for i in range(0, len(out), BLOCK):
        gate.heard(frames_of(out[i:i + BLOCK]), frames_of(ref[i:i + BLOCK]),
                   None if mic is None else frames_of(mic[i:i + BLOCK]))
    return gate


def said(start: float, end: float) -> Detection:
    return Detection(command="arched", phrase="arched", start=start, end=end, detected_at=end + 0.2,
                     confidence=0.9, engine="test")


def loudest_half_second(x: np.ndarray, after_s: float) -> float:
    energy = np.convolve(x ** 2, np.ones(RATE // 2), "valid")[int(after_s * RATE):]
    return after_s + int(np.argmax(energy)) / RATE


def a_word_over(coach: np.ndarray, t: float, level: float) -> np.ndarray:
    """The person's track beside ``coach``: a half-second word (the loudest of a speech-like take,
    ``level`` times it) from ``t`` on, silence elsewhere."""
    voice = talk_like(3, 10) * level
    word = int(loudest_half_second(voice, 0.0) * RATE)
    person = np.zeros_like(coach)
    person[int(t * RATE):int(t * RATE) + RATE // 2] = voice[word:word + RATE // 2]
    return person


def test_the_gate_takes_the_coachs_residue_for_echo_and_the_person_for_the_person():
    coach = talk_like(12, 8) * 3
    residue = coach * 0.03 + talk_like(12, 9) * 0.001  # what the canceller left of the coach's voice, 30 dB down
    t = loudest_half_second(coach, 8.0)
    person = a_word_over(coach, t, 3)  # exactly as loud as the coach's voice before cancellation
    echo = loudest_half_second(coach[:7 * RATE], 4.0)
    gate = gate_after(residue[:int(echo * RATE) + RATE], coach[:int(echo * RATE) + RATE])
    assert "the coach's voice" in gate.echo_of(said(echo, echo + 0.5))
    rest = slice(int(echo * RATE) + RATE, int(t * RATE) + RATE)
    gate_after((residue + person)[rest], coach[rest], gate=gate)
    assert gate.echo_of(said(t, t + 0.5)) is None


def test_a_command_the_command_model_decided_alone_over_the_coach_must_stand_further_above_the_residue():
    """Over the coach's voice the command model alone decides "arched" at a lower probability, with no
    second recognizer's word, so the gate asks more of it (``ALONE_SHARE``)."""
    coach = talk_like(12, 8) * 3
    residue = coach * 0.03 + talk_like(12, 9) * 0.001
    t = loudest_half_second(coach, 8.0)
    shares = []
    for gain in np.geomspace(0.02, 3.0, 40):    # a person heard faintly over the coach, then louder
        gate = gate_after(residue + a_word_over(coach, t, gain), coach)
        share = gate.verdict(said(t, t + 0.5))[1]
        share = float(share.split(" %")[0])
        shares.append(share)
        if EchoGate.PERSON_SHARE * 100 + 5 < share < EchoGate.ALONE_SHARE * 100 - 5:
            break
    else:
        raise AssertionError(f"no level gave a share between the two: {shares}")
    alone = Detection(command="arched", phrase="arched", start=t, end=t + 0.5, detected_at=t + 0.7,
                      confidence=0.92, engine="embedding")
    assert gate.echo_of(alone) is not None
    assert gate.echo_of(said(t, t + 0.5)) is None                  # a second recognizer's word: the person
    assert gate.echo_of(replace(alone, engine="embedding+pocketsphinx")) is None


def test_when_the_canceller_loses_the_echo_a_microphone_holding_only_the_echo_is_still_the_coach():
    """A jump of a few samples in the echo's path (a live audio server did this 10 s into a session)
    costs the canceller 25 dB for seconds: its output is then the coach's voice itself, far above the
    residue learned, and Vosk heard "아치" in it. Before cancellation the microphone held nothing but
    the coach's echo, so the gate still knows it; the person said over the same lost stretch passes."""
    coach = talk_like(12, 8) * 3
    echo = coach * 0.5                      # the coach's voice at the microphone, before cancellation
    t = loudest_half_second(coach, 8.2)
    lost = slice(int((t - 0.05) * RATE), len(coach))
    out = echo * 0.03
    out[lost] = echo[lost] * 0.8            # the canceller lost it just as the words began
    gate = gate_after(out, coach, mic=echo)
    why = gate.echo_of(said(t, t + 0.5))
    assert why is not None and "lost" in why, why
    person = a_word_over(coach, t, 1.5)     # as loud as the echo
    gate = gate_after(out + person, coach, mic=echo + person)
    assert gate.echo_of(said(t, t + 0.5)) is None


def test_words_said_before_the_canceller_started_again_are_judged_by_what_was_learned_before():
    """The echo path's move is found a moment after it happened, sometimes after words said before it
    were decided: they are judged against the residue learned before the canceller started again."""
    coach = talk_like(12, 8) * 3
    residue = coach * 0.03 + talk_like(12, 9) * 0.001
    t = loudest_half_second(coach, 8.0)
    person = a_word_over(coach, t, 3)
    before = int((t + 0.6) * RATE)
    gate = gate_after((residue + person)[:before], coach[:before])
    gate.restart()
    gate_after(coach[before:] * 0.5, coach[before:], gate=gate)  # the canceller learns again
    assert gate.echo_of(said(t, t + 0.5)) is None


def test_right_after_the_canceller_starts_again_the_echo_ringing_on_after_the_coachs_words_is_the_coach():
    """Until the residue is learned again the echo is as it came, with the room's reverberation: it
    rings on into the gaps between the coach's syllables, where the reference has fallen silent, and
    a recognizer heard "what" in it. The person, clearly louder than the echo, still passes."""
    rng = np.random.default_rng(8)
    n = 12 * RATE
    syllables = (np.arange(n) % int(0.2 * RATE)) < int(0.12 * RATE)   # 120 ms sounds, 80 ms gaps
    coach = (rng.normal(0, 0.1, n) * syllables).astype(np.float32)
    decay = np.exp(-np.arange(int(0.3 * RATE)) / (0.06 * RATE)).astype(np.float32)  # RT60 0.4 s
    ringing = (np.convolve(coach, decay)[:n] / np.sqrt(np.sum(decay ** 2)) * 0.7).astype(np.float32)
    t, start = 9.0, int(8.45 * RATE)    # the words begin 0.55 s after the canceller started again

    def judged(person: np.ndarray) -> str | None:
        gate = gate_after(coach[:start] * 0.03, coach[:start])
        gate.restart()
        gate.unlearned = 0.5            # the echo's level the tracker measured
        gate_after((ringing + person)[start:], coach[start:], gate=gate)
        return gate.echo_of(said(t, t + 0.5))

    assert judged(np.zeros(n, np.float32)) is not None
    person = np.zeros(n, np.float32)
    person[int(t * RATE):int(t * RATE) + RATE // 2] = rng.normal(0, 0.5, RATE // 2)   # 5 times the echo
    assert judged(person) is None


def test_the_gate_passes_anything_said_while_the_coach_is_silent():
    coach = talk_like(12, 11) * 3
    coach[int(8 * RATE):] = 0
    residue = coach * 0.03
    gate = gate_after(residue + talk_like(12, 12) * 0.02, coach)
    assert gate.echo_of(said(9.0, 9.5)) is None


def test_before_the_echo_path_is_known_the_coachs_voice_is_expected_anywhere_in_the_last_half_second():
    coach = talk_like(4, 13) * 3
    echo = through_room(coach, 0.3, 0.5)  # not cancelled yet, 300 ms late
    gate = gate_after(echo, coach, aligned=False)
    assert gate.echo_of(said(2.0, 2.5)) is not None


def test_a_recording_is_read_in_blocks_resampled_and_down_mixed(tmp_path):
    t = np.arange(int(44100 * 3.0)) / 44100
    left = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    soundfile.write(tmp_path / "take.wav", np.stack((left, left), axis=1), 44100)
    recording = Recording(tmp_path / "take.wav")
    got = list(recording.blocks())
    assert {len(b) for b in got[:-1]} == {BLOCK} and got[0].dtype == np.int16
    audio = np.concatenate(got).astype(np.float32) / 32767
    assert len(audio) == pytest.approx(3 * RATE, abs=BLOCK)
    spectrum = np.abs(np.fft.rfft(audio[RATE:2 * RATE]))
    assert np.fft.rfftfreq(RATE, 1 / RATE)[np.argmax(spectrum)] == pytest.approx(440, abs=2)
    assert np.sqrt(np.mean(audio[RATE:2 * RATE] ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.02)


@pytest.mark.parametrize("make,expected", [
    (lambda p: p, "no such audio file"),
    (lambda p: (p.mkdir(), p)[1], "is a folder"),
    (lambda p: (p.write_bytes(b"not audio at all"), p)[1], "not a readable audio file"),
    (lambda p: (soundfile.write(p, np.zeros(0, np.float32), 16000), p)[1], "the recording is empty"),
])
def test_a_bad_recording_gets_one_line_saying_what_is_wrong(tmp_path, make, expected):
    with pytest.raises(MatcoachError, match=expected) as error:
        Recording(make(tmp_path / "take.wav"))
    assert "\n" not in str(error.value)


def test_both_tracks_are_written_block_by_block_and_readable_at_any_moment(tmp_path):
    tracks = Tracks(tmp_path / "rec")
    mic, ref = frames_of(talk_like(1, 14)), frames_of(talk_like(1, 15))
    for i in range(0, len(mic), BLOCK):
        tracks.write(mic[i:i + BLOCK], ref[i:i + BLOCK])
    with wave.open(str(tmp_path / "rec" / "mic.wav")) as half_written:  # before close: a crash keeps it
        assert half_written.getnframes() == len(mic) and half_written.getframerate() == RATE
    tracks.close()
    for name, expected in (("mic.wav", mic), ("ref.wav", ref)):
        samples, rate = soundfile.read(tmp_path / "rec" / name, dtype="int16")
        assert rate == RATE and np.array_equal(samples, expected)


def test_a_recording_is_never_written_over_and_needs_a_folder(tmp_path):
    Tracks(tmp_path / "rec").close()
    with pytest.raises(TracksError, match="already holds a recording"):
        check_folder(tmp_path / "rec")
    (tmp_path / "file").write_text("x")
    with pytest.raises(TracksError, match="is a file, not a folder"):
        check_folder(tmp_path / "file")
    from datetime import datetime

    first = session_folder(tmp_path / "rec", datetime(2025, 3, 1, 18, 30))
    first.mkdir()
    assert session_folder(tmp_path / "rec", datetime(2025, 3, 1, 18, 30)).name == "20250301-183000-2"

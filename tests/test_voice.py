"""The coach's voice: every cue sounds, on time, in the person's own words or recordings."""

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from assistant.core.cues import EXAMPLE_PARAMS as CORE_EXAMPLES
from assistant.core.pack import Said
from assistant.core.planner import GAP_S, HUSH_GAP_S, Planner
from assistant.data import catalog
from assistant.data.enroll_cues import ENROLLMENT_EXAMPLES
from assistant.voice.clips import AudioFileError, Clips, read_audio_file, trim
from assistant.voice.speaking import make_clips
from assistant.voice.tts import Pyttsx3Speech
from tests.audio_checks import onsets, rms_db
from tests.cli import matcoach

RATE = 22050

EXAMPLE_PARAMS = {**CORE_EXAMPLES, **ENROLLMENT_EXAMPLES}


def espeak(text: str, path: Path, *, rate: int = 44100, channels: int = 2) -> Path:
    """A 'recording' of a person: espeak-ng speech, resampled and made stereo like a phone recording."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "en-gb", "-w", str(raw), text], check=True)
    samples = read_audio_file(raw, rate)
    soundfile.write(path, np.stack([samples] * channels, axis=1) if channels > 1 else samples, rate)
    return path


# -- the planner (pure) -------------------------------------------------------------------------

class FakeDurations:
    def __init__(self, **seconds):
        self.seconds = seconds

    def __call__(self, said: Said) -> float:
        return self.seconds.get(said.text, 0.5)


def test_cues_said_together_never_overlap():
    planner = Planner(catalog.load_pack(), FakeDurations())
    a = planner.place("brace", {}, at=10.0)
    b = planner.place("lift", {}, at=10.0)
    assert (a.start, a.end) == (10.0, 10.5)
    assert b.start == pytest.approx(10.5 + GAP_S)


def test_a_tight_slot_gets_the_shortest_line_that_fits():
    pack = catalog.load_pack()
    planner = Planner(pack, FakeDurations(**{"Lower 3.": 0.95, "Down 3.": 0.6}))
    assert planner.place("lower", {"n": 3}, at=0.0, fit=1.0).text == "Down 3."
    # without a tight slot the lines rotate
    assert [planner.place("lower", {"n": 3}, at=t).text for t in (10.0, 20.0)] == ["Lower 3.", "Down 3."]


def test_hush_cuts_what_is_still_to_come():
    planner = Planner(catalog.load_pack(), FakeDurations())
    planner.place("brace", {}, at=0.0)
    planner.place("lift", {}, at=0.0)
    cut = planner.hush(0.3)
    assert [p.cue for p in cut] == ["brace", "lift"]
    answer = planner.place("arched", {}, at=0.3)
    assert answer.start == pytest.approx(0.3 + HUSH_GAP_S)  # a breath after the cut, not after the cut lines
    assert planner.busy_until == pytest.approx(0.3 + HUSH_GAP_S + 0.5)


def test_an_answer_in_silence_starts_at_once():
    planner = Planner(catalog.load_pack(), FakeDurations())
    planner.place("brace", {}, at=0.0)  # over by 0.5
    planner.place("ready", {"set": 2, "sets": 3, "reps": 10}, at=9.0)  # planned, not yet begun
    assert [p.cue for p in planner.hush(2.0)] == ["ready"]
    assert planner.place("paused", {}, at=2.0).start == pytest.approx(2.0)


# -- real speech (pyttsx3 + espeak-ng) ----------------------------------------------------------

@pytest.fixture(scope="module")
def clips():
    return make_clips(catalog.load_pack(), RATE)


@pytest.mark.slow
def test_every_cue_renders_to_sound(clips):
    pack = catalog.load_pack()
    for cue, params in catalog.known_cues().items():
        for said in pack.lines(cue, {p: EXAMPLE_PARAMS[p] for p in params}):
            clip = clips.get(said)
            assert 0.1 < len(clip) / RATE < 12, (cue, said.text, len(clip) / RATE)
            assert rms_db(clip) > -30, (cue, said.text, rms_db(clip))
            # trimmed: it starts and ends sounding
            assert abs(clip[:RATE // 100]).max() > 10 ** (-50 / 20)


@pytest.mark.slow
def test_the_korean_pack_is_spoken_in_korean():
    pack = catalog.load_pack("ko")
    korean = make_clips(pack, RATE)
    assert korean.voice.engine_voice.endswith("ko")
    for cue, params in catalog.known_cues().items():
        for said in pack.lines(cue, {p: EXAMPLE_PARAMS[p] for p in params}):
            clip = korean.get(said)
            assert 0.1 < len(clip) / RATE < 15 and rms_db(clip) > -30, (cue, said.text)


@pytest.mark.slow
def test_rendering_prints_nothing_on_stdout(capsys):
    # stdout carries the JSON events; pyttsx3's espeak driver prints "Audio saved to ..."
    speech = Pyttsx3Speech()
    for text in ("Lower three.", "Done.", "Rest thirty seconds."):
        assert speech.render(text, voice="", rate=165, volume=1.0)[0].size
    time.sleep(0.2)  # the driver's callback may print after runAndWait returns
    assert capsys.readouterr().out == ""


@pytest.mark.slow
def test_the_cache_keeps_rendered_lines_and_knows_what_changes_the_sound(tmp_path, clips):
    cache = Clips(clips._render, clips.voice, rate=RATE, cache_dir=tmp_path / "cache")
    lines = [Said(text="Press your back down."), Said(text="Exhale, lift.")]
    assert cache.warm(lines) == 2
    again = Clips(None, clips.voice, rate=RATE, cache_dir=tmp_path / "cache")  # no engine needed
    assert again.warm(lines) == 0 and len(again.get(lines[0])) == len(cache.get(lines[0]))
    other_rate = Clips(None, clips.voice, rate=16000, cache_dir=tmp_path / "cache")
    assert other_rate.key(lines[0]) != cache.key(lines[0])
    faster = Clips(None, type(clips.voice)(**{**clips.voice.__dict__, "rate": 200}), rate=RATE,
                   cache_dir=tmp_path / "cache")
    assert faster.key(lines[0]) != cache.key(lines[0])
    damaged = next((tmp_path / "cache").rglob("*.flac"))
    damaged.write_bytes(b"not audio")
    fresh = Clips(clips._render, clips.voice, rate=RATE, cache_dir=tmp_path / "cache")
    assert all(len(fresh.get(s)) > 0 for s in lines)  # rendered again, no crash


@pytest.mark.slow
def test_recordings_of_any_rate_and_channels_are_mono_at_the_output_rate(tmp_path):
    wav = espeak("Lift", tmp_path / "lift.wav", rate=44100, channels=2)
    samples = read_audio_file(wav, 16000)
    info = soundfile.info(wav)
    assert samples.ndim == 1 and abs(len(samples) / 16000 - info.duration) < 0.01
    (tmp_path / "bad.wav").write_text("this is not audio")
    with pytest.raises(AudioFileError, match="not a readable audio file .*export it as a WAV"):
        read_audio_file(tmp_path / "bad.wav", 16000)


@pytest.fixture(scope="module")
def session_audio(tmp_path_factory):
    """The quick routine rendered to a WAV, with its JSON events; an arch mid-countdown interrupts it."""
    home = tmp_path_factory.mktemp("home")
    wav = home / "session.wav"
    quiet = matcoach("simulate", "--routine", "quick", "--json", "--out-wav", wav, "--sample-rate", "48000", home=home)
    lowers = [e["t"] for e in map(json.loads, quiet.stdout.splitlines()) if e.get("cue") == "lower"]
    arch_at = round(lowers[2] + 1.1, 3)  # while the coach says "two" in the third descent
    out = matcoach("simulate", "--routine", "quick", "--json", "--out-wav", wav, "--sample-rate", "48000",
                   "--say", f"{arch_at}:arched", home=home)
    events = [json.loads(line) for line in out.stdout.splitlines()]
    samples, rate = soundfile.read(wav, dtype="float32")
    return events, samples, rate


@pytest.mark.slow
def test_each_cue_starts_within_10_ms_of_its_planned_time(session_audio):
    events, samples, rate = session_audio
    assert rate == 48000
    cues = [e for e in events if e["event"] == "cue"]
    heard = onsets(samples, rate)
    errors = []
    for cue in cues:
        nearest = min(heard, key=lambda t: abs(t - cue["t"]))
        errors.append(abs(nearest - cue["t"]))
    assert max(errors) <= 0.010, sorted(zip(errors, [c["cue"] for c in cues]))[-5:]
    # nothing sounds that was not planned (pauses inside a sentence start sound again, inside its span)
    assert all(any(c["t"] - 0.010 <= t <= c["end"] for c in cues) for t in heard)


@pytest.mark.slow
def test_cues_never_overlap_and_the_count_lands_on_the_second(session_audio):
    events, _, _ = session_audio
    cues = [e for e in events if e["event"] == "cue"]
    hushed_at = [e["t"] for e in events if e["event"] == "hushed"]
    for a, b in zip(cues, cues[1:]):
        if not any(a["t"] < h <= b["t"] for h in hushed_at):
            assert b["t"] >= a["end"] + GAP_S - 1e-6, (a, b)
    lowers = [i for i, c in enumerate(cues) if c["cue"] == "lower"]
    for i in lowers:
        counts = [c for c in cues[i + 1:i + 3] if c["cue"] == "count"]
        if len(counts) == 2:  # not cut short by an arch
            assert [round(c["t"] - cues[i]["t"], 3) for c in counts] == [1.0, 2.0]


@pytest.mark.slow
def test_an_arch_mid_countdown_cuts_the_coach_short(session_audio):
    events, samples, rate = session_audio
    (heard,) = [e for e in events if e["event"] == "heard"]
    arched = next(e for e in events if e["event"] == "cue" and e["cue"] == "arched")
    assert arched["t"] == pytest.approx(heard["t"], abs=0.2)
    # silence between the interruption and the answer: the count was cut off
    before = samples[int(heard["t"] * rate):int(arched["t"] * rate)]
    assert before.size == 0 or rms_db(before) < -45


@pytest.mark.slow
def test_after_the_first_set_the_default_session_is_mostly_quiet_and_every_count_is_heard(tmp_path):
    """Real speech timings: at most 30 % of the session after the first set is the coach talking."""
    wav = tmp_path / "session.wav"
    out = matcoach("simulate", "--json", "--out-wav", wav, home=tmp_path / "home")
    events = [json.loads(line) for line in out.stdout.splitlines()]
    cues = [e for e in events if e["event"] == "cue"]
    first_set = next(e["t"] for e in events if e["event"] == "set_done")
    end = max(c["end"] for c in cues)
    spans, reach, spoken = sorted((max(c["t"], first_set), c["end"]) for c in cues if c["end"] > first_set), 0.0, 0.0
    for a, b in spans:
        spoken += max(0.0, b - max(a, reach))
        reach = max(reach, b)
    assert spoken / (end - first_set) <= 0.30
    counted = [e["perfect"] for e in events if e["event"] == "rep_counted" and e["set"] > 0]
    said = [c["params"]["n"] for c in cues if c["cue"] == "rep-counted" and c["end"] > c["t"]]
    assert said == counted == list(range(1, 11)) * 3


# -- people's own words ---------------------------------------------------------------------------

@pytest.mark.slow
def test_user_lines_add_to_or_replace_the_shipped_ones(tmp_path):
    home = tmp_path / "home"
    matcoach("cues", "add", "brace", "Flatten that back!", home=home)
    matcoach("cues", "add", "lift", "Up you go.", "--replace", home=home)
    listed = {c["id"]: c for c in json.loads(matcoach("cues", "list", "--json", home=home).stdout)}
    assert listed["brace"]["text"][-1] == "Flatten that back!" and listed["brace"]["source"] == "shipped+user"
    assert listed["lift"] == {"id": "lift", "text": ["Up you go."], "source": "user", "params": [], "wav": []}
    assert listed["lower"]["params"] == ["n"]
    said = [json.loads(line) for line in matcoach("simulate", "--routine", "quick", "--talk", "full", "--json",
                                                  home=home).stdout.splitlines()]
    texts = {e["text"] for e in said if e.get("cue") in ("brace", "lift")}
    assert "Flatten that back!" in texts and {e["text"] for e in said if e.get("cue") == "lift"} == {"Up you go."}


@pytest.mark.slow
def test_a_recorded_cue_is_played_in_the_session(tmp_path):
    home = tmp_path / "home"
    recording = espeak("Come on, lift those legs", tmp_path / "my-lift.wav")
    out = matcoach("cues", "add", "lift", "--wav", recording, "--replace", home=home).stdout
    assert "recordings/lift-" in out
    wav = tmp_path / "session.wav"
    run = matcoach("simulate", "--routine", "quick", "--sets", "1", "--reps", "1", "--json", "--out-wav", wav,
                   home=home)
    (lift,) = [json.loads(line) for line in run.stdout.splitlines() if '"cue": "lift"' in line]
    assert lift["text"] == "[my-lift.wav]"
    samples, rate = soundfile.read(wav, dtype="float32")
    expected = trim(read_audio_file(recording, rate))
    assert lift["end"] - lift["t"] == pytest.approx(len(expected) / rate, abs=0.01)
    assert rms_db(samples[int(lift["t"] * rate):int(lift["end"] * rate)]) > -30


@pytest.mark.slow
def test_cues_check_lists_every_problem_with_file_key_and_fix(tmp_path):
    home = tmp_path / "home"
    (home / "voices").mkdir(parents=True)
    (home / "voices" / "silent.wav").write_bytes(b"")
    soundfile.write(home / "voices" / "quiet.wav", np.zeros(8000, dtype=np.float32), 16000)
    (home / "voices" / "en.toml").write_text('''
[voice]
engine_voice = "klingon"
[cues]
flex = ["Flex."]
count = ["Next one!"]
rest = ["Rest {secs}."]
[extra]
brace = [{ wav = "silent.wav" }]
top = [{ wav = "quiet.wav" }]
lift = [{ wav = "missing.wav" }]
''')
    result = matcoach("cues", "check", home=home, check=False)
    assert result.returncode == 2
    problems = result.stderr.strip().splitlines()
    expected = ["engine_voice 'klingon' is not a speech voice on this machine; use one from `matcoach voices`",
                "cue 'flex' is not a cue the coach says",
                "cue 'count' line 'Next one!' is missing placeholder {n}",
                "cue 'rest' uses unknown placeholder {secs}",
                "extra.brace: ", "extra.top: ", "quiet.wav is silent; record it again",
                "missing.wav: no such audio file"]
    for words in expected:
        assert any(words in p for p in problems), (words, problems)
    assert all(p.startswith(str(home / "voices" / "en.toml")) for p in problems)
    assert result.stdout.strip() == f"3 voice packs checked: {len(problems)} problems"  # en, ko, the user's en
    clean = matcoach("cues", "check", home=tmp_path / "empty")
    assert clean.stdout.strip() == "2 voice packs checked: no problems"


@pytest.mark.slow
@pytest.mark.parametrize("args,message", [
    (["cues", "add", "flex", "Flex!"], "'flex' is not a cue the coach says"),
    (["cues", "add", "brace"], 'give the line as text ("...") or a recording'),
    (["cues", "add", "count", "Next!"], "is missing placeholder {n}"),
    (["cues", "preview", "lower", "--set", "x=1"], "--set 'x=1': use NAME=VALUE with NAME one of: n"),
    (["cues", "add", "lift", "--wav", "nowhere.wav"], "no such audio file"),
    (["simulate", "--voice", "tlh"], "no voice pack named 'tlh'; use one of: en"),
    (["simulate", "--play", "--routine", "quick", "--output-device", "no-such-speaker"], "audio output device"),
    (["simulate", "--routine", "quick", "--out-wav", "/no/such/folder/s.wav"], "--out-wav /no/such/folder/s.wav: "
                                                                               "the folder does not exist"),
])
def test_bad_cue_input_is_one_line(tmp_path, args, message):
    result = matcoach(*args, home=tmp_path / "home", check=False)
    assert result.returncode == 2 and message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert not (tmp_path / "home" / "voices" / "en.toml").exists()


@pytest.mark.slow
def test_voices_lists_the_machines_voices(tmp_path):
    voices = json.loads(matcoach("voices", "--json", "--lang", "en", home=tmp_path).stdout)
    assert any(v["id"].endswith("en-us") for v in voices)


@pytest.mark.slow
def test_preview_writes_every_line_of_a_cue(tmp_path):
    out = tmp_path / "lower.wav"
    printed = matcoach("cues", "preview", "lower", "--set", "n=4", "--out", out, home=tmp_path).stdout
    assert "Lower 4." in printed and "Down 4." in printed
    samples, rate = soundfile.read(out)
    assert len(onsets(samples, rate, min_gap_s=0.4)) == 2  # the lines are half a second apart


@pytest.mark.slow
def test_play_speaks_each_cue_at_its_time_through_a_real_audio_server(tmp_path, pulse):
    routine = tmp_path / "one.toml"
    routine.write_text('name = "one"\nready_s = 1\n[[steps]]\nkind = "sets"\nsets = 1\nreps = 1\n')
    capture = tmp_path / "speaker.raw"
    recorder = pulse.record("spk.monitor", capture)
    time.sleep(0.3)
    env = dict(pulse.env, MATCOACH_HOME=str(tmp_path / "home"))
    run = subprocess.run([sys.executable, "-m", "assistant", "simulate", "--play", "--routine", str(routine),
                          "--json"], capture_output=True, text=True, env=env, timeout=120)
    recorder.terminate()
    recorder.wait()
    assert run.returncode == 0, run.stderr
    cues = [e for e in map(json.loads, run.stdout.splitlines()) if e["event"] == "cue"]
    heard = np.array(onsets(np.fromfile(capture, dtype=np.int16).astype(np.float32) / 32768, 48000))
    assert len(heard) >= len(cues)
    # the recording started earlier than the session: align on the first cue, then every cue is on time
    offset = heard[0] - cues[0]["t"]
    errors = [float(np.min(np.abs(heard - offset - c["t"]))) for c in cues]
    late = [(round(e * 1000, 1), c["t"], c["text"]) for e, c in zip(errors, cues) if e >= 0.020]
    assert not late, (late, run.stderr[-600:])


@pytest.mark.slow
def test_an_incomplete_render_is_done_again(monkeypatch):
    """pyttsx3's espeak driver sometimes writes the file before the last chunk of audio: a fragment."""
    speech = Pyttsx3Speech()
    full = np.ones(22050 * 3, dtype=np.float32) * 0.1
    renders = iter([(full[:1729], 22050), (full, 22050)])
    monkeypatch.setattr(speech, "_render_once", lambda engine, text: next(renders))
    samples, rate = speech.render("환영합니다. 오늘은 다리 들기입니다.", voice="", rate=150, volume=1.0)
    assert len(samples) == len(full) and rate == 22050


def test_scratch_folders_of_crashed_runs_are_swept(tmp_path, monkeypatch):
    """Crashes once left empty /tmp/matcoach-tts-* folders behind, one per run."""
    import os
    import tempfile

    from assistant.voice import tts

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone, alive = tmp_path / f"{tts.SCRATCH}999999999-abc", tmp_path / f"{tts.SCRATCH}{os.getpid()}-abc"
    gone.mkdir()
    alive.mkdir()
    tts._sweep_scratch()
    assert not gone.exists() and alive.exists()

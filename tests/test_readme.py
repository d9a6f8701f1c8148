"""The README and the program agree: every command its code blocks show runs as a newcomer would type
it, in order, in a temporary directory on a machine without audio devices, and its TOML examples load
(CONTRACTS: The README test). A traceback, an unknown option or an unexpected exit status fails."""

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests import readme

TEXT = readme.README.read_text(encoding="utf-8")
SHOWN = readme.commands(TEXT)
MISUSE = ("unrecognized arguments", "invalid choice", "the following arguments are required", "ambiguous option",
          "expected one argument", "not allowed with argument")
# Defects another branch is fixing: (command pattern, the message it gives until then, who fixes it).
# Such a run is reported as xfail; once fixed it simply passes, and its line here should go.
OWNED_ELSEWHERE: tuple[tuple[str, str, str], ...] = ()


class Machine:
    """A newcomer's machine: an empty home, data and configuration, no audio devices."""

    def __init__(self, base: Path) -> None:
        self.cwd = base / "work"
        self.cwd.mkdir()
        (base / "home").mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MATCOACH_") and k != "VOSK_MODEL_PATH"}
        self.env = dict(env, HOME=str(base / "home"), MATCOACH_HOME=str(base / "matcoach"),
                        XDG_CONFIG_HOME=str(base / "home" / ".config"), PULSE_SERVER="unix:/nonexistent",
                        PULSE_RUNTIME_PATH=str(base / "no-pulse"))

    def matcoach(self, *args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                              env=dict(self.env, **(env or {})), cwd=cwd or self.cwd, timeout=600)


def fresh_machine(base: Path) -> Machine:
    machine = Machine(base)
    devices = machine.matcoach("devices", "--json")
    if devices.returncode != 0 or json.loads(devices.stdout):
        pytest.skip("this machine has audio devices: the README test needs a machine without them")
    return machine


@pytest.fixture(scope="module")
def newcomer(tmp_path_factory) -> Machine:
    return fresh_machine(tmp_path_factory.mktemp("newcomer"))


def say(word: str, path: Path) -> None:
    """A recording of ``word`` where a README command expects the user's own file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), word], check=True, capture_output=True, timeout=60)


def parses(args: list[str]) -> str:
    """What parsing ``args`` as matcoach would says ("" when they parse)."""
    from assistant.cli.main import build_parser

    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said), contextlib.redirect_stdout(io.StringIO()):
            build_parser().parse_args(args)
    except SystemExit as e:
        return said.getvalue() or f"exit {e.code}"
    return ""


def judge(run: subprocess.CompletedProcess, args: list[str], shown: readme.Shown) -> str:
    err = run.stderr
    assert "Traceback" not in err, f"{shown.line}: a traceback\n{err}"
    misuse = [m for m in MISUSE if m in err]
    assert not misuse, f"{shown.line}: the program does not take what the README shows ({misuse[0]})\n{err}"
    last = (err.strip().splitlines() or [""])[-1]
    why = readme.must_fail(args)
    if why is not None:
        assert run.returncode == 2 and last.startswith("matcoach: error:"), \
            f"{shown.line}: should fail with one line here ({why}); exit {run.returncode}\n{err}"
        return f"fails as it must here ({why}): {last}"
    for pattern, message, fixer in OWNED_ELSEWHERE:
        if re.search(pattern, " ".join(args)) and run.returncode == 2 and message in err:
            pytest.xfail(f"{shown.line}: {fixer}")
    assert run.returncode == 0, f"{shown.line}: exit {run.returncode}\n{err}"
    if shown.redirected:
        assert run.stdout.strip(), f"{shown.line}: printed nothing to redirect"
    first = (run.stdout.strip().splitlines() or err.strip().splitlines() or [""])[0]
    return f"exit 0: {first[:100]}"


def run_other(shown: readme.Shown, machine: Machine) -> str:
    words = list(shown.words)
    if shown.program == "./setup.sh":  # installs: its dry run says what it would do
        run = subprocess.run([str(readme.ROOT / "setup.sh"), "--dry-run", *words[1:]], capture_output=True,
                             text=True, timeout=300, env=machine.env, cwd=readme.ROOT)
        assert run.returncode == 0, f"{shown.line} (dry run): exit {run.returncode}\n{run.stderr}"
        return "dry run: " + run.stderr.strip().splitlines()[-1]
    if shown.program == "journalctl":  # follows the log forever
        if shutil.which("journalctl") is None:
            pytest.skip("journalctl is not installed here")
        run = subprocess.run(["journalctl", "--help"], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0
        return "journalctl --help: exit 0"
    if shown.program in ("python", "python3") and words[1:3] == ["-m", "assistant"]:
        found = shutil.which(shown.program, path=machine.env.get("PATH"))
        assert found, f"{shown.line}: no {shown.program} on PATH"
        run = subprocess.run([found, *words[1:]], capture_output=True, text=True, env=machine.env, cwd=machine.cwd,
                             timeout=300)
        assert run.returncode == 0, f"{shown.line}: the {shown.program} on PATH cannot run matcoach; show the " \
                                    f"virtual environment's (.venv/bin/python)\n{run.stderr}"
        return "exit 0"
    pytest.skip(f"not a matcoach command ({shown.program}): it installs or manages the system")


@pytest.mark.slow
@pytest.mark.parametrize("shown", SHOWN, ids=[f"{i:02d} {s.line}" for i, s in enumerate(SHOWN)])
def test_every_command_in_the_readme_runs(shown, newcomer):
    args = readme.matcoach_args(shown)
    if args is None:
        print(f"\n{shown.line}\n  -> {run_other(shown, newcomer)}")
        return
    for path, word in readme.input_files(args):
        if not (newcomer.cwd / path).exists():
            say(word, newcomer.cwd / path)
    ran = args
    replacement = readme.instead(args)
    if replacement is not None:
        what, why = replacement
        prefix = next(p for p, _, _ in readme.INSTEAD if tuple(args[:len(p)]) == p)
        if what == "parse":
            problem = parses(args)
            assert not problem, f"{shown.line}: {problem}"
        if what in ("parse", "help"):
            ran = [*prefix, "--help"]
        else:
            ran = [*what, *args[len(prefix):]]
    run = newcomer.matcoach(*ran, env=shown.env)
    found = judge(run, args, shown)
    note = f" (runs `matcoach {' '.join(ran)}` instead: {replacement[1]})" if replacement else ""
    print(f"\n{shown.line}{note}\n  -> {found}")


def test_the_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    first = [s.words for s in SHOWN[:2]]
    assert first == [("./setup.sh", "run"), ("./setup.sh", "test")]
    ci = (readme.ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\./setup\.sh test\b", ci, re.M), ".ci/run must run the README's test command"


def test_the_readme_is_read_as_a_newcomer_reads_it():
    shown = readme.commands("```sh\nFOO=1 .venv/bin/matcoach simulate --say 5:done  # a comment\n"
                            ".venv/bin/matcoach completion bash > ~/x\n```\n")
    assert [(s.env, s.words, s.redirected) for s in shown] == [
        ({"FOO": "1"}, (".venv/bin/matcoach", "simulate", "--say", "5:done"), False),
        ({}, (".venv/bin/matcoach", "completion", "bash"), True)]
    assert readme.input_files(["listen", "--file", "take.wav", "--out", "x.wav"]) == [("take.wav", "done")]
    assert readme.input_files(["enroll", "--take", "arched=a.wav"]) == [("a.wav", "arched")]
    assert readme.instead(["service", "install", "--", "--language", "ko"])[0] == ("service", "show")
    assert readme.must_fail(["start", "--input-device", "USB"]) and not readme.must_fail(["start"])
    assert readme.must_fail(["listen"]) and not readme.must_fail(["listen", "--file", "take.wav"])


def _example(has: str) -> str:
    (found,) = [t for t in readme.toml_examples(TEXT) if has in t]
    return found


@pytest.mark.slow
def test_the_user_pack_example_loads_and_checks_clean(tmp_path):
    machine = fresh_machine(tmp_path)
    pack = _example("[cues]")
    folder = Path(machine.env["MATCOACH_HOME"]) / "voices"
    folder.mkdir(parents=True)
    (folder / "en.toml").write_text(pack)
    for line in tomllib.loads(pack).get("extra", {}).values():
        for entry in line:
            if isinstance(entry, dict) and "wav" in entry:
                say("lift", folder / entry["wav"])
    check = machine.matcoach("cues", "check")
    assert check.returncode == 0, check.stderr
    listed = {row["id"]: row for row in json.loads(machine.matcoach("cues", "list", "--json").stdout)}
    assert listed["brace"]["text"] == tomllib.loads(pack)["cues"]["brace"]


@pytest.mark.slow
def test_the_routine_example_runs_and_its_mistake_reads_as_the_readme_shows(tmp_path):
    machine = fresh_machine(tmp_path)
    routine = _example("[[steps]]")
    name = tomllib.loads(routine)["name"]
    folder = Path(machine.env["MATCOACH_HOME"]) / "routines"
    folder.mkdir(parents=True)
    (folder / f"{name}.toml").write_text(routine)
    run = machine.matcoach("simulate", "--routine", name, "--json")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout.splitlines()[-1])
    sets = [s for s in tomllib.loads(routine)["steps"] if s["kind"] == "sets"]
    assert [s["target"] for s in summary["sets"]] == [s["reps"] for s in sets for _ in range(s["sets"])]
    (quoted,) = readme.error_lines(TEXT)
    (machine.cwd / f"{name}.toml").write_text(routine.replace("rest_s = ", "rest = "))
    run = machine.matcoach("simulate", "--routine", f"{name}.toml")
    assert run.returncode == 2 and run.stderr.strip() == quoted


@pytest.mark.slow
def test_the_settings_example_is_what_config_show_reports(tmp_path):
    from assistant.cli.settings import BY_NAME

    machine = fresh_machine(tmp_path)
    (example,) = [t for t in readme.toml_examples(TEXT) if set(tomllib.loads(t)) <= set(BY_NAME)]
    Path(machine.env["MATCOACH_HOME"]).mkdir()
    (Path(machine.env["MATCOACH_HOME"]) / "config.toml").write_text(example)
    run = machine.matcoach("config", "show", "--json")
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    for key, value in tomllib.loads(example).items():
        assert shown[key] == {"value": value, "source": "config.toml"}, key

"""Shell completion: what Tab offers in bash, and a zsh script that zsh loads."""

import shutil
import subprocess

import pytest

from tests.cli import matcoach

TAB = '''source {script}
tab() {{ COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}
         COMPREPLY=(); _shtab_matcoach; echo "${{COMPREPLY[*]}}"; }}
'''


@pytest.fixture(scope="module")
def bash_tab(tmp_path_factory):
    script = tmp_path_factory.mktemp("completion") / "matcoach.bash"
    script.write_text(matcoach("completion", "bash").stdout)

    def tab(*words: str) -> set[str]:
        line = " ".join(f"'{w}'" for w in words)
        run = subprocess.run(["bash", "-c", TAB.format(script=script) + f"tab matcoach {line}"],
                             capture_output=True, text=True, timeout=60, check=True)
        return set(run.stdout.split())

    return tab


@pytest.mark.slow
def test_bash_completes_commands_options_and_values(bash_tab, matcoach_home):
    assert bash_tab("sim") == {"simulate"}
    assert bash_tab("-v", "cues", "") == {"list", "add", "preview", "check"}
    assert bash_tab("simulate", "--rou") == {"--routine"}
    assert bash_tab("simulate", "--routine", "q") == {"quick"}
    assert bash_tab("cues", "list", "--voice", "k") == {"ko"}
    assert bash_tab("listen", "--engine", "") == {"auto", "fused", "embedding", "personal", "vosk", "pocketsphinx"}
    assert bash_tab("config", "set", "in") == {"input-device"}
    assert {"config", "completion"} <= bash_tab("")


@pytest.mark.slow
def test_bash_completes_file_names_where_a_path_goes(tmp_path):
    script = tmp_path / "matcoach.bash"
    script.write_text(matcoach("completion", "bash").stdout)
    (tmp_path / "take.wav").write_bytes(b"")
    run = subprocess.run(["bash", "-c", TAB.format(script=script) + "tab matcoach listen --file ta; "
                          "tab matcoach models install ta; tab matcoach simulate --out-wav ta"],
                         capture_output=True, text=True, timeout=60, check=True, cwd=tmp_path)
    assert run.stdout.split() == ["take.wav"] * 3


@pytest.mark.slow
def test_zsh_loads_its_completion_function(tmp_path):
    if shutil.which("zsh") is None:
        pytest.fail("zsh is missing: ./setup.sh test installs it")
    (tmp_path / "_matcoach").write_text(matcoach("completion", "zsh").stdout)
    check = subprocess.run(["zsh", "-n", str(tmp_path / "_matcoach")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    loaded = subprocess.run(["zsh", "-f", "-c", f"fpath=({tmp_path} $fpath); autoload -Uz compinit; compinit -u; "
                             "autoload -Uz _matcoach; whence -w _matcoach; echo $_comps[matcoach]"],
                            capture_output=True, text=True, timeout=60, env={"HOME": str(tmp_path)})
    assert loaded.returncode == 0, loaded.stderr
    assert "_matcoach: function" in loaded.stdout and loaded.stdout.split()[-1] == "_matcoach"

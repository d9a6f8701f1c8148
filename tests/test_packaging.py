"""The wheel carries grammars/, voices/ and the routines, and works installed away from the checkout."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from assistant.core.flow import mermaid

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # no build isolation: hatchling comes with the test extra, so this needs no network
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(ROOT)], check=True, capture_output=True, timeout=300)
    (built,) = out.glob("matcoach-*.whl")
    return built


@pytest.mark.slow
def test_wheel_contains_the_language_and_routine_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("grammars", "voices"):
        for path in (ROOT / folder).glob("*.toml"):
            assert f"assistant/{folder}/{path.name}" in names
    routines = sorted((ROOT / "assistant" / "data" / "routines").glob("*.toml"))
    assert [p.stem for p in routines] == ["leg-lift", "quick"]
    for path in routines:
        assert f"assistant/data/routines/{path.name}" in names
    assert "assistant/data/variations.toml" in names
    assert "assistant/README.md" in names  # where `matcoach --help` and the systemd unit point, offline
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "matcoach = assistant.cli.main:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.slow
def test_installed_wheel_runs_a_session_away_from_the_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    env = dict(os.environ, PYTHONPATH=str(target), MATCOACH_HOME=str(tmp_path / "home"))
    where = subprocess.run([sys.executable, "-c", "import assistant, assistant.data.paths as p; "
                            "print(assistant.__file__); print(p.shipped('voices'))"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    module, voices = where.stdout.split()
    assert module.startswith(str(target)) and voices.startswith(str(target))
    run = subprocess.run([sys.executable, "-m", "assistant", "simulate", "--routine", "quick", "--json"],
                         capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    assert json.loads(run.stdout.splitlines()[-1])["perfect_total"] == 6


def test_the_flow_diagram_in_the_docs_is_current():
    doc = (ROOT / "docs" / "session-flow.md").read_text()
    assert mermaid().rstrip() in doc, "regenerate: python -m assistant.core.flow > docs/session-flow.md"

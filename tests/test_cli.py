"""The command line as people and scripts use it: real processes, real files."""

import json

import pytest

from tests.cli import matcoach


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


@pytest.mark.slow
def test_simulate_json_contract():
    lines = json_lines(matcoach("simulate", "--routine", "quick", "--json",
                                "--say", "17.5:arched", "--say", "40:pause", "45:resume").stdout)
    assert all("t" in e and "event" in e for e in lines)
    assert [e["t"] for e in lines] == sorted(e["t"] for e in lines)
    cues = [e for e in lines if e["event"] == "cue"]
    assert cues and all(isinstance(e["cue"], str) and e["text"].strip() for e in cues)
    heard = [e for e in lines if e["event"] == "heard"]
    assert heard == [{"t": 17.5, "event": "heard", "command": "arched"},
                     {"t": 40.0, "event": "heard", "command": "pause"},
                     {"t": 45.0, "event": "heard", "command": "resume"}]
    summary = lines[-1]
    assert summary["event"] == "summary"
    assert summary["sets"][0] | {} == {"perfect": 2, "failed": 1, "target": 3, "set": 1,
                                       "variation": "straight-leg"}
    assert {k: summary[k] for k in ("perfect_total", "failed_total", "variation", "stopped_early")} == \
        {"perfect_total": 5, "failed_total": 1, "variation": "straight-leg", "stopped_early": False}
    assert isinstance(summary["duration_s"], float) and summary["duration_s"] == lines[-1]["t"]
    assert [type(s[k]) for s in summary["sets"] for k in ("perfect", "failed", "target")] == [int] * 6


@pytest.mark.slow
def test_simulate_timeline_is_readable():
    out = matcoach("simulate", "--routine", "quick", "--sets", "1", "--reps", "2", "--say", "0:15:done").stdout
    assert "coach  Today: 1 set of 2, straight-leg lifts." in out  # "1 set", not "1 sets"
    assert ' 0:15.0  heard  "done"' in out
    assert "set 1 done: 1 perfect, 0 arched, of 2 (ended early)" in out
    assert out.rstrip().splitlines()[-1].lstrip().startswith("0:15.0    Σ    1 perfect")


@pytest.mark.slow
def test_simulate_accepts_phrases_from_the_grammar():
    lines = json_lines(matcoach("simulate", "--routine", "quick", "--json", "--say", "5:my back arched").stdout)
    assert {"t": 5.0, "event": "heard", "command": "arched"} in lines


@pytest.mark.slow
def test_simulate_options_shape_the_session():
    lines = json_lines(matcoach("simulate", "--routine", "quick", "--variation", "bent-knee", "--sets", "3",
                                "--reps", "2", "--descent", "4", "--json").stdout)
    summary = lines[-1]
    assert [s["target"] for s in summary["sets"]] == [2, 2, 2] and summary["variation"] == "bent-knee"
    assert [e["params"]["n"] for e in lines if e.get("cue") == "lower"][0] == 4


@pytest.mark.slow
def test_stop_is_reported_as_stopped_early():
    summary = json_lines(matcoach("simulate", "--routine", "quick", "--json", "--say", "13:stop").stdout)[-1]
    assert summary["stopped_early"] is True and summary["perfect_total"] == 1


@pytest.mark.slow
def test_routines_lists_routines_and_variations(tmp_path):
    home = tmp_path / "home"
    (home / "routines").mkdir(parents=True)
    (home / "routines" / "broken.toml").write_text("name = 3\n")
    out = matcoach("routines", home=home).stdout
    for word in ("leg-lift", "quick", "3×10", "cat-cow", "dead-bug", "hanging", "broken",
                 "name must be non-empty text"):
        assert word in out, out
    data = json.loads(matcoach("routines", "--json", home=home).stdout)
    assert [r["name"] for r in data["routines"]] == ["leg-lift", "quick", "broken"]
    assert data["variations"][0] == "dead-bug" and data["default_variation"] == "straight-leg"


@pytest.mark.slow
@pytest.mark.parametrize("args", [[], ["simulate"], ["routines"]])
def test_help_everywhere(args):
    out = matcoach(*args, "--help").stdout
    assert out.startswith("usage: matcoach")


BAD_INPUT = [
    (["simulate", "--routine", "{bad}"], "tempo.lower must be a whole number from 2 to 6 seconds, got 9"),
    (["simulate", "--routine", "legday"], "no routine named 'legday'; use one of: leg-lift, quick"),
    (["simulate", "--variation", "flutter"], "unknown variation 'flutter'; use one of: dead-bug"),
    (["simulate", "--say", "soon:arched"], "expected T:COMMAND"),
    (["simulate", "--say", "10:jump"], "'jump' is not a command; use one of: done, arched"),
    (["simulate", "--routine", "{loud}"], "loud.toml: talk 'loud' is unknown; use one of: brief, full, normal"),
    (["plan", "--routine", "{loud}"], "talk 'loud' is unknown"),
]


@pytest.mark.slow
@pytest.mark.parametrize("args,message", BAD_INPUT, ids=[m[:30] for _, m in BAD_INPUT])
def test_bad_input_is_one_line_and_exit_code_2(tmp_path, args, message):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[tempo]\nlower = 9\n[[steps]]\nkind = "sets"\nsets = 1\nreps = 1\n')
    loud = tmp_path / "loud.toml"
    loud.write_text('name = "loud"\ntalk = "loud"\n[[steps]]\nkind = "sets"\nsets = 1\nreps = 1\n')
    result = matcoach(*[a.replace("{bad}", str(bad)).replace("{loud}", str(loud)) for a in args], check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("matcoach: error: ") and message in result.stderr, result.stderr


@pytest.mark.slow
def test_bad_numbers_are_rejected_by_the_parser():
    result = matcoach("simulate", "--sets", "0", check=False)
    assert result.returncode == 2 and "must be a whole number from 1 to 20, got '0'" in result.stderr
    result = matcoach("simulate", "--talk", "loud", check=False)
    assert result.returncode == 2 and "argument --talk: invalid choice: 'loud'" in result.stderr
    result = matcoach("plan", "--date", "tomorrow", check=False)
    assert result.returncode == 2 and "'tomorrow' is not a date; write it as YYYY-MM-DD" in result.stderr


@pytest.mark.slow
def test_plan_shows_the_next_session_and_why_and_the_ladder_climbs(tmp_path):
    home = tmp_path / "home"
    first = json.loads(matcoach("plan", "--json", "--date", "2026-02-02", home=home).stdout)
    assert (first["variation"], first["weight"], first["sets"], first["reps"], first["proposal"]) == \
        ("straight-leg", False, 3, 10, None)
    assert first["opening"][0] == "Today: 3 sets of 10, straight-leg lifts." and first["why"]
    assert [s["step"] for s in first["steps"]][:3] == ["cat-cow", "tension-check", "first-rep"]
    matcoach("simulate", "--record", "--date", "2026-02-02", home=home)
    plan = matcoach("plan", "--json", "--date", "2026-02-05", home=home).stdout
    assert plan.count("\n") == 1  # one JSON object
    after = json.loads(plan)
    assert after["reps"] == 11 and after["opening"][1] == "Every set was perfect last time, so 11 reps a set today."
    text = matcoach("plan", "--date", "2026-02-05", "--talk", "brief", home=home).stdout
    assert "Next session (leg-lift): 3 x 11 straight-leg lifts" in text and "talk: brief" in text
    started = json_lines(matcoach("simulate", "--json", "--date", "2026-02-05", home=home).stdout)
    assert started[0]["text"] == "Today: 3 sets of 11, straight-leg lifts."


@pytest.mark.slow
def test_history_table_json_csv_and_plot(tmp_path):
    home = tmp_path / "home"
    matcoach("simulate", "--routine", "quick", "--record", "--say", "17.9:arched", home=home)
    matcoach("simulate", "--routine", "quick", "--record", "--say", "13:stop", home=home)
    table = matcoach("history", home=home).stdout
    assert "2/3  3/3" in table and "completed (simulated)" in table and "stopped (simulated)" in table
    sessions = json.loads(matcoach("history", "--json", home=home).stdout)
    assert [(s["perfect_total"], s["failed_total"], s["reason"]) for s in sessions] == \
        [(5, 1, "completed"), (1, 0, "stopped")]
    assert sessions[0]["sets"][0] == {"set": 1, "perfect": 2, "failed": 1, "target": 3}
    assert sessions[0]["floor_s"] == 0.5
    rows = matcoach("history", "--csv", home=home).stdout.splitlines()
    assert rows[0].startswith("session,started_at,routine,variation,set,perfect,failed,target")
    assert len(rows) == 1 + 3  # one row per set
    png = tmp_path / "progress.png"
    assert matcoach("history", "--plot", str(png), home=home).stdout.strip() == f"wrote {png}"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(json.loads(matcoach("history", "--json", "--last", "1", home=home).stdout)) == 1


@pytest.mark.slow
def test_the_next_simulated_session_opens_with_last_time(tmp_path):
    home = tmp_path / "home"
    first = json_lines(matcoach("simulate", "--routine", "quick", "--json", home=home).stdout)
    assert first[1]["cue"] == "first-session"
    matcoach("simulate", "--routine", "quick", "--record", "--say", "17.9:arched", home=home)
    opening = [e["cue"] for e in json_lines(matcoach("simulate", "--routine", "quick", "--json",
                                                     home=home).stdout)[:4]]
    assert opening[:4] == ["welcome", "trained-today", "last-time", "floor"]


@pytest.mark.slow
def test_history_problems_are_one_line(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "history.sqlite").write_bytes(b"garbage" * 200)
    result = matcoach("history", home=home, check=False)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "is damaged (file is not a database); move it aside" in result.stderr


@pytest.mark.slow
def test_simulated_sessions_are_not_recorded_unless_asked(tmp_path):
    home = tmp_path / "home"
    matcoach("simulate", "--routine", "quick", home=home)
    assert not (home / "history.sqlite").exists()

"""Running one hostile case (tests/hostile.py) and judging it: shared by tests/test_hostile.py and
tests/bench/bench_hostile.py. A verdict is a list of problems, each tagged with its kind."""

import functools
import sqlite3
import tempfile
from pathlib import Path

from tests.hostile import Case
from tests.sessions import routine

# The kinds of problem, in the order the figures count them.
KINDS = ("traceback", "hang", "exit", "message", "lost", "outside")


@functools.cache
def history_bytes() -> bytes:
    """A history holding one session, as matcoach writes it (made once, copied into every case)."""
    from assistant.core.events import RepCounted, SetStarted
    from assistant.history.record import SessionRecord

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite"
        record = SessionRecord(routine("quick"), simulated=True, path=path)
        record(SetStarted(t=5.0, set=1, target=3, variation="straight-leg"))
        record(RepCounted(t=12.0, set=1, rep=1, perfect=1, variation="straight-leg", side=None, lower_s=3.0))
        record.recorder.history.close()
        return path.read_bytes()


def fill(text: str, home: Path, scratch: Path) -> str:
    """A case's text with {home} and {tmp} filled in (nothing else: cue lines hold braces of their own)."""
    return text.replace("{home}", str(home)).replace("{tmp}", str(scratch))


def prepare(root: Path, c: Case) -> tuple[Path, Path, dict[str, str], dict]:
    """Under ``root``: a data directory with one session on record, a scratch folder (the working
    directory) with something precious in it, the case's own set-up; its environment and a snapshot."""
    home, scratch = root / "home", root / "scratch"
    (scratch / "precious").mkdir(parents=True)
    (scratch / "precious" / "keep.txt").write_text("keep")
    home.mkdir()
    (home / "history.sqlite").write_bytes(history_bytes())
    if c.setup is not None:
        c.setup(home, scratch)
    env = {"MATCOACH_HOME": str(home)} | {k: fill(v, home, scratch) for k, v in c.env.items()}
    history = home / "history.sqlite"
    regular = history.is_file() and not history.is_symlink()
    before = {"sessions": sessions(history)[:1] if c.history_intact else None,
              "bytes": history.read_bytes() if regular and not c.history_intact else None}
    return home, scratch, env, before


def sessions(path: Path) -> list[tuple]:
    """The sessions on record, read without leaving anything beside the file."""
    idle = not Path(f"{path}-wal").exists()
    db = sqlite3.connect(f"file:{path}?{'immutable=1' if idle else 'mode=ro'}", uri=True)
    try:
        return db.execute("SELECT id, started_at, routine FROM sessions ORDER BY id").fetchall()
    finally:
        db.close()


def verdict(c: Case, home: Path, scratch: Path, before: dict, code: int | None, out: str, err: str) -> list[str]:
    """Every way the run fell short, each as "kind: what"; empty when it did what a person needs."""
    problems = []
    if code is None:
        return [f"hang: still running after the time allowed; {err[-200:]}"]
    if "Traceback" in err or "Traceback" in out:
        problems.append(f"traceback: {err.strip().splitlines()[-1] if err.strip() else out[-200:]}")
    if code != c.exit:
        problems.append(f"exit: {code}, expected {c.exit}: {(err or out).strip()[:300]}")
    if fill(c.says, home, scratch) not in err + out:
        problems.append(f"message: expected {c.says!r} in {(err or out).strip()[:300]!r}")
    if c.exit == 2 and c.report:
        if not all(line.startswith("/") for line in err.splitlines()):
            problems.append(f"message: a problem line that names no file: {err!r}")
    elif c.exit == 2 and (out != "" or err.count("\n") != 1 or not err.startswith("matcoach")):
        problems.append(f"message: not one line on stderr: {err!r} {out[:100]!r}")
    history = home / "history.sqlite"
    try:
        if c.history_intact and sessions(history)[:1] != before["sessions"]:
            problems.append("lost: the session on record is gone")
    except sqlite3.Error as e:
        problems.append(f"lost: the history cannot be read any more ({e})")
    if not c.history_intact and before["bytes"] is not None and history.read_bytes() != before["bytes"]:
        problems.append("lost: the damaged history file was changed")
    if not (scratch / "precious" / "keep.txt").is_file():
        problems.append("lost: a file outside the data directory was deleted")
    if sorted(p.name for p in home.parent.iterdir()) != ["home", "scratch"] or (scratch / "injected").exists():
        problems.append(f"outside: written outside: {sorted(p.name for p in home.parent.iterdir())}")
    return problems

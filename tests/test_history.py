"""Session history: every rep on record as it happens, migrations, and damaged or locked files."""

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from assistant.core.clock import VirtualClock
from assistant.core.commands import Command
from assistant.core.events import RepCounted, RepFailed
from assistant.core.planner import Planner
from assistant.core.runner import Scripted, ScriptedCommands, run
from assistant.core.session import Session
from assistant.data import catalog
from assistant.history.database import HistoryError
from assistant.history.migrations import LATEST, MIGRATIONS
from assistant.history.record import SessionRecord, todays_session
from assistant.history.store import History
from tests.sessions import Recording, routine

VARIATIONS = catalog.load_variations()


def record_session(path, name="quick", say=(), when=None, **overrides) -> Recording:
    """Run a session in virtual time with the recorder in front of the recording, like the CLI does."""
    r = routine(name, **overrides)
    when = when or datetime.now().astimezone()
    record = SessionRecord(r, simulated=True, path=path, now=lambda: when)
    seen = Recording()

    def emit(event):
        record(event)
        seen(event)

    clock = VirtualClock()
    script = [Scripted(t=t, command=Command(c)) for t, c in say]
    run(Session(r, VARIATIONS, clock, Planner(catalog.load_pack()), emit), ScriptedCommands(clock, script))
    return seen


def reps_on_record(path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT set_number, rep, counted, phase, descent_s FROM reps ORDER BY id").fetchall()
    finally:
        db.close()


def test_every_rep_is_on_record_with_what_happened(tmp_path):
    path = tmp_path / "history.sqlite"
    seen = record_session(path, say=((17.9, "arched"),))
    expected = [(e.set, e.rep, int(isinstance(e, RepCounted)), getattr(e, "phase", None),
                 getattr(e, "descent_s", None)) for e in seen.events if isinstance(e, (RepCounted, RepFailed))]
    assert reps_on_record(path) == expected
    assert (1, 2, 0, "lower", 0.5) in expected
    (record,) = History.open(path).sessions()
    assert record.reason == "completed" and record.simulated
    assert [(s.perfect, s.failed, s.target) for s in record.past.sets] == [(2, 1, 3), (3, 0, 3)]
    assert record.past.floor_s == 0.5
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert json.loads(db.execute("SELECT tempo FROM sessions").fetchone()[0])["lower"] == 3


def test_migrations_from_an_empty_database(tmp_path):
    history = History.open(tmp_path / "h.sqlite")
    db = history.db
    assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST
    names = {n for (n,) in db.execute("SELECT name FROM sqlite_master")}
    assert {"sessions", "sets", "reps", "reps_by_session", "sessions_by_start"} <= names
    history.close()
    History.open(tmp_path / "h.sqlite").close()  # opening again migrates nothing


@pytest.mark.parametrize("version", range(1, LATEST))
def test_migrations_from_every_earlier_version_keep_the_data(tmp_path, version):
    path = tmp_path / "old.sqlite"
    record_session(path)  # written at the latest version, then rebuilt below as version N
    rows = reps_on_record(path)
    old = tmp_path / f"v{version}.sqlite"
    db = sqlite3.connect(old)
    for migration in MIGRATIONS[:version]:
        for statement in migration:
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {version}")
    db.execute(f"ATTACH '{path}' AS new")
    for table in ("sessions", "sets", "reps"):  # the columns that version had
        columns = ", ".join(row[1] for row in db.execute(f"PRAGMA table_info({table})"))
        db.execute(f"INSERT INTO {table} SELECT {columns} FROM new.{table}")
    db.commit()
    db.close()
    history = History.open(old)
    assert history.db.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert reps_on_record(old) == rows
    assert [(s.perfect, s.target) for s in history.sessions()[0].past.sets] == [(3, 3), (3, 3)]


def test_a_newer_schema_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "h.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {LATEST + 1}")
    db.close()
    with pytest.raises(HistoryError, match=r"newer matcoach .*upgrade matcoach"):
        History.open(path)


def test_a_damaged_file_is_kept_and_the_session_goes_to_a_fresh_file(tmp_path, caplog):
    path = tmp_path / "history.sqlite"
    garbage = b"this is not a database, but it is somebody's data\n" * 100
    path.write_bytes(garbage)
    with pytest.raises(HistoryError, match="is damaged .*move it aside"):
        History.open(path)
    with caplog.at_level(logging.WARNING):
        record_session(path, when=datetime(2026, 11, 21, 9, 30).astimezone())
    assert path.read_bytes() == garbage  # nothing overwritten
    fallback = tmp_path / "history-20261121-093000.sqlite"
    assert "recording this session in" in caplog.text and str(fallback) in caplog.text
    assert len(reps_on_record(fallback)) == 6
    # a second session the same second gets its own file
    record_session(path, when=datetime(2026, 11, 21, 9, 30).astimezone())
    assert (tmp_path / "history-20261121-093000-2.sqlite").exists()


def test_a_locked_file_is_a_clear_message_and_the_session_still_runs(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr("assistant.history.store.LOCK_TIMEOUT_S", 0.05)
    path = tmp_path / "history.sqlite"
    History.open(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode=DELETE")  # a program that takes the whole file
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(HistoryError, match="locked by another program"):
            History.open(path, timeout=0.05)
        with caplog.at_level(logging.WARNING):
            seen = record_session(path)
        assert seen.summary.perfect_total == 6
        assert "locked" in caplog.text and "recording this session in" in caplog.text
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_write_failing_mid_session_moves_everything_to_a_fresh_file(tmp_path, caplog):
    path = tmp_path / "history.sqlite"
    r = routine("quick")
    record = SessionRecord(r, simulated=True, path=path)
    clock = VirtualClock()
    seen = Recording()
    failed = []

    def emit(event):
        if isinstance(event, RepCounted) and event.rep == 2 and not failed:
            record.recorder.history.db.close()  # the file goes away under us
            failed.append(event)
        record(event)
        seen(event)

    with caplog.at_level(logging.WARNING):
        run(Session(r, VARIATIONS, clock, Planner(catalog.load_pack()), emit), ScriptedCommands(clock, []))
    assert record.path != path and "writing failed" in caplog.text
    assert len(reps_on_record(record.path)) == 6  # replayed: nothing lost
    assert len(reps_on_record(path)) == 1


@pytest.mark.slow
def test_a_session_killed_mid_set_keeps_every_completed_rep(tmp_path):
    home = tmp_path / "home"
    env = dict(os.environ, MATCOACH_HOME=str(home))
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "simulate", "--routine", "quick", "--record",
                             "--json", "--speed", "40", "--say", "17.5:arched"],
                            stdout=subprocess.PIPE, text=True, env=env)
    printed = []
    try:
        for line in proc.stdout:
            event = json.loads(line)
            if event["event"] in ("rep_counted", "rep_failed"):
                printed.append((event["set"], event["rep"], int(event["event"] == "rep_counted")))
            if event["event"] == "rep_counted" and event["set"] == 2:  # mid-set 2
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert [row[:3] for row in reps_on_record(home / "history.sqlite")] == printed
    assert printed[:3] == [(1, 1, 1), (1, 2, 0), (1, 3, 1)]
    (record,) = History.open(home / "history.sqlite").sessions()
    assert record.reason is None  # unfinished, and still on record
    assert [(s.perfect, s.failed) for s in record.past.sets] == [(2, 1), (1, 0)]


def test_the_opening_uses_last_session(tmp_path):
    path = tmp_path / "history.sqlite"
    three_days_ago = datetime.now().astimezone() - timedelta(days=3)
    record_session(path, say=((17.5, "arched"),), when=three_days_ago)
    advice = todays_session(routine("quick"), VARIATIONS, today=datetime.now().date(), path=path).advice
    assert [(c, dict(p)) for c, p in advice.cues] == [("last-time", {"set": 1, "perfect": 2, "aim": 3}),
                                                      ("floor", {"seconds": 1})]


def test_an_unreadable_history_only_costs_the_opening(tmp_path, caplog):
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"garbage" * 100)
    with caplog.at_level(logging.WARNING):
        today = todays_session(routine("quick"), VARIATIONS, today=datetime.now().date(), path=path)
    assert today.advice.cues == () and "damaged" in caplog.text
    assert today.routine == routine("quick")  # the routine runs as written


def record_day(path, day, arches=lambda s, a: False, early=False):
    """Today's session as the ladder prescribes it from the history file, run and recorded on ``day``."""
    from tests.sessions import ArchingPerson

    today = todays_session(routine("leg-lift"), VARIATIONS, today=day, path=path)
    when = datetime.combine(day, datetime.min.time().replace(hour=18)).astimezone()
    record = SessionRecord(today.routine, simulated=True, path=path, now=lambda: when)
    clock = VirtualClock()
    session = Session(today.routine, VARIATIONS, clock, Planner(catalog.load_pack()), record, advice=today.advice)
    run(session, ArchingPerson(clock, session, arches, early=early))
    return today


def test_the_ladder_climbs_over_recorded_sessions_steps_back_after_a_struggle_and_reaches_the_dead_bug(tmp_path):
    path = tmp_path / "history.sqlite"
    start = datetime(2026, 3, 2).date()
    plans = [record_day(path, start + timedelta(days=3 * i)) for i in range(3)]  # perfect, every three days
    assert [p.routine.working_sets()[0].reps for p in plans] == [10, 11, 12]
    assert [c for c, _ in plans[1].advice.cues] == ["climb"]
    # a struggle at 13 reps: every other attempt arches in the descent; two reps back
    record_day(path, start + timedelta(days=9), arches=lambda s, a: a % 2 == 0)
    after = todays_session(routine("leg-lift"), VARIATIONS, today=start + timedelta(days=12), path=path)
    assert (after.routine.variation, after.routine.working_sets()[0].reps) == ("straight-leg", 11)
    assert [c for c, _ in after.advice.cues] == ["regress-reps", "floor"]
    # the back comes up early on every attempt: the dead bug, whatever the rung
    record_day(path, start + timedelta(days=12), arches=lambda s, a: True, early=True)
    last = todays_session(routine("leg-lift"), VARIATIONS, today=start + timedelta(days=15), path=path)
    assert last.routine.variation == "dead-bug" and [c for c, _ in last.advice.cues] == ["regress-to-start"]


@pytest.mark.slow
def test_concurrent_first_runs_create_the_schema_once_and_record_every_session(tmp_path):
    """Four `simulate --record` at once on a fresh data directory: every session in the one history file,
    no fallback file, no warning (issue 15, 16: 1 trial in 10 lost a session to a "locked" fallback)."""
    for trial in range(3):
        home = tmp_path / f"home{trial}"
        env = dict(os.environ, MATCOACH_HOME=str(home))
        runs = [subprocess.Popen([sys.executable, "-m", "assistant", "simulate", "--routine", "quick", "--record"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
                for _ in range(4)]
        errors = [run.communicate(timeout=120)[1] for run in runs]
        assert [run.returncode for run in runs] == [0] * 4 and errors == [""] * 4, errors
        assert sorted(p.name for p in home.iterdir() if p.suffix == ".sqlite") == ["history.sqlite"]
        assert len(History.read(home / "history.sqlite").sessions()) == 4


def _first_open(path, barrier, results):
    barrier.wait()
    try:
        history = History.open(path)
        history.recorder(routine("quick"), simulated=True)
        history.close()
        results.put("ok")
    except Exception as e:  # noqa: BLE001 - reported to the test
        results.put(f"{type(e).__name__}: {e}")


@pytest.mark.slow
def test_first_opens_released_at_the_same_instant_all_succeed(tmp_path):
    """Eight processes opening one new history file at the same instant, twenty times: SQLite does not wait
    for a database's switch to WAL, so without taking turns some of them failed with "locked"."""
    import multiprocessing

    failures = []
    for trial in range(20):
        path = tmp_path / f"t{trial}" / "history.sqlite"
        path.parent.mkdir()
        barrier, results = multiprocessing.Barrier(8), multiprocessing.Queue()
        workers = [multiprocessing.Process(target=_first_open, args=(path, barrier, results)) for _ in range(8)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=60)
        failures += [r for r in (results.get(timeout=10) for _ in workers) if r != "ok"]
        assert History.read(path).db.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert failures == []


def test_a_read_only_look_never_changes_the_file(tmp_path):
    """`history --file` on an old file: no migration, no switch to WAL, no -wal or -shm beside it."""
    old = tmp_path / "old.sqlite"
    db = sqlite3.connect(old)
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO sessions (started_at, routine, variation, lower_s, tempo) "
               "VALUES ('2026-01-05T09:00:00+01:00', 'quick', 'straight-leg', 3, '{}')")
    db.commit()
    db.close()
    before = old.read_bytes()
    (record,) = History.read(old).sessions()
    assert record.routine == "quick"
    assert old.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["old.sqlite"]
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    assert History.read(empty).sessions() == [] and empty.read_bytes() == b""
    with pytest.raises(HistoryError, match="no such history file; check the path"):
        History.read(tmp_path / "typo.sqlite")
    # a history matcoach wrote (WAL) and nobody has open: read without creating -wal or -shm either
    path = tmp_path / "wal" / "history.sqlite"
    record_session(path)
    before = sorted(p.name for p in path.parent.iterdir())
    assert len(History.read(path).sessions()) == 1
    assert sorted(p.name for p in path.parent.iterdir()) == before

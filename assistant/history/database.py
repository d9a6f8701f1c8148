"""Opening the history database: for recording (created and migrated once, under SQLite's write lock,
so concurrent first runs agree) or for reading only (the file is never changed in any way: no
migration, no switch to WAL, no schema in an empty file; an older file is read through a migrated
copy in memory). A file that is not in the shape matcoach
writes, in any way, is reported as damaged."""

import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from assistant.core.errors import MatcoachError
from assistant.history.migrations import LATEST, MIGRATIONS

SQLITE_HEADER = b"SQLite format 3\x00"
WAL_MODE = 2  # the file format numbers at bytes 18 and 19 of the header


class HistoryError(MatcoachError):
    """The history database cannot be used (damaged, locked, unwritable, or from a newer matcoach)."""


def open_for_recording(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection that can write sessions: the file is created or migrated as needed."""
    _check_kind(path, missing_ok=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    except (OSError, sqlite3.Error) as e:
        raise HistoryError(f"{path}: cannot be opened ({e}); check its folder exists and is writable") from None
    try:
        with _taking_turns(path, timeout):
            _check_integrity(db, path)
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            migrate(db, path)
        db.execute("PRAGMA synchronous=FULL")  # a rep on record survives a power cut, not just a crash
        db.execute("PRAGMA foreign_keys=ON")
        _check_shape(db, path)
    except BaseException as e:
        db.close()
        if isinstance(e, sqlite3.Error):
            raise explain(e, path) from None
        raise
    return db


def open_for_reading(path: Path, timeout: float) -> sqlite3.Connection | None:
    """A read-only connection, or None for an empty file (no sessions, and nothing is written into it)."""
    _check_kind(path, missing_ok=False)
    try:
        with path.open("rb") as f:
            header = f.read(100)
    except OSError as e:
        raise HistoryError(f"{path}: cannot be read ({e.strerror}); fix its permissions") from None
    if not header:
        return None
    if not header.startswith(SQLITE_HEADER):
        raise HistoryError(f"{path}: is damaged (file is not a database); move it aside (matcoach starts a new "
                           f"one), or check the path")
    # a WAL file nobody is writing has no -wal beside it: read it as immutable, so no -shm/-wal appear.
    # A writer may start meanwhile (another matcoach's first run): what looks damaged is read again
    # the careful way before it is called damaged
    idle = len(header) > 18 and header[18] == WAL_MODE and not Path(f"{path}-wal").exists()
    if idle:
        try:
            return _open_read_only(path, path.resolve().as_uri() + "?immutable=1", timeout)
        except HistoryError:
            pass
    return _open_read_only(path, path.resolve().as_uri() + "?mode=ro", timeout)


def _open_read_only(path: Path, uri: str, timeout: float) -> sqlite3.Connection | None:
    try:
        db = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    except sqlite3.Error as e:
        raise explain(e, path) from None
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and not db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            db.close()
            return None  # a database with nothing in it yet
        _check_version(version, path, 1)
        _check_integrity(db, path)
        if version < LATEST:  # an older matcoach's file: read a migrated copy, leave the file as it is
            copy = sqlite3.connect(":memory:", isolation_level=None)
            db.backup(copy)
            db.close()
            db = copy
            migrate(db, path)
        _check_shape(db, path)
    except BaseException as e:
        db.close()
        if isinstance(e, sqlite3.Error):
            raise explain(e, path) from None
        raise
    return db


@contextmanager
def _taking_turns(path: Path, timeout: float) -> Iterator[None]:
    """matcoach processes opening the same history take turns to set it up: SQLite waits for a busy
    database, but not while switching a new file to WAL, so several first runs at once would fail."""
    try:
        fd = os.open(path.parent, os.O_RDONLY)  # a lock on the folder: no extra file is needed
    except OSError:
        fd = -1
    if fcntl is None or fd < 0:  # not on Linux or macOS: SQLite's own waiting has to do
        yield
        return
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(0.005)
        yield
    finally:
        os.close(fd)  # and with it the lock


def migrate(db: sqlite3.Connection, path: Path) -> int:
    """Bring the schema to the latest version in one transaction; returns the version.

    The version is read after taking the write lock: of several first runs at once, one creates the
    schema and the others wait for it, then find it done."""
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        _check_version(version, path, 0)
        if version == 0 and db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise HistoryError(f"{path}: holds tables that are not matcoach's (schema version 0); it is not a "
                               f"history file; move it aside or check the path")
        for number in range(version + 1, LATEST + 1):
            for statement in MIGRATIONS[number - 1]:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return LATEST


def explain(e: sqlite3.Error, path: Path) -> HistoryError:
    """One line for an SQLite error: locked, not writable, or damaged, each with its own fix."""
    text = str(e)
    if "locked" in text or "busy" in text:
        return HistoryError(f"{path}: is locked by another program ({text}); close the other matcoach or "
                            f"whatever holds it, then try again")
    if "readonly" in text or "read-only" in text or "unable to open" in text or "disk I/O" in text:
        return HistoryError(f"{path}: cannot be written ({text}); fix the permissions of the file and its folder")
    if "full" in text:
        return HistoryError(f"{path}: the disk is full ({text}); free some space")
    return HistoryError(f"{path}: is damaged ({text}); move it aside (matcoach starts a new one), or try "
                        f"`sqlite3 {path} .recover`")


def _check_kind(path: Path, *, missing_ok: bool) -> None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if missing_ok:
            return
        raise HistoryError(f"{path}: no such history file; check the path (`matcoach history` without --file "
                           f"reads the data directory's)") from None
    except OSError as e:  # a link loop, a file where a folder should be
        raise HistoryError(f"{path}: cannot be used ({e.strerror}); check the path") from None
    if stat.S_ISDIR(mode):
        raise HistoryError(f"{path}: is a folder, not a history file; move it aside (matcoach starts a new one there), "
                           f"or give the path of a history file")
    if not stat.S_ISREG(mode):
        raise HistoryError(f"{path}: is not a regular file (a pipe or a device); move it aside")


def _check_version(version: int, path: Path, oldest: int) -> None:
    if version > LATEST:
        raise HistoryError(f"{path}: was written by a newer matcoach (schema {version}, this one knows "
                           f"{LATEST}); upgrade matcoach")
    if version < oldest:
        raise HistoryError(f"{path}: is damaged (schema version {version}, which no matcoach writes); move it "
                           f"aside (matcoach starts a new one)")


def _check_integrity(db: sqlite3.Connection, path: Path) -> None:
    problems = [row[0] for row in db.execute("PRAGMA quick_check(1)").fetchall()]
    if problems != ["ok"]:
        first = " ".join(problems[0].replace("*** in database main ***", "").split())[:120]
        raise HistoryError(f"{path}: is damaged ({first}); move it aside (matcoach starts a new one), or "
                           f"try `sqlite3 {path} .recover`")


@cache
def _expected_columns() -> dict[str, frozenset[str]]:
    """The tables and columns the latest schema has, taken from the migrations themselves."""
    db = sqlite3.connect(":memory:")
    for migration in MIGRATIONS:
        for statement in migration:
            db.execute(statement)
    tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    found = {t: frozenset(row[1] for row in db.execute(f"PRAGMA table_info({t})")) for t in tables}
    db.close()
    return found


def _check_shape(db: sqlite3.Connection, path: Path) -> None:
    for table, columns in _expected_columns().items():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        missing = sorted(columns - have)
        if missing:
            what = f"the table {table!r} is missing" if not have else f"{table}.{missing[0]} is missing"
            raise HistoryError(f"{path}: is damaged ({what}); move it aside (matcoach starts a new one), or try "
                               f"`sqlite3 {path} .recover`")

"""Session history in SQLite: every rep on record the moment it happens, and the past read back."""

import json
import logging
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import singledispatchmethod
from pathlib import Path

from assistant.core.errors import MatcoachError
from assistant.core.events import (
    Event,
    RepCounted,
    RepFailed,
    SetDone,
    SetStarted,
    Summary,
)
from assistant.core.progression import PastSession, PastSet
from assistant.core.routine import Routine
from assistant.data import paths
from assistant.history.migrations import LATEST, MIGRATIONS

log = logging.getLogger(__name__)
LOCK_TIMEOUT_S = 2.0


class HistoryError(MatcoachError):
    """The history database cannot be used (damaged, locked, or from a newer matcoach)."""


def history_file() -> Path:
    return paths.data_dir() / "history.sqlite"


def _now() -> datetime:
    return datetime.now().astimezone()


class History:
    """One history database. ``open`` creates or migrates it; problems raise HistoryError."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self.db = connection

    @classmethod
    def open(cls, path: Path | None = None, *, timeout: float = LOCK_TIMEOUT_S,
             create: bool = True) -> "History":
        path = path or history_file()
        if not create and not path.exists():
            raise HistoryError(f"{path}: no history yet; record a session first (live sessions are "
                               f"recorded, simulated ones with --record)")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as e:
            raise HistoryError(f"{path}: cannot be opened ({e}); check the folder exists and is writable") from None
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # a rep on record survives a power cut, not just a crash
            db.execute("PRAGMA foreign_keys=ON")
            migrate(db, path)
        except sqlite3.OperationalError as e:
            db.close()
            if "locked" in str(e) or "busy" in str(e):
                raise HistoryError(f"{path}: is locked by another program ({e}); close the other matcoach "
                                   f"or whatever holds it, then try again") from None
            raise HistoryError(f"{path}: cannot be used ({e}); move it aside and matcoach starts a new one") \
                from None
        except sqlite3.DatabaseError as e:
            db.close()
            raise HistoryError(f"{path}: is damaged ({e}); move it aside (matcoach starts a new one), or try "
                               f"`sqlite3 {path} .recover`") from None
        return cls(path, db)

    def close(self) -> None:
        self.db.close()

    def recorder(self, routine: Routine, *, simulated: bool, now: Callable[[], datetime] = _now) -> "Recorder":
        return Recorder(self, routine, simulated=simulated, started_at=now())

    # -- reading ------------------------------------------------------------------------------

    def sessions(self, *, last: int | None = None) -> list["Record"]:
        """Sessions oldest first (the last ``last`` ones), with sets and reps tallied from the reps."""
        db = self.db
        rows = db.execute("SELECT id, started_at, routine, variation, final_variation, lower_s, simulated, "
                          "reason, duration_s FROM sessions ORDER BY started_at, id").fetchall()
        if last is not None:
            rows = rows[-last:] if last else []
        if not rows:
            return []
        first_id = min(r[0] for r in rows)
        targets: dict[int, dict[int, tuple[int, str, bool]]] = defaultdict(dict)
        for session_id, number, target, set_variation, weighted in db.execute(
                "SELECT session_id, number, target, variation, weighted FROM sets WHERE session_id >= ?", (first_id,)):
            targets[session_id][number] = (target, set_variation, bool(weighted))
        tallies: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        for session_id, number, counted, n in db.execute(
                "SELECT session_id, set_number, counted, count(*) FROM reps WHERE set_number > 0 "
                "AND session_id >= ? GROUP BY session_id, set_number, counted", (first_id,)):
            tallies[session_id][number][0 if counted else 1] += n
        descents: dict[int, list[float]] = defaultdict(list)
        early: dict[int, int] = defaultdict(int)
        for session_id, phase, descent, rep_lower in db.execute(
                "SELECT session_id, phase, descent_s, lower_s FROM reps WHERE counted = 0 AND set_number > 0 "
                "AND session_id >= ?", (first_id,)):
            if phase == "lower" and descent is not None:
                descents[session_id].append(descent)
            if phase in ("brace", "lift", "top") or (phase == "lower" and (descent or 0) < rep_lower / 2):
                early[session_id] += 1
        fastest = dict(db.execute("SELECT session_id, min(lower_s) FROM reps WHERE counted = 1 AND set_number > 0 "
                                  "AND session_id >= ? GROUP BY session_id", (first_id,)).fetchall())
        records = []
        for sid, started, routine, variation, final, lower_s, simulated, reason, duration in rows:
            numbers = sorted(set(targets[sid]) | set(tallies[sid]))
            sets = tuple(PastSet(number=n, target=targets[sid].get(n, (0, "", False))[0], perfect=tallies[sid][n][0],
                                 failed=tallies[sid][n][1], variation=targets[sid].get(n, (0, "", False))[1],
                                 weighted=targets[sid].get(n, (0, "", False))[2]) for n in numbers)
            records.append(Record(id=sid, routine=routine, simulated=bool(simulated), reason=reason,
                                  duration_s=duration, past=PastSession(
                                      started=datetime.fromisoformat(started), variation=final or variation,
                                      lower_s=fastest.get(sid, lower_s), sets=sets, arch_descents=tuple(descents[sid]),
                                      early_arches=early[sid], routine=routine, ended=reason)))
        return records

    def past(self) -> list[PastSession]:
        return [r.past for r in self.sessions()]


@dataclass(frozen=True, kw_only=True)
class Record:
    """A session as it stands on record."""

    id: int
    routine: str
    simulated: bool
    reason: str | None  # None: it never finished (a crash or power cut): its reps still count
    duration_s: float | None
    past: PastSession


def migrate(db: sqlite3.Connection, path: Path) -> int:
    """Bring the schema to the latest version, one transaction per migration; returns the version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > LATEST:
        raise HistoryError(f"{path}: was written by a newer matcoach (schema {version}, this one knows "
                           f"{LATEST}); upgrade matcoach")
    for number in range(version + 1, LATEST + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[number - 1]:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        log.info("%s: schema migrated to version %d", path, number)
    return LATEST


class Recorder:
    """An event sink that writes each rep, set and the summary the moment they happen."""

    def __init__(self, history: History, routine: Routine, *, simulated: bool, started_at: datetime) -> None:
        self.history = history
        tempo = json.dumps(asdict(routine.tempo))
        cursor = history.db.execute(
            "INSERT INTO sessions (started_at, routine, variation, lower_s, tempo, simulated) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (started_at.isoformat(timespec="seconds"), routine.name, routine.variation,
             float(routine.tempo.lower), tempo, int(simulated)))
        self.session_id = cursor.lastrowid

    @singledispatchmethod
    def __call__(self, event: Event) -> None:
        """Events the history does not keep (cues, commands heard, pauses)."""

    @__call__.register
    def _(self, event: RepCounted) -> None:
        self._rep(event, counted=True, phase=None, descent_s=None)

    @__call__.register
    def _(self, event: RepFailed) -> None:
        self._rep(event, counted=False, phase=event.phase, descent_s=event.descent_s)

    def _rep(self, event: RepCounted | RepFailed, *, counted: bool, phase: str | None, descent_s: float | None) -> None:
        self.history.db.execute(
            "INSERT INTO reps (session_id, set_number, rep, variation, side, counted, phase, descent_s, lower_s, "
            "at_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.session_id, event.set, event.rep, event.variation, event.side, int(counted), phase, descent_s,
             event.lower_s, event.t))

    @__call__.register
    def _(self, event: SetStarted) -> None:
        self.history.db.execute("INSERT INTO sets (session_id, number, target, variation, weighted) "
                                "VALUES (?, ?, ?, ?, ?)",
                                (self.session_id, event.set, event.target, event.variation, int(event.weighted)))

    @__call__.register
    def _(self, event: SetDone) -> None:
        self.history.db.execute(
            "UPDATE sets SET ended_early = ?, variation = ? WHERE session_id = ? AND number = ?",
            (int(event.ended_early), event.result.variation, self.session_id, event.result.number))

    @__call__.register
    def _(self, event: Summary) -> None:
        self.history.db.execute(
            "UPDATE sessions SET ended_at = ?, final_variation = ?, reason = ?, duration_s = ? WHERE id = ?",
            (_now().isoformat(timespec="seconds"), event.variation, event.reason.value, event.duration_s,
             self.session_id))

"""Session history in SQLite: every rep on record the moment it happens, and the past read back."""

import json
import logging
import math
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import singledispatchmethod
from pathlib import Path

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
from assistant.history.database import explain, open_for_reading, open_for_recording

log = logging.getLogger(__name__)
LOCK_TIMEOUT_S = 2.0


def history_file() -> Path:
    return paths.data_dir() / "history.sqlite"


def _now() -> datetime:
    return datetime.now().astimezone()


class History:
    """One history database: ``open`` to record (creating or migrating it), ``read`` to look only.
    Problems raise HistoryError."""

    def __init__(self, path: Path, connection: sqlite3.Connection | None) -> None:
        self.path = path
        self.db = connection  # None: an empty file, no sessions
        self.skipped: list[str] = []  # sessions left out of ``sessions()`` because a value is unreadable

    @classmethod
    def open(cls, path: Path | None = None, *, timeout: float | None = None) -> "History":
        path = path or history_file()
        return cls(path, open_for_recording(path, LOCK_TIMEOUT_S if timeout is None else timeout))

    @classmethod
    def read(cls, path: Path | None = None, *, timeout: float | None = None) -> "History":
        """The history as it is, never changed (a missing file is an error that names it)."""
        path = path or history_file()
        return cls(path, open_for_reading(path, LOCK_TIMEOUT_S if timeout is None else timeout))

    def close(self) -> None:
        if self.db is not None:
            self.db.close()

    def recorder(self, routine: Routine, *, simulated: bool, now: Callable[[], datetime] = _now) -> "Recorder":
        return Recorder(self, routine, simulated=simulated, started_at=now())

    # -- reading ------------------------------------------------------------------------------

    def sessions(self, *, last: int | None = None) -> list["Record"]:
        """Sessions oldest first (the last ``last`` ones), with sets and reps tallied from the reps; a
        session with an unreadable value is left out and named in ``skipped``."""
        if self.db is None:
            return []
        try:
            return self._sessions(last)
        except sqlite3.Error as e:
            raise explain(e, self.path) from None

    def _sessions(self, last: int | None) -> list["Record"]:
        db = self.db
        assert db is not None
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
            if isinstance(number, int) and isinstance(target, int):  # a damaged row is left out
                targets[session_id][number] = (target, set_variation if isinstance(set_variation, str) else "",
                                               bool(weighted))
        tallies: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        for session_id, number, counted, n in db.execute(
                "SELECT session_id, set_number, counted, count(*) FROM reps WHERE set_number > 0 "
                "AND session_id >= ? GROUP BY session_id, set_number, counted", (first_id,)):
            if isinstance(number, int):
                tallies[session_id][number][0 if counted else 1] += n
        descents: dict[int, list[float]] = defaultdict(list)
        early: dict[int, int] = defaultdict(int)
        for session_id, phase, descent, rep_lower in db.execute(
                "SELECT session_id, phase, descent_s, lower_s FROM reps WHERE counted = 0 AND set_number > 0 "
                "AND session_id >= ?", (first_id,)):
            if not isinstance(descent, (int, float)) or not math.isfinite(descent):
                descent = None  # a damaged value says nothing about the floor
            if phase == "lower" and descent is not None:
                descents[session_id].append(float(descent))
            lower = rep_lower if isinstance(rep_lower, (int, float)) else 0
            if phase in ("brace", "lift", "top") or (phase == "lower" and (descent or 0) < lower / 2):
                early[session_id] += 1
        fastest = {sid: low for sid, low in db.execute(
            "SELECT session_id, min(lower_s) FROM reps WHERE counted = 1 AND set_number > 0 AND session_id >= ? "
            "GROUP BY session_id", (first_id,)).fetchall() if isinstance(low, (int, float))}
        records = []
        for sid, started, routine, variation, final, lower_s, simulated, reason, duration in rows:
            when = _started(started)
            if when is None or not isinstance(lower_s, (int, float)) or not isinstance(variation, str):
                self.skipped.append(f"session {sid} (started {started!r}) has unreadable values")
                continue
            numbers = sorted(set(targets[sid]) | set(tallies[sid]))
            sets = tuple(PastSet(number=n, target=targets[sid].get(n, (0, "", False))[0], perfect=tallies[sid][n][0],
                                 failed=tallies[sid][n][1], variation=targets[sid].get(n, (0, "", False))[1],
                                 weighted=targets[sid].get(n, (0, "", False))[2]) for n in numbers)
            records.append(Record(id=sid, routine=routine, simulated=bool(simulated), reason=reason,
                                  duration_s=duration if isinstance(duration, (int, float)) else None,
                                  past=PastSession(
                                      started=when, variation=final or variation,
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


def _started(value: object) -> datetime | None:
    """A session's start as an aware datetime (a naive one is taken as local time); None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.astimezone()


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

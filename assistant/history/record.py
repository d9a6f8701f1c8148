"""Keeping a session on record whatever happens to the history file: nothing is lost, nothing overwritten."""

import logging
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from assistant.core.events import Event
from assistant.core.ladder import Prescription, prescribe
from assistant.core.progression import Advice, PastSession
from assistant.core.routine import Routine, Variations
from assistant.history.store import History, HistoryError, Recorder, history_file

log = logging.getLogger(__name__)


def fallback_file(primary: Path, now: datetime) -> Path:
    """A fresh file beside the unusable one; an existing file is never reused or overwritten."""
    stem = f"{primary.stem}-{now.strftime('%Y%m%d-%H%M%S')}"
    candidate, n = primary.with_name(f"{stem}{primary.suffix}"), 1
    while candidate.exists():
        n += 1
        candidate = primary.with_name(f"{stem}-{n}{primary.suffix}")
    return candidate


class SessionRecord:
    """An event sink that writes the session to history, moving to a fresh file if the history file fails."""

    def __init__(self, routine: Routine, *, simulated: bool, path: Path | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now().astimezone()) -> None:
        self.routine = routine
        self.simulated = simulated
        self.now = now
        self.primary = path or history_file()
        self.events: list[Event] = []
        self.recorder: Recorder | None = None
        self.path: Path | None = None
        self._start(self.primary)

    def _start(self, path: Path) -> None:
        try:
            history = History.open(path)
        except HistoryError as e:
            self._fall_back(path, str(e))
            return
        self.path = path
        self.recorder = history.recorder(self.routine, simulated=self.simulated, now=self.now)
        for event in self.events:  # replay what happened before a switch of file
            self.recorder(event)

    def __call__(self, event: Event) -> None:
        self.events.append(event)
        if self.recorder is None:
            return
        try:
            self.recorder(event)
        except sqlite3.Error as e:
            self.recorder.history.close()
            self.recorder = None
            self._fall_back(self.path, f"{self.path}: writing failed ({e})")

    def _fall_back(self, failed: Path | None, problem: str) -> None:
        """Once, from the history file to a fresh one beside it; a second failure stops recording."""
        if failed != self.primary:
            log.error("%s; this session is NOT being recorded", problem)
            return
        fallback = fallback_file(self.primary, self.now())
        log.warning("%s; recording this session in %s instead", problem, fallback)
        self._start(fallback)


def past_sessions(path: Path | None = None) -> list[PastSession] | None:
    """The sessions on record, oldest first; None when the history cannot be read (a warning says why)."""
    path = path or history_file()
    if not path.exists():
        return []
    try:
        history = History.open(path)
    except HistoryError as e:
        log.warning("%s; starting without last time's numbers", e)
        return None
    try:
        return history.past()
    finally:
        history.close()


def todays_session(routine: Routine, variations: Variations, *, today: date, progress: str = "ask",
                   path: Path | None = None) -> Prescription:
    """Today's session from the history on record (assistant.core.ladder); an unreadable history only
    costs the ladder: the routine runs as written."""
    past = past_sessions(path)
    if past is None:
        return Prescription(routine=routine, advice=Advice())
    return prescribe(past, routine, variations, today=today, progress=progress)

"""Keeping a session on record whatever happens to the history file: nothing is lost, nothing overwritten."""

import logging
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from assistant.core.events import Event
from assistant.core.ladder import Prescription, prescribe
from assistant.core.limits import ROUTINE
from assistant.core.progression import Advice, PastSession
from assistant.core.routine import Routine, Variations
from assistant.data import paths
from assistant.history.database import HistoryError, explain
from assistant.history.store import History, Recorder, history_file

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
                 now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
                 unrecorded: str = "--no-record") -> None:
        """Raises HistoryError (or DataDirError) before the session starts when it cannot be recorded
        anywhere; ``unrecorded`` is the option that runs it without a record, for the fix."""
        self.routine = routine
        self.simulated = simulated
        self.now = now
        self.primary = path or history_file()
        self.events: list[Event] = []
        self.recorder: Recorder | None = None
        self.path: Path | None = None
        self.problems: list[str] = []
        try:
            paths.writable_dir(self.primary.parent)
        except paths.DataDirError as e:
            raise paths.DataDirError(f"{e}; or run the session without a record ({unrecorded})") from None
        self._start(self.primary)
        if self.recorder is None:
            raise HistoryError(f"{'; '.join(self.problems)}; so this session could not be recorded: fix that, or "
                               f"run it without a record ({unrecorded})")

    def _start(self, path: Path) -> None:
        history = None
        try:
            history = History.open(path)
            recorder = history.recorder(self.routine, simulated=self.simulated, now=self.now)
            for event in self.events:  # replay what happened before a switch of file
                recorder(event)
        except (HistoryError, sqlite3.Error) as e:
            if history is not None:
                history.close()
            self._fall_back(path, str(e if isinstance(e, HistoryError) else explain(e, path)))
            return
        self.path = path
        self.recorder = recorder

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
        self.problems.append(problem)
        if failed != self.primary:
            if self.events:  # mid-session: nothing else to do but say so loudly
                log.error("%s; the session goes on, but is NOT being recorded from here", problem)
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
        history = History.read(path)
        try:
            past = history.past()
        finally:
            history.close()
    except HistoryError as e:
        log.warning("%s; starting without last time's numbers", e)
        return None
    for skipped in history.skipped:
        log.warning("%s: %s; it is left out of last time's numbers", path, skipped)
    return past


def usable(past: list[PastSession], variations: Variations) -> list[PastSession]:
    """The sessions the ladder can climb from: one naming a variation this catalog does not have, or with
    a set whose target no routine could set (a damaged or hand-edited record), is left out with a warning
    rather than shaping today's session."""
    known = set(variations.ids())
    kept = []
    for session in past:
        named = {session.variation} | {s.variation for s in session.sets if s.variation}
        odd = sorted(named - known) or [s.target for s in session.sets if s.target not in ROUTINE["reps"]]
        if odd:
            log.warning("the session of %s on record has %s; it is left out of last time's numbers",
                        session.started.isoformat(timespec="minutes"),
                        f"unknown variation {odd[0]!r}" if isinstance(odd[0], str) else f"a set target of {odd[0]}")
            continue
        kept.append(session)
    return kept


def todays_session(routine: Routine, variations: Variations, *, today: date, progress: str = "ask",
                   path: Path | None = None) -> Prescription:
    """Today's session from the history on record (assistant.core.ladder); an unreadable history only
    costs the ladder: the routine runs as written."""
    past = past_sessions(path)
    if past is None:
        return Prescription(routine=routine, advice=Advice())
    return prescribe(usable(past, variations), routine, variations, today=today, progress=progress)

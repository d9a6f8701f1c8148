"""The coach loop: one thread owns the session, waking it at its deadline or when a command arrives."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from assistant.core.clock import VirtualClock
from assistant.core.commands import Command
from assistant.core.session import Session

log = logging.getLogger(__name__)


class InputEnded(Exception):
    """No command will ever arrive again (a script ran out, a microphone is gone for good)."""


@dataclass(frozen=True)
class Recognized:
    """A command as a recognizer heard it: the words, how sure it was, and when (session seconds) the
    words began and ended; it arrives later, once recognized."""

    command: Command
    phrase: str
    confidence: float
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class DeviceChange:
    """The microphone or speaker was lost (``lost``) or is back."""

    device: str  # "microphone" or "speaker"
    lost: bool
    reason: str = ""


class CommandSource(Protocol):
    def wait(self, until: float | None) -> Command | Recognized | DeviceChange | None:
        """Block until a command arrives (return it) or the clock reaches ``until`` (return None)."""
        ...


def run(session: Session, source: CommandSource) -> None:
    """Run the session to its end."""
    session.begin()
    while not session.finished:
        try:
            command = source.wait(session.deadline)
        except InputEnded:
            log.info("no more commands can arrive; ending the session")
            session.end_input()
            break
        if command is None:
            session.tick()
        elif isinstance(command, DeviceChange):
            if command.lost:
                session.device_lost(command.device, command.reason)
            else:
                session.device_back(command.device)
        elif isinstance(command, Recognized):
            session.hear(command.command, phrase=command.phrase, confidence=command.confidence,
                         spoken_from=command.start)
        else:
            session.hear(command)


@dataclass(frozen=True, kw_only=True)
class Scripted:
    """A command the simulated person says, its words ending at session time ``t`` (or a device that comes or
    goes then). A Recognized command may say when its words began; it arrives at ``t``."""

    t: float
    command: "Command | Recognized | DeviceChange"


class ScriptedCommands:
    """Commands said at fixed session times, on a virtual clock that jumps between events.

    ``pace`` is called with each session time the clock is about to jump to and returns once
    that moment has come (to watch or hear a session unfold); by default time jumps at once.
    """

    def __init__(self, clock: VirtualClock, script: Iterable[Scripted],
                 pace: Callable[[float], None] | None = None) -> None:
        self.clock = clock
        self.script = sorted(script, key=lambda s: s.t)
        self.pace = pace

    def wait(self, until: float | None) -> Command | Recognized | DeviceChange | None:
        if self.script and (until is None or self.script[0].t <= until):
            said = self.script.pop(0)
            self._advance(said.t)
            return said.command
        if until is None:
            raise InputEnded
        self._advance(until)
        return None

    def _advance(self, t: float) -> None:
        t = max(self.clock.now(), t)
        if self.pace is not None:
            self.pace(t)
        self.clock.advance_to(t)

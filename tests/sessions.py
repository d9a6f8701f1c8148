"""Running sessions in virtual time for tests, and reading what happened."""

from dataclasses import dataclass, field

from assistant.core.clock import VirtualClock
from assistant.core.commands import Command
from assistant.core.events import Cue, Event, RepCounted, RepFailed, SetDone, Summary
from assistant.core.planner import Planner
from assistant.core.routine import Routine
from assistant.core.runner import DeviceChange, Recognized, Scripted, ScriptedCommands, run
from assistant.core.session import Session
from assistant.data import catalog


@dataclass
class Recording:
    events: list[Event] = field(default_factory=list)

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    def cues(self) -> list[str]:
        return [e.cue for e in self.of(Cue)]

    def cue_times(self, cue: str) -> list[float]:
        return [e.t for e in self.of(Cue) if e.cue == cue]

    def said(self, cue: str) -> list[Cue]:
        return [e for e in self.of(Cue) if e.cue == cue]

    def attempt_phase(self, set_number: int, rep: int, cue: str = "lower") -> float:
        """When ``cue`` was said in that attempt (by the order of brace cues within the set)."""
        from assistant.core.events import SetStarted
        start = next(e.t for e in self.of(SetStarted) if e.set == set_number)
        times = [t for t in self.cue_times(cue) if t >= start]
        return times[rep - 1]

    @property
    def summary(self) -> Summary:
        (summary,) = self.of(Summary)
        assert self.events[-1] is summary, "the summary is the last event"
        return summary

    def counted(self) -> list[tuple[int, int]]:
        return [(e.set, e.rep) for e in self.of(RepCounted) if e.set > 0]

    def failed(self) -> list[tuple[int, int]]:
        return [(e.set, e.rep) for e in self.of(RepFailed) if e.set > 0]

    def sets(self) -> list[tuple[int, int, int]]:
        return [(d.result.perfect, d.result.failed, d.result.target) for d in self.of(SetDone)]


def routine(name: str = "quick", **overrides) -> Routine:
    return catalog.find_routine(name, catalog.load_variations()).with_overrides(**overrides)


def simulate(name: str = "quick", say: tuple[tuple[float, "str | Recognized | DeviceChange"], ...] = (),
             **overrides) -> Recording:
    """Run a whole session in virtual time; ``say`` holds (session seconds, command) pairs: a command
    name (its words end then), a Recognized command (arriving then, its words said earlier) or a
    DeviceChange (a device lost or back then)."""
    recording = Recording()
    clock = VirtualClock()
    session = Session(routine(name, **overrides), catalog.load_variations(), clock, Planner(catalog.load_pack()),
                      recording)
    script = [Scripted(t=t, command=c if isinstance(c, (DeviceChange, Recognized)) else Command(c)) for t, c in say]
    run(session, ScriptedCommands(clock, script))
    return recording

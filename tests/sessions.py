"""Running sessions in virtual time for tests, and reading what happened."""

from dataclasses import dataclass, field

from assistant.core.clock import VirtualClock
from assistant.core.commands import Command
from assistant.core.events import Cue, Event, RepCounted, RepFailed, SetDone, Summary
from assistant.core.planner import Planner
from assistant.core.progression import Advice
from assistant.core.routine import Routine
from assistant.core.runner import DeviceChange, Recognized, Scripted, ScriptedCommands, run
from assistant.core.session import Session
from assistant.data import catalog

# Cues said as an attempt opens (before its brace phase starts) and right after it ends.
OPENING = {"side", "last-one", "brace", "brace-short"}
CLOSING = {"rep-counted", "to-go", "arched", "suggest-easier", "gentle-done", "gentle-arched"}


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

    def texts(self) -> list[str]:
        return [e.text for e in self.of(Cue)]

    def attempt_cues(self, set_number: int, rep: int) -> list[str]:
        """The cues of one attempt (base ids, without a variation's own phrasing): from its side and brace
        words to its count (and "to go"), or to "arched"."""
        from assistant.core.events import PhaseStarted

        def base(e):
            return e.cue.split("/")[0]

        end = next(i for i, e in enumerate(self.events)
                   if isinstance(e, (RepCounted, RepFailed)) and (e.set, e.rep) == (set_number, rep))
        start = max(i for i, e in enumerate(self.events[:end]) if isinstance(e, PhaseStarted) and e.phase == "brace")
        while start > 0 and isinstance(self.events[start - 1], Cue) and base(self.events[start - 1]) in OPENING:
            start -= 1
        stop = end + 1
        while stop < len(self.events) and isinstance(self.events[stop], Cue) and base(self.events[stop]) in CLOSING:
            stop += 1
        return [base(e) for e in self.events[start:stop] if isinstance(e, Cue)]

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
    """A shipped routine with the command line's overrides (sets, reps, ...) or any other field replaced."""
    from dataclasses import fields, replace

    own = {f.name for f in fields(Routine)} - {"variation"}
    r = catalog.find_routine(name, catalog.load_variations())
    r = replace(r, **{k: v for k, v in overrides.items() if k in own})
    return r.with_overrides(**{k: v for k, v in overrides.items() if k not in own})


def simulate(name: str = "quick", say: tuple[tuple[float, "str | Recognized | DeviceChange"], ...] = (),
             talk: str = "normal", advice: Advice | None = None, durations=None, base: Routine | None = None,
             **overrides) -> Recording:
    """Run a whole session in virtual time; ``say`` holds (session seconds, command) pairs: a command
    name (its words end then), a Recognized command (arriving then, its words said earlier) or a
    DeviceChange (a device lost or back then). ``durations`` (a Said -> seconds function) gives lines a
    length; by default they take no time."""
    recording = Recording()
    clock = VirtualClock()
    planner = Planner(catalog.load_pack()) if durations is None else Planner(catalog.load_pack(), durations)
    session = Session(base or routine(name, **overrides), catalog.load_variations(), clock, planner, recording,
                      advice=advice, talk=talk)
    script = [Scripted(t=t, command=c if isinstance(c, (DeviceChange, Recognized)) else Command(c)) for t, c in say]
    run(session, ScriptedCommands(clock, script))
    return recording


class ArchingPerson:
    """A person whose back arches on the attempts ``arches(set, attempt)`` picks: half a second into the
    descent, or with ``early`` half a second into the lift. Says nothing else."""

    def __init__(self, clock: VirtualClock, session: Session, arches, *, early: bool = False) -> None:
        self.clock, self.session, self.arches, self.early = clock, session, arches, early
        self.done: set[tuple[int, int]] = set()

    def wait(self, until):
        from assistant.core.flow import State
        from assistant.core.runner import InputEnded

        s = self.session
        phase = State.lift if self.early else State.lower
        if s.state is phase and s.tally is not None:
            key = (s.block.set_number, s.attempt)
            at = self.clock.now() + 0.5
            if key not in self.done and self.arches(*key) and (until is None or at <= until):
                self.done.add(key)
                self.clock.advance_to(at)
                return Command.ARCHED
        if until is None:
            raise InputEnded
        self.clock.advance_to(max(until, self.clock.now()))
        return None

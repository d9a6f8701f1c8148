"""Every command in every state has a defined outcome: a transition or a deliberate ignore."""

import pytest

from assistant.core.clock import VirtualClock
from assistant.core.commands import Command
from assistant.core.events import Heard
from assistant.core.flow import State
from assistant.core.planner import Planner
from assistant.core.session import Session
from assistant.data import catalog
from tests.sessions import Recording, routine

S = State
IGNORED = None  # nothing happens but the Heard event
REPEAT = "<the last cue again>"

# state -> {command: (state afterwards, a cue the coach says)}; the leg-lift routine with 2 sets of 2,
# rep states reached in attempt 1 of set 1, paused from the descent.
# Nothing is done yet in any of these states, so a stop gets the short, kind line.
_ALWAYS = {"slower": (None, "descent-changed"), "faster": (None, "descent-fastest")}
_REP = {"done": (S.rest, "set-done"), "arched": (S.brace, "arched"), "pause": (S.paused, "paused"),
        "resume": (None, IGNORED), "stop": (S.finished, "stopped-empty"), "repeat": (None, REPEAT),
        "easier": (None, "variation-next"), "harder": (None, "variation-next"), "pain": (S.finished, "pain"),
        **_ALWAYS}
EXPECTED: dict[State, dict[str, tuple[State | None, str | None]]] = {
    S.idle: {"done": (S.idle, IGNORED), "arched": (S.idle, "form-reminder"), "pause": (S.idle, IGNORED),
             "resume": (S.idle, IGNORED), "stop": (S.finished, "stopped-empty"), "repeat": (S.idle, IGNORED),
             "easier": (S.idle, "variation-next"), "harder": (S.idle, "variation-next"),
             "pain": (S.finished, "pain"), **_ALWAYS},
    S.guide: {"done": (S.guide, "intro-tension-check"), "arched": (S.guide, "form-reminder"),
              "pause": (S.paused, "paused"), "resume": (S.guide, IGNORED), "stop": (S.finished, "stopped-empty"),
              "repeat": (S.guide, REPEAT), "easier": (S.guide, "variation-next"),
              "harder": (S.guide, "variation-next"), "pain": (S.finished, "pain"), **_ALWAYS},
    S.ready: {"done": (S.brace, "tone"), "arched": (S.ready, "form-reminder"), "pause": (S.paused, "paused"),
              "resume": (S.ready, IGNORED), "stop": (S.finished, "stopped-empty"), "repeat": (S.ready, REPEAT),
              "easier": (S.ready, "variation-next"), "harder": (S.ready, "variation-next"),
              "pain": (S.finished, "pain"), **_ALWAYS},
    **{state: _REP for state in (S.brace, S.lift, S.top, S.lower, S.bottom)},
    # "done" in a rest: the next set is announced (if it was not yet), a tone, and it begins
    S.rest: {"done": (S.brace, "ready"), "arched": (S.rest, "form-reminder"), "pause": (S.paused, "paused"),
             "resume": (S.rest, IGNORED), "stop": (S.finished, "stopped"), "repeat": (S.rest, REPEAT),
             "easier": (S.rest, "variation-next"), "harder": (S.rest, "variation-next"),
             "pain": (S.finished, "pain"), **_ALWAYS},
    S.paused: {"done": (S.paused, "paused-hint"), "arched": (S.paused, "form-reminder"),
               "pause": (S.paused, "paused-hint"), "resume": (S.brace, "resumed"),
               "stop": (S.finished, "stopped-empty"), "repeat": (S.paused, REPEAT),
               "easier": (S.paused, "variation-next"), "harder": (S.paused, "variation-next"),
               "pain": (S.finished, "pain"), **_ALWAYS},
    S.finished: {c: (S.finished, IGNORED) for c in Command.names()} | {"repeat": (S.finished, REPEAT)},
}


def session_in(state: State) -> tuple[Session, Recording]:
    """A leg-lift session driven on a virtual clock until it is in ``state``."""
    recording = Recording()
    clock = VirtualClock()
    session = Session(routine("leg-lift", sets=2, reps=2), catalog.load_variations(), clock,
                      Planner(catalog.load_pack()), recording)
    if state is S.idle:
        return session, recording
    session.begin()
    target = S.lower if state is S.paused else state
    while not (session.state is target and (target not in (S.brace, S.lift, S.top, S.lower, S.bottom)
                                            or session.tally is not None)):
        assert not session.finished, f"never reached {state}"
        if target is S.finished:
            session.hear(Command.STOP)
            continue
        clock.advance_to(session.deadline)
        session.tick()
    if state is S.paused:
        session.hear(Command.PAUSE)
    return session, recording


PAIRS = [(state, command) for state in State for command in Command.names()]


@pytest.mark.parametrize("state,command", PAIRS, ids=[f"{s.value}-{c}" for s, c in PAIRS])
def test_command_in_state(state, command):
    session, recording = session_in(state)
    assert session.state is state
    last = session.last_cue
    before = len(recording.events)
    session.hear(Command(command))  # must never raise
    after_state, cue = EXPECTED[state][command]
    assert session.state is (after_state or state)
    new = recording.events[before:]
    assert isinstance(new[0], Heard) and new[0].command == command
    if cue is IGNORED:
        assert new[1:] == [], f"{command} in {state.value} should be ignored"
    elif cue is REPEAT:
        assert [(e.cue, e.args) for e in new[1:]] == [last]
    else:
        assert cue in [getattr(e, "cue", None) for e in new]


@pytest.mark.parametrize("state", list(State), ids=[s.value for s in State])
def test_every_trigger_has_a_transition_in_every_state(state):
    session, _ = session_in(S.idle)
    for trigger in Command.names() + ("tick",):
        assert session.machine.get_transitions(trigger=trigger, source=state.value), (trigger, state)


def test_tick_in_states_without_a_clock_is_ignored():
    for state in (S.idle, S.paused, S.finished):
        session, recording = session_in(state)
        before = len(recording.events)
        session.tick()
        assert session.state is state and len(recording.events) == before

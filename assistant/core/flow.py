"""The session flow chart: states and one table of transitions, read by ``transitions``.

Every command has an outcome in every state: a transition, or a deliberate ignore
(an internal transition whose action says or logs why nothing happens).
"""

from enum import Enum
from typing import Any

from transitions import Machine


class State(Enum):
    idle = "idle"          # before the session begins
    guide = "guide"        # a guided warm-up or finisher step (cat-cow, tension check, plank)
    ready = "ready"        # getting into position before a set
    brace = "brace"        # "press your back down"
    lift = "lift"          # exhale, lift
    top = "top"
    lower = "lower"        # the slow, counted descent
    bottom = "bottom"      # hovering just above the person's floor; the rep counts at its end, once late
                           # words about it ("arched" being recognized) have had time to arrive
    rest = "rest"          # between sets
    paused = "paused"
    finished = "finished"  # summary spoken; nothing more happens


S = State
REP = [S.brace, S.lift, S.top, S.lower, S.bottom]
WAITING = [S.guide, S.ready, S.rest]
ACTIVE = WAITING + REP
NOT_FINISHED = [S.idle, S.paused] + ACTIVE


def _t(trigger: str, source: Any, dest: State | None, **kw: Any) -> dict[str, Any]:
    return dict(trigger=trigger, source=source, dest=dest, **kw)


TRANSITIONS = [
    # Walking the plan: the next block decides where to go.
    _t("proceed", [S.idle] + ACTIVE, S.guide, conditions="next_is_guide", before="advance"),
    _t("proceed", [S.idle] + ACTIVE, S.ready, conditions="next_is_ready", before="advance"),
    _t("proceed", [S.idle] + ACTIVE, S.brace, conditions="next_is_reps", before=["advance", "begin_attempt"]),
    _t("proceed", [S.idle] + ACTIVE, S.rest, conditions="next_is_rest", before="advance"),
    _t("proceed", [S.idle] + ACTIVE, S.finished, before="mark_completed"),

    # The clock: cues inside a phase, then the end of the phase.
    _t("tick", ACTIVE, None, conditions="mark_due", after="say_mark"),
    _t("tick", S.guide, None, conditions="time_up", after="finish_step"),
    _t("tick", [S.ready, S.rest], None, conditions="time_up", after=["go", "proceed"]),  # a wait ends with a tone
    _t("tick", S.brace, S.lift, conditions="time_up"),
    _t("tick", S.lift, S.top, conditions="time_up"),
    _t("tick", S.top, S.lower, conditions="time_up"),
    _t("tick", S.lower, S.bottom, conditions="time_up"),
    _t("tick", S.bottom, S.brace, conditions=["time_up", "attempts_left"], before=["count_rep", "begin_attempt"]),
    _t("tick", S.bottom, None, conditions="time_up", before="count_rep", after="end_set"),
    _t("tick", list(State), None, after="ignore"),  # early wake-up, or a state without a clock

    # Commands are judged by when their words began, not when they were recognized (a moment later).
    # Commands that change the flow interrupt the coach mid-sentence ("hush") before answering.
    # arched: the attempt is over and does not count; outside a rep, a form reminder. Words that began
    # before this attempt did (about an attempt already counted, or said before it) never fail it.
    _t("arched", REP, None, unless="spoken_in_attempt", after="form_reminder"),
    _t("arched", REP, S.brace, conditions="attempts_left", before=["hush", "fail_rep", "begin_attempt"]),
    _t("arched", REP, None, before=["hush", "fail_rep"], after="end_set"),
    _t("arched", [S.idle, S.paused] + WAITING, None, after="form_reminder"),
    _t("arched", S.finished, None, after="ignore"),

    # done: ends the set now (a rep whose hover is over counts first); in waiting steps, "ready, go on".
    # Words said in an earlier step ("go on" while getting ready) do not end the one that followed.
    _t("done", ACTIVE, None, unless="spoken_in_block", after="ignore"),
    _t("done", S.bottom, None, conditions="rep_complete", before=["hush", "count_rep"], after="end_set"),
    _t("done", REP, None, before="hush", after="end_set"),
    _t("done", S.guide, None, before="hush", after="finish_step"),
    _t("done", [S.ready, S.rest], None, before="hush", after=["go", "proceed"]),
    _t("done", S.paused, None, after="paused_hint"),
    _t("done", [S.idle, S.finished], None, after="ignore"),

    # pause freezes everything; resume restarts an interrupted rep from the brace,
    # and continues a warm-up step, a wait or a rest with the time it had left.
    _t("pause", ACTIVE, S.paused, before=["hush", "remember_pause"]),
    _t("pause", S.paused, None, after="paused_hint"),
    _t("pause", [S.idle, S.finished], None, after="ignore"),
    _t("resume", S.paused, S.brace, conditions="paused_in_rep", before="restore"),
    _t("resume", S.paused, S.guide, conditions="paused_in_guide", before="restore"),
    _t("resume", S.paused, S.ready, conditions="paused_in_ready", before="restore"),
    _t("resume", S.paused, S.rest, conditions="paused_in_rest", before="restore"),
    _t("resume", [S.idle, S.finished] + ACTIVE, None, after="ignore"),

    # stop ends with a spoken summary; pain stops at once with a safety message. A rep whose hover is
    # over counts first.
    _t("stop", S.bottom, S.finished, conditions="rep_complete", before=["hush", "count_rep", "mark_stopped"]),
    _t("pain", S.bottom, S.finished, conditions="rep_complete", before=["hush", "count_rep", "mark_pain"]),
    _t("stop", NOT_FINISHED, S.finished, before=["hush", "mark_stopped"]),
    _t("stop", S.finished, None, after="ignore"),
    _t("pain", NOT_FINISHED, S.finished, before=["hush", "mark_pain"]),
    _t("pain", S.finished, None, after="ignore"),

    _t("repeat", list(State), None, after="say_again"),
    # easier in a plank with the knee option: knees down; elsewhere the next easier variation.
    _t("easier", S.guide, None, conditions="knees_offered", after="knees_down"),
    _t("easier", NOT_FINISHED, None, after="ask_easier"),
    _t("harder", NOT_FINISHED, None, after="ask_harder"),
    _t("easier", S.finished, None, after="ignore"),
    _t("harder", S.finished, None, after="ignore"),

    # slower / faster: the descent, between the protocol's 3 and 4 seconds, from the next rep.
    _t("slower", NOT_FINISHED, None, after="slow_down"),
    _t("faster", NOT_FINISHED, None, after="speed_up"),
    _t("slower", S.finished, None, after="ignore"),
    _t("faster", S.finished, None, after="ignore"),
]


_OPTIONS: dict[str, Any] = dict(states=State, transitions=TRANSITIONS, initial=S.idle, queued=True,
                                auto_transitions=False, ignore_invalid_triggers=False)


def build_machine(model: Any) -> Machine:
    """Attach the flow to ``model``. Triggers fired from callbacks run after the current transition."""
    return Machine(model=model, **_OPTIONS)


def mermaid() -> str:
    """The flow chart as a mermaid state diagram, drawn from the machine itself."""
    from transitions.extensions import GraphMachine

    class Chart:  # a bare model: drawing needs no session
        pass

    chart = Chart()
    GraphMachine(model=chart, graph_engine="mermaid", title="matcoach session", show_conditions=True,
                 **_OPTIONS)
    return chart.get_graph().draw(None)  # type: ignore[attr-defined]  # added by GraphMachine


if __name__ == "__main__":
    print("# The session flow\n\nGenerated by `python -m assistant.core.flow > docs/session-flow.md` "
          "from the machine in assistant/core/flow.py; a test keeps it current.\n\n```mermaid")
    print(mermaid().rstrip())
    print("```")

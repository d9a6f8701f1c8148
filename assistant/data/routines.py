"""Routines and variations read from parsed TOML tables, with errors naming the key and the fix."""

from typing import Any

from assistant.core.cues import FIXED
from assistant.core.errors import RoutineError
from assistant.core.limits import ROUTINE, TEMPO
from assistant.core.plan import check_length
from assistant.core.routine import (
    EXERCISES,
    PROGRESS,
    TALK,
    Count,
    FirstRep,
    Hold,
    RestStep,
    Routine,
    Sets,
    Step,
    Tempo,
    Variation,
    Variations,
)
from assistant.data.fields import Fields


def parse_variations(data: Any, *, source: str) -> Variations:
    top = Fields(data, source=source, where="", error=RoutineError)
    entries = top.get("variation", list, example='[[variation]] tables, easiest first')
    order = []
    for i, entry in enumerate(entries):
        f = Fields(entry, source=source, where=f"variation[{i}]", error=RoutineError)
        own = f.get("own", list, [], example='own = ["brace", "lift"]')
        for cue in own:
            if cue not in FIXED:
                f.fail(f"own lists {cue!r}, which is not a cue the coach says",
                       "use ids from `matcoach cues list` (without a variation)")
        order.append(Variation(id=f.get("id", str, check=bool, expect="a non-empty id"),
                               sides=f.get("sides", bool, False), own=tuple(own),
                               weight=f.get("weight", bool, False), hands_aid=f.get("hands_aid", bool, False)))
        f.finish()
    if not order:
        top.fail("no variation is defined", 'add [[variation]] tables with id = "..."')
    ids = [v.id for v in order]
    if len(set(ids)) != len(ids):
        top.fail(f"variation ids repeat: {ids}", "give each [[variation]] its own id")
    default = top.choice("default", ids)
    top.finish()
    return Variations(order=tuple(order), default=default)


def parse_routine(data: Any, *, source: str, variations: Variations) -> Routine:
    """Build a Routine from a parsed TOML table; every problem raises RoutineError naming key and fix."""
    f = Fields(data, source=source, where="", error=RoutineError)
    name = f.get("name", str, check=bool, expect="non-empty text in quotes")
    description = f.get("description", str, "")
    variation = f.choice("variation", variations.ids(), variations.default)
    tempo = _parse_tempo(f.table_of("tempo"))
    ready_s = f.number("ready_s", ROUTINE["ready_s"], 5.0)
    reminder_every = f.number("reminder_every", ROUTINE["reminder_every"], 3)
    talk = f.choice("talk", TALK, None)
    progress = f.choice("progress", PROGRESS, None)
    aids = {key: f.get(key, bool, True) for key in ("breathing", "hands_under_hips", "stretch_after_pain")}
    raw_steps = f.get("steps", list, example='[[steps]] tables (kind = "sets", sets = 3, reps = 10)')
    if not raw_steps:
        f.fail("steps is empty", 'add at least one [[steps]] table, e.g. kind = "sets"')
    steps = tuple(_parse_step(step, source=source, index=i) for i, step in enumerate(raw_steps))
    f.finish()
    routine = Routine(name=name, description=description, variation=variation, tempo=tempo,
                      steps=steps, ready_s=ready_s, reminder_every=reminder_every, talk=talk, progress=progress,
                      **aids)
    try:
        check_length(routine)
    except RoutineError as e:
        f.fail(str(e), "give it fewer sets or reps, or shorter steps")
    return routine


def _parse_tempo(f: Fields | None) -> Tempo:
    if f is None:
        return Tempo()
    d = Tempo()
    tempo = Tempo(**{key: f.number(key, limit, getattr(d, key)) for key, limit in TEMPO.items()})
    f.finish()
    return tempo


_KINDS = ("count", "hold", "rest", "first-rep", "sets")


def _parse_step(data: Any, *, source: str, index: int) -> Step:
    f = Fields(data, source=source, where=f"steps[{index}]", error=RoutineError)
    kind = f.choice("kind", _KINDS)
    step: Step
    if kind == "count":
        step = Count(exercise=f.choice("exercise", EXERCISES), count=f.number("count", ROUTINE["count"]),
                     seconds_each=f.number("seconds_each", ROUTINE["seconds_each"]),
                     lead_s=f.number("lead_s", ROUTINE["lead_s"], 4.0))
    elif kind == "hold":
        exercise = f.choice("exercise", EXERCISES)
        step = Hold(exercise=exercise, seconds=f.number("seconds", ROUTINE["seconds"]),
                    lead_s=f.number("lead_s", ROUTINE["lead_s"], 4.0),
                    knees=f.get("knees", bool, True) if exercise == "plank" else False)
    elif kind == "rest":
        step = RestStep(seconds=f.number("seconds", ROUTINE["seconds"]))
    elif kind == "first-rep":
        step = FirstRep()
    else:
        step = Sets(sets=f.number("sets", ROUTINE["sets"]), reps=f.number("reps", ROUTINE["reps"]),
                    rest_s=f.number("rest_s", ROUTINE["rest_s"], 60.0))
    f.finish()
    return step

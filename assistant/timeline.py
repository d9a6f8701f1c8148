"""Session events for people (a readable timeline) and for programs (one JSON object per line)."""

import dataclasses
import json
from typing import Any

from assistant.events import (
    Cue,
    DeviceBack,
    DeviceLost,
    Event,
    Heard,
    Hushed,
    Paused,
    RepCounted,
    RepFailed,
    Resumed,
    SetDone,
    SetStarted,
    StepStarted,
    Summary,
    VariationChanged,
)


def to_json(event: Event) -> dict[str, Any]:
    """The JSON object for one event: always "t" (session seconds) and "event"."""
    out: dict[str, Any] = {"t": round(event.t, 3), "event": event.kind}
    if isinstance(event, Cue):
        out.update(cue=event.cue, text=event.text, params=event.args,
                   end=None if event.end is None else round(event.end, 3))
    elif isinstance(event, Summary):
        out.update(sets=[_set_json(s) for s in event.sets], perfect_total=event.perfect_total,
                   failed_total=event.failed_total, duration_s=event.duration_s,
                   variation=event.variation, stopped_early=event.stopped_early, reason=event.reason)
    elif isinstance(event, SetDone):
        out.update(_set_json(event.result), ended_early=event.ended_early)
    elif isinstance(event, Heard):
        out.update(command=event.command)
        if event.phrase is not None:  # heard by a recognizer, not scripted
            out.update(phrase=event.phrase, confidence=None if event.confidence is None
                       else round(event.confidence, 3))
    else:
        out.update({f.name: getattr(event, f.name) for f in dataclasses.fields(event) if f.name != "t"})
    return out


def _set_json(result: Any) -> dict[str, Any]:
    return {"perfect": result.perfect, "failed": result.failed, "target": result.target,
            "set": result.number, "variation": result.variation}


def json_line(event: Event) -> str:
    return json.dumps(to_json(event), ensure_ascii=False)


def clock_text(t: float) -> str:
    minutes, seconds = divmod(t, 60)
    return f"{int(minutes):2d}:{seconds:04.1f}"


def describe(event: Event) -> tuple[str, str]:
    """(who, what) for the readable timeline."""
    if isinstance(event, Cue):
        return "coach", event.text
    if isinstance(event, Hushed):
        return "  …", f"coach interrupted ({', '.join(event.cut)})"
    if isinstance(event, Heard):
        if event.phrase is not None and event.confidence is not None:
            return "heard", f'"{event.command}" ("{event.phrase}", confidence {event.confidence:.2f})'
        return "heard", f'"{event.command}"'
    if isinstance(event, RepCounted):
        where = "first rep" if event.set == 0 else f"set {event.set} rep {event.rep}"
        return "  ✓", f"{where} counted ({event.perfect} perfect)"
    if isinstance(event, RepFailed):
        where = "first rep" if event.set == 0 else f"set {event.set} rep {event.rep}"
        when = f", {event.descent_s:.1f} s into the descent" if event.descent_s is not None else ""
        return "  ✗", f"{where} arched during {event.phase}{when}: not counted"
    if isinstance(event, SetStarted):
        return "  ▶", f"set {event.set}: {event.target} attempts, {event.variation}"
    if isinstance(event, SetDone):
        r = event.result
        early = " (ended early)" if event.ended_early else ""
        return "  ■", f"set {r.number} done: {r.perfect} perfect, {r.failed} arched, of {r.target}{early}"
    if isinstance(event, StepStarted):
        return "  ▶", f"guided step: {event.exercise}"
    if isinstance(event, Paused):
        return "  ‖", f"paused during {event.during}"
    if isinstance(event, DeviceLost):
        return "  !", f"{event.device} lost ({event.reason}): paused until it is back"
    if isinstance(event, DeviceBack):
        return "  ✓", f"{event.device} back"
    if isinstance(event, Resumed):
        return "  ▶", "resumed: the rep starts again" if event.restarted_rep else f"resumed {event.to}"
    if isinstance(event, VariationChanged):
        return "  ↕", f"variation {event.previous} → {event.variation}"
    if isinstance(event, Summary):
        sets = ", ".join(f"{s.perfect}/{s.target}" for s in event.sets) or "no sets"
        end = "completed" if not event.stopped_early else f"ended early ({event.reason})"
        return "  Σ", (f"{event.perfect_total} perfect, {event.failed_total} arched; sets {sets}; "
                       f"{event.variation}; {event.duration_s:.0f} s; {end}")
    return "  ·", event.kind


def timeline_line(event: Event) -> str:
    who, what = describe(event)
    return f"{clock_text(event.t)}  {who:<5}  {what}"

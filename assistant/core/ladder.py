"""The progression ladder across sessions (pure): what the next session is, and why, from the history.

The protocol: start at 3 sets of 10; only perfect reps count; move on once 15 perfect reps with the
full slow descent are possible in every set. So:

- A rung is a variation, with or without a light weight (the variations that take one say so in
  variations.toml). The rungs run from the dead bug to hanging leg raises with a weight.
- Reps per set climb by one from the routine's reps toward 15 after a session whose every set was
  perfect, with the full descent, and which was finished.
- At 15 the next rung is proposed ("say harder"), or taken at once with ``progress = "auto"``;
  a new rung starts again at the routine's reps.
- A struggle (a third of the attempts arched) steps back: two reps fewer, or at the routine's reps
  the rung below. When the back came up early on almost every attempt, the dead bug is next,
  from any rung.
- Recovery first: a second session on one day is one set lighter, and consecutive days (or more
  sessions in a week than the aim) hold the ladder. After a session that ended in pain the coach
  asks first, offers the easier variation and starts with the hip stretch.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.core.errors import RoutineError
from assistant.core.progression import (
    FULL_DESCENT_S,
    PROGRESS_AT,
    Advice,
    PastSession,
    Schedule,
    arches_a_lot,
    arches_early_every_time,
    schedule,
)
from assistant.core.routine import PROGRESS, Hold, Routine, Variations

DEFAULT_PROGRESS = "ask"
CLIMB = 1        # reps added after a perfect session
STEP_BACK = 2    # reps taken off after a struggle
BEGINNER_SESSIONS = 3
STRETCH = Hold(exercise="hip-stretch", seconds=40.0, lead_s=6.0)


def resolve_progress(given: str | None, routine: Routine) -> str:
    """The progress setting: ``given`` (the command line, or the settings layer above the routine), then
    the routine's own ``progress``, then "ask"."""
    for value in (given, routine.progress):
        if value is not None:
            if value not in PROGRESS:
                raise RoutineError(f"progress {value!r} is unknown; use one of: {', '.join(PROGRESS)}")
            return value
    return DEFAULT_PROGRESS


@dataclass(frozen=True, order=True)
class Rung:
    variation: str
    weighted: bool = False


def rungs(variations: Variations) -> tuple[Rung, ...]:
    """Every rung, easiest first."""
    return tuple(r for v in variations.order for r in ((Rung(v.id),) + ((Rung(v.id, True),) if v.weight else ())))


def step(rung: Rung, variations: Variations, delta: int) -> Rung | None:
    ladder = rungs(variations)
    i = ladder.index(rung) + delta if rung in ladder else -1
    return ladder[i] if 0 <= i < len(ladder) else None


@dataclass(frozen=True, kw_only=True)
class Prescription:
    """The next session: the routine as it will run, and what the coach knows when it opens."""

    routine: Routine
    advice: Advice

    @property
    def rung(self) -> Rung:
        return Rung(self.routine.variation, self.advice.weighted)


def prescribe(history: list[PastSession], routine: Routine, variations: Variations, *, today: date,
              progress: str = "ask") -> Prescription:
    """Today's session from the sessions before it (oldest first, any routine)."""
    sets = routine.working_sets()
    start = sets[0].reps if sets else 0
    calendar = schedule(history, today)
    mine = [s for s in history if s.routine in ("", routine.name) and s.attempts]
    rung, reps, proposal = Rung(routine.variation), start, None
    lines: list[tuple[str, dict[str, Any]]] = []
    reasons: list[str] = []
    pain = bool(history) and history[-1].ended == "pain"
    if progress == "off" or not sets:
        reasons.append("this routine keeps its own sets and reps (progress = \"off\")")
        lines += _last_time(mine[-1]) + _floor(mine[-1]) if mine else [] if history else [("first-session", {})]
        if calendar.light:  # the routine stays as written: say so, without promising a lighter session
            calendar = Schedule(cue=("trained-today", {}), hold=True)
    elif not mine:
        if not history:
            lines.append(("first-session", {}))
        reasons.append(f"no session of {routine.name} on record yet: the routine's {start} reps a set")
    else:
        last = mine[-1]
        final = last.sets[-1]
        rung = Rung(final.variation or last.variation, final.weighted)
        on_rung = [s for s in last.sets if (s.variation or last.variation, s.weighted) == (rung.variation,
                                                                                         rung.weighted)]
        reps = max(s.target for s in on_rung) if on_rung else start
        perfect = (last.ended == "completed" and last.lower_s >= FULL_DESCENT_S and bool(on_rung)
                   and all(s.perfect >= s.target for s in on_rung))
        if arches_early_every_time(last) and rung.variation != variations.order[0].id:
            rung, reps = Rung(variations.order[0].id), start
            lines.append(("regress-to-start", {"variation": rung.variation}))
            reasons.append("the back arched early on almost every attempt last time: the dead bug builds control")
        elif arches_a_lot(last):
            rung, reps, said = _step_back(rung, reps, start, variations)
            lines.append(said)
            reasons.append(f"a third or more of last time's attempts arched: {said[0]}")
        elif perfect and (pain or calendar.hold):
            lines += _last_time(last)
            reasons.append("last time was perfect, but recovery comes first today: same reps")
        elif perfect and reps < PROGRESS_AT:
            reps = min(reps + CLIMB, PROGRESS_AT)
            lines.append(("climb", {"reps": reps}))
            reasons.append(f"every set was perfect last time: {reps} reps a set")
        elif perfect:
            rung, reps, proposal, said = _next_rung(rung, reps, start, variations, progress)
            lines.append(said)
            reasons.append(f"{PROGRESS_AT} perfect reps in every set with the full descent: {said[0]}")
        else:
            lines += _last_time(last)
            reasons.append("last time had arched or missing reps: same reps" if not all(
                s.perfect >= s.target for s in on_rung) else
                "last time was not finished, or lowered faster than 3 s: same reps")
        if not perfect:
            lines += _floor(last)
    if pain:
        lines = [("pain-check", {})] + ([("pain-easier", {"variation": easier})]
                                        if (easier := variations.step(rung.variation, -1)) else [])
        proposal = None
        reasons.append("the last session ended in pain: ask first, offer the easier variation and the stretch")
    today_sets = max(1, sets[0].sets - 1) if calendar.light and sets else None
    if calendar.cue is not None and not pain:
        cue, params = calendar.cue
        lines.insert(0, (cue, {"sets": today_sets} if cue == "light-today" else params))
        reasons.append({"light-today": "a second session today: one set fewer, no climbing",
                        "trained-today": "a second session today",
                        "recovery-consecutive": "trained yesterday: no climbing today",
                        "week-enough": "more sessions this week than the aim: no climbing today",
                        "welcome-back": "more than a week since the last session"}[cue])
    shaped = routine.with_overrides(variation=rung.variation, reps=reps or None, sets=today_sets)
    if pain and routine.stretch_after_pain and not any(getattr(s, "exercise", "") == "hip-stretch"
                                                        for s in routine.steps):
        shaped = shaped.with_first(STRETCH)
    advice = Advice(weighted=rung.weighted, start_reps=start, reasons=tuple(reasons),
                    beginner=len(mine) < BEGINNER_SESSIONS,
                    proposal=(proposal.variation, proposal.weighted) if proposal else None)
    for cue, params in lines:
        advice = advice.add(cue, **params)
    return Prescription(routine=shaped, advice=advice)


def _last_time(last: PastSession) -> list[tuple[str, dict[str, Any]]]:
    tried = [s for s in last.sets if s.attempts]
    if not tried:
        return []
    weakest = min(tried, key=lambda s: (s.perfect / s.target, s.number))
    if weakest.perfect >= weakest.target:
        return [("last-time-all", {"target": weakest.target})]
    return [("last-time", {"set": weakest.number, "perfect": weakest.perfect,
                           "aim": min(weakest.perfect + 1, weakest.target)})]


def _floor(last: PastSession) -> list[tuple[str, dict[str, Any]]]:
    return [] if last.floor_s is None else [("floor", {"seconds": max(1, round(last.floor_s))})]


def _step_back(rung: Rung, reps: int, start: int, variations: Variations) -> tuple[Rung, int, tuple[str, dict]]:
    if reps > start:
        reps = max(start, reps - STEP_BACK)
        return rung, reps, ("regress-reps", {"reps": reps})
    below = step(rung, variations, -1)
    if below is None:
        return rung, start, ("regress-slow-down", {})
    if below.variation == rung.variation:
        return below, start, ("regress-weight", {})
    return below, start, ("regress-variation", {"variation": below.variation})


def _next_rung(rung: Rung, reps: int, start: int, variations: Variations,
               progress: str) -> tuple[Rung, int, Rung | None, tuple[str, dict]]:
    above = step(rung, variations, +1)
    if above is None:  # the top of the ladder: keep the quality
        return rung, reps, None, ("last-time-all", {"target": reps})
    weight = above.variation == rung.variation
    if progress == "auto":
        said = ("took-weight", {"reps": start}) if weight else \
            ("took-variation", {"variation": above.variation, "reps": start})
        return above, start, None, said
    said = ("progress-weight", {}) if weight else ("progress-variation", {"variation": above.variation})
    return rung, reps, above, said

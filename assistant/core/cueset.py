"""Every line a session can need, so it can be rendered before the first word (pure)."""

from collections.abc import Iterator
from typing import Any

from assistant.core import cues
from assistant.core.pack import Pack, Said
from assistant.core.plan import Guide, Ready, Reps, Rest, plan
from assistant.core.progression import Advice
from assistant.core.routine import Count, Routine, Variations

# Rendered when first needed instead: their parameters combine into hundreds of lines, and
# they are said at the end, where nothing waits on them.
ON_DEMAND = ("summary",)


def needed_cues(routine: Routine, variations: Variations, advice: Advice) -> Iterator[tuple[str, dict[str, Any]]]:
    """(cue id, params) for everything this routine can make the coach say, commands included."""
    blocks = plan(routine)
    sets = [b for b in blocks if isinstance(b, Reps) and b.counted]
    max_reps = max((b.reps for b in blocks if isinstance(b, Reps)), default=1)
    first = routine.working_sets()
    yield "welcome", {"routine": routine.name, "variation": routine.variation,
                      "sets": sum(s.sets for s in first), "reps": first[0].reps if first else 0}
    for cue, given in advice.cues:
        yield cue, dict(given)
    for cue, takes in cues.FIXED.items():
        if not takes and cue not in ON_DEMAND:
            yield cue, {}
    for v in variations.ids():
        yield cues.setup_cue(v), {}
        yield "suggest-easier", {"variation": v}
        yield "variation-next", {"variation": v}
    for side in cues.SIDES:
        yield "side", {"side": side}
    counts = {routine.tempo.lower, 3}
    yield "lower", {"n": routine.tempo.lower}
    for n in range(1, max(counts) + 1):
        yield "count", {"n": n}
    for n in range(1, max_reps + 1):
        yield "rep-counted", {"n": n}
    for block in blocks:
        if isinstance(block, Guide):
            yield cues.intro_cue(block.step.exercise), {}
            if isinstance(block.step, Count):
                for n in range(1, block.step.count + 1):
                    yield "guide-count", {"n": n, "of": block.step.count}
            else:
                yield "hold-start", {"seconds": round(block.step.seconds)}
        elif isinstance(block, Ready) and block.set_number:
            yield "ready", {"set": block.set_number, "sets": block.sets_total, "reps": block.reps}
        elif isinstance(block, Rest):
            yield "rest", {"seconds": round(block.seconds)}
            for left in (30, 10):
                yield "rest-left", {"seconds": left}
    for block in sets:
        for perfect in range(block.reps + 1):
            for cue in ("set-done", "last-set-done", "summary-set"):
                yield cue, {"set": block.set_number, "perfect": perfect, "target": block.reps}


def needed_lines(pack: Pack, routine: Routine, variations: Variations, advice: Advice) -> list[Said]:
    """Every distinct line, in the order they are likely to be needed."""
    lines: dict[Said, None] = {}
    for cue, params in needed_cues(routine, variations, advice):
        if cue in pack.cues:
            lines.update(dict.fromkeys(pack.lines(cue, params)))
    return list(lines)

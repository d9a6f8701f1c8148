"""What is said on the way through a timed phase, and how long the phase lasts (pure).

Each function returns (duration in seconds, marks); a mark is (offset, cue id, params).
"""

from assistant.core.routine import Count, Hold

Marks = tuple[tuple[float, str, dict], ...]

ANNOUNCE = "<announce>"  # a mark that announces the next set (the session says what that takes)
ANNOUNCE_S = 5.0         # seconds the announcement's lines take, before the time to get into position
# A hold's halfway mark, where an exercise says something else there (a stretch held on each side).
HALFWAY = {"hip-stretch": "switch-sides"}


def countdown(end: float) -> list[tuple[float, str, dict]]:
    """3-2-1 on the seconds before ``end`` (as many as fit after its start)."""
    return [(end - n, "count", {"n": n}) for n in (3, 2, 1) if end - n >= 0]


def guide_beats(step: Count | Hold) -> tuple[float, Marks]:
    """A counted step counts each repetition; a hold says its length, the halfway point and 3-2-1."""
    lead = step.lead_s
    if isinstance(step, Count):
        marks = [(lead + i * step.seconds_each, "guide-count", {"n": i + 1, "of": step.count})
                 for i in range(step.count)]
        return lead + step.count * step.seconds_each, tuple(marks)
    marks = [(lead, "hold-start", {"seconds": round(step.seconds)})]
    if step.seconds >= 20:
        marks.append((lead + step.seconds / 2, HALFWAY.get(step.exercise, "halfway"), {}))
    marks += [(lead + step.seconds - n, "count", {"n": n}) for n in (3, 2, 1) if step.seconds > n + 1]
    return lead + step.seconds, tuple(marks)


def rest_beats(seconds: float, *, announce_before: float | None = None) -> tuple[float, Marks]:
    """Time left at 30 and 10 seconds when the rest is long enough for it to help; a rest before a set
    announces it ``announce_before`` seconds before the end (instead of "10 seconds"); 3-2-1 at the end."""
    announce = None if announce_before is None else max(0.0, seconds - announce_before)
    marks = [(seconds - left, "rest-left", {"seconds": left}) for left in (30, 10)
             if seconds >= left * 2 and (announce is None or seconds - left < announce - 2)]
    if announce is not None:
        marks.append((announce, ANNOUNCE, {}))
    return seconds, tuple(marks + countdown(seconds))


def ready_beats(seconds: float) -> tuple[float, Marks]:
    """Getting into position: 3-2-1 at its end (the tone follows as the set begins)."""
    return seconds, tuple(countdown(seconds))


def lower_beats(seconds: int) -> tuple[float, Marks]:
    """The descent is counted down one second apart: "lower, three", "two", "one"."""
    return seconds, tuple((i, "count", {"n": seconds - i}) for i in range(1, seconds))

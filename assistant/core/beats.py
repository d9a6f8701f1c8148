"""What is said on the way through a timed phase, and how long the phase lasts (pure).

Each function returns (duration in seconds, marks); a mark is (offset, cue id, params).
"""

from assistant.core.routine import Count, Hold

Marks = tuple[tuple[float, str, dict], ...]


def guide_beats(step: Count | Hold) -> tuple[float, Marks]:
    """A counted step counts each repetition; a hold says its length, the halfway point and 3-2-1."""
    lead = step.lead_s
    if isinstance(step, Count):
        marks = [(lead + i * step.seconds_each, "guide-count", {"n": i + 1, "of": step.count})
                 for i in range(step.count)]
        return lead + step.count * step.seconds_each, tuple(marks)
    marks = [(lead, "hold-start", {"seconds": round(step.seconds)})]
    if step.seconds >= 20:
        marks.append((lead + step.seconds / 2, "halfway", {}))
    marks += [(lead + step.seconds - n, "count", {"n": n}) for n in (3, 2, 1) if step.seconds > n + 1]
    return lead + step.seconds, tuple(marks)


def rest_beats(seconds: float) -> tuple[float, Marks]:
    """Time left is announced at 30 and 10 seconds, when the rest is long enough for it to help."""
    return seconds, tuple((seconds - left, "rest-left", {"seconds": left})
                          for left in (30, 10) if seconds >= left * 2)


def lower_beats(seconds: int) -> tuple[float, Marks]:
    """The descent is counted down one second apart: "lower, three", "two", "one"."""
    return seconds, tuple((i, "count", {"n": seconds - i}) for i in range(1, seconds))

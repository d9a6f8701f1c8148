"""The progression rules, table-driven: what the coach advises from past sessions."""

from datetime import date, datetime, timedelta

import pytest

from assistant.core.progression import (
    PastSession,
    PastSet,
    advise,
    progression,
)
from assistant.data import catalog

VARIATIONS = catalog.load_variations()
TODAY = date(2026, 11, 21)


def session(days_ago: int, variation: str = "straight-leg", sets=((10, 0, 10),) * 3, lower_s: float = 3,
            arches: tuple[float, ...] = ()) -> PastSession:
    started = datetime(2026, 11, 21, 18, 0).astimezone() - timedelta(days=days_ago)
    return PastSession(started=started, variation=variation, lower_s=lower_s, arch_descents=arches,
                       sets=tuple(PastSet(number=i + 1, perfect=p, failed=f, target=t)
                                  for i, (p, f, t) in enumerate(sets)))


FIFTEENS = ((15, 0, 15),) * 3

PROGRESSION = [
    # (history, suggestion)
    ([], None),
    ([session(3)], None),                                              # 10/10: keep going
    ([session(3, sets=FIFTEENS)], ("progress-weight", {})),            # straight-leg: weight first
    ([session(6, sets=FIFTEENS), session(3, sets=FIFTEENS)],           # then hanging
     ("progress-variation", {"variation": "hanging"})),
    ([session(3, sets=FIFTEENS, lower_s=2)], None),                    # a fast descent does not qualify
    ([session(3, sets=((15, 0, 15), (15, 0, 15), (14, 1, 15)))], None),  # every set, not most
    ([session(3, "bent-knee", FIFTEENS)], ("progress-variation", {"variation": "single-leg"})),
    ([session(3, "dead-bug", FIFTEENS)], ("progress-variation", {"variation": "bent-knee"})),
    ([session(3, "hanging", FIFTEENS)], ("progress-weight", {})),      # nothing harder: weight
    ([session(3, sets=((6, 4, 10),) * 3)], ("regress-variation", {"variation": "single-leg"})),
    ([session(3, "dead-bug", ((5, 5, 10),))], ("regress-slow-down", {})),  # nothing easier
    ([session(3, sets=((8, 2, 10),) * 3)], None),                      # some arches are normal
    ([session(3, sets=((1, 2, 3),))], None),                           # too few attempts to judge
]


@pytest.mark.parametrize("history,expected", PROGRESSION)
def test_progression(history, expected):
    assert progression(history, VARIATIONS) == expected


def cues(history, variation="straight-leg"):
    return [(cue, dict(params)) for cue, params in
            advise(history, variation=variation, variations=VARIATIONS, today=TODAY).cues]


OPENING = [
    ([], [("first-session", {})]),
    ([session(3, sets=((8, 2, 10), (9, 1, 10), (7, 3, 10)))],
     [("last-time", {"set": 3, "perfect": 7, "aim": 8})]),
    ([session(3, sets=((10, 0, 10),) * 3)], [("last-time-all", {"target": 10})]),
    ([session(1)], [("recovery-consecutive", {}), ("last-time-all", {"target": 10})]),
    ([session(0)], [("recovery-today", {}), ("last-time-all", {"target": 10})]),
    ([session(6), session(4), session(2)], [("week-enough", {"sessions": 3}), ("last-time-all", {"target": 10})]),
    ([session(12)], [("welcome-back", {"days": 12}), ("last-time-all", {"target": 10})]),
    ([session(3, sets=((9, 1, 10),), arches=(1.6,))],
     [("last-time", {"set": 1, "perfect": 9, "aim": 10}), ("floor", {"seconds": 2})]),
    ([session(3, "bent-knee")], []),                                   # nothing yet on straight-leg
]


@pytest.mark.parametrize("history,expected", OPENING)
def test_opening(history, expected):
    assert cues(history) == expected


def test_opening_ends_with_the_progression_advice():
    assert cues([session(3, sets=FIFTEENS)])[-1] == ("progress-weight", {})


def test_the_floor_is_tracked_over_time():
    history = [session(9, arches=(1.0, 1.4)), session(5), session(2, arches=(2.2,))]
    assert [s.floor_s for s in history] == [1.2, None, 2.2]


def test_sets_never_started_do_not_set_the_aim():
    cut_short = session(1, sets=((0, 0, 10),))
    assert cues([session(3, sets=((8, 2, 10),)), cut_short]) == \
        [("recovery-consecutive", {}), ("last-time", {"set": 1, "perfect": 8, "aim": 9})]

"""The progression ladder, table-driven: what the next session is, and what the coach opens with."""

from datetime import date, datetime, timedelta

import pytest

from assistant.core.ladder import Rung, prescribe, rungs
from assistant.core.progression import PastSession, PastSet
from assistant.data import catalog

VARIATIONS = catalog.load_variations()
TODAY = date(2026, 11, 21)
LEG_LIFT = catalog.find_routine("leg-lift", VARIATIONS)


def session(days_ago: int, variation: str = "straight-leg", sets=((10, 0, 10),) * 3, lower_s: float = 3,
            arches: tuple[float, ...] = (), early: int = 0, ended: str = "completed", weighted: bool = False,
            routine: str = "leg-lift") -> PastSession:
    started = datetime(2026, 11, 21, 18, 0).astimezone() - timedelta(days=days_ago)
    return PastSession(started=started, variation=variation, lower_s=lower_s, arch_descents=arches,
                       early_arches=early, ended=ended, routine=routine,
                       sets=tuple(PastSet(number=i + 1, perfect=p, failed=f, target=t, variation=variation,
                                          weighted=weighted) for i, (p, f, t) in enumerate(sets)))


def perfect(reps: int, **kw) -> tuple:
    return ((reps, 0, reps),) * 3


def today(history, progress="ask", routine=LEG_LIFT):
    p = prescribe(history, routine, VARIATIONS, today=TODAY, progress=progress)
    sets = p.routine.working_sets()[0]
    return dict(variation=p.routine.variation, weighted=p.advice.weighted, sets=sets.sets, reps=sets.reps,
                proposal=p.advice.proposal, cues=[c for c, _ in p.advice.cues])


def test_the_rungs_run_from_the_dead_bug_to_weighted_hanging_raises():
    assert rungs(VARIATIONS) == (Rung("dead-bug"), Rung("bent-knee"), Rung("single-leg"), Rung("straight-leg"),
                                 Rung("straight-leg", True), Rung("hanging"), Rung("hanging", True))


LADDER = [
    # (history, what today is)
    ([], dict(variation="straight-leg", reps=10, sets=3, proposal=None, cues=["first-session"])),
    ([session(3)], dict(reps=11, cues=["climb"])),                                  # perfect: one more rep
    ([session(3, sets=perfect(14))], dict(reps=15)),
    ([session(3, sets=perfect(15))],                                                # at 15: the weight, offered
     dict(reps=15, weighted=False, proposal=("straight-leg", True), cues=["progress-weight"])),
    ([session(3, sets=perfect(15), weighted=True)],                                 # then hanging
     dict(variation="straight-leg", weighted=True, proposal=("hanging", False), cues=["progress-variation"])),
    ([session(3, "bent-knee", perfect(15))], dict(proposal=("single-leg", False))),
    ([session(3, "hanging", perfect(15), weighted=True)], dict(proposal=None, cues=["last-time-all"])),  # the top
    ([session(3, sets=perfect(12), lower_s=2)], dict(reps=12, cues=["last-time-all"])),  # too fast: no climb
    ([session(3, sets=((12, 0, 12), (12, 0, 12), (11, 1, 12)))], dict(reps=12, cues=["last-time"])),
    ([session(3, sets=perfect(12), ended="stopped")], dict(reps=12)),              # unfinished: no climb
    # a struggle steps back: two reps, then the rung below
    ([session(3, sets=((8, 4, 12),) * 3)], dict(reps=10, variation="straight-leg", cues=["regress-reps"])),
    ([session(3, sets=((6, 4, 10),) * 3)], dict(reps=10, variation="single-leg", cues=["regress-variation"])),
    ([session(3, sets=((6, 4, 10),) * 3, weighted=True)],
     dict(variation="straight-leg", weighted=False, cues=["regress-weight"])),
    ([session(3, "dead-bug", ((5, 5, 10),))], dict(variation="dead-bug", cues=["regress-slow-down"])),
    ([session(3, sets=((8, 2, 10),) * 3)], dict(reps=10, cues=["last-time"])),   # some arches are normal
    # the back came up early on almost every attempt: the dead bug, from any rung
    ([session(3, "hanging", ((1, 9, 10),) * 3, early=25)], dict(variation="dead-bug", reps=10,
                                                               cues=["regress-to-start"])),
]


@pytest.mark.parametrize("history,expected", LADDER)
def test_the_ladder(history, expected):
    got = today(history)
    assert {k: got[k] for k in expected} == expected


def test_auto_progress_takes_the_step_and_starts_the_new_rung_at_the_routines_reps():
    got = today([session(3, sets=perfect(15))], progress="auto")
    assert (got["variation"], got["weighted"], got["reps"], got["proposal"], got["cues"]) == \
        ("straight-leg", True, 10, None, ["took-weight"])
    got = today([session(3, sets=perfect(15), weighted=True)], progress="auto")
    assert (got["variation"], got["weighted"], got["reps"], got["cues"]) == ("hanging", False, 10, ["took-variation"])


def test_progress_off_keeps_the_routine_as_written():
    quick = catalog.find_routine("quick", VARIATIONS)
    got = today([session(3, sets=perfect(3), routine="quick")], routine=quick, progress="off")
    assert (got["reps"], got["sets"], got["cues"]) == (3, 2, ["last-time-all"])


def test_sessions_of_another_routine_do_not_move_this_ladder():
    assert today([session(3, sets=perfect(3), routine="quick")])["reps"] == 10


def test_ten_perfect_sessions_climb_to_fifteen_then_offer_the_next_step():
    history, reps = [], []
    for day in range(10):
        got = today_on(history, 30 - 3 * day)
        reps.append(got.routine.working_sets()[0].reps)
        history.append(session(30 - 3 * day, sets=perfect(reps[-1])))
    assert reps == [10, 11, 12, 13, 14, 15, 15, 15, 15, 15]
    assert today_on(history, 0).advice.proposal == ("straight-leg", True)


def today_on(history, days_ago):
    day = TODAY - timedelta(days=days_ago)
    return prescribe([s for s in history if s.started.date() < day], LEG_LIFT, VARIATIONS, today=day)


# -- recovery and the calendar -------------------------------------------------------------------

def test_a_second_session_today_is_lighter_and_does_not_climb():
    got = today([session(0)])
    assert (got["sets"], got["reps"], got["cues"]) == (2, 10, ["light-today", "last-time-all"])
    p = prescribe([session(0)], LEG_LIFT, VARIATIONS, today=TODAY)
    assert dict(p.advice.cues[0][1]) == {"sets": 2}


def test_consecutive_days_hold_the_ladder():
    assert today([session(1)])[("reps")] == 10 and today([session(1)])["cues"][0] == "recovery-consecutive"


@pytest.mark.parametrize("earlier,expected", [(2, None), (3, 4)])
def test_the_week_count_includes_today(earlier, expected):
    history = [session(d) for d in (6, 4, 2)[:earlier]]
    p = prescribe(history, LEG_LIFT, VARIATIONS, today=TODAY)
    week = [dict(params) for cue, params in p.advice.cues if cue == "week-enough"]
    assert week == ([] if expected is None else [{"sessions": expected}])  # today is the fourth: "session 4"


def test_a_long_break_is_welcomed_back():
    assert today([session(12)])["cues"] == ["welcome-back", "climb"]


# -- after pain ----------------------------------------------------------------------------------

def test_after_pain_the_coach_asks_first_offers_easier_and_the_stretch_and_never_says_aim():
    p = prescribe([session(3, sets=((1, 0, 10),), ended="pain")], LEG_LIFT, VARIATIONS, today=TODAY)
    cues = [(c, dict(params)) for c, params in p.advice.cues]
    assert cues == [("pain-check", {}), ("pain-easier", {"variation": "single-leg"})]
    assert getattr(p.routine.steps[0], "exercise", None) == "hip-stretch"
    assert p.routine.working_sets()[0].reps == 10 and p.advice.proposal is None


def test_after_pain_a_perfect_session_does_not_climb():
    got = today([session(3, sets=perfect(12), ended="pain")])
    assert got["reps"] == 12 and got["cues"][0] == "pain-check"


def test_after_pain_without_the_stretch_option_the_routine_keeps_its_steps():
    from dataclasses import replace

    routine = replace(LEG_LIFT, stretch_after_pain=False)
    p = prescribe([session(3, ended="pain")], routine, VARIATIONS, today=TODAY)
    assert p.routine.steps[0] == routine.steps[0]


def test_the_floor_is_tracked_over_time():
    history = [session(9, arches=(1.0, 1.4)), session(5), session(2, arches=(2.2,))]
    assert [s.floor_s for s in history] == [1.2, None, 2.2]
    p = prescribe([session(3, sets=((9, 1, 10),), arches=(1.6,))], LEG_LIFT, VARIATIONS, today=TODAY)
    assert ("floor", (("seconds", 2),)) in p.advice.cues


def test_sets_never_started_do_not_set_the_aim():
    cut_short = session(4, sets=((0, 0, 10),), ended="stopped")
    assert today([session(6, sets=((8, 2, 10),)), cut_short])["cues"] == ["last-time"]

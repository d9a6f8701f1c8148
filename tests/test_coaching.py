"""What the coach says as a session goes on, as the person on the mat hears it: talk that fades,
counts always heard, sides balanced, lines true to each exercise, honest endings, and the ladder's step."""

import pytest

from assistant.core.events import RepCounted, SetStarted, VariationChanged
from assistant.core.fading import resolve_talk
from assistant.core.progression import Advice
from assistant.data import catalog
from tests.sessions import routine, simulate

FULL = ["brace", "lift", "top-breathe", "lower", "count", "count", "hover", "rep-counted"]


def lines(cues: list[str]) -> list[str]:
    """An attempt's cues without "to go" (said on some attempts only)."""
    return [c for c in cues if c not in ("to-go", "last-one")]


# -- talk that fades ------------------------------------------------------------------------------

def test_normal_talk_starts_full_then_shortens_then_keeps_to_counts():
    rec = simulate("quick", sets=2, reps=6, reminder_every=0)
    assert lines(rec.attempt_cues(1, 1)) == FULL
    assert lines(rec.attempt_cues(1, 3)) == FULL
    assert lines(rec.attempt_cues(1, 4)) == ["brace-short", "lift-short", "lower", "count", "count", "rep-counted"]
    assert lines(rec.attempt_cues(2, 2)) == ["lift-short", "lower", "count", "count", "rep-counted"]


def test_form_reminders_return_with_the_full_cues_after_an_arch():
    quiet = simulate("quick", sets=2, reps=6, reminder_every=0)
    rec = simulate("quick", sets=2, reps=6, reminder_every=0, say=((quiet.attempt_phase(2, 2) + 1, "arched"),))
    assert rec.attempt_cues(2, 2)[-1] == "arched"
    after = lines(rec.attempt_cues(2, 3))
    assert after[:3] == ["brace", "lift", "form-reminder"] and "hover" in after
    assert lines(rec.attempt_cues(2, 5)) == ["lift-short", "lower", "count", "count", "rep-counted"]


def test_full_talk_says_every_cue_every_rep_and_brief_talk_keeps_to_counts():
    full = simulate("quick", talk="full", reminder_every=0)
    assert all(lines(full.attempt_cues(s, r)) == FULL for s in (1, 2) for r in (1, 2, 3))
    brief = simulate("quick", talk="brief")
    for s, r in ((1, 1), (2, 3)):
        assert brief.attempt_cues(s, r) == ["lift-short", "lower", "count", "count", "rep-counted"]
    assert not {"to-go", "last-one", "remind-head", "aid-hands", "first-session"} & set(brief.cues())


@pytest.mark.parametrize("talk", ["full", "normal", "brief"])
def test_every_reps_count_is_heard_whatever_the_talk(talk):
    rec = simulate("leg-lift", talk=talk, sets=2, reps=12)
    perfect = [e.perfect for e in rec.of(RepCounted) if e.set > 0]
    assert [e.args["n"] for e in rec.said("rep-counted")] == perfect == list(range(1, 13)) * 2
    assert len(rec.said("lower")) == 1 + 24  # the gentle rep and every attempt: "lower 3", then "2", "1"


def test_the_last_attempts_are_announced():
    rec = simulate("quick", sets=1, reps=10)
    assert [e.args["left"] for e in rec.said("to-go")] == [3, 2]
    assert rec.attempt_cues(1, 10)[0] == "last-one"
    assert rec.attempt_cues(1, 7)[-2:] == ["rep-counted", "to-go"]


def test_each_set_starts_with_3_2_1_and_a_tone_and_the_quick_rest_is_not_silent(quiet=None):
    rec = simulate("quick")
    starts = [e.t for e in rec.of(SetStarted)]
    assert rec.cue_times("tone") == starts
    for start in starts:
        before = [(round(start - e.t, 6), e.args["n"]) for e in rec.said("count") if start - 3.5 < e.t < start]
        assert before == [(3, 3), (2, 2), (1, 1)]
    rest = rec.said("rest")[0]
    during = [e.cue for e in rec.events if getattr(e, "cue", None) and rest.t < e.t < starts[1]]
    assert "ready" in during  # the 10 s rest announces set 2, and counts it in


def test_the_opening_is_short():
    rec = simulate("leg-lift", advice=Advice().add("climb", reps=11).add("floor", seconds=2))
    before = rec.cues()[:rec.cues().index("intro-cat-cow")]
    assert before == ["welcome", "climb", "floor"]
    brief = simulate("leg-lift", talk="brief", advice=Advice().add("climb", reps=11).add("pain-check"))
    assert brief.cues()[:brief.cues().index("intro-cat-cow")] == ["welcome", "pain-check"]


def test_talk_comes_from_the_command_line_then_the_routine_then_the_default():
    leg_lift, quick = routine("leg-lift"), routine("quick")
    assert resolve_talk("brief", leg_lift) == "brief"
    assert resolve_talk(None, leg_lift) == "normal" == leg_lift.talk
    assert resolve_talk(None, quick) == "normal" and quick.talk is None


# -- slower and faster -----------------------------------------------------------------------------

def test_slower_and_faster_change_the_descent_from_the_next_rep_within_three_to_four_seconds(quiet=None):
    quiet = simulate("quick")
    lowers = quiet.cue_times("lower")
    rec = simulate("quick", say=((lowers[0] + 0.5, "slower"), (lowers[3] - 4, "faster"), (lowers[4] - 4, "faster")))
    assert [e.args["n"] for e in rec.said("lower")] == [3, 4, 4, 3, 3, 3]
    assert [e.cue for e in rec.events if getattr(e, "cue", "").startswith("descent")] == \
        ["descent-changed", "descent-changed", "descent-fastest"]
    assert [e.lower_s for e in rec.of(RepCounted)] == [3, 4, 4, 3, 3, 3]
    slowest = simulate("quick", lower=4, say=((2, "slower"),))
    assert "descent-slowest" in slowest.cues()


# -- sides -----------------------------------------------------------------------------------------

def test_sides_alternate_across_sets_and_balance_over_the_session():
    rec = simulate("quick", variation="single-leg")  # 2 x 3
    sides = [e.args["side"] for e in rec.said("side/single-leg")]
    assert sides == ["left", "right", "left", "right", "left", "right"]
    assert [e.side for e in rec.of(RepCounted)] == sides
    assert rec.said("side/single-leg")[0].text == "Now the left leg."  # a side is named in a sentence


def test_a_dead_bug_names_the_leg_and_the_opposite_arm():
    rec = simulate("quick", variation="dead-bug", sets=1, reps=2)
    assert [e.text for e in rec.said("side/dead-bug")] == ["Now the left leg and right arm.", "right leg, left arm."]


# -- lines true to the exercise ----------------------------------------------------------------------

@pytest.mark.parametrize("variation,absent", [
    ("hanging", ("mat", "floor", "lie down", "on your back", "forty-five")),
    ("dead-bug", ("lift", "forty-five")),
    ("bent-knee", ("forty-five",)),
])
def test_a_variation_hears_its_own_lines(variation, absent):
    rec = simulate("leg-lift", variation=variation, talk="full", sets=1, reps=4)
    start = rec.cues().index("ready-first-rep/" + variation) if variation != "single-leg" else 0
    said = " ".join(rec.texts()[start:rec.cues().index("last-set-done")]).lower()
    for words in absent:
        assert words not in said, words


def test_every_cue_a_variation_changes_has_its_own_line_in_every_shipped_pack():
    known = catalog.known_cues()
    for name in catalog.shipped_packs():
        pack = catalog.load_pack(name)
        for v in catalog.load_variations().order:
            for cue in v.own:
                assert f"{cue}/{v.id}" in known and pack.cues[f"{cue}/{v.id}"], (name, v.id, cue)


def test_easier_before_a_set_gives_the_new_set_up_and_time_to_get_into_it():
    quiet = simulate("quick")
    rest = quiet.cue_times("rest")[0]
    rec = simulate("quick", say=((rest + 0.5, "easier"),))
    setups = [e.cue for e in rec.events if getattr(e, "cue", "").startswith("setup-")]
    assert setups == ["setup-straight-leg", "setup-single-leg"]  # never the old one again
    setup_at = rec.cue_times("setup-single-leg")[0]
    assert rec.of(SetStarted)[1].t - setup_at >= 3 + 3  # announced with the time to get into position


def test_easier_mid_set_says_the_new_set_up_and_waits_before_the_next_attempt():
    quiet = simulate("quick")
    rec = simulate("quick", say=((quiet.cue_times("lower")[0] + 0.5, "easier"),))
    (change,) = rec.of(VariationChanged)
    setup = rec.cue_times("setup-single-leg")[0]
    tones = [t for t in rec.cue_times("tone") if t > setup]
    assert tones[0] - setup >= 3  # counted in: 3, 2, 1, tone
    first_side = rec.said("side/single-leg")[0]
    assert first_side.t >= tones[0] and change.t <= setup


# -- the gentle first rep -------------------------------------------------------------------------

def test_arching_on_the_gentle_rep_starts_the_sets_one_variation_easier():
    quiet = simulate("leg-lift", sets=1, reps=2)
    gentle = quiet.cue_times("lower")[0]
    rec = simulate("leg-lift", sets=1, reps=2, say=((gentle + 1, "arched"),))
    assert rec.said("gentle-arched")[0].args == {"variation": "single-leg"}
    assert rec.of(SetStarted)[0].variation == "single-leg"


# -- honest endings ---------------------------------------------------------------------------------

def test_after_pain_there_are_no_congratulations():
    quiet = simulate("quick")
    rec = simulate("quick", say=((quiet.cue_times("lower")[4], "pain"),))
    assert rec.cues()[-2:] == ["pain", "pain-after"]
    assert not {"goodbye", "goodbye-early", "summary"} & set(rec.cues())
    assert "well done" not in " ".join(rec.texts()).lower()


def test_a_stop_with_nothing_done_gets_a_short_kind_line():
    rec = simulate("quick", say=((1, "stop"),))
    ending = rec.cues()[rec.cues().index("stopped-empty"):]
    assert ending == ["stopped-empty"]
    assert rec.said("stopped-empty")[0].text == "That's fine, we'll leave it for today. Come back when you're ready."


# -- the ladder's step, taken by voice -------------------------------------------------------------

def test_harder_takes_the_offered_weight_from_the_next_set_at_the_ladders_first_reps():
    advice = Advice(proposal=("straight-leg", True), start_reps=10).add("progress-weight")
    rec = simulate("quick", reps=15, advice=advice, say=((1, "harder"),))
    assert rec.said("weight-next")[0].args == {"reps": 10}
    first = rec.of(SetStarted)[0]
    assert (first.weighted, first.target, first.variation) == (True, 10, "straight-leg")
    assert "weight-on" in rec.cues() and [r.target for r in rec.summary.sets] == [10, 10]
    again = simulate("quick", advice=advice, say=((1, "harder"), (2, "harder")))
    assert again.said("variation-next")[0].args == {"variation": "hanging"}  # a second "harder": the next variation


def test_easier_with_a_weight_puts_the_weight_down_first():
    rec = simulate("quick", advice=Advice(weighted=True), say=((1, "easier"),))
    assert "weight-off" in rec.cues() and rec.summary.variation == "straight-leg"
    assert [s.weighted for s in rec.of(SetStarted)] == [False, False]


# -- the knee plank -----------------------------------------------------------------------------------

def test_easier_in_the_plank_puts_the_knees_down():
    quiet = simulate("leg-lift", sets=1, reps=1)
    plank = quiet.cue_times("intro-plank")[0]
    rec = simulate("leg-lift", sets=1, reps=1, say=((plank + 6, "easier"),))
    assert "knees-down" in rec.cues() and "knee-plank-offer" in rec.cues()
    assert "variation-next" not in rec.cues()

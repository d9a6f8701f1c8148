"""What a person would notice about a session: which reps count, what is said, and when."""

import pytest

from assistant.core.commands import Command
from assistant.core.cues import REMINDERS
from assistant.core.events import (
    DeviceBack,
    DeviceLost,
    Paused,
    PhaseStarted,
    RepCounted,
    RepFailed,
    Resumed,
    SetStarted,
    StepStarted,
    VariationChanged,
)
from assistant.core.runner import DeviceChange, Recognized
from assistant.core.session import COUNT_GRACE_S
from tests.sessions import simulate


@pytest.fixture
def quiet():
    """The quick routine with nobody saying anything (run in the test's own data directory)."""
    return simulate("quick")


@pytest.fixture
def lowers(quiet):
    """When each descent starts in the quiet session: quick is 2 x 3 attempts."""
    return quiet.cue_times("lower")


def test_quick_session_without_words_counts_every_rep(quiet):
    s = quiet.summary
    assert [(x.perfect, x.failed, x.target) for x in s.sets] == [(3, 0, 3), (3, 0, 3)]
    assert (s.perfect_total, s.failed_total, s.stopped_early, s.reason) == (6, 0, False, "completed")
    assert quiet.counted() == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)]
    assert quiet.cues().count("rest") == 1
    assert s.duration_s == pytest.approx(quiet.events[-1].t)


def test_default_session_follows_the_domain_order():
    rec = simulate("leg-lift")
    steps = [e.exercise for e in rec.of(StepStarted)]
    assert steps == ["cat-cow", "tension-check", "plank"]
    cues = rec.cues()
    # reset, tension check, a gentle first rep to 45 degrees, then three working sets, then the plank
    order = [cues.index(c) for c in ("intro-cat-cow", "intro-tension-check", "lift-gentle", "ready", "intro-plank")]
    assert order == sorted(order)
    assert cues.count("guide-count") == 5  # five counted cat-cows
    assert [(x.perfect, x.target) for x in rec.summary.sets] == [(10, 10)] * 3
    assert [e.args["seconds"] for e in rec.said("rest")] == [60, 60, 30]  # and a breather before the plank
    # the gentle first rep is not a working set
    assert rec.summary.perfect_total == 30


def test_the_descent_is_counted_one_second_apart():
    rec = simulate("quick", sets=1, reps=1)
    start = rec.cue_times("lower")[0]
    counts = [(e.t - start, e.args["n"]) for e in rec.said("count") if e.t > start]
    assert counts == [(1.0, 2), (2.0, 1)]
    slow = simulate("quick", sets=1, reps=1, lower=4)
    lower = slow.said("lower")[0]
    assert [e.args["n"] for e in [lower] + [c for c in slow.said("count") if c.t > lower.t]] == [4, 3, 2, 1]
    assert slow.said("count")[-1].t - slow.said("lower")[0].t == 3.0


def test_arched_during_the_countdown_ends_that_rep_and_the_set_moves_on(lowers):
    rec = simulate("quick", say=((lowers[1] + 1.5, "arched"),))
    assert rec.failed() == [(1, 2)]
    assert rec.counted() == [(1, 1), (1, 3), (2, 1), (2, 2), (2, 3)]
    (failure,) = rec.of(RepFailed)
    assert failure.phase == "lower" and failure.descent_s == pytest.approx(1.5)
    assert rec.sets() == [(2, 1, 3), (3, 0, 3)]
    # the coach says so, then braces for the next attempt straight away
    after = rec.cues()[rec.cues().index("arched"):][:3]
    assert after[0] == "arched" and "brace" in after


def test_ten_attempts_with_four_arched_is_six_perfect_reps():
    # each arch shortens its attempt, so find each descent in the session as it is so far
    say: list[tuple[float, str]] = []
    for rep in (3, 5, 7, 10):
        so_far = simulate("quick", sets=1, reps=10, say=tuple(say))
        say.append((so_far.attempt_phase(1, rep) + 0.5, "arched"))
    rec = simulate("quick", sets=1, reps=10, say=tuple(say))
    assert rec.failed() == [(1, 3), (1, 5), (1, 7), (1, 10)]
    assert len(rec.failed()) == 4
    assert rec.sets() == [(6, 4, 10)]
    assert rec.summary.perfect_total == 6


def test_two_arched_reps_in_a_set_suggest_the_easier_variation_once():
    say: list[tuple[float, str]] = []
    for rep in (1, 2, 3):
        so_far = simulate("quick", reps=6, say=tuple(say))
        say.append((so_far.attempt_phase(1, rep) + 0.5, "arched"))
    rec = simulate("quick", reps=6, say=tuple(say))
    assert rec.failed() == [(1, 1), (1, 2), (1, 3)]
    suggestions = rec.said("suggest-easier")
    assert len(suggestions) == 1 and suggestions[0].args == {"variation": "single-leg"}
    assert suggestions[0].t == rec.of(RepFailed)[1].t  # right after the second arch


def test_done_ends_the_set_and_the_perfect_reps_so_far_count(lowers):
    rec = simulate("quick", say=((lowers[1] + 0.5, "done"),))
    assert rec.sets() == [(1, 0, 3), (3, 0, 3)]
    assert rec.summary.sets[0].target == 3


def test_done_in_a_rest_or_a_warm_up_step_goes_on_at_once(quiet):
    rest_at = quiet.cue_times("rest")[0]
    rec = simulate("quick", say=((rest_at + 1, "done"),))
    assert rec.cue_times("ready")[1] == pytest.approx(rest_at + 1)
    warm = simulate("leg-lift", sets=1, reps=1, say=((5, "done"),))
    assert warm.cue_times("intro-tension-check")[0] == pytest.approx(5)


def test_pause_in_a_rep_restarts_it_from_the_brace_and_it_counts_once(lowers):
    rec = simulate("quick", say=((lowers[0] + 1, "pause"), (lowers[0] + 30, "resume")))
    assert rec.counted() == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)]
    (resumed,) = rec.of(Resumed)
    assert resumed.restarted_rep
    braces = rec.cue_times("brace")
    assert lowers[0] + 30 in braces  # the brace cue again, the moment it resumes
    assert rec.of(Paused)[0].during == "lower"


def test_a_lost_microphone_pauses_the_rep_and_its_return_restarts_it(lowers):
    mic_lost, mic_back = DeviceChange("microphone", True, "it cannot be opened"), DeviceChange("microphone", False)
    rec = simulate("quick", say=((lowers[0] + 1, mic_lost), (lowers[0] + 40, mic_back)))
    assert rec.counted() == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)]
    (lost,) = rec.of(DeviceLost)
    assert (lost.device, lost.reason, lost.t) == ("microphone", "it cannot be opened", lowers[0] + 1)
    assert rec.of(Paused)[0].during == "lower" and rec.of(Resumed)[0].restarted_rep
    assert "paused" not in rec.cues()  # the microphone-lost line says why instead
    cues = rec.cues()
    assert cues.index("microphone-lost") < cues.index("microphone-back") < cues.index("resumed")
    assert rec.cue_times("resumed") == [lowers[0] + 40]


def test_a_device_back_does_not_resume_a_pause_the_person_asked_for():
    rec = simulate("quick", say=((1, "pause"), (2, DeviceChange("microphone", True, "gone")),
                                 (5, DeviceChange("microphone", False)), (30, "resume")))
    assert [e.t for e in rec.of(Resumed)] == [30]
    assert rec.summary.perfect_total == 6


def test_resume_waits_until_every_lost_device_is_back(lowers):
    speaker_lost, speaker_back = DeviceChange("speaker", True, "no sound"), DeviceChange("speaker", False)
    rec = simulate("quick", say=((lowers[1], speaker_lost), (lowers[1] + 1, "resume"),
                                 (lowers[1] + 9, speaker_back)))
    assert [e.t for e in rec.of(Resumed)] == [lowers[1] + 9]
    assert "microphone-lost" not in rec.cues() and "speaker-back" in rec.cues()
    assert [e.device for e in rec.of(DeviceBack)] == ["speaker"]
    assert rec.summary.perfect_total == 6


def test_pause_in_a_rest_continues_with_the_time_it_had_left(quiet):
    rest_at = quiet.cue_times("rest")[0]
    rec = simulate("quick", say=((rest_at + 4, "pause"), (rest_at + 100, "resume")))
    # 10 s rest: 4 s before the pause, 6 s after it, then the tone and set 2
    assert rec.cue_times("tone")[1] == pytest.approx(rest_at + 106)


def test_paused_session_ignores_done_and_hints_at_resume():
    rec = simulate("quick", say=((1, "pause"), (2, "done"), (3, "pause"), (4, "resume")))
    assert rec.cues().count("paused-hint") == 2
    assert rec.summary.perfect_total == 6


def test_stop_ends_with_a_spoken_summary_and_keeps_what_was_done(lowers):
    rec = simulate("quick", say=((lowers[2] + 5, "stop"),))
    s = rec.summary
    assert s.stopped_early and s.reason == "stopped"
    assert [(x.perfect, x.target) for x in s.sets] == [(3, 3)]
    assert rec.cues()[-3:] == ["stopped", "summary", "goodbye-early"]  # no "well done" after a stop


def test_stop_mid_set_keeps_the_reps_so_far(lowers):
    rec = simulate("quick", say=((lowers[1] + 0.5, "stop"),))
    assert [(x.perfect, x.failed, x.target) for x in rec.summary.sets] == [(1, 0, 3)]


def test_pain_stops_at_once_with_a_safety_message(lowers):
    rec = simulate("quick", say=((lowers[0] + 1, "pain"),))
    assert rec.summary.reason == "pain" and rec.summary.stopped_early
    assert "pain" in rec.cues() and rec.cue_times("pain")[0] == pytest.approx(lowers[0] + 1)
    assert rec.counted() == []


def test_repeat_says_the_last_cue_again(lowers):
    rec = simulate("quick", say=((lowers[0] + 0.5, "repeat"),))
    lower = rec.said("lower")
    assert lower[1].t == pytest.approx(lowers[0] + 0.5) and lower[1].args == lower[0].args


def test_easier_switches_variation_from_the_next_rep(quiet, lowers):
    rec = simulate("quick", say=((lowers[0] + 0.5, "easier"),))
    (change,) = rec.of(VariationChanged)
    assert (change.previous, change.variation) == ("straight-leg", "single-leg")
    assert change.t == pytest.approx(quiet.cue_times("brace")[1])  # not mid-rep: at the next brace
    assert rec.summary.variation == "single-leg"
    assert rec.of(SetStarted)[1].variation == "single-leg"


def test_easier_at_the_easiest_and_harder_at_the_hardest_say_so():
    assert "no-easier" in simulate("quick", variation="dead-bug", say=((4, "easier"),)).cues()
    assert "no-harder" in simulate("quick", variation="hanging", say=((4, "harder"),)).cues()


def test_easier_twice_walks_two_steps_down():
    rec = simulate("quick", say=((4, "easier"), (4.5, "easier")))
    assert rec.summary.variation == "bent-knee"


def test_single_leg_alternates_sides():
    rec = simulate("quick", variation="single-leg", sets=1, reps=4)
    sides = [e.args["side"] for e in rec.said("side/single-leg")]
    assert sides == ["left", "right", "left", "right"]


def test_form_reminders_come_now_and_then_not_every_rep():
    rec = simulate("quick", sets=1, reps=10)
    said = [c for c in rec.cues() if c in REMINDERS]
    assert len(said) == 3
    assert len(set(said)) == 3  # they rotate


def test_arched_outside_a_rep_is_a_form_reminder():
    rec = simulate("quick", say=((1, "arched"),))
    assert "form-reminder" in rec.cues() and rec.failed() == []


def test_a_per_set_summary_closes_the_session_with_full_talk(lowers):
    rec = simulate("quick", talk="full", say=((lowers[0] + 1, "arched"),))
    summary = [e.args for e in rec.said("summary-set")]
    assert summary == [{"set": 1, "perfect": 2, "target": 3}, {"set": 2, "perfect": 3, "target": 3}]


def test_script_running_out_while_paused_ends_the_session_and_keeps_the_reps(lowers):
    rec = simulate("quick", say=((lowers[3] + 0.5, "pause"),))
    assert rec.summary.reason == "input-ended"
    assert [(x.perfect, x.target) for x in rec.summary.sets] == [(3, 3), (0, 3)]


def test_long_rests_announce_the_time_left_and_short_ones_do_not(quiet):
    rec = simulate("quick", rest_s=60)
    rest_at = rec.cue_times("rest")[0]
    assert [(round(e.t - rest_at, 6), e.args["seconds"]) for e in rec.said("rest-left")] == [(30, 30)]
    # at 10 s left the next set is announced instead, with time to get into position
    assert [round(t - rest_at, 6) for t in rec.cue_times("ready")[1:]] == [60 - 3 - 5]
    assert quiet.said("rest-left") == []


def test_a_hold_counts_down_its_last_three_seconds():
    rec = simulate("leg-lift", sets=1, reps=1)
    plank = rec.cue_times("intro-plank")[0]
    # 4 s to get into position, a 30 s hold: halfway at 15 s, then 3-2-1 and relax
    halfway = [t - plank for t in rec.cue_times("halfway")]
    assert halfway == [19.0]
    assert rec.cue_times("step-done")[-1] - plank == 34.0


# -- commands are judged by when they were said, not when they were recognized ---------------------

def hover_ends(rec, set_number: int, rep: int) -> float:
    """When the hover of that attempt is over (its count comes COUNT_GRACE_S later)."""
    counted = next(e for e in rec.of(RepCounted) if (e.set, e.rep) == (set_number, rep))
    return counted.t - COUNT_GRACE_S


def heard(command: str, start: float, end: float) -> Recognized:
    return Recognized(Command(command), command, 0.9, start=start, end=end)


def test_a_rep_is_counted_once_late_words_about_it_have_had_time_to_arrive(quiet):
    ends = hover_ends(quiet, 1, 1)
    (phase,) = [e for e in quiet.of(PhaseStarted) if e.phase == "bottom" and e.t < ends][-1:]
    assert ends - phase.t == pytest.approx(1.0)  # the hover itself is as long as the tempo says
    assert quiet.cue_times("rep-counted")[0] == pytest.approx(ends + COUNT_GRACE_S)


def test_an_arched_said_at_the_end_of_the_hover_fails_that_rep_not_the_next(quiet):
    ends = hover_ends(quiet, 1, 2)
    # the back arched just before the hover was over; the recognizer reported it 0.3 s later
    rec = simulate("quick", say=((ends + 0.3, heard("arched", ends - 0.4, ends - 0.05)),))
    assert rec.failed() == [(1, 2)]
    assert rec.counted() == [(1, 1), (1, 3), (2, 1), (2, 2), (2, 3)]


def test_an_arched_recognized_after_the_count_is_not_charged_to_the_next_rep(quiet):
    counted_at = hover_ends(quiet, 1, 2) + COUNT_GRACE_S
    # recognized far too late for rep 2 (already counted): rep 3 has just begun and must not fail
    rec = simulate("quick", say=((counted_at + 0.5, heard("arched", counted_at - 0.6, counted_at - 0.2)),))
    assert rec.failed() == []
    assert rec.counted() == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)]
    assert "form-reminder" in rec.cues()


def test_an_arched_said_during_a_rep_but_recognized_in_the_next_phase_still_fails_it(lowers):
    rec = simulate("quick", say=((lowers[0] + 3.2, heard("arched", lowers[0] + 2.5, lowers[0] + 2.9)),))
    (failure,) = rec.of(RepFailed)
    assert (failure.set, failure.rep) == (1, 1)


def test_simulated_commands_end_when_their_time_says(quiet):
    """`simulate --say T:arched`: T is when the word ends; within the count's grace it fails that rep."""
    ends = hover_ends(quiet, 1, 1)
    rec = simulate("quick", say=((ends + COUNT_GRACE_S / 2, "arched"),))
    assert rec.failed() == [(1, 1)]


def test_done_said_while_getting_ready_does_not_end_the_set_that_follows(quiet):
    ready = next(e.t for e in quiet.of(PhaseStarted) if e.phase == "brace") - 0.01
    rec = simulate("quick", say=((ready + 0.4, heard("done", ready - 0.5, ready - 0.1)),))
    assert rec.sets()[0] == (3, 0, 3)


def test_done_after_the_hover_counts_that_rep_then_ends_the_set(quiet):
    ends = hover_ends(quiet, 1, 2)
    rec = simulate("quick", say=((ends + 0.2, "done"),))
    assert rec.sets()[0] == (2, 0, 3)  # reps 1 and 2 count; the set ends before rep 3
    assert rec.counted()[:2] == [(1, 1), (1, 2)]


def test_stop_after_the_hover_keeps_that_rep(quiet):
    ends = hover_ends(quiet, 1, 1)
    rec = simulate("quick", say=((ends + 0.1, "stop"),))
    assert rec.summary.perfect_total == 1 and rec.summary.reason == "stopped"

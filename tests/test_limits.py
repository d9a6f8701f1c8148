"""Limits as data (core/limits.py), plain placeholders (core/pack.py) and tight slots (core/slots.py)."""

import math

import pytest

from assistant.core.errors import PackError
from assistant.core.limits import ROUTINE, SAMPLE_RATE, SESSION_S, SPEED, TEMPO, Range
from assistant.core.pack import Line, Pack, Said, VoiceSettings, fill, placeholders
from assistant.core.plan import check_length, planned_seconds
from assistant.core.planner import GAP_S
from assistant.core.slots import misfits, tight_slots
from assistant.data import catalog
from tests.sessions import routine


@pytest.mark.parametrize("value,inside", [
    (1, True), (20, True), (0, False), (21, False), (2.5, False), (math.inf, False), (math.nan, False),
    (-math.inf, False), (True, False), ("3", False), (None, False),
])
def test_a_range_holds_finite_numbers_between_its_ends(value, inside):
    assert (value in ROUTINE["sets"]) is inside


def test_every_range_says_itself_and_holds_its_example():
    for limit in [*ROUTINE.values(), *TEMPO.values(), SPEED, SAMPLE_RATE]:
        assert limit.low <= float(limit.sample()) <= limit.high
        assert limit.describe().startswith(("a whole number from", "a number from"))
    assert Range(low=1, high=1e9, whole=True).describe() == "a whole number from 1 to 1,000,000,000"


def test_the_default_sessions_are_well_inside_the_session_limit():
    quick = routine("quick")  # 2 x 3 at 9 s a rep, 3 s to get ready, a 10 s rest leading into set 2
    assert planned_seconds(quick) == pytest.approx(3 + 2 * 3 * 9 + 10)
    assert 5 * 60 < planned_seconds(routine("leg-lift")) < 15 * 60
    check_length(routine("leg-lift"))
    assert planned_seconds(routine("leg-lift", sets=20, reps=100)) > SESSION_S.high


@pytest.mark.parametrize("text", ["{n:>99999999}", "{n!z}", "{side:d} side", "{}", "{0}", "{n.real}", "{n[0]}",
                                  "{n:{m}}", "{n!r:>3}"])
def test_only_plain_placeholders_are_placeholders(text):
    with pytest.raises(ValueError):
        placeholders(text)


def test_lines_are_filled_as_plain_text_with_literal_braces():
    assert placeholders("Lower {n}, {{not this}}") == {"n"}
    assert fill("Lower {n}, {{not this}}", {"n": 3}) == "Lower 3, {not this}"
    with pytest.raises(PackError, match="cannot be said"):
        fill("Lower {n:>9}", {"n": 3})  # a line that skipped validation fails in one line, never fills memory


def _pack(lines: dict[str, list[str]]) -> Pack:
    return Pack(source="test", voice=VoiceSettings(language="en", engine_voice="", rate=165, volume=1.0),
                cues={cue: tuple(Line(text=t) for t in texts) for cue, texts in lines.items()}, names={})


def test_a_line_too_long_for_the_countdown_is_a_misfit_at_its_longest():
    pack = _pack({"lower": ["Lower {n}.", "Slowly down now, {n}."], "count": ["{n}"]})
    seconds = {"Lower 6.": 0.8, "Slowly down now, 6.": 1.5}
    found = misfits(pack, tight_slots([]), lambda said: seconds.get(said.text, 0.4))
    (misfit,) = found
    assert misfit.line.text == "Slowly down now, {n}." and misfit.said == Said(text="Slowly down now, 6.")
    assert misfit.limit == pytest.approx(1.0 - GAP_S) and misfit.slot.cue == "lower"


def test_a_guided_count_must_fit_between_two_counts_of_its_routine():
    slots = tight_slots([routine("leg-lift")])
    (guide,) = [s for s in slots if s.cue == "guide-count"]
    assert guide.seconds == 6 and "leg-lift" in guide.why and len(guide.values) == 5


def test_the_shipped_lines_fit_their_slots_by_their_text_alone():
    # a quick guard (the real measurement with the voice is `cues check`): every countdown line is short
    for name in catalog.shipped_packs():
        pack = catalog.load_pack(name)
        for cue in ("lower", "count"):
            assert all(len(line.text) <= 10 for line in pack.cues[cue]), (name, cue)

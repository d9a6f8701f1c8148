"""Routines are data: the shipped ones load, and every mistake in a routine file names file, key and fix."""

import pytest

from assistant.core.errors import RoutineError
from assistant.core.routine import Count, FirstRep, Hold, RestStep, Sets
from assistant.data import catalog

VARIATIONS = catalog.load_variations()


def test_variations_run_from_easiest_to_hardest():
    assert VARIATIONS.ids() == ("dead-bug", "bent-knee", "single-leg", "straight-leg", "hanging")
    assert VARIATIONS.default == "straight-leg"
    assert VARIATIONS.step("dead-bug", -1) is None and VARIATIONS.step("hanging", +1) is None
    assert [v.id for v in VARIATIONS.order if v.sides] == ["dead-bug", "single-leg"]


def test_default_routine_matches_the_domain():
    r = catalog.find_routine(None, VARIATIONS)
    assert r.name == "leg-lift" and r.variation == "straight-leg"
    kinds = [type(s) for s in r.steps]
    assert kinds == [Count, Hold, FirstRep, Sets, RestStep, Hold]
    assert (r.steps[0].exercise, r.steps[0].count) == ("cat-cow", 5)
    assert r.steps[1].exercise == "tension-check" and r.steps[5].exercise == "plank"
    assert (r.steps[3].sets, r.steps[3].reps, r.steps[3].rest_s) == (3, 10, 60)
    assert r.steps[4].seconds == 30 and r.steps[5].knees  # a rest before the plank, and the knee plank offered
    assert (r.tempo.lift, r.tempo.lower) == (3, 3)  # lift slowly; lower over three seconds
    assert (r.talk, r.progress, r.breathing, r.hands_under_hips, r.stretch_after_pain) == \
        ("normal", "ask", True, True, True)


def test_quick_routine_is_two_sets_of_three_with_short_rests():
    r = catalog.find_routine("quick", VARIATIONS)
    assert [type(s) for s in r.steps] == [Sets]
    assert (r.steps[0].sets, r.steps[0].reps, r.steps[0].rest_s) == (2, 3, 10)


def test_user_routines_in_the_data_directory_are_found(matcoach_home):
    folder = matcoach_home / "routines"
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text('name = "mine"\n[[steps]]\nkind = "sets"\nsets = 1\nreps = 15\n')
    assert catalog.routine_files()["mine"].source == "user"
    assert catalog.find_routine("mine", VARIATIONS).steps[0].reps == 15


GOOD = '''name = "x"
[[steps]]
kind = "sets"
sets = 2
reps = 5
'''

# (file text, words the one-line error must contain: the key and the fix)
BAD = [
    ("", ["name is missing", 'add name = "..."']),
    ('name = "x"\n', ["steps is missing", "[[steps]]"]),
    ('name = "x"\nsteps = []\n', ["steps is empty", "add at least one"]),
    ('name = "x"\n[[steps]]\nkind = "sets"\nsets = "three"\nreps = 5\n',
     ["steps[0].sets", "whole number from 1 to 20", "'three'", "write sets = 3"]),
    ('name = "x"\n[[steps]]\nkind = "sets"\nsets = 0\nreps = 5\n', ["steps[0].sets", "from 1 to 20"]),
    # limits (assistant.core.limits): a session nobody can do is a typo
    ('name = "x"\n[[steps]]\nkind = "sets"\nsets = 3\nreps = 100000\n', ["steps[0].reps", "from 1 to 100", "100000"]),
    ('name = "x"\n[[steps]]\nkind = "sets"\nsets = 99999999999\nreps = 5\n', ["steps[0].sets", "from 1 to 20"]),
    ('name = "x"\n[[steps]]\nkind = "sets"\nsets = 3\nreps = 5\nrest_s = inf\n', ["steps[0].rest_s", "got inf"]),
    ('name = "x"\n[[steps]]\nkind = "sets"\nsets = 3\nreps = 5\nrest_s = nan\n', ["steps[0].rest_s", "got nan"]),
    ('name = "x"\nready_s = 1e300\n' + GOOD.split("\n", 1)[1], ["ready_s", "from 0 to 120 seconds"]),
    ('name = "x"\n[[steps]]\nkind = "hold"\nexercise = "plank"\nseconds = -inf\n', ["steps[0].seconds", "got -inf"]),
    ('name = "x"\n[[steps]]\nkind = "sets"\nsets = 20\nreps = 100\n',
     ["would last 5.3 hours", "at most 2 hours", "fewer sets or reps"]),
    ('name = "x"\n[[steps]]\nkind = "sets"\nsets = 2\nrep = 5\n', ["steps[0].reps is missing"]),
    ('name = "x"\n[[steps]]\nkind = "sets"\nsets = 2\nreps = 5\nrest = 30\n',
     ["unknown key steps[0].rest", "did you mean 'rest_s'"]),
    ('name = "x"\n[[steps]]\nkind = "sprint"\n', ["steps[0].kind", "'sprint' is unknown", "use one of: count"]),
    ('name = "x"\n[[steps]]\nkind = "hold"\nexercise = "bridge"\nseconds = 10\n',
     ["steps[0].exercise", "'bridge' is unknown", "cat-cow, hip-stretch, plank, tension-check"]),
    ('name = "x"\nvariation = "flutter"\n' + GOOD.split("\n", 1)[1],
     ["variation", "'flutter' is unknown", "straight-leg"]),
    ('name = "x"\nvariation = "straigt-leg"\n' + GOOD.split("\n", 1)[1], ["did you mean 'straight-leg'"]),
    (GOOD + '[tempo]\nlower = 10\n', ["tempo.lower", "from 2 to 6", "write lower = 3"]),
    (GOOD + '[tempo]\nlower = 2.5\n', ["tempo.lower", "whole number"]),
    (GOOD + '[tempo]\nlift = -1\n', ["tempo.lift", "from 0.5 to 15 seconds"]),
    (GOOD + '[tempo]\nbrace = 1e300\n', ["tempo.brace", "from 0.5 to 15 seconds", "write brace = 2"]),
    ('tempo = 3\n' + GOOD, ["tempo must be a table", "write it as [tempo]"]),
    ('name = "x"\n[[steps]\n', ["is not valid TOML", "line 2"]),
    ('name = "x"\nsteps = ["sets"]\n', ["steps[0]", "must be a table"]),
]


@pytest.mark.parametrize("text,words", BAD, ids=[w[0] for _, w in BAD])
def test_bad_routine_files_say_what_and_how_to_fix(tmp_path, text, words):
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(RoutineError) as raised:
        catalog.find_routine(str(path), VARIATIONS)
    message = str(raised.value)
    assert "\n" not in message and message.startswith(str(path))
    for word in words:
        assert word in message, message


def test_missing_routine_names_the_known_ones():
    with pytest.raises(RoutineError, match="no routine named 'legday'.*leg-lift, quick"):
        catalog.find_routine("legday", VARIATIONS)
    with pytest.raises(RoutineError, match="no such routine file"):
        catalog.find_routine("nowhere/legday.toml", VARIATIONS)


def test_not_utf8_is_a_clear_error(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "café"\n'.encode("latin-1"))
    with pytest.raises(RoutineError, match="not UTF-8"):
        catalog.find_routine(str(path), VARIATIONS)


def test_overrides_change_only_the_working_sets():
    r = catalog.find_routine("leg-lift", VARIATIONS).with_overrides(sets=4, reps=12, rest_s=30, lower=4)
    (sets,) = r.working_sets()
    assert (sets.sets, sets.reps, sets.rest_s, r.tempo.lower) == (4, 12, 30, 4)
    assert r.steps[0].count == 5

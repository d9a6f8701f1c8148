"""voices/ and grammars/: complete for every cue and command, and clear errors when they are not."""

import re
import tomllib

import pytest

from assistant.core.commands import Command
from assistant.core.cues import EXAMPLE_PARAMS as CORE_EXAMPLES
from assistant.core.cues import NUMBER_PARAMS
from assistant.core.errors import GrammarError, PackError
from assistant.core.pack import placeholders
from assistant.core.plurals import Plural, category, usable_in
from assistant.data import catalog, paths
from assistant.data.enroll_cues import ENROLLMENT_EXAMPLES
from assistant.data.grammars import parse_grammar
from assistant.data.packcheck import check_pack_file
from assistant.data.packs import parse_pack, parse_user_pack

KNOWN = catalog.known_cues()  # the session's cues and guided enrollment's
EXAMPLE_PARAMS = {**CORE_EXAMPLES, **ENROLLMENT_EXAMPLES}
PACKS = sorted(paths.shipped("voices").glob("*.toml"))


def test_every_language_has_a_pack_and_a_grammar():
    assert [p.stem for p in PACKS] == ["en", "ko"]
    for language in ("en", "ko"):
        assert catalog.load_grammar(language).language == catalog.load_pack(language).voice.language == language


@pytest.mark.parametrize("path", PACKS, ids=[p.stem for p in PACKS])
def test_every_shipped_pack_says_every_cue_the_core_can_emit(path):
    pack = catalog.load_pack(path.stem)
    assert set(pack.cues) == set(KNOWN)
    for cue, params in KNOWN.items():
        said = pack.lines(cue, {p: EXAMPLE_PARAMS[p] for p in params})
        assert len(said) == len(pack.cues[cue])
        for line, rendered in zip(pack.cues[cue], said, strict=True):
            if cue == "tone":  # the one recording: a short tone, shipped beside the packs
                assert line.wav is not None and line.wav.is_file()
                continue
            assert line.wav is None and placeholders(line.text) <= set(params) | set(usable_in(pack.plurals, params))
            assert rendered.text.strip() and "{" not in rendered.text, (cue, rendered)


def test_names_are_said_in_the_packs_language():
    (english,) = catalog.load_pack("en").lines("suggest-easier", {"variation": "bent-knee"})
    assert english.text == "That's two arched. Say easier to switch to bent-knee leg lifts."
    (korean,) = catalog.load_pack("ko").lines("suggest-easier", {"variation": "bent-knee"})
    assert "무릎 굽힌 다리 들기" in korean.text


def _pack(text: str, complete: bool = False):
    return parse_pack(tomllib.loads(text), source="voices/xx.toml", known=KNOWN, complete=complete)


VOICE = '[voice]\nlanguage = "en"\n'
BAD_PACKS = [
    ('[cues]\nbrace = ["Back down."]\n', ["[voice] is missing"]),
    (VOICE, ["[cues] is missing"]),
    (VOICE + '[cues]\nflex = ["Flex."]\n', ["cue 'flex' is not a cue the coach says", "matcoach cues list"]),
    (VOICE + '[cues]\nsummary-empty = ["Bye."]\n', ["cue 'summary-empty' is now called 'stopped-empty'",
                                                  "rename it to stopped-empty"]),
    (VOICE + '[cues]\nbrace = []\n', ["cue 'brace' needs text", 'brace = ["..."]']),
    (VOICE + '[cues]\nbrace = ["  "]\n', ["cue 'brace' needs text"]),
    (VOICE + '[cues]\nrest = ["Rest {secs} seconds."]\n', ["unknown placeholder {secs}", "{seconds}"]),
    (VOICE + '[cues]\nrest = ["Rest {seconds seconds."]\n', ["broken placeholder"]),
    ('[voice]\nlanguage = "en"\nrate = 1000\n[cues]\n', ["voice.rate", "60 to 400"]),
]


@pytest.mark.parametrize("text,words", BAD_PACKS, ids=[w[0] for _, w in BAD_PACKS])
def test_bad_packs_say_what_and_how_to_fix(text, words):
    with pytest.raises(PackError) as raised:
        _pack(text)
    message = str(raised.value)
    assert message.startswith("voices/xx.toml: ") and "\n" not in message
    for word in words:
        assert word in message, message


def test_a_complete_pack_must_cover_every_cue():
    with pytest.raises(PackError, match=r"cues .* have no text; add .* under \[cues\]"):
        _pack(VOICE + '[cues]\nbrace = ["Back down."]\n', complete=True)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_shipped_grammars_map_phrases_to_every_command(language):
    grammar = catalog.load_grammar(language)
    assert set(grammar.phrases.values()) == set(Command.names()) | {"start"}
    assert grammar.fillers and not set(grammar.fillers) & set(grammar.phrases)
    assert grammar.command_for("banana") is None


def test_phrases_are_matched_whatever_the_case_and_spacing():
    grammar = catalog.load_grammar("en")
    assert grammar.command_for("My  back ARCHED") == "arched"
    assert grammar.command_for("hold on") == "pause"
    assert catalog.load_grammar("ko").command_for("잠깐") == "pause"


def test_words_missing_from_a_models_vocabulary_are_named():
    grammar = catalog.load_grammar("en")
    with pytest.raises(GrammarError) as raised:
        grammar.check_vocabulary(lambda w: w not in ("arched", "ouch"), "the tiny model")
    message = str(raised.value)
    assert "2 word(s) are not in the vocabulary of the tiny model: arched, ouch" in message
    assert "'arched'" in message and "replace them" in message and "\n" not in message


BAD_GRAMMARS = [
    ('[commands]\ndone = ["done"]\n', ["language is missing"]),
    ('language = "en"\n', ["[commands] is missing"]),
    ('language = "en"\n[commands]\njump = ["jump"]\n', ["unknown command 'jump'", "use one of: done"]),
    ('language = "en"\n[commands]\ndone = ["done", ""]\n', ["commands.done has an empty phrase"]),
    ('language = "en"\n[commands]\ndone = ["stop"]\nstop = ["stop"]\n',
     ["'stop' is listed for both 'done' and 'stop'"]),
    ('language = "en"\n[commands]\ndone = ["done"]\n', ["no phrases for arched", 'add arched = ["arched"]']),
    ('language = "en"\nfillers = "the"\n[commands]\n', ["fillers must be a list"]),
    ('language = "en"\nfillers = ["the", ""]\n[commands]\n', ["fillers has an empty or non-text entry"]),
    ('language = "en"\nfillers = ["done"]\n[commands]\ndone = ["done"]\n', ["filler 'done' is also a 'done' phrase"]),
]


@pytest.mark.parametrize("text,words", BAD_GRAMMARS, ids=[w[0] for _, w in BAD_GRAMMARS])
def test_bad_grammars_say_what_and_how_to_fix(text, words):
    import tomllib
    with pytest.raises(GrammarError) as raised:
        parse_grammar(tomllib.loads(text), source="grammars/xx.toml")
    message = str(raised.value)
    assert message.startswith("grammars/xx.toml: ")
    for word in words:
        assert word in message, message


# -- numbers that agree: plural forms in the pack format ------------------------------------------

@pytest.mark.parametrize("cue,params,text", [
    ("rest", {"seconds": 1}, "Rest 1 second."),
    ("rest", {"seconds": 60}, "Rest 60 seconds."),
    ("welcome", {"routine": "leg-lift", "variation": "bent-knee", "sets": 1, "reps": 1},
     "Today: 1 set of 1, bent-knee leg lifts."),
    ("welcome", {"routine": "leg-lift", "variation": "bent-knee", "sets": 3, "reps": 12},
     "Today: 3 sets of 12, bent-knee leg lifts."),
    ("ready", {"set": 1, "sets": 1, "reps": 1}, "Set 1 of 1, 1 rep."),
    ("summary", {"perfect": 1, "attempts": 3}, "In all: 1 perfect rep of 3."),
    ("welcome-back", {"days": 9}, "Welcome back: 9 days since last time. Two or three sessions a week keeps the "
                                  "progress."),
])
def test_english_numbers_agree(cue, params, text):
    assert catalog.load_pack("en").lines(cue, params)[0].text == text


@pytest.mark.parametrize("name", ["en", "ko"])
def test_no_shipped_line_says_one_with_a_plural(name):
    pack = catalog.load_pack(name)
    for cue, params in KNOWN.items():
        values = {p: 1 if p in NUMBER_PARAMS else EXAMPLE_PARAMS[p] for p in params}
        for said in pack.lines(cue, values):
            assert not re.search(r"\b1 (sets|reps|seconds|days|perfect reps|attempts)\b", said.text), (cue, said.text)


def test_plural_categories_follow_the_packs_language():
    assert [category("en", n) for n in (0, 1, 2)] == ["other", "one", "other"]
    assert [category("ko", n) for n in (1, 2)] == ["other", "other"]
    assert [category("fr", n) for n in (0, 1, 2)] == ["one", "one", "other"]
    assert [category("ru", n) for n in (1, 3, 5, 11, 21)] == ["one", "few", "many", "many", "one"]


def test_a_form_may_be_exact_and_may_say_the_number():
    native = Plural(of="n", forms={"1": "한 개", "3": "세 개", "other": "{n}개"})
    assert [native.say(n, "ko") for n in (1, 3, 7)] == ["한 개", "세 개", "7개"]


def test_a_user_pack_uses_the_shipped_plurals_and_its_own(tmp_path):
    user = tmp_path / "voices" / "en.toml"
    user.parent.mkdir()
    user.write_text('[plurals]\nleft_word = { of = "left", one = "attempt", other = "attempts" }\n'
                    '[cues]\nto-go = ["{left} more {left_word}."]\nrest = ["Breathe, {seconds} {seconds_word}."]\n')
    parsed = parse_user_pack(tomllib.loads(user.read_text()), source=str(user), known=KNOWN, folder=user.parent,
                             inherited=catalog.load_shipped_pack("en").plurals)
    pack = catalog.load_shipped_pack("en").overlaid(parsed)
    assert pack.lines("to-go", {"left": 2})[0].text == "2 more attempts."
    assert pack.lines("rest", {"seconds": 1})[0].text == "Breathe, 1 second."
    assert check_pack_file(user, known=KNOWN, complete=False,
                           inherited=catalog.load_shipped_pack("en").plurals) == []


PLURALS = '[voice]\nlanguage = "en"\n[plurals]\n'
BAD_PLURALS = [
    (PLURALS + 'w = { of = "seconds", one = "second" }\n', ["plurals.w has no other form", 'add other = "..."']),
    (PLURALS + 'w = { of = "secs", other = "s" }\n', ["plurals.w.of 'secs' is unknown", "use one of:"]),
    (PLURALS + 'set = { of = "sets", other = "sets" }\n', ["plurals.set is a cue parameter already"]),
    (PLURALS + 'w = { of = "sets", lots = "sets", other = "sets" }\n', ["unknown key plurals.w.lots"]),
    (PLURALS + 'w = { of = "sets", other = "{reps} sets" }\n', ["plurals.w.other may only use {sets}"]),
    (PLURALS + 'w = { of = "seconds", other = "s" }\n[cues]\nready = ["Set {set}, {w}."]\n',
     ["cue 'ready' uses unknown placeholder {w}", "use only: {set}, {sets}, {reps}"]),
]


@pytest.mark.parametrize("text,words", BAD_PLURALS, ids=[w[0] for _, w in BAD_PLURALS])
def test_bad_plurals_say_what_and_how_to_fix(text, words):
    with pytest.raises(PackError) as raised:
        _pack(text)
    message = str(raised.value)
    assert message.startswith("voices/xx.toml: ") and "\n" not in message
    for word in words:
        assert word in message, message


def test_the_check_fails_a_pack_without_a_variations_own_line(tmp_path):
    shipped = paths.shipped("voices") / "en.toml"
    broken = tmp_path / "en.toml"
    broken.write_text("\n".join(line for line in shipped.read_text().splitlines()
                                if not line.startswith('"brace/hanging"')))
    (tmp_path / "tones").mkdir()
    (tmp_path / "tones" / "go.wav").write_bytes((shipped.parent / "tones" / "go.wav").read_bytes())
    problems = check_pack_file(broken, known=KNOWN, complete=True)
    assert problems == [f'{broken}: cues brace/hanging have no text; add "brace/hanging" = ["..."] under [cues] '
                        f'(hanging says brace its own way: see variations.toml)']

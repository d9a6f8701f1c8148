"""Words that agree with a number ("1 set", "2 sets"), as a voice pack declares them (pure).

A pack's ``[plurals]`` table defines extra placeholders. Each one follows a number parameter
(``of``) and says one of its forms: the form for that exact number if the pack gives one
(``"0" = "no reps"``), else the form for the number's plural category in the pack's language
(``one``, ``two``, ``few``, ``many``, ``other``), else ``other``. A form may repeat the number
itself as ``{<of>}``: Korean native numerals (``"3" = "세 개"``), "one second" spelled out.
"""

from collections.abc import Mapping
from dataclasses import dataclass

CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def _one_if_one(n: int) -> str:
    return "one" if n == 1 else "other"


def _one_if_zero_or_one(n: int) -> str:
    return "one" if n in (0, 1) else "other"


def _slavic(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "few"
    return "many"


def _none(n: int) -> str:
    return "other"


# CLDR's cardinal rules for whole numbers, for the languages a pack is likely to be written in;
# any other language gets English's rule (exact-number forms cover the rest).
_RULES = {
    "ko": _none, "ja": _none, "zh": _none, "vi": _none, "th": _none, "id": _none,
    "fr": _one_if_zero_or_one, "pt": _one_if_zero_or_one,
    "ru": _slavic, "uk": _slavic,
}


def category(language: str, n: int) -> str:
    """The plural category of a whole number ``n`` in ``language`` (a code such as "en" or "ko-KR")."""
    return _RULES.get(language.split("-")[0].lower(), _one_if_one)(abs(int(n)))


@dataclass(frozen=True, kw_only=True)
class Plural:
    """One placeholder that agrees with the number parameter ``of``."""

    of: str
    forms: Mapping[str, str]  # "other", a category, or an exact number ("1") -> text

    def say(self, n: int, language: str) -> str:
        exact = self.forms.get(str(n))
        text = exact if exact is not None else self.forms.get(category(language, n), self.forms["other"])
        return text.replace("{" + self.of + "}", str(n))


def agreeing(plurals: Mapping[str, Plural], params: Mapping[str, object], language: str) -> dict[str, str]:
    """The values of every plural placeholder whose number is among ``params``."""
    return {name: p.say(int(params[p.of]), language) for name, p in plurals.items()  # type: ignore[call-overload]
            if isinstance(params.get(p.of), int) and not isinstance(params.get(p.of), bool)}


def usable_in(plurals: Mapping[str, Plural], params: tuple[str, ...]) -> tuple[str, ...]:
    """The plural placeholders a cue with these parameters may use."""
    return tuple(name for name, p in plurals.items() if p.of in params)

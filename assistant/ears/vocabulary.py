"""What the command models know of a language: the commands in a fixed order, and everything the
coach can say (its own voice is a known negative for every model that listens)."""

import random
from dataclasses import dataclass

from assistant.core.commands import START
from assistant.core.errors import PackError
from assistant.core.grammar import Grammar
from assistant.core.pack import Pack, placeholders


def command_ids(grammar: Grammar) -> list[str]:
    """The grammar's commands in file order, "start" last: a command model's classes 1..N."""
    ids = list(dict.fromkeys(grammar.phrases.values()))
    return [c for c in ids if c != START] + ([START] if START in ids else [])


def phrases_of(grammar: Grammar) -> dict[str, list[str]]:
    """Each command's phrases, start-variation phrases among "start"'s."""
    out: dict[str, list[str]] = {c: [] for c in command_ids(grammar)}
    for phrase, command in grammar.phrases.items():
        out[command].append(phrase)
    return out


@dataclass(frozen=True)
class CoachVoice:
    """The espeak-ng voice and speed the coach speaks with (the voice pack's)."""

    engine_voice: str
    rate: int


def coach_voice(pack: Pack) -> CoachVoice:
    return CoachVoice(engine_voice=pack.voice.engine_voice or pack.voice.language, rate=int(pack.voice.rate))


def _values(rng: random.Random, pack: Pack) -> dict:
    """Plausible values for a line's placeholders."""
    variations = [k for k in pack.names if k not in ("left", "right", "quick", "leg-lift")] or ["leg lifts"]
    sets = rng.choice([2, 3, 3, 4])
    target = rng.choice([8, 10, 10, 12, 15])
    side = rng.choice(["left", "right"])
    return {
        "n": rng.randint(1, 15), "seconds": rng.choice([3, 5, 10, 15, 20, 30, 45, 60, 90]),
        "set": rng.randint(1, sets), "sets": sets, "reps": target, "target": target,
        "perfect": rng.randint(0, target), "attempts": target + rng.randint(0, 5), "failed": rng.randint(0, 4),
        "days": rng.randint(2, 14), "sessions": rng.randint(2, 5), "aim": rng.randint(5, 15),
        "left": rng.randint(1, 5), "weight": rng.choice([1, 2, 3]), "descent": rng.choice([3, 4]),
        "variation": pack.say_name(rng.choice(variations)), "side": pack.say_name(side),
        "other": pack.say_name("right" if side == "left" else "left"),
        "routine": pack.say_name(rng.choice(["leg-lift", "quick"])),
    }


GUIDE_ONLY = "enroll-"   # said only while enrolling, when nothing listens for commands


def coach_lines(pack: Pack, *, fillings: int = 3, seed: int = 0) -> list[str]:
    """Every line the coach can say with ``pack`` while it listens (recordings aside), placeholders filled
    with ``fillings`` sets of plausible values (lines without placeholders once)."""
    rng = random.Random(seed)
    out: list[str] = []
    for cue in sorted(pack.cues):
        if cue.startswith(GUIDE_ONLY):
            continue
        lines = [line for line in pack.cues[cue] if line.wav is None]
        if not lines:
            continue
        varied = any(placeholders(line.text) for line in lines)
        for _ in range(fillings if varied else 1):
            values = _values(rng, pack)
            needed = set().union(*(placeholders(line.text) for line in lines))
            values.update({name: 3 for name in needed if name not in values})
            try:
                out += [said.text for said in pack.lines(cue, values) if said.wav is None]
            except PackError:
                continue
    return list(dict.fromkeys(" ".join(text.split()) for text in out if text.strip()))

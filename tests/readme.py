"""Reading the README as a newcomer does: its shell commands, in order, and its TOML examples.

What the README test runs instead of a command that never ends or changes the machine, and which
commands must fail here (no audio devices, no files from the internet), is data below, so the test
keeps up when the README gains commands.
"""

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

# Commands that never end or change the host, and what runs instead (CONTRACTS: The README test).
#   "parse": the options are parsed as the program would (unknown ones fail), then `--help` runs
#   "help":  `--help` runs
#   a tuple: these words replace the command's first words (its own dry run)
INSTEAD: tuple[tuple[tuple[str, ...], object, str], ...] = (
    (("serve",), "parse", "waits for a start phrase until stopped"),
    (("service", "install"), ("service", "show"), "installs a systemd unit: `service show` prints the same unit"),
    (("service", "remove"), "help", "disables and deletes the systemd unit"),
    (("models", "download"), "help", "downloads from the internet"),
)

# Commands that must fail on this machine, with one line that says why: (pattern, why).
FAILS_HERE: tuple[tuple[str, str], ...] = (
    (r"^listen(?!.*--file)", "no microphone here"),
    (r"^(start|listen|serve|simulate|cues preview)\b.*--(input|output)-device", "the named device is not here"),
    (r"^cues preview(?!.*--out)", "no speaker here"),
    (r"^simulate\b.*--play", "no speaker here"),
    (r"^models install\b", "the archive comes from the internet"),
    (r"^enroll(?!.*(--take|\blist\b|\bremove\b|--help))", "guided enrollment needs a microphone and a speaker"),
    (r"^models remove NAME$", "NAME stands for an installed model's name"),
)

# Output options: the file after one is written, not read, so the test does not make it.
OUTPUTS = ("--out", "--out-wav", "--plot", "--record-audio", ">")


@dataclass(frozen=True)
class Shown:
    """One command line of a README code block."""

    line: str
    env: dict[str, str] = field(default_factory=dict)
    words: tuple[str, ...] = ()
    redirected: bool = False

    @property
    def program(self) -> str:
        return self.words[0] if self.words else ""


def code_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced code block."""
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.M | re.S)]


def commands(text: str) -> list[Shown]:
    """Every command of the shell code blocks, comments removed, ``VAR=value`` prefixes as environment."""
    found = []
    for language, body in code_blocks(text):
        if language not in ("sh", "bash", "shell", "console"):
            continue
        for line in body.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if not words:
                continue
            env = {}
            while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
                name, _, value = words.pop(0).partition("=")
                env[name] = value
            redirected = ">" in words
            if redirected:
                words = words[:words.index(">")]
            found.append(Shown(line=line.split("  #")[0].strip(), env=env, words=tuple(words),
                               redirected=redirected))
    return found


def toml_examples(text: str) -> list[str]:
    return [body for language, body in code_blocks(text) if language == "toml"]


def error_lines(text: str) -> list[str]:
    """The program's messages the README quotes, in untagged blocks."""
    return [line for language, body in code_blocks(text) if language == ""
            for line in body.splitlines() if line.startswith("matcoach: error:")]


def matcoach_args(shown: Shown) -> list[str] | None:
    """The arguments of a matcoach command (``.venv/bin/matcoach``, ``matcoach``, ``.venv/bin/python -m
    assistant``), or None when the line runs another program."""
    words = list(shown.words)
    if shown.program in (".venv/bin/matcoach", "matcoach"):
        return words[1:]
    if words[:1] in ([".venv/bin/python"], [".venv/bin/python3"]) and words[1:3] == ["-m", "assistant"]:
        return words[3:]
    return None


def instead(args: list[str]) -> tuple[object, str] | None:
    for prefix, replacement, why in INSTEAD:
        if tuple(args[:len(prefix)]) == prefix:
            return replacement, why
    return None


def must_fail(args: list[str]) -> str | None:
    joined = " ".join(args)
    return next((why for pattern, why in FAILS_HERE if re.search(pattern, joined)), None)


def input_files(args: list[str]) -> list[tuple[str, str]]:
    """(path, word to say) for every WAV the command reads: ``take.wav``, ``--take done=take.wav``."""
    wanted = []
    for before, word in zip(["", *args], args):
        if before in OUTPUTS:
            continue
        match = re.fullmatch(r"(?:([a-z-]+)=)?([^=]+\.wav)", word)
        if match:
            wanted.append((match.group(2), match.group(1) or "done"))
    return wanted

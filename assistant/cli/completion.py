"""``matcoach completion bash|zsh``: a shell completion script, generated from the command line itself
(shtab), so it always knows every command and option of this version."""

import argparse
import shlex
from collections.abc import Iterator
from pathlib import Path

SHELLS = ("bash", "zsh")
HOW = {
    "bash": "matcoach completion bash > ~/.local/share/bash-completion/completions/matcoach",
    "zsh": "matcoach completion zsh > ~/.zfunc/_matcoach  (with fpath+=(~/.zfunc) before compinit in ~/.zshrc)",
}


def add_completion_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "completion", help="print the shell completion script (bash or zsh)",
        description="Print a completion script for your shell. Install it once: " + "; ".join(HOW.values())
                    + ". Then open a new shell.")
    p.add_argument("shell", choices=SHELLS)
    p.set_defaults(run=run_completion, check_settings=False)


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases share a parser
                yield from _parsers(sub)


def _words(name: str, words: list[str], files: str | None = None) -> dict:
    """Complete ``words`` (known when the script is made), and files matching ``files`` too."""
    function = f"_matcoach_{name}"
    listed = shlex.quote(" ".join(words))
    bash = f"{function}() {{\n  compgen -W {listed} -- \"$1\"\n"
    zsh = f"{{compadd -- {' '.join(shlex.quote(w) for w in words)}"
    if files:
        bash += f"  compgen -f -X '!{files}' -- \"$1\"\n  compgen -d -- \"$1\"\n"
        zsh += f"; _files -g '{files}'"
    return {"bash": function, "zsh": zsh + "}", "preamble": {"bash": bash + "}\n"}}


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    import shtab

    from assistant.data import catalog

    hints = {"--voice": _words("voices", catalog.shipped_packs()),
             "--language": _words("languages", catalog.languages()),
             "--routine": _words("routines", sorted(catalog.routine_files()), "*.toml")}
    for each in _parsers(parser):
        for action in each._actions:
            if action.type is Path:  # whatever takes a path completes file names
                action.complete = shtab.FILE  # type: ignore[attr-defined]
            for option in action.option_strings:
                if option in hints:
                    action.complete = hints[option]  # type: ignore[attr-defined]
    return shtab.complete(parser, shell=shell)


def run_completion(args: argparse.Namespace) -> int:
    from assistant.cli.main import build_parser

    print(script(args.shell, build_parser()))
    return 0

"""``matcoach enroll``: teach the coach your voice (guided by voice, or from recorded takes), list what
is enrolled, remove it."""

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.cli.terminal import note
from assistant.core.errors import MatcoachError
from assistant.core.grammar import Grammar
from assistant.data import catalog, paths

log = logging.getLogger(__name__)
TAKES_PER_COMMAND = 3


class TakeSpecError(MatcoachError):
    """A --take that does not say COMMAND=FILE.wav with a known command."""


def add_enroll_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "enroll", help="teach the coach your voice: takes of each command, a personal model",
        description="Teach the coach your own voice, in any language with a grammar. Without --take the coach "
                    "guides you by voice: lie on the mat, and say each command a few times when asked. With "
                    "--take COMMAND=FILE.wav it learns from recordings (any WAV rate or channels); new takes are "
                    "added to the ones kept before. The takes are the only audio matcoach keeps without being "
                    "asked: they stay in the data directory until `matcoach enroll remove` deletes them. "
                    "listen, start and serve use the enrollment of their language from then on.")
    p.add_argument("--take", action="append", default=[], metavar="COMMAND=FILE.wav",
                   help="a recording of COMMAND (done, arched, pause, ...: the grammar's command ids), repeatable")
    p.add_argument("--language", "--lang", metavar="LANG",
                   help="the language enrolled: a grammar (shipped, or yours in the configuration folder)")
    p.add_argument("--input-device", metavar="INDEX|NAME", help="guided: the microphone (default: the system's)")
    p.add_argument("--output-device", metavar="INDEX|NAME", help="guided: the speaker (default: the system's)")
    p.set_defaults(run=run_enroll)
    actions = p.add_subparsers(dest="enroll_action", metavar="ACTION")
    shown = actions.add_parser("list", help="what is enrolled: languages, commands, takes",
                               description="List the enrolled commands per language, with how many takes each has.")
    shown.add_argument("--json", action="store_true",
                       help='one JSON array of {"language", "command", "takes", "files"} ([] when nothing)')
    shown.set_defaults(run=run_list)
    gone = actions.add_parser("remove", help="delete enrolled takes (one command, or --all)",
                              description="Delete the takes of COMMAND in the language (--language) and fit the "
                                          "personal model again from what is left; --all deletes every take and "
                                          "model in every language.")
    gone.add_argument("command_id", nargs="?", metavar="COMMAND", help="the command whose takes go")
    gone.add_argument("--all", action="store_true", help="every take and personal model, every language")
    gone.add_argument("--language", "--lang", metavar="LANG", help="the language (default: en)")
    gone.set_defaults(run=run_remove)


def _command_ids(grammar: Grammar) -> list[str]:
    from assistant.ears.vocabulary import command_ids

    return command_ids(grammar)


def parse_takes(specs: list[str], grammar: Grammar) -> dict[str, list[Path]]:
    """COMMAND=FILE.wav options as files per command; TakeSpecError names the bad one."""
    known = _command_ids(grammar)
    takes: dict[str, list[Path]] = {}
    for spec in specs:
        command, sep, file = spec.partition("=")
        command = command.strip()
        if not sep or not command or not file:
            raise TakeSpecError(f"--take {spec!r}: write it as COMMAND=FILE.wav, e.g. --take done=done-1.wav")
        if command not in known:
            raise TakeSpecError(f"--take {spec!r}: {command!r} is not a command of the {grammar.language!r} grammar; "
                                f"use one of: {', '.join(known)}")
        takes.setdefault(command, []).append(Path(file).expanduser())
    return takes


def run_enroll(args: argparse.Namespace) -> int:
    grammar = catalog.load_grammar(args.language)
    pack = catalog.load_pack(args.voice)
    if not args.take:
        from assistant.live.enrolling import guided_enrollment

        return guided_enrollment(grammar, pack, input_device=args.input_device, output_device=args.output_device,
                                 takes=TAKES_PER_COMMAND, tell=note)
    from assistant.ears.enrollment import EnrollmentError, add_takes
    from assistant.ears.takes import read_take

    files = parse_takes(args.take, grammar)
    audio = {command: [read_take(path) for path in paths_] for command, paths_ in files.items()}
    log.info("checking %d takes and fitting the personal model (%s)", len(args.take), grammar.language)
    try:
        done = add_takes(grammar, pack, audio)
    except EnrollmentError as e:
        refused = [f"take {c.command}={files[c.command][c.index]} not kept: {c.reason}" for c in e.checks if not c.ok]
        for line in refused[:-1]:
            print(f"matcoach: {line}", file=sys.stderr)
        raise EnrollmentError(f"{refused[-1]}; {e}" if refused else str(e)) from None
    for check in done.checks:
        if not check.ok:
            print(f"matcoach: take {check.command}={files[check.command][check.index]} not kept: {check.reason}",
                  file=sys.stderr)
    print(f"enrolled {len(done.kept)} take{'s' if len(done.kept) != 1 else ''} ({grammar.language}); the personal "
          f"model knows {done.commands} command{'s' if done.commands != 1 else ''} from {done.takes} takes, "
          f"fitted in {done.seconds:.1f} s")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from assistant.ears.enrollment import enrolled, enrollment_dir

    entries = enrolled()
    if args.json:
        print(json.dumps([e.as_json() for e in entries], ensure_ascii=False))
        return 0
    if not entries:
        print("nothing enrolled yet; `matcoach enroll` teaches the coach your voice (or, from recordings, "
              "`matcoach enroll --take done=done.wav ...`)")
        return 0
    for e in entries:
        print(f"{e.language:6s} {e.command:10s} {len(e.takes)} take{'s' if len(e.takes) != 1 else ''}")
    print(f"kept in {paths.shown(enrollment_dir())}; `matcoach enroll remove COMMAND` or `--all` deletes them")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from assistant.ears.enrollment import remove

    if args.all == (args.command_id is not None):
        raise TakeSpecError("say what to remove: `matcoach enroll remove COMMAND [--language L]`, or "
                            "`matcoach enroll remove --all`")
    if args.all:
        count = remove(None, None, None)
        print(f"removed {count} take{'s' if count != 1 else ''} and every personal model")
        return 0
    grammar = catalog.load_grammar(args.language)
    known = _command_ids(grammar)
    if args.command_id not in known:
        raise TakeSpecError(f"{args.command_id!r} is not a command of the {grammar.language!r} grammar; use one "
                            f"of: {', '.join(known)}")
    count = remove(grammar, catalog.load_pack(args.voice), args.command_id)
    if not count:
        print(f"nothing was enrolled for {args.command_id!r} in {grammar.language}")
    else:
        print(f"removed {count} take{'s' if count != 1 else ''} of {args.command_id!r} ({grammar.language})")
    return 0

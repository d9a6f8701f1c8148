"""``matcoach cues`` and ``matcoach voices``: what the coach says, and in which voice."""

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.core.cues import EXAMPLE_PARAMS as CORE_EXAMPLES
from assistant.core.cues import NUMBER_PARAMS, SIDES
from assistant.core.errors import PackError
from assistant.core.limits import CUE_NUMBER
from assistant.core.pack import Pack
from assistant.data import catalog
from assistant.data.enroll_cues import ENROLLMENT_EXAMPLES

# A recording for a cue is a few seconds; a long file is surely the wrong one.
EXAMPLE_PARAMS = {**CORE_EXAMPLES, **ENROLLMENT_EXAMPLES}
RECORDING_MAX_S = 30

# Audio, speech and TOML-writing libraries are imported by the actions that use them:
# `matcoach --help` and the other commands start without loading them.


def add_cues_parser(commands: argparse._SubParsersAction) -> None:
    cues = commands.add_parser("cues", help="what the coach says: list, add, preview and check cues",
                               description="What the coach says. Your own lines go in a user pack in the data "
                                           "directory, added to the shipped lines or replacing them.")
    sub = cues.add_subparsers(dest="cues_command", metavar="ACTION", required=True)
    p = sub.add_parser("list", help="every cue id with its lines")
    p.add_argument("--json", action="store_true", help='a JSON list of {"id", "text": [...], "source"}')
    p.set_defaults(run=run_list)
    p = sub.add_parser("add", help="add a line (text, or a recorded WAV) to a cue in your user pack")
    p.add_argument("cue", help="a cue id from `matcoach cues list`")
    p.add_argument("text", nargs="?", help='the line, with placeholders such as {n}; e.g. "Down you go, {n}"')
    p.add_argument("--wav", type=Path, metavar="FILE", help="a recording to say instead of text")
    p.add_argument("--replace", action="store_true", help="replace the shipped lines instead of adding to them")
    p.set_defaults(run=run_add)
    p = sub.add_parser("preview", help="hear a cue (every line), or write it to a WAV file")
    p.add_argument("cue", help="a cue id from `matcoach cues list`")
    p.add_argument("--out", type=Path, metavar="FILE.wav", help="write a WAV file instead of playing")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a placeholder value, e.g. --set n=5")
    p.add_argument("--output-device", metavar="INDEX|NAME", help="the speaker (default: the system's)")
    p.set_defaults(run=run_preview)
    p = sub.add_parser("check", help="check every voice pack: ids, placeholders, recordings, voices")
    p.set_defaults(run=run_check)


def _known_cue(cue: str) -> tuple[str, ...]:
    known = catalog.known_cues()
    if cue not in known:
        raise PackError(f"{cue!r} is not a cue the coach says; `matcoach cues list` shows them")
    return known[cue]


def run_list(args: argparse.Namespace) -> int:
    from assistant.cli.terminal import console


    shipped = catalog.load_shipped_pack(args.voice)
    user = catalog.load_user_pack(args.voice)
    pack = shipped.overlaid(user) if user else shipped
    known = catalog.known_cues()
    rows: list[dict[str, Any]] = []
    for cue in sorted(known):
        lines = pack.cues.get(cue, ())
        sources = sorted({line.source for line in lines}, key=["shipped", "user"].index)
        plurals = [name for name, p in pack.plurals.items() if p.of in known[cue]]
        rows.append({"id": cue, "text": [line.text for line in lines], "source": "+".join(sources),
                     "params": list(known[cue]) + plurals, "wav": [str(line.wav) for line in lines if line.wav]})
    if args.json:
        print(json.dumps(rows, indent=1, ensure_ascii=False))
        return 0
    from rich.table import Table

    table = Table(title=f"Cues ({pack.source})")
    for column in ("id", "placeholders", "lines", "source"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["id"], " ".join("{%s}" % p for p in row["params"]), "\n".join(row["text"]), row["source"])
    console().print(table)
    return 0


def run_add(args: argparse.Namespace) -> int:
    from assistant.data import userpack

    _known_cue(args.cue)
    if (args.text is None) == (args.wav is None):
        raise PackError('give the line as text ("...") or a recording (--wav FILE), one of the two')
    if args.wav is not None:
        _check_recording(args.wav)
    addition = userpack.prepare(args.voice, args.cue, text=args.text, wav=args.wav, replace=args.replace)
    _check_fit(args.voice, addition)
    userpack.save(addition)
    what = "replaces the shipped lines of" if args.replace else "added to"
    line = args.text if args.wav is None else addition.recording[1] if addition.recording else args.wav
    print(f"{line!s} {what} {args.cue!r} in {addition.path}")
    return 0


def _check_recording(wav: Path) -> None:
    """A recording must be usable audio of cue length before it is copied anywhere."""
    from assistant.voice.clips import read_audio_file, trim

    samples = read_audio_file(wav, 16000, max_seconds=RECORDING_MAX_S)
    if trim(samples).size == 0:
        raise PackError(f"{wav}: the recording is silent; record it again, closer to the microphone")


def _check_fit(voice: str, addition: Any) -> None:
    """A line for a tight slot ("lower" before "two") must be short enough to be said there."""
    from assistant.voice.fitting import describe, misfits

    # the new line alone, said in the voice the user's pack sets
    pack = catalog.load_shipped_pack(voice).overlaid(replace(addition.pack, replace={addition.cue: (addition.line,)},
                                                             extra={}))
    found = misfits(pack, only=lambda line: line is addition.line)
    if found:
        raise PackError(describe(found[0], {"user": addition.path}).removeprefix(f"{addition.path}: ")
                        + " (nothing was added)")


def _params(cue: str, settings: list[str]) -> dict[str, Any]:
    params = {p: EXAMPLE_PARAMS[p] for p in _known_cue(cue)}
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep or key not in params:
            raise PackError(f"--set {item!r}: use NAME=VALUE with NAME one of: {', '.join(params) or 'none'}")
        params[key] = _value(key, value.strip(), item)
    return params


def _value(key: str, value: str, item: str) -> Any:
    """A placeholder value as the session would give it: a number in range, or a known name."""
    if key in NUMBER_PARAMS:
        number = int(value) if value.isdigit() else None
        if number not in CUE_NUMBER:
            raise PackError(f"--set {item!r}: {key} is {CUE_NUMBER.describe()}, e.g. --set {key}={EXAMPLE_PARAMS[key]}")
        return number
    choices = {"side": SIDES, "variation": catalog.load_variations().ids()}.get(key)
    if choices is not None and value not in choices:
        raise PackError(f"--set {item!r}: {key} is one of: {', '.join(choices)}")
    if not value:
        raise PackError(f"--set {item!r}: give {key} a value, e.g. --set {key}={EXAMPLE_PARAMS[key]}")
    return value


def run_preview(args: argparse.Namespace) -> int:
    import numpy as np

    from assistant.live.devices import find_device
    from assistant.live.speaker import Speaker
    from assistant.voice.mixer import Mixdown, write_wav
    from assistant.voice.speaking import make_clips



    params = _params(args.cue, args.set)
    if args.out:
        from assistant.voice.mixer import check_wav_path

        check_wav_path(args.out, "--out")
    pack: Pack = catalog.load_pack(args.voice)
    rate = 22050 if args.out else 48000
    device = None if args.out else find_device(args.output_device, "output")
    clips = make_clips(pack, rate)
    mixdown, t = Mixdown(rate), 0.0
    for said in pack.lines(args.cue, params):
        clip = clips.get(said)
        print(f"{t:5.2f} s  {said.text}")
        mixdown.add(t, clip)
        t += len(clip) / rate + 0.5
    if args.out:
        seconds = write_wav(mixdown, args.out, option="--out")
        print(f"wrote {args.out} ({seconds:.1f} s)")
        return 0
    with Speaker(device, rate) as speaker:
        audio = mixdown.render()
        speaker.add(0.0, audio.astype(np.float32))
        speaker.drain(timeout=len(audio) / rate + 5)
    return 0


def _inherited_plurals(name: str) -> dict:
    """The shipped pack's plural placeholders, which a user pack of the same name may use."""
    try:
        return catalog.shipped_plurals(name)
    except PackError:  # a broken shipped pack is reported on its own line
        return {}


def run_check(args: argparse.Namespace) -> int:
    from assistant.data import paths
    from assistant.data.packcheck import check_pack_file
    from assistant.voice.tts import Pyttsx3Speech

    known = catalog.known_cues()
    engine = Pyttsx3Speech()
    names = {v.id for v in engine.voices()} | {v.id.rsplit("/", 1)[-1] for v in engine.voices()} | \
        {v.name for v in engine.voices()}
    files = [(p, True) for p in sorted(paths.shipped("voices").glob("*.toml"))]
    user_dir = paths.user_voices_dir()
    files += [(p, False) for p in sorted(user_dir.glob("*.toml"))] if user_dir.is_dir() else []
    problems = []
    for path, complete in files:
        if not complete and path.stem not in catalog.shipped_packs():
            problems.append(f"{path}: there is no voice pack {path.stem!r} for it to add to, so it is never used; "
                            f"rename it to one of: {', '.join(f'{n}.toml' for n in catalog.shipped_packs())}")
            continue
        inherited = {} if complete else _inherited_plurals(path.stem)
        problems += check_pack_file(path, known=known, complete=complete, voice_exists=names.__contains__,
                                    inherited=inherited)
    problems += _slot_problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(files)} voice pack{'s' if len(files) != 1 else ''} checked: "
          f"{len(problems) or 'no'} problem{'s' if len(problems) != 1 else ''}")
    return 2 if problems else 0


def _slot_problems() -> list[str]:
    """Lines too long for their tight slot, in each pack as the coach will say it (user lines included)."""
    from assistant.core.errors import MatcoachError
    from assistant.voice.fitting import describe, misfits

    problems = []
    for name in catalog.shipped_packs():
        try:
            pack = catalog.load_pack(name)
        except MatcoachError:  # its own problems are reported above
            continue
        files = {"shipped": catalog.shipped_pack_file(name), "user": catalog.user_pack_file(name)}
        problems += [describe(m, files) for m in misfits(pack)]
    return problems

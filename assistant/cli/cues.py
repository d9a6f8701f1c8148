"""``matcoach cues`` and ``matcoach voices``: what the coach says, and in which voice."""

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from assistant.core.cues import EXAMPLE_PARAMS
from assistant.core.errors import PackError
from assistant.core.pack import Pack
from assistant.data import catalog
from assistant.data.packs import parse_user_pack

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
    import tomlkit


    _known_cue(args.cue)
    if (args.text is None) == (args.wav is None):
        raise PackError('give the line as text ("...") or a recording (--wav FILE), one of the two')
    path = catalog.user_pack_file(args.voice)
    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else _new_user_pack(args.voice)
    section = "cues" if args.replace else "extra"
    if section not in doc:
        doc.add(section, tomlkit.table())
    if args.wav is not None:
        line: Any = _store_recording(args.wav, args.cue, path.parent)
    else:
        line = args.text
    if args.replace or args.cue not in doc[section]:
        doc[section][args.cue] = tomlkit.array()
    doc[section][args.cue].append(line)
    # validate before writing: a bad line never reaches the file
    parse_user_pack(doc.unwrap(), source=str(path), known=catalog.known_cues(), folder=path.parent,
                    inherited=catalog.shipped_plurals(args.voice))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".toml.partial")
    partial.write_text(tomlkit.dumps(doc), encoding="utf-8")
    partial.replace(path)
    what = "replaces the shipped lines of" if args.replace else "added to"
    print(f"{line if isinstance(line, str) else line['wav']!s} {what} {args.cue!r} in {path}")
    return 0


def _new_user_pack(name: str) -> Any:
    import tomlkit

    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"Your own lines for the {name!r} voice pack (see the README: custom cues)."))
    doc.add(tomlkit.comment("[cues] replaces the shipped lines of a cue; [extra] adds to them."))
    return doc


def _store_recording(wav: Path, cue: str, folder: Path) -> Any:
    """Copy a recording next to the user pack, after making sure it is usable audio."""
    import tomlkit

    from assistant.voice.clips import read_audio_file, trim



    samples = read_audio_file(wav, 16000)
    if trim(samples).size == 0:
        raise PackError(f"{wav}: the recording is silent; record it again, closer to the microphone")
    digest = hashlib.sha256(wav.read_bytes()).hexdigest()[:8]
    target = folder / "recordings" / f"{cue}-{digest}{wav.suffix.lower() or '.wav'}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(wav, target)
    entry = tomlkit.inline_table()
    entry.update({"wav": str(target.relative_to(folder)), "text": f"[{wav.name}]"})
    return entry


def _params(cue: str, settings: list[str]) -> dict[str, Any]:
    params = {p: EXAMPLE_PARAMS[p] for p in _known_cue(cue)}
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep or key not in params:
            raise PackError(f"--set {item!r}: use NAME=VALUE with NAME one of: {', '.join(params) or 'none'}")
        params[key] = int(value) if value.isdigit() else value
    return params


def run_preview(args: argparse.Namespace) -> int:
    import numpy as np

    from assistant.live.devices import find_device
    from assistant.live.speaker import Speaker
    from assistant.voice.mixer import Mixdown, write_wav
    from assistant.voice.speaking import make_clips



    params = _params(args.cue, args.set)
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
        seconds = write_wav(mixdown, args.out)
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
        inherited = {} if complete else _inherited_plurals(path.stem)
        problems += check_pack_file(path, known=known, complete=complete, voice_exists=names.__contains__,
                                    inherited=inherited)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(files)} voice pack{'s' if len(files) != 1 else ''} checked: "
          f"{len(problems) or 'no'} problem{'s' if len(problems) != 1 else ''}")
    return 2 if problems else 0

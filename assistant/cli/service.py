"""``matcoach service install|remove|show``: run ``matcoach serve`` at boot as a systemd user unit,
logging to the journal and restarting on failure."""

import argparse
import contextlib
import getpass
import io
import logging
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from assistant.cli.terminal import note
from assistant.core.errors import MatcoachError

log = logging.getLogger(__name__)
UNIT = "matcoach.service"


class ServiceError(MatcoachError):
    """The service cannot be installed or removed."""


def add_service_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "service", help="run `matcoach serve` at boot (systemd user unit)",
        description="Install matcoach as a systemd user service that runs `matcoach serve` at boot (lingering "
                    "is enabled so it starts without a login), logs to the journal (journalctl --user -u "
                    "matcoach -f) and restarts on failure.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="write the unit, enable it at boot and start it",
                                 description="Write ~/.config/systemd/user/matcoach.service and enable it. Options "
                                             "after -- go to `matcoach serve`, e.g. -- --language ko "
                                             "--input-device USB")
    install.add_argument("--no-start", action="store_true", help="write the unit only; enable and start nothing")
    install.add_argument("serve_args", nargs=argparse.REMAINDER, metavar="-- SERVE OPTIONS",
                         help="options for `matcoach serve`")
    install.set_defaults(run=run_install)
    show = actions.add_parser("show", help="print the unit (to install it by hand)")
    show.add_argument("serve_args", nargs=argparse.REMAINDER, metavar="-- SERVE OPTIONS")
    show.set_defaults(run=run_show)
    remove = actions.add_parser("remove", help="stop and disable the service, delete its unit")
    remove.set_defaults(run=run_remove)


def unit_path() -> Path:
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "systemd" / "user" / UNIT


def _systemd_value(text: str) -> str:
    """``text`` as systemd reads it back in Environment= and Documentation= (no specifiers, quoted)."""
    return text.replace("%", "%%")


def unit_text(serve_args: list[str]) -> str:
    """The unit, running this very Python (the virtual environment matcoach is installed in). Settings are
    not written into it: serve reads config.toml when it starts (`matcoach config set`, then a restart)."""
    from assistant.cli.options import MatcoachParser, add_serve_options, check_serve_options
    from assistant.data import paths

    args = serve_args[1:] if serve_args[:1] == ["--"] else serve_args
    parser = MatcoachParser(prog="matcoach serve")
    add_serve_options(parser)
    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said):
            options = parser.parse_args(args)  # a typo fails now, not at boot
    except SystemExit:
        why = (said.getvalue().strip().splitlines() or ["invalid"])[-1].split("error: ", 1)[-1]
        raise ServiceError(f"`matcoach serve {shlex.join(args)}`: {why}; check `matcoach serve --help`") from None
    from assistant.cli import settings

    try:
        with contextlib.chdir(Path.home()):  # where the service starts: a relative path must hold from there
            settings.apply(options)  # what serve will take from config.toml, as it will at boot
            check_serve_options(options)  # an unknown routine or language would fail at every boot
    except MatcoachError as e:
        raise ServiceError(f"{e} (the service, started in {Path.home()}, would fail at every start; nothing was "
                           f"written)") from None
    template = (Path(__file__).parent / "systemd" / UNIT).read_text(encoding="utf-8")
    command = " ".join(exec_word(word) for word in [sys.executable, "-m", "assistant", "serve", *args])
    environment = ["PYTHONUNBUFFERED=1"]
    # the same settings, history and models as the shell installing it
    for variable in (paths.HOME_VARIABLE, "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        if os.environ.get(variable):
            value = _setting(str(Path(os.environ[variable]).expanduser().absolute()), variable)
            environment.append(f"{variable}={value}")
    quoted = " ".join('"' + _systemd_value(e).replace("\\", "\\\\").replace('"', '\\"') + '"' for e in environment)
    home = _systemd_value(_setting(str(Path.home()), "home folder"))
    return (template.replace("{exec_start}", command).replace("{home}", home)
            .replace("{environment}", quoted).replace("{documentation}", _systemd_value(paths.readme().as_uri())))


# Words that need no quotes in ExecStart=
_PLAIN = re.compile(r"[A-Za-z0-9_./:=@+,-]+")


def exec_word(word: str) -> str:
    """One word of ExecStart=, as systemd will hand it to the program: quoted when it must be, with
    backslashes and quotes escaped, % (a specifier) written %% and $ (a variable) written $$."""
    word = _setting(word, "option")
    if _PLAIN.fullmatch(word):
        return word
    escaped = word.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{escaped}"'


def _setting(value: str, what: str) -> str:
    """A value for a unit line: no line breaks or control characters, which would write new lines into it."""
    bad = next((c for c in value if ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        raise ServiceError(f"the {what} {value!r} holds a control character ({bad!r}), which a systemd unit cannot "
                           f"carry; give it without line breaks or tabs")
    return value


def _only_after_dashes(args: argparse.Namespace) -> None:
    """--voice and --language before `--` would be lost (the unit gets what follows `--`): say so."""
    from assistant.cli.settings import typed

    for name in ("voice", "language"):
        if typed(args, name):
            raise ServiceError(f"give serve's --{name} after --: matcoach service {args.action} -- --{name} "
                               f"{getattr(args, name)} (or keep it with `matcoach config set {name} "
                               f"{getattr(args, name)}`)")


def run_show(args: argparse.Namespace) -> int:
    _only_after_dashes(args)
    print(unit_text(args.serve_args), end="")
    return 0


def _systemctl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["systemctl", "--user", *args], capture_output=True, text=True, timeout=60)


def _manual_steps() -> str:
    return (f"systemctl --user daemon-reload && systemctl --user enable --now {UNIT} && "
            f"loginctl enable-linger {getpass.getuser()}")


def run_install(args: argparse.Namespace) -> int:
    _only_after_dashes(args)
    text = unit_text(args.serve_args)
    path = unit_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise ServiceError(f"cannot write {path} ({e.strerror}); check the permissions of that folder") from None
    note(f"wrote {path}")
    if args.no_start:
        note(f"to run it at boot: {_manual_steps()}")
        return 0
    if shutil.which("systemctl") is None:
        note(f"systemctl is not available here; on the machine that runs it: {_manual_steps()}")
        return 0
    for step in (("daemon-reload",), ("enable", "--now", UNIT)):
        done = _systemctl(*step)
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
            note(f"`systemctl --user {' '.join(step)}` failed ({reason}); the unit is written: "
                 f"in a login session run {_manual_steps()}")
            return 1
    linger = subprocess.run(["loginctl", "enable-linger", getpass.getuser()], capture_output=True, text=True,
                            timeout=60)
    if linger.returncode != 0:
        note("could not enable lingering, so it starts at login rather than at boot: "
             f"sudo loginctl enable-linger {getpass.getuser()}")
    note(f"matcoach serve runs now and at boot; its log: journalctl --user -u {UNIT.removesuffix('.service')} -f")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    path = unit_path()
    if shutil.which("systemctl") is not None:
        _systemctl("disable", "--now", UNIT)
    if not path.exists():
        note(f"no unit at {path}; nothing to remove")
        return 0
    path.unlink()
    if shutil.which("systemctl") is not None:
        _systemctl("daemon-reload")
    note(f"removed {path}")
    return 0

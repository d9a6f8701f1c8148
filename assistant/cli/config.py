"""``matcoach config show|set|unset|path``: settings that stick, kept in config.toml."""

import argparse
import json
import os

from assistant.cli import settings
from assistant.cli.terminal import note
from assistant.core.errors import MatcoachError
from assistant.data import catalog, paths
from assistant.data.config import ConfigError, read_config, write_setting


def add_config_parser(commands: argparse._SubParsersAction) -> None:
    keys = ", ".join(settings.BY_NAME)
    p = commands.add_parser(
        "config", help="settings that stick: devices, language, engine, voice, routine, ...",
        description="Settings kept in config.toml, so you need not type them every time. A value typed on the "
                    "command line wins, then a MATCOACH_<KEY> environment variable (MATCOACH_INPUT_DEVICE), "
                    f"then config.toml, then the routine, then the default. Keys: {keys}.")
    actions = p.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="every setting in force, and where it comes from")
    show.add_argument("--json", action="store_true",
                      help='one JSON object: {"KEY": {"value", "source"}, ...}')
    show.set_defaults(run=run_show)
    put = actions.add_parser("set", help="keep a setting in config.toml (checked first)",
                             description=f"Keep a setting in config.toml. Keys: {keys}.")
    put.add_argument("key", metavar="KEY", choices=tuple(settings.BY_NAME), help=keys)
    put.add_argument("value", metavar="VALUE")
    put.set_defaults(run=run_set)
    drop = actions.add_parser("unset", help="remove a setting from config.toml (its default applies again)")
    drop.add_argument("key", metavar="KEY", help=keys)
    drop.set_defaults(run=run_unset)
    where = actions.add_parser("path", help="where config.toml is (it may not exist yet)")
    where.set_defaults(run=run_path)
    p.set_defaults(check_settings=False)  # a broken setting is shown here, and fixed from here


def _effective(args: argparse.Namespace) -> dict[str, settings.Setting]:
    """Every key: what this command line, the environment and config.toml make of it."""
    shown = getattr(args, "settings", {})
    given = {s.key.attr: s.value for s in shown.values() if s.source == settings.COMMAND_LINE}
    saved = read_config()
    found = settings.resolve(given, os.environ, saved, checked=False)
    for name, setting in found.items():
        if setting.source not in (settings.COMMAND_LINE, settings.DEFAULT, settings.ROUTINE):
            try:
                settings.check(setting.key, str(setting.value))
            except ConfigError as e:
                found[name] = settings.Setting(key=setting.key, value=f"{setting.value} (unusable: {e})",
                                               source=setting.source)
    talk = found["talk"]
    if talk.source == settings.ROUTINE:  # what the routine in force says, when routines say it
        said = None
        try:
            routine = catalog.find_routine(found["routine"].value, catalog.load_variations())
            said = getattr(routine, "talk", None)
        except MatcoachError:
            pass
        found["talk"] = settings.Setting(key=talk.key, value=said or talk.key.default,
                                         source=f"routine {found['routine'].value}" if said else settings.DEFAULT)
    return found


def run_show(args: argparse.Namespace) -> int:
    found = _effective(args)
    unknown = sorted(set(read_config()) - set(settings.BY_NAME))
    if args.json:
        print(json.dumps({name: {"value": s.value, "source": s.source} for name, s in found.items()}, indent=1,
                         ensure_ascii=False))
        return 0
    from rich.table import Table

    from assistant.cli.terminal import console

    table = Table(title="Settings", caption=f"config.toml: {paths.shown(paths.config_file())}")
    for column in ("key", "value", "from", "what it is"):
        table.add_column(column)
    for name, s in found.items():
        value = s.value if s.value is not None else ("the routine's (normal unless it says)" if s.key.routine
                                                     else "the system's" if "device" in name else "-")
        table.add_row(name, value, s.source, s.key.about)
    out = console()
    out.print(table)
    out.print(f"your routines: {paths.shown(paths.user_routines_dir())}; your voice packs: "
              f"{paths.shown(paths.user_voices_dir())}; history and models: {paths.shown(paths.data_dir())}; "
              f"rendered cues: {paths.shown(paths.cache_dir())}", highlight=False)
    for name in unknown:
        note(f"{paths.shown(paths.config_file())}: {name!r} is not a setting and is ignored; "
             f"remove it with `matcoach config unset {name}`")
    return 0


def run_set(args: argparse.Namespace) -> int:
    key = settings.key(args.key)
    try:
        value = settings.check(key, args.value, strict=True)
    except ConfigError as e:
        raise ConfigError(f"config set {key.name}: {e}") from None
    path = write_setting(key.name, value)
    print(f"{key.name} = {value}  (in {paths.shown(path)})")
    if os.environ.get(key.env):
        note(f"{key.env} is set in your environment and wins over config.toml; unset it to use this")
    return 0


def run_unset(args: argparse.Namespace) -> int:
    name = args.key
    saved = read_config()
    if name not in saved and name not in settings.BY_NAME:
        settings.key(name)  # the error lists the keys
    if name not in saved:
        note(f"{name} is not set in {paths.shown(paths.config_file())}; nothing to remove")
        return 0
    write_setting(name, None)
    print(f"{name} removed from {paths.shown(paths.config_file())}")
    return 0


def run_path(args: argparse.Namespace) -> int:
    print(paths.config_file())
    return 0

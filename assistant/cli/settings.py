"""Settings that stick: each key's value comes from the command line, else a ``MATCOACH_<KEY>``
environment variable, else ``config.toml``, else the routine (for what a routine says), else the
built-in default. Every value that does not come from the command line is checked here, with an
error that names where it came from and how to fix it."""

import argparse
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.errors import MatcoachError
from assistant.core.routine import TALK
from assistant.data import catalog, paths
from assistant.data.config import ConfigError, read_config

VERBOSITY = ("quiet", "normal", "verbose", "debug")
COMMAND_LINE, CONFIG, ROUTINE, DEFAULT = "command line", paths.CONFIG_FILE, "routine", "default"
VOSK_MODEL_PATH = "VOSK_MODEL_PATH"


def _device(value: str) -> str:
    # The device itself may be absent while configuring (a USB speakerphone on a shelf): only the form
    # is checked here; `matcoach devices` lists what is connected.
    if not value.strip() or not value.isprintable():
        raise ConfigError(f"{value!r} is not a device: give its index (3) or a part of its name (USB), "
                          f"as `matcoach devices` lists them")
    return value.strip()


def _one_of(what: str, known: Callable[[], tuple[str, ...] | list[str]]) -> Callable[[str], str]:
    def check(value: str) -> str:
        names = tuple(known())
        if value not in names:
            raise ConfigError(f"{value!r} is not {what}; use one of: {', '.join(names)}")
        return value
    return check


def _engines() -> tuple[str, ...]:
    from assistant.ears.engines import ENGINES

    return ENGINES


def _routine(value: str, *, load: bool) -> str:
    """A routine by name, or the path of a routine file (kept absolute: settings are read from anywhere)."""
    if not value.strip():
        raise ConfigError(f"an empty name is not a routine; use one of: {', '.join(sorted(catalog.routine_files()))}, "
                          f"or the path of a routine .toml file")
    if value in catalog.routine_files():
        if load:
            catalog.find_routine(value, catalog.load_variations())  # its errors name the file and the fix
        return value
    path = Path(value).expanduser()
    if not (path.suffix == ".toml" or "/" in value or path.exists()):
        raise ConfigError(f"{value!r} is not a routine; use one of: {', '.join(sorted(catalog.routine_files()))}, "
                          f"or the path of a routine .toml file")
    if load:
        catalog.load_routine_file(path, catalog.load_variations())
    elif not path.is_file():
        raise ConfigError(f"{value!r}: no such routine file; use a routine from `matcoach routines`")
    return str(path.absolute())


def _model(value: str) -> str:
    from assistant.ears import models

    installed = [m.name for m in models.installed() if m.complete]
    if value in installed:
        return value
    path = Path(value).expanduser()
    if path.is_dir():
        if models.is_model_folder(path) or models.models_in(path):
            return str(path.absolute())
    raise ConfigError(f"{value!r} is neither a Vosk model folder, a folder of models, nor an installed model "
                      f"({', '.join(installed) or 'none installed'}; `matcoach models list`)")


@dataclass(frozen=True, kw_only=True)
class Key:
    """A setting: its name in config.toml and `config set`, where it lands on the parsed options, and its check."""

    name: str
    attr: str
    about: str
    default: str | None
    check: Callable[[str], str]
    routine: bool = False          # a routine may set it: below config.toml, above the default
    check_set: Callable[[str], str] | None = None  # a stricter check for `config set` (loads the routine)

    @property
    def env(self) -> str:
        return "MATCOACH_" + self.name.upper().replace("-", "_")


KEYS = (
    Key(name="input-device", attr="input_device", about="the microphone: index or part of the name",
        default=None, check=_device),
    Key(name="output-device", attr="output_device", about="the speaker: index or part of the name",
        default=None, check=_device),
    Key(name="language", attr="language", about="the language of the spoken commands (a grammar)",
        default="en", check=_one_of("a language with a grammar", catalog.languages)),
    Key(name="engine", attr="engine", about="the recognizer: auto, vosk or pocketsphinx",
        default="auto", check=_one_of("a recognition engine", _engines)),
    Key(name="model", attr="model", about="a Vosk model folder, a folder of models, or an installed model",
        default=None, check=_model),
    Key(name="voice", attr="voice", about="the voice pack: what the coach says and in which voice",
        default="en", check=_one_of("a voice pack", catalog.shipped_packs)),
    Key(name="routine", attr="routine", about="the routine a session follows",
        default=catalog.DEFAULT_ROUTINE, check=lambda v: _routine(v, load=False),
        check_set=lambda v: _routine(v, load=True)),
    Key(name="talk", attr="talk", about="how much the coach talks: full, normal or brief",
        default="normal", check=_one_of("a way of talking", lambda: TALK), routine=True),
    Key(name="verbosity", attr="verbosity", about="log output: quiet, normal, verbose or debug (-q, -v, -vv)",
        default="normal", check=_one_of("a verbosity", lambda: VERBOSITY)),
)
BY_NAME = {k.name: k for k in KEYS}
GLOBAL = ("voice", "language", "verbosity")  # every command takes these


def key(name: str) -> Key:
    name = name.replace("_", "-").lower()
    if name not in BY_NAME:
        raise ConfigError(f"{name!r} is not a setting; use one of: {', '.join(BY_NAME)}")
    return BY_NAME[name]


def check(k: Key, value: str, *, strict: bool = False) -> str:
    """The value to keep for ``k`` (normalised), or a ConfigError saying which values are valid."""
    return (k.check_set if strict and k.check_set else k.check)(value)


@dataclass(frozen=True, kw_only=True)
class Setting:
    key: Key
    value: str | None
    source: str  # COMMAND_LINE, an environment variable's name, CONFIG, ROUTINE or DEFAULT


def resolve(given: Mapping[str, Any], environ: Mapping[str, str], saved: Mapping[str, str], *,
            wanted: tuple[str, ...] = tuple(BY_NAME), checked: bool = True) -> dict[str, Setting]:
    """Each wanted key's value and where it came from. ``given``: attr -> value typed on the command line
    (None when not typed); ``saved``: config.toml. Values not typed are checked when ``checked``."""
    found = {}
    for name in wanted:
        k = BY_NAME[name]
        if given.get(k.attr) == "":  # typed, and empty: a slip, not "use the default"
            raise ConfigError(f"--{name} is empty; give a value, or leave the option out for "
                              f"{k.default or 'the default'} (`matcoach config show` shows what is in force)")
        candidates = [(COMMAND_LINE, given.get(k.attr)), (k.env, environ.get(k.env))]
        if name == "model":
            candidates.append((VOSK_MODEL_PATH, environ.get(VOSK_MODEL_PATH)))  # vosk's own variable
        candidates.append((CONFIG, saved.get(name)))
        source, value = next(((s, v) for s, v in candidates if v not in (None, "")), (None, None))
        if source is None:
            source, value = (ROUTINE if k.routine else DEFAULT), (None if k.routine else k.default)
        elif checked and source not in (COMMAND_LINE, VOSK_MODEL_PATH):
            where = paths.shown(paths.config_file()) if source == CONFIG else source
            try:
                value = check(k, str(value))
            except MatcoachError as e:
                how = f"`matcoach config set {name} VALUE` or `matcoach config unset {name}`" if source == CONFIG \
                    else f"change or unset {source}"
                raise ConfigError(f"{where}: {name} {e}; {how}") from None
        found[name] = Setting(key=k, value=value, source=source)
    return found


def _did_you_mean(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name.replace("_", "-").lower(), BY_NAME, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _verbosity(args: argparse.Namespace) -> str | None:
    """-v and -q typed anywhere on the command line (each level of commands counts its own)."""
    louder = sum(v for k, v in vars(args).items() if k.startswith("verbose@"))
    quieter = sum(v for k, v in vars(args).items() if k.startswith("quiet@"))
    for name in [k for k in vars(args) if k.startswith(("verbose@", "quiet@"))]:
        delattr(args, name)
    if not louder and not quieter:
        return None
    return VERBOSITY[max(0, min(len(VERBOSITY) - 1, VERBOSITY.index("normal") + louder - quieter))]


def apply(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> None:
    """Fill in every setting the command takes that was not typed, and keep where each came from
    (``args.settings``). The global keys and the command's own are checked: a bad routine in config.toml
    does not stop `matcoach history`, a bad voice pack does (with the fix)."""
    environ = os.environ if environ is None else environ
    args.verbosity = _verbosity(args)
    wanted = tuple(k.name for k in KEYS if k.name in GLOBAL or hasattr(args, k.attr))
    given = {k.attr: getattr(args, k.attr, None) for k in KEYS}
    checked = getattr(args, "check_settings", True)
    try:
        saved = read_config()
    except ConfigError:
        if checked:
            raise
        saved = {}
    if checked:
        for name in saved:
            if name not in BY_NAME:
                raise ConfigError(f"{paths.shown(paths.config_file())}: {name!r} is not a setting"
                                  f"{_did_you_mean(name)}; use one of: {', '.join(BY_NAME)} "
                                  f"(`matcoach config unset {name}` removes it)")
    found = resolve(given, environ, saved, wanted=wanted, checked=checked)
    for name, setting in found.items():
        value: Any = setting.value
        if name == "model" and value is not None:
            # $VOSK_MODEL_PATH may be a folder of models: the recognizer picks the language's own from it
            value = None if setting.source == VOSK_MODEL_PATH else Path(value).expanduser()
        setattr(args, setting.key.attr, value)
    args.settings = found


def typed(args: argparse.Namespace, name: str) -> bool:
    """Whether the setting ``name`` was typed on the command line (not taken from the settings)."""
    setting = getattr(args, "settings", {}).get(name)
    return setting is not None and setting.source == COMMAND_LINE

"""Typed reads from parsed TOML tables, with errors that name the file, the key and the fix."""

import difflib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn, TypeVar

from assistant.core.errors import MatcoachError
from assistant.core.limits import Range

T = TypeVar("T")
_MISSING = object()

_TYPE_NAMES = {str: "text in quotes", int: "a whole number", float: "a number", bool: "true or false",
               list: "a list [...]", dict: "a table"}


class Fields:
    """One TOML table being read: remembers which keys were used so typos can be reported."""

    def __init__(self, table: Any, *, source: str, where: str, error: type[MatcoachError]) -> None:
        self.source = source
        self.where = where
        self.error = error
        if not isinstance(table, Mapping):
            header = f"[[{where.split('[')[0]}]]" if where.endswith("]") else f"[{where or 'name'}]"
            self.fail(f"{self._path('')}must be a table", f"write it as {header} with key = value lines under it")
        self.table = table
        self._seen: set[str] = set()

    def _path(self, key: str) -> str:
        full = f"{self.where}.{key}" if self.where and key else (self.where or key)
        return f"{full} " if full else ""

    def fail(self, problem: str, fix: str) -> NoReturn:
        raise self.error(f"{self.source}: {problem}; {fix}")

    def get(self, key: str, kind: type[T], default: Any = _MISSING, *,
            check: Callable[[T], bool] | None = None, expect: str = "", example: str = "") -> T:
        """Read ``key`` as ``kind``; ``check`` and ``expect`` describe the allowed values."""
        self._seen.add(key)
        example = example or f'{key} = {_example(kind)}'
        if key not in self.table:
            if default is _MISSING:
                self.fail(f"{self._path(key)}is missing", f"add {example}")
            return default
        value = self.table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(f"{self._path(key)}must be {expect or _TYPE_NAMES.get(kind, kind.__name__)}, "
                      f"got {value!r}", f"write {example}")
        if check is not None and not check(value):
            self.fail(f"{self._path(key)}must be {expect}, got {value!r}", f"write {example}")
        return value

    def number(self, key: str, limit: Range, default: Any = _MISSING) -> Any:
        """Read ``key`` as a number inside ``limit`` (assistant.core.limits): the range is in the error."""
        return self.get(key, int if limit.whole else float, default, check=limit.__contains__,
                        expect=limit.describe(), example=f"{key} = {limit.sample()}")

    def choice(self, key: str, choices: Iterable[str], default: Any = _MISSING) -> str:
        options = sorted(choices)
        value = self.get(key, str, default, example=f'{key} = "{options[0]}"' if options else "")
        if value is not default and value not in options:
            self.fail(f"{self._path(key)}{value!r} is unknown{_did_you_mean(value, options)}",
                      f"use one of: {', '.join(options)}")
        return value

    def table_of(self, key: str) -> "Fields | None":
        self._seen.add(key)
        if key not in self.table:
            return None
        return Fields(self.table[key], source=self.source, where=self._path(key).strip(), error=self.error)

    def finish(self) -> None:
        """Reject keys nobody asked for: almost always a typo."""
        for key in self.table:
            if key not in self._seen:
                hint = _did_you_mean(key, self._seen)
                self.fail(f"unknown key {self._path(key)!s}".rstrip() + (hint or ""),
                          f"remove it or use one of: {', '.join(sorted(self._seen))}")


def _example(kind: type) -> str:
    return {str: '"..."', int: "3", float: "2.0", bool: "true", list: '["..."]'}.get(kind, "...")


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""

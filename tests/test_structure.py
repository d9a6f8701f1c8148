"""The house plan holds: the core imports nothing from the shell, and no command imports another."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
# What the pure core may use besides itself: the standard library's pure parts and transitions
# (pathlib for the type of a recording's path; the core never reads it).
CORE_MAY_IMPORT = {"abc", "collections", "dataclasses", "datetime", "enum", "functools", "itertools", "json",
                   "logging", "math", "pathlib", "re", "statistics", "string", "typing", "transitions"}
# Modules of the cli package that are not commands: shared options, output helpers, the entry point.
CLI_SHARED = {"__init__", "main", "options", "settings", "terminal", "simulated", "live_view"}


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of the file (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "assistant":  # from assistant import x: x is a module of the package
                found |= {f"assistant.{alias.name}" for alias in node.names}
    return found


CORE = sorted((PACKAGE / "core").glob("*.py"))


@pytest.mark.parametrize("path", CORE, ids=[p.stem for p in CORE])
def test_the_core_imports_nothing_from_the_shell(path):
    outside = sorted(m for m in imports(path)
                     if not m.startswith("assistant.core") and m.split(".")[0] not in CORE_MAY_IMPORT)
    assert outside == [], f"assistant/core/{path.name} imports {outside}: pass such parts in instead"


def test_the_check_sees_imports_inside_functions():
    source = PACKAGE / "cli" / "start.py"
    assert "assistant.ears.engines" in imports(source)  # imported inside run_start


def test_no_command_imports_another_command():
    commands = {p.stem for p in (PACKAGE / "cli").glob("*.py")} - CLI_SHARED
    assert {"start", "simulate", "serve", "listen", "service"} <= commands
    for name in sorted(commands):
        others = sorted(m for m in imports(PACKAGE / "cli" / f"{name}.py")
                        if m.startswith("assistant.cli.") and m.removeprefix("assistant.cli.") in commands - {name})
        assert others == [], f"assistant/cli/{name}.py imports the commands {others}: share through options.py"


def test_every_subpackage_says_what_it_holds():
    rooms = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert rooms == ["cli", "core", "data", "ears", "history", "live", "voice"]
    for room in rooms:
        assert ast.get_docstring(ast.parse((PACKAGE / room / "__init__.py").read_text())), room


def test_no_module_is_a_grab_bag_of_more_than_300_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300}
    assert long == {}

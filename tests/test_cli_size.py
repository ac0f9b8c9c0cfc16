"""The CLI stays thin (issue 9): it parses options, calls the facade, renders and maps exit
codes; logic goes to the runner, the jobs or the engine, rendering to render/. A budget on the
CLI package's lines and on each function's length makes a CLI that grows logic fail here,
rather than in a later review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cloudinary_state.cli

PACKAGE = Path(cloudinary_state.cli.__file__).parent
# `emulator serve` (cli_emulator.py) sits beside the package on the CLI layer: its functions are
# held to the same length, its lines are not counted in the package's budget.
MODULES = [*sorted(PACKAGE.rglob("*.py")), PACKAGE.parent / "cli_emulator.py"]
# Issue 9 set "about 450" for a CLI of fewer commands. This is the budget of the package as it
# stands (eleven commands, whose option declarations and signatures, as ruff formats them, take
# about 165 of these lines): a new command raises it knowingly, in review, never silently.
MAX_PACKAGE_LINES = 575
MAX_FUNCTION_LINES = 40  # from `def` to the last line: a command's option decorators are declarations


def _functions(path: Path) -> dict[str, int]:
    """Each function (methods and nested functions too) and its length in lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name: (node.end_lineno or node.lineno) - node.lineno + 1
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_the_cli_package_stays_within_its_line_budget() -> None:
    lines = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    assert sum(lines.values()) <= MAX_PACKAGE_LINES, lines


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_no_cli_function_is_longer_than_the_limit(path: Path) -> None:
    too_long = {name: n for name, n in _functions(path).items() if n > MAX_FUNCTION_LINES}
    assert too_long == {}


def test_the_probes_see_the_cli() -> None:
    # what the checks above measure: the package's modules, and the commands' functions in them
    assert {"__init__.py", "_shared.py"} <= {p.name for p in MODULES}
    measured = {name for path in MODULES for name in _functions(path)}
    assert {"main", "cli", "plan", "apply", "emulator_serve"} <= measured


def test_a_function_is_measured_from_def_to_its_last_line(tmp_path: Path) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(40))
    source = tmp_path / "m.py"
    source.write_text(f"@decorated\ndef long():\n{body}\n\ndef short():\n    def inner():\n        pass\n")
    assert _functions(source) == {"long": 41, "short": 3, "inner": 2}

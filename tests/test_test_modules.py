"""How the tests share code (issue 9): what several test modules use lives in
`tests/conftest.py` or the `tests/support/` package, never in a `test_*.py` module another test
imports (a helper there belongs to one topic's tests while another topic depends on it, and a
test function imported with it runs twice); and every CLI test goes through the real entry
point (`support.cli_runner`: `main()`, whose exit codes and error handling are the CLI's),
never click's own test runner."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
MODULES = sorted(TESTS.rglob("*.py"))


def imported_modules(source: str) -> set[str]:
    """Every module `source` imports, by its dotted name as written."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _test_modules(names: set[str]) -> set[str]:
    return {n for n in names if any(part.startswith("test_") for part in n.split("."))}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_module_is_imported_by_another(path: Path) -> None:
    assert _test_modules(imported_modules(path.read_text(encoding="utf-8"))) == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_runs_the_cli_through_clicks_runner(path: Path) -> None:
    assert "click.testing" not in imported_modules(path.read_text(encoding="utf-8"))


def test_the_scan_sees_both_kinds_of_import() -> None:
    source = (
        "import test_a\nfrom test_b import helper\n"
        "from support.harness import Harness\nfrom click.testing import CliRunner\n"
    )
    names = imported_modules(source)
    assert _test_modules(names) == {"test_a", "test_b", "test_b.helper"}
    assert "click.testing" in names
    assert len(MODULES) > 100 and TESTS / "support" / "harness.py" in MODULES

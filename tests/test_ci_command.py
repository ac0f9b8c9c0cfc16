"""`.ci/run` runs the README's test command: the two are kept in step by this test, not by hope."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = "python3 -m venv .venv && . .venv/bin/activate && "


def _readme_test_command() -> str:
    commands = [
        line.strip()
        for line in (ROOT / "README.md").read_text().splitlines()
        if line.startswith("    ") and VENV in line and "pytest" in line
    ]
    assert len(commands) == 1, commands
    return commands[0].removeprefix(VENV)


def _ci_command() -> str:
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    marker = lines.index("# README test command (keep the two in step):")
    commands = [line for line in lines[marker + 1 :] if line and not re.match(r"(#|export )", line)]
    assert len(commands) == 1, commands
    return commands[0]


def test_ci_runs_the_readme_test_command() -> None:
    assert _ci_command() == _readme_test_command()


def test_the_command_runs_the_tests_and_every_checker() -> None:
    steps = _readme_test_command().split(" && ")
    assert steps[0] == "python -m pip install -e '.[test]'"
    assert {"lint-imports", "mypy", "ruff check cloudinary_state tests"} <= set(steps[1:])
    assert any(step.startswith("python -m pytest") for step in steps)

"""Packaging: the version in one place, the license, shell completion as documented."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import cloudinary_state

ROOT = Path(__file__).resolve().parent.parent


def test_the_version_has_one_source() -> None:
    """pyproject.toml reads the version from the package; `--version` reports the installed one."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    shown = subprocess.run(
        [sys.executable, "-m", "cloudinary_state", "--version"], capture_output=True, text=True, check=True
    )
    assert shown.stdout.split()[-1] == cloudinary_state.__version__
    assert project["license"] == {"text": "MIT"} and "MIT License" in (ROOT / "LICENSE").read_text()


def test_shell_completion_as_documented() -> None:
    """docs/cli.md's completion: the bash script, and completing a command and an option."""

    def run(**env: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "cloudinary_state"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert "complete -o nosort -F" in run(_CLOUDINARY_STATE_COMPLETE="bash_source")
    completions = run(
        _CLOUDINARY_STATE_COMPLETE="bash_complete", COMP_WORDS="cloudinary-state in", COMP_CWORD="1"
    )
    assert "plain,init" in completions.splitlines()
    options = run(
        _CLOUDINARY_STATE_COMPLETE="bash_complete", COMP_WORDS="cloudinary-state init --ac", COMP_CWORD="2"
    )
    assert options.splitlines() == ["plain,--action"]

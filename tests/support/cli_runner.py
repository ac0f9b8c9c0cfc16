"""Running the CLI in-process the way CI runs it: through the console entry point (so exit
codes are the real ones, 64 for usage errors included), with both streams captured."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from cloudinary_state.cli import main


class Result(NamedTuple):
    code: int
    out: str
    err: str


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    """Run `cloudinary-state ARGV...`; a traceback, or an exception `main` lets out, fails the test."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, out + err
    code = exited.value.code
    return Result(code if isinstance(code, int) else 0, out, err)


def run_cli(config_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """Run `cloudinary-state --config-dir CONFIG_DIR ARGS...` (see `run_main`)."""
    return run_main(capsys, "--config-dir", str(config_dir), *args)


_CHANGE_LINE = re.compile(r"^  (?P<symbol>\+|~|-|-/\+) (?P<kind>\S+) (?P<name>\S+)  \((?P<action>\w+)\)$")
_SYMBOLS = {"create": "+", "update": "~", "delete": "-", "replace": "-/+"}


def planned_changes(text: str) -> dict[tuple[str, str], str]:
    """The change lines of a text plan (`  - upload_mapping legacy  (delete)`), as
    {(kind, name): action}: a test that claims a delete asserts the delete line, not any line
    that happens to name the object."""
    changes: dict[tuple[str, str], str] = {}
    for line in text.splitlines():
        match = _CHANGE_LINE.match(line)
        if match is not None:
            assert _SYMBOLS[match["action"]] == match["symbol"], line
            changes[(match["kind"], match["name"])] = match["action"]
    return changes

"""Running the CLI in-process the way CI runs it: through the console entry point (so exit
codes are the real ones, 64 for usage errors included), with both streams captured."""

from __future__ import annotations

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

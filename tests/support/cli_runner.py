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


def run_cli(config_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """Run `cloudinary-state --config-dir CONFIG_DIR ARGS...`; a traceback fails the test."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(["--config-dir", str(config_dir), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, out + err
    code = exited.value.code
    return Result(code if isinstance(code, int) else 0, out, err)

"""`validate` on the example environments, and its usage errors (exit 64 through `main`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cloudinary_state.cli import cli, main

REPO = Path(__file__).resolve().parent.parent


def test_validate_all_passes_on_the_examples() -> None:
    result = CliRunner().invoke(cli, ["--config-dir", str(REPO), "validate", "--all", "--strict"], env={})
    assert result.exit_code == 0, result.output
    assert "production: ok" in result.output
    assert "staging: ok" in result.output


@pytest.mark.parametrize("args", [["validate"], ["validate", "--env", "staging", "--all"]])
def test_env_and_all_are_exclusive_and_required(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--config-dir", str(REPO), *args])
    assert exited.value.code == 64
    assert "exactly one of --env ENV or --all" in capsys.readouterr().err


def test_validate_as_a_process_prints_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "x.yaml").write_text("cloud_name: x\ncredentials: C\ncloud_name: y\n")
    done = subprocess.run(
        [sys.executable, "-m", "cloudinary_state", "--config-dir", str(tmp_path), "validate", "--env", "x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "environments/x.yaml:3:1: duplicate key 'cloud_name'" in done.stderr
    assert "Traceback" not in done.stderr


def test_unset_env_var_is_a_warning_for_validate(tmp_path: Path) -> None:
    env = tmp_path / "environments"
    env.mkdir()
    (env / "x.yaml").write_text("cloud_name: x\ncredentials: C\ninclude: [r.yaml]\n")
    (env / "r.yaml").write_text("upload_mappings:\n  m: {template: '${env.CS_TEST_UNSET_HOOK}'}\n")
    result = CliRunner().invoke(cli, ["--config-dir", str(tmp_path), "validate", "--env", "x"], env={})
    assert result.exit_code == 0, result.output
    assert "warning: " in result.output
    assert "environment variable 'CS_TEST_UNSET_HOOK' is not set" in result.output

"""`validate` on the example environments, and its usage errors (exit 64 through `main`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.cli_runner import run_cli

REPO = Path(__file__).resolve().parent.parent


def test_validate_all_passes_on_the_examples(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(REPO, capsys, "validate", "--all", "--strict")
    assert result.code == 0, result.out + result.err
    assert "production: ok" in result.out
    assert "staging: ok" in result.out


@pytest.mark.parametrize("args", [["validate"], ["validate", "--env", "staging", "--all"]])
def test_env_and_all_are_exclusive_and_required(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(REPO, capsys, *args)
    assert result.code == 64
    assert "exactly one of --env ENV or --all" in result.err


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


def test_unset_env_var_is_a_warning_for_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CS_TEST_UNSET_HOOK", raising=False)
    env = tmp_path / "environments"
    env.mkdir()
    (env / "x.yaml").write_text("cloud_name: x\ncredentials: C\ninclude: [r.yaml]\n")
    (env / "r.yaml").write_text("upload_mappings:\n  m: {template: '${env.CS_TEST_UNSET_HOOK}'}\n")
    result = run_cli(tmp_path, capsys, "validate", "--env", "x")
    assert result.code == 0, result.out + result.err
    warnings = [row for row in result.err.splitlines() if row.startswith("warning: ")]
    assert any("environment variable 'CS_TEST_UNSET_HOOK' is not set" in row for row in warnings), result.err


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "{access_type: token, start: '2026-01-01T00:00:00Z'}",
            "start/end apply to access_type anonymous; token access is limited by its key",
        ),
        ("{access_type: anonymous, key: k}", "key applies to access_type token only"),
        (
            "{access_type: anonymous, end: soon}",
            "end must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z",
        ),
        (
            "{access_type: anonymous, start: '2026-01-01T00:00:00', end: '2027-01-01T00:00:00Z'}",
            "give start and end both with or both without a time zone",
        ),
        (
            "{access_type: anonymous, start: '2027-01-01T00:00:00Z', end: '2026-01-01T00:00:00Z'}",
            "start must be before end",
        ),
    ],
)
def test_an_access_control_rule_whose_fields_do_not_fit_together_is_an_error_at_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rule: str, message: str
) -> None:
    env = tmp_path / "environments"
    env.mkdir()
    (env / "x.yaml").write_text("cloud_name: x\ncredentials: C\ninclude: [r.yaml]\n")
    (env / "r.yaml").write_text(
        "upload_presets:\n  p:\n    settings:\n      access_control:\n"
        f"        - {{access_type: anonymous}}\n        - {rule}\n"
    )
    result = run_cli(tmp_path, capsys, "validate", "--env", "x")
    assert result.code == 1, result.out + result.err
    errors = [row for row in result.err.splitlines() if row.startswith("error: ")]
    assert errors == [
        f"error: {env / 'r.yaml'}:6:11: upload_preset 'p': settings.access_control[1]: {message}"
    ], result.err


def test_an_access_control_rule_from_env_values_is_checked_without_quoting_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CS_TEST_ACCESS_KEY", "k3y-from-the-environment")
    env = tmp_path / "environments"
    env.mkdir()
    (env / "x.yaml").write_text("cloud_name: x\ncredentials: C\ninclude: [r.yaml]\n")
    (env / "r.yaml").write_text(
        "upload_presets:\n  p:\n    settings:\n      access_control:\n"
        "        - {access_type: anonymous, key: '${env.CS_TEST_ACCESS_KEY}'}\n"
    )
    result = run_cli(tmp_path, capsys, "validate", "--env", "x")
    assert result.code == 1, result.out + result.err
    assert "r.yaml:5:11: upload_preset 'p': settings.access_control[0]: key applies to access_type token" in (
        result.err
    )
    assert "k3y-from-the-environment" not in result.out + result.err

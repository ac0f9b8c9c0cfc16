"""Every run that talked to the Admin API ends with its one-line summary (DESIGN.md §4),
including runs that fail or are refused: the last stderr line names the calls made."""

from __future__ import annotations

import json
from pathlib import Path

from support.harness import BASE_RESOURCES, Harness, with_changes


def _last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


def test_a_refused_apply_ends_with_the_summary(harness: Harness) -> None:
    harness.run("apply", "--env", "test", "--auto-approve")
    harness.write(with_changes(BASE_RESOURCES, "upload_mappings", "product_assets", {"absent": True}))
    result = harness.run("apply", "--env", "test", "--auto-approve")  # a delete without --allow-delete
    assert result.code == 3
    assert "--allow-delete" in result.err
    assert _last_line(result.err).startswith("Admin API calls: ")


def test_a_run_failing_on_an_api_error_ends_with_the_summary(harness: Harness) -> None:
    harness.emu.inject("status", status=400, count=1, path_prefix="upload_mappings")
    result = harness.run("apply", "--env", "test", "--auto-approve")
    assert result.code == 1
    assert "error: upload_mappings: Error 400" in result.err
    assert _last_line(result.err).startswith("Admin API calls: ")


def test_a_tampered_plan_file_is_refused_before_any_call(harness: Harness, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    harness.run("plan", "--env", "test", "--out", str(plan_file))
    document = json.loads(plan_file.read_text())
    document["summary"]["create"] = 0
    plan_file.write_text(json.dumps(document))
    harness.emu.clear_log()
    result = harness.run("apply", "--env", "test", str(plan_file))
    assert result.code == 3 and "digest mismatch" in result.err
    # the file is read before connecting: the refusal ends the run, which talked to no API
    assert _last_line(result.err).startswith("error: plan file ")
    assert harness.emu.request_log == []


def test_an_invalid_config_makes_no_call_and_says_so(harness: Harness) -> None:
    harness.write(with_changes(BASE_RESOURCES, "upload_presets", "bad", {"settings": {"foldr": "x"}}))
    result = harness.run("plan", "--env", "test")
    assert result.code == 1
    assert _last_line(result.err) == "1 error(s); nothing was sent to the API."
    assert harness.emu.request_log == []

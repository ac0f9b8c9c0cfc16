"""Plans for review, end to end (issue 12): deletes approved at review and recorded in the
saved plan, several outputs from one plan run (and one drift run), the policy refusal still
written for the PR comment, and output paths checked before the run connects.
Real SDK over HTTP to the emulator, through the CLI's console entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli_runner import planned_changes
from support.harness import API_SECRET, BASE_RESOURCES, WEBHOOK_SECRET, Harness, with_changes

TOMBSTONED = with_changes(BASE_RESOURCES, "upload_mappings", "product_assets", {"absent": True})


def _deletes_pending(h: Harness) -> None:
    """The account has every object; the config tombstones the upload mapping."""
    h.apply("test")
    h.write(TOMBSTONED)
    h.emu.clear_log()


# --- deletes approved at review -----------------------------------------------------------------


def test_a_plan_saved_with_allow_delete_applies_its_delete_without_the_flag(
    harness: Harness, tmp_path: Path
) -> None:
    _deletes_pending(harness)
    plan_file = tmp_path / "plan.json"
    planned = harness.run("plan", "--env", "test", "--allow-delete", "--out", str(plan_file))
    assert planned.code == 0, planned.err
    assert planned_changes(planned.out) == {("upload_mapping", "product_assets"): "delete"}
    assert "Deletes and replaces (1) approved (--allow-delete)" in planned.out
    assert json.loads(plan_file.read_text())["approved_deletes"] is True

    applied = harness.run("apply", "--env", "test", str(plan_file))  # no --allow-delete
    assert applied.code == 0, applied.out + applied.err
    assert "1 deleted" in applied.out
    assert harness.writes() == ["DELETE upload_mappings"]
    assert harness.plan_is_empty("test")


def test_a_plan_saved_without_approval_still_refuses_its_delete(harness: Harness, tmp_path: Path) -> None:
    _deletes_pending(harness)
    plan_file = tmp_path / "plan.json"
    planned = harness.run("plan", "--env", "test", "--out", str(plan_file))
    assert planned.code == 0, planned.err  # planning a delete is no refusal: applying it is
    assert "Deletes and replaces (1) are not approved" in planned.out
    assert json.loads(plan_file.read_text())["approved_deletes"] is False

    refused = harness.run("apply", "--env", "test", str(plan_file))
    assert refused.code == 3, refused.out + refused.err
    assert "upload_mapping:product_assets" in refused.err and "plan --allow-delete --out" in refused.err
    assert harness.writes() == []
    # the flag at apply time approves it still, and the plan apply shows says so
    approved = harness.run("apply", "--env", "test", "--allow-delete", str(plan_file))
    assert approved.code == 0 and "Deletes and replaces (1) approved (--allow-delete)" in approved.out


def test_approving_deletes_by_editing_the_file_breaks_its_digest(harness: Harness, tmp_path: Path) -> None:
    _deletes_pending(harness)
    plan_file = tmp_path / "plan.json"
    assert harness.run("plan", "--env", "test", "--out", str(plan_file)).code == 0
    document = json.loads(plan_file.read_text())
    plan_file.write_text(json.dumps({**document, "approved_deletes": True}))
    refused = harness.run("apply", "--env", "test", str(plan_file))
    assert refused.code == 3 and "digest mismatch" in refused.err
    assert harness.writes() == []


def test_allow_delete_without_out_shows_the_plan_approved_and_writes_nothing(harness: Harness) -> None:
    _deletes_pending(harness)
    planned = harness.run("plan", "--env", "test", "--allow-delete", "--format", "json")
    assert planned.code == 0
    document = json.loads(planned.out)
    assert [(c["kind"], c["name"], c["action"]) for c in document["changes"]] == [
        ("upload_mapping", "product_assets", "delete")
    ]  # the delete it approves
    assert document["approved_deletes"] is True
    assert harness.writes() == []


# --- several outputs from one run ---------------------------------------------------------------


def test_one_plan_run_writes_the_plan_file_markdown_and_summary(harness: Harness, tmp_path: Path) -> None:
    out, md, summary = tmp_path / "plan.json", tmp_path / "plan.md", tmp_path / "summary.json"
    result = harness.run(
        "plan", "--env", "test", "--format", "json", "--detailed-exitcode",
        "--out", str(out), "--markdown", str(md), "--json-summary", str(summary),
    )  # fmt: skip
    assert result.code == 2, result.err
    # stdout is the --format rendering: the same document the plan file holds
    assert json.loads(result.out) == json.loads(out.read_text())
    markdown = md.read_text()
    assert markdown.startswith("### cloudinary-state plan: `test`") and markdown.count("<details>") == 5
    facts = json.loads(summary.read_text())
    assert facts["format"] == "cloudinary-state/plan-summary@1"
    assert facts["summary"]["create"] == 5 and facts["has_changes"] is True
    assert facts["by_kind"] == {
        "metadata_field": {"create": 2},
        "transformation": {"create": 1},
        "upload_preset": {"create": 1},
        "upload_mapping": {"create": 1},
    }
    assert facts["exit_code"] == 2 and facts["refused"] is None
    assert facts["approved_deletes"] is False and facts["needs_delete_approval"] is False
    assert facts["forecast_calls"] == json.loads(out.read_text())["forecast"]["calls"] > 0
    assert facts["forecast_exceeds_budget"] is False and facts["rehearsal"] is None  # not rehearsed
    for text in (result.out, result.err, markdown, summary.read_text(), out.read_text()):
        assert API_SECRET not in text and WEBHOOK_SECRET not in text


def test_the_summary_says_when_deletes_need_approval(harness: Harness, tmp_path: Path) -> None:
    _deletes_pending(harness)
    summary = tmp_path / "summary.json"
    for flags, needs in (((), True), (("--allow-delete",), False)):
        assert harness.run("plan", "--env", "test", "--json-summary", str(summary), *flags).code == 0
        facts = json.loads(summary.read_text())
        assert facts["destructive"] == 1 and facts["by_kind"] == {"upload_mapping": {"delete": 1}}
        assert facts["needs_delete_approval"] is needs and facts["approved_deletes"] is not needs


def test_the_summary_carries_the_rehearsal_outcome(harness: Harness, tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    assert harness.run("plan", "--env", "test", "--rehearse", "--json-summary", str(summary)).code == 0
    assert json.loads(summary.read_text())["rehearsal"] == "converged"


def test_a_refused_plan_still_writes_its_markdown_and_summary_but_not_the_plan_file(
    harness: Harness, tmp_path: Path
) -> None:
    _deletes_pending(harness)
    harness.write(TOMBSTONED, policy={"protect": {"upload_mappings": ["product_assets"]}})
    out, md, summary = tmp_path / "plan.json", tmp_path / "plan.md", tmp_path / "summary.json"
    result = harness.run(
        "plan", "--env", "test", "--format", "markdown",
        "--out", str(out), "--markdown", str(md), "--json-summary", str(summary),
    )  # fmt: skip
    assert result.code == 3, result.err
    assert not out.exists()
    assert result.out == md.read_text()  # stdout's Markdown says it too
    assert "**Refused by policy (exit 3):**" in md.read_text() and "policy.protect" in md.read_text()
    facts = json.loads(summary.read_text())
    assert facts["exit_code"] == 3 and "policy.protect" in facts["refused"]


def test_one_drift_run_writes_markdown_junit_and_json(workspace: Harness, tmp_path: Path) -> None:
    workspace.apply("staging")
    workspace.sdk("acme-staging", "create_upload_mapping", "legacy", template="https://legacy.example/")
    md, junit, report = tmp_path / "drift.md", tmp_path / "drift.xml", tmp_path / "drift.json"
    result = workspace.run(
        "drift", "--env", "staging", "--format", "json",
        "--markdown", str(md), "--junit", str(junit), "--json", str(report),
        env="staging",
    )  # fmt: skip
    assert result.code == 2, result.err
    assert result.out == report.read_text()  # --json FILE is what --format json prints
    assert "`upload_mapping:legacy`" in md.read_text()
    assert junit.read_text().startswith("<?xml") and 'name="legacy"' in junit.read_text()


# --- output paths: checked before the run connects ----------------------------------------------

PLAN_FLAGS = ("--out", "--markdown", "--json-summary")
DRIFT_FLAGS = ("--markdown", "--junit", "--json")


@pytest.mark.parametrize(
    ("command", "flag"), [*(("plan", f) for f in PLAN_FLAGS), *(("drift", f) for f in DRIFT_FLAGS)]
)
def test_an_output_path_that_is_a_directory_is_exit_1_before_any_call(
    harness: Harness, tmp_path: Path, command: str, flag: str
) -> None:
    result = harness.run(command, "--env", "test", flag, str(tmp_path))
    assert result.code == 1, result.err
    assert f"error: {flag} {tmp_path}: is a directory; give the path of a file" in result.err
    assert harness.emu.request_log == []


def test_two_outputs_on_one_path_is_exit_1(harness: Harness, tmp_path: Path) -> None:
    same = str(tmp_path / "plan.json")
    result = harness.run("plan", "--env", "test", "--out", same, "--json-summary", same)
    assert result.code == 1 and "--out and --json-summary both name" in result.err
    assert harness.emu.request_log == []


def test_a_plan_file_that_is_a_directory_is_exit_1_for_apply_and_show(
    harness: Harness, tmp_path: Path
) -> None:
    for command in (("apply", "--env", "test"), ("show",)):
        result = harness.run(*command, str(tmp_path))
        assert result.code == 1, result.err
        assert f"plan file {tmp_path}: cannot be read: is a directory" in result.err
    assert harness.emu.request_log == []


# --- a Markdown plan within GitHub's limit -------------------------------------------------------


def test_a_markdown_plan_of_1000_creates_fits_a_github_comment(harness: Harness, tmp_path: Path) -> None:
    presets = {
        f"bulk_{i:04}": {"settings": {"folder": f"bulk/{i:04}", "tags": ["bulk", f"batch_{i % 7}"]}}
        for i in range(1000)
    }
    harness.write({"upload_presets": presets})
    md = tmp_path / "plan.md"
    out = tmp_path / "plan.json"
    result = harness.run(
        "plan", "--env", "test", "--format", "markdown", "--markdown", str(md), "--out", str(out)
    )
    assert result.code == 0, result.err
    markdown = md.read_text()
    assert len(markdown) <= 60_000 < 65_536
    shown = markdown.count("<details>")
    assert 0 < shown < 1000
    assert f"**{1000 - shown} of 1000 objects are not shown here**" in markdown
    assert f"| upload_preset | create | {1000 - shown} |" in markdown
    assert f"The full plan is in `{out}`" in markdown
    assert len(json.loads(out.read_text())["changes"]) == 1000  # the plan file has them all

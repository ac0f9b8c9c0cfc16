"""Secrets the config does not know (a console-made preset's `eval`, a token in a webhook URL)
never leave through a plan, a saved plan or a drift report; an apply's progress never prints a
secret an API error echoes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.cli_runner import planned_changes
from support.harness import STAGING, WORKSPACE_RESOURCES, Harness

from cloudinary_state.engine.plan import FieldDiff, field_diffs
from cloudinary_state.secret_values import looks_secret, redact_secrets

LIVE_TOKEN = "LIVESECRET123"
EVAL_BODY = "upload_options['tags'] = 'EVALBODY-SECRET-9'"
EVAL_SECRET = "EVALBODY-SECRET-9"


def _console_preset(ws: Harness, name: str = "console_preset", **extra: str) -> None:
    ws.sdk(
        STAGING,
        "create_upload_preset",
        name=name,
        folder="console",
        eval=EVAL_BODY,
        notification_url=f"https://h.example/x?api_token={LIVE_TOKEN}",
        **extra,
    )


def _every_output(ws: Harness, tmp_path: Path) -> dict[str, str]:
    """What plan (each format), plan --out and drift (each format) print or write."""
    outputs: dict[str, str] = {}
    for fmt in ("text", "json", "markdown"):
        result = ws.run("plan", "--env", "staging", "--format", fmt, env="staging")
        assert result.code == 0, result.out + result.err
        outputs[f"plan {fmt}"] = result.out + result.err
    saved = tmp_path / "saved-plan.json"
    result = ws.run("plan", "--env", "staging", "--out", str(saved), env="staging")
    assert result.code == 0, result.out + result.err
    outputs["plan --out"] = saved.read_text() + result.out + result.err
    for fmt in ("text", "json", "markdown", "junit"):
        result = ws.run("drift", "--env", "staging", "--format", fmt, env="staging")
        assert result.code == 2, result.out + result.err
        outputs[f"drift {fmt}"] = result.out + result.err
    return outputs


def _assert_no_live_secret(outputs: dict[str, str]) -> None:
    for where, text in outputs.items():
        assert LIVE_TOKEN not in text, where
        assert EVAL_SECRET not in text, where


def test_a_pruned_console_preset_shows_its_secret_fields_masked(workspace: Harness, tmp_path: Path) -> None:
    workspace.apply("staging")
    _console_preset(workspace)
    workspace.write_environment("staging", policy={"prune": ["upload_presets"]})
    outputs = _every_output(workspace, tmp_path)
    _assert_no_live_secret(outputs)
    text = outputs["plan text"]
    assert planned_changes(text) == {("upload_preset", "console_preset"): "delete"}
    assert "settings.eval: (sensitive)" in text  # the field is there, its value is not
    assert '"https://h.example/x?api_token=(sensitive)"' in text
    [change] = _json(outputs["plan json"])["changes"]
    diffs = {d["path"]: d for d in change["diffs"]}
    assert diffs["settings.eval"] == {
        "path": "settings.eval",
        "before": "(sensitive)",
        "after": None,
        "sensitive": True,
    }
    assert diffs["settings.folder"]["before"] == "console" and "sensitive" not in diffs["settings.folder"]


def test_a_tombstoned_console_preset_shows_its_secret_fields_masked(
    workspace: Harness, tmp_path: Path
) -> None:
    workspace.apply("staging")
    _console_preset(workspace)
    workspace.write_resources({**WORKSPACE_RESOURCES, "upload_presets": {
        **WORKSPACE_RESOURCES["upload_presets"], "console_preset": {"absent": True}}})  # fmt: skip
    outputs = _every_output(workspace, tmp_path)
    _assert_no_live_secret(outputs)
    assert planned_changes(outputs["plan text"]) == {("upload_preset", "console_preset"): "delete"}
    assert "settings.eval: (sensitive)" in outputs["plan text"]


def test_an_update_never_shows_the_live_secret_it_removes(workspace: Harness, tmp_path: Path) -> None:
    workspace.apply("staging")
    preset = workspace.sdk(STAGING, "upload_preset", "product_assets")
    workspace.sdk(
        STAGING, "update_upload_preset", "product_assets", **{**preset["settings"], "eval": EVAL_BODY}
    )
    outputs = _every_output(workspace, tmp_path)
    _assert_no_live_secret(outputs)
    assert planned_changes(outputs["plan text"]) == {("upload_preset", "product_assets"): "update"}
    assert "settings.eval: (sensitive)" in outputs["plan text"]
    assert "settings.eval: live (sensitive), config (absent)" in outputs["drift text"]


def _json(text: str) -> dict[str, Any]:
    # stdout holds the document, stderr's run summary follows it in `text`
    document: dict[str, Any] = json.JSONDecoder().raw_decode(text)[0]
    return document


def test_field_diffs_mask_only_the_secret_parts_and_say_when_only_they_changed() -> None:
    before = {"settings": {"notification_url": "https://h/x?token=OLD-TOKEN-1", "eval": "a = 1"}}
    after = {"settings": {"notification_url": "https://h/x?token=NEW-TOKEN-2", "eval": "a = 2"}}
    assert field_diffs(before, after) == (
        FieldDiff("settings.eval", "(sensitive)", "(sensitive, changed)", True),
        FieldDiff(
            "settings.notification_url",
            "https://h/x?token=(sensitive)",
            "https://h/x?token=(sensitive, changed)",
            True,
        ),
    )
    moved = {"settings": {"notification_url": "https://other/x?token=OLD-TOKEN-1"}}
    assert field_diffs({"settings": {"notification_url": before["settings"]["notification_url"]}}, moved) == (
        FieldDiff(
            "settings.notification_url",
            "https://h/x?token=(sensitive)",
            "https://other/x?token=(sensitive)",
            True,
        ),
    )
    # nothing that looks secret: shown as it is, not flagged
    assert field_diffs({"folder": "a"}, {"folder": "b"}) == (FieldDiff("folder", "a", "b"),)


def test_the_detector_finds_secret_parts_at_any_depth() -> None:
    assert looks_secret({"a": ["https://u:pw@h/"]}, "settings")
    assert not looks_secret({"folder": "https://h/?page=2"}, "settings")
    assert redact_secrets({"eval": "x", "n": "https://h/?sig=abc&page=2"}, "settings", "*") == {
        "eval": "*",
        "n": "https://h/?sig=*&page=2",
    }


def test_an_api_error_echoing_a_secret_never_reaches_stderr_during_apply(workspace: Harness) -> None:
    # The emulator, like the service, quotes a coordinate it cannot read ("1e10" is a float to
    # the engine, not to the server); the coordinate comes from ${env.*}: a secret.
    secret = "7.5e2"
    workspace.write_resources({**WORKSPACE_RESOURCES, "upload_presets": {
        **WORKSPACE_RESOURCES["upload_presets"],
        "faces": {"settings": {"face_coordinates": "1,2,3,${env.FACE_HEIGHT}"}}}})  # fmt: skip
    workspace.monkeypatch.setenv("FACE_HEIGHT", secret)
    result = workspace.run("apply", "--env", "staging", "--auto-approve", env="staging")
    assert result.code == 1, result.out + result.err
    assert "upload_preset:faces: failed:" in result.err  # the failure is reported, scrubbed
    assert secret not in result.out + result.err

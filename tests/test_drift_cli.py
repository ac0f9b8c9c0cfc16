"""`drift` end to end: out-of-band changes made with the real SDK, detected through the CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from support.harness import API_SECRETS, STAGING, STATUS_FIELD, WEBHOOK_SECRETS, WORKSPACE_RESOURCES, Harness


def _drift(ws: Harness, *extra: str) -> tuple[int, str]:
    result = ws.run("drift", "--env", "staging", *extra, env="staging")
    assert result.code in (0, 2), result.err
    return result.code, result.out


def test_clean_account_exits_0_with_passing_testcases(workspace: Harness) -> None:
    workspace.apply("staging")
    code, text = _drift(workspace)
    assert code == 0 and "No drift" in text
    code, xml = _drift(workspace, "--format", "junit")
    root = ET.fromstring(xml)
    assert code == 0 and root.get("failures") == "0"
    # one test case per managed object: 1 field, 2 transformations, 1 preset, 1 mapping
    assert len(root.findall("./testsuite/testcase")) == 5


def test_each_class_of_drift_is_detected(workspace: Harness) -> None:
    workspace.apply("staging")
    # changed: someone edits the preset's folder in the console
    preset = workspace.sdk(STAGING, "upload_preset", "product_assets")
    workspace.sdk(
        STAGING,
        "update_upload_preset",
        "product_assets",
        **{**preset["settings"], "folder": "edited_in_console"},
    )
    # missing: a declared transformation deleted in the console
    workspace.sdk(STAGING, "delete_transformation", "hero")
    # unmanaged: created in the console, not declared
    workspace.sdk(STAGING, "create_transformation", "console_made", "c_crop,h_10,w_10")

    code, text = _drift(workspace)
    assert code == 2
    assert "~ upload_preset product_assets" in text
    assert 'settings.folder: live "edited_in_console", config "product_assets"' in text
    assert "+ transformation hero" in text
    assert "? transformation console_made" in text
    assert "Drift found: 1 changed, 1 missing, 1 unmanaged" in text

    document = json.loads(_drift(workspace, "--format", "json")[1])
    statuses = {(i["kind"], i["name"]): i["status"] for i in document["items"]}
    assert statuses == {
        ("upload_preset", "product_assets"): "changed",
        ("transformation", "hero"): "missing",
        ("transformation", "console_made"): "unmanaged",
    }
    assert document["summary"] == {"changed": 1, "missing": 1, "unmanaged": 1, "in_sync": 3}


def test_unmanaged_in_a_prune_kind_says_apply_would_delete(workspace: Harness) -> None:
    workspace.write_environment("staging", policy={"prune": ["upload_mappings"]})
    workspace.apply("staging")
    workspace.sdk(STAGING, "create_upload_mapping", "legacy", template="https://old.example/x/")
    code, text = _drift(workspace)
    assert code == 2
    assert "? upload_mapping legacy  (an apply would delete it)" in text
    markdown = _drift(workspace, "--format", "markdown")[1]
    assert "`upload_mapping:legacy` — an apply would delete it" in markdown
    assert markdown.startswith("### cloudinary-state drift: `staging`")


def test_junit_counts_the_right_failures(workspace: Harness) -> None:
    workspace.apply("staging")
    workspace.sdk(STAGING, "update_transformation", "thumb", allowed_for_strict=False)
    workspace.sdk(STAGING, "delete_upload_mapping", "product_assets")
    workspace.sdk(STAGING, "create_upload_mapping", "other", template="https://x.example/")
    code, xml = _drift(workspace, "--format", "junit")
    assert code == 2
    root = ET.fromstring(xml)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failures = {name: c.find("failure") for name, c in cases.items() if c.find("failure") is not None}
    assert set(failures) == {"thumb", "product_assets", "other"}
    # product_assets names both the preset (in sync) and the mapping (missing): check per kind
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    mapping_suite = suites["staging/upload_mapping"]
    assert mapping_suite.get("failures") == "2" and mapping_suite.get("tests") == "2"
    assert suites["staging/upload_preset"].get("failures") == "0"
    assert suites["staging/transformation"].get("failures") == "1"
    assert root.get("failures") == "3" and root.get("tests") == "6"
    thumb_failure = failures["thumb"]
    assert thumb_failure is not None and thumb_failure.get("type") == "changed"
    assert "allowed_for_strict" in (thumb_failure.get("message") or "")


def test_sensitive_drift_is_masked(workspace: Harness) -> None:
    workspace.apply("staging")
    preset = workspace.sdk(STAGING, "upload_preset", "product_assets")
    leaked = "https://hooks.example.test/stg?token=SOMEONE-ELSES-TOKEN-99"
    workspace.sdk(
        STAGING,
        "update_upload_preset",
        "product_assets",
        **{**preset["settings"], "notification_url": leaked},
    )
    for fmt in ("text", "json", "markdown", "junit"):
        code, out = _drift(workspace, "--format", fmt)
        assert code == 2
        assert "settings.notification_url" in out
        assert "(sensitive" in out
        for secret in (WEBHOOK_SECRETS["staging"], "STG-HOOK-SECRET-11", API_SECRETS[STAGING]):
            assert secret not in out, fmt


def test_errors_exit_1(workspace: Harness) -> None:
    workspace.monkeypatch.delenv("CLOUDINARY_URL_STAGING")
    result = workspace.run("drift", "--env", "staging", env="staging")
    assert result.code == 1
    assert "CLOUDINARY_URL_STAGING" in result.err
    assert workspace.run("drift", "--env", "nowhere").code == 1


def test_emulator_mode_uses_the_config_dirs_emulator_state(workspace: Harness) -> None:
    workspace.use_env("staging")
    assert workspace.run("apply", "--env", "staging", "--emulator", "--auto-approve").code == 0
    state = workspace.config_dir / ".cloudinary-state" / "emulator" / "staging.json"
    assert state.is_file()
    clean = workspace.run("drift", "--env", "staging", "--emulator")
    assert clean.code == 0, clean.out + clean.err
    # the embedded emulator and the test's emulator are separate accounts
    assert workspace.run("drift", "--env", "staging").code == 2


def test_a_tombstoned_object_that_exists_is_drift(workspace: Harness) -> None:
    workspace.apply("staging")
    resources = {
        **WORKSPACE_RESOURCES,
        "transformations": {**WORKSPACE_RESOURCES["transformations"], "hero": {"absent": True}},
    }
    workspace.write_resources(resources)
    code, text = _drift(workspace)
    assert code == 2
    assert "~ transformation hero  (an apply would delete it)" in text
    assert "declared absent (absent: true) but present in the account" in text


def test_protected_unmanaged_objects_in_a_prune_kind(workspace: Harness) -> None:
    workspace.write_environment(
        "staging", policy={"prune": ["upload_mappings"], "protect": {"upload_mappings": ["keep_*"]}}
    )
    workspace.apply("staging")
    workspace.sdk(STAGING, "create_upload_mapping", "keep_me", template="https://old.example/x/")
    code, text = _drift(workspace)
    assert code == 2
    assert "? upload_mapping keep_me\n" in text
    assert "protected: an apply refuses to delete it (policy.protect)" in text


def _changed_items(ws: Harness) -> dict[tuple[str, str], list[dict[str, object]]]:
    code, out = _drift(ws, "--format", "json")
    assert code == 2, out
    items = json.loads(out)["items"]
    assert {i["status"] for i in items if i["status"] != "in_sync"} == {"changed"}
    return {(i["kind"], i["name"]): i["diffs"] for i in items if i["status"] == "changed"}


def test_a_metadata_field_edited_out_of_band_is_changed(workspace: Harness) -> None:
    workspace.write_resources(
        {
            **WORKSPACE_RESOURCES,
            "metadata_fields": {**WORKSPACE_RESOURCES["metadata_fields"], "status": STATUS_FIELD},
        }
    )
    workspace.apply("staging")
    # the label renamed in the console, and one datasource value soft-deleted with the SDK
    workspace.sdk(STAGING, "update_metadata_field", "status", {"label": "Status (console)"})
    workspace.sdk(STAGING, "delete_datasource_entries", "status", ["requires_data"])

    assert _changed_items(workspace) == {
        ("metadata_field", "status"): [
            {"path": "datasource.requires_data", "live": None, "config": "Requires data", "sensitive": False},
            # one active value left has no order; the config's two are in ascending order
            {"path": "datasource_order", "live": None, "config": "asc", "sensitive": False},
            {"path": "label", "live": "Status (console)", "config": "Status", "sensitive": False},
        ]
    }
    text = _drift(workspace)[1]
    assert "~ metadata_field status" in text
    assert 'label: live "Status (console)", config "Status"' in text


def test_an_upload_mapping_template_edited_out_of_band_is_changed(workspace: Harness) -> None:
    workspace.apply("staging")
    workspace.sdk(
        STAGING, "update_upload_mapping", "product_assets", template="https://elsewhere.example/uploads/"
    )
    assert _changed_items(workspace) == {
        ("upload_mapping", "product_assets"): [
            {
                "path": "template",
                "live": "https://elsewhere.example/uploads/",
                "config": "https://staging-media.acme.example/uploads/",
                "sensitive": False,
            }
        ]
    }
    text = _drift(workspace)[1]
    assert "~ upload_mapping product_assets" in text

"""Metadata rules (issue 10): offline checks at file:line:column, and every write path through
the real SDK over HTTP to the emulator: create, update, delete, apply then plan empty, a second
apply that writes nothing, drift after a change in the console, import then plan empty."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from support.cli_runner import planned_changes
from support.harness import (
    BASE_RESOURCES,
    CLOUD,
    STAGING,
    WEBHOOK_SECRET,
    WORKSPACE_RESOURCES,
    Harness,
)

from cloudinary_state.kinds.base import LiveObject
from cloudinary_state.kinds.metadata_rules import METADATA_RULES
from cloudinary_state.kinds.metadata_rules.kind import canonical_condition

SIZES = {
    "type": "set",
    "label": "Size",
    "datasource": {"values": [{"external_id": f"eu_{n}", "value": f"EU {n}"} for n in (40, 41, 42)]},
}
RULE: dict[str, Any] = {
    "metadata_field_id": "size",
    "condition": {
        "and": [
            {"metadata_field_id": "status", "equals": "complete"},
            {"metadata_field_id": "sku", "populated": True},
        ]
    },
    "result": {"activate_values": {"external_ids": ["eu_40", "eu_41"]}},
}


def resources(**rules: Any) -> dict[str, Any]:
    fields = {**BASE_RESOURCES["metadata_fields"], "size": SIZES}
    return {**BASE_RESOURCES, "metadata_fields": fields, "metadata_rules": rules}


def rule_with(**changes: Any) -> dict[str, Any]:
    return {**RULE, **changes}


# --- offline -----------------------------------------------------------------------------------


def _error_at(harness: Harness, rules: dict[str, Any]) -> tuple[str, str]:
    """The one error of `validate --all`, and the text of the resource file where it points."""
    path = harness.write_resources(resources(**rules))
    result = harness.run("validate", "--all")
    assert result.code == 1, result.out + result.err
    assert harness.emu.request_log == []
    found = re.search(rf"error: {re.escape(str(path))}:(\d+):(\d+): (.*)", result.err)
    assert found is not None, result.err
    line, column = int(found.group(1)), int(found.group(2))
    return found.group(3), path.read_text().splitlines()[line - 1][column - 1 :]


@pytest.mark.parametrize(
    ("rule", "pointed_at", "message"),
    [
        (rule_with(metadata_field_id="sizes"), "sizes", "field 'sizes' is not declared"),
        (
            rule_with(condition={"metadata_field_id": "state", "equals": "complete"}),
            "state",
            "condition.metadata_field_id: field 'state' is not declared",
        ),
        (
            rule_with(condition={"metadata_field_id": "status", "equals": "done"}),
            "done",
            "'done' is not an option external_id of field 'status'",
        ),
        (
            rule_with(condition={"metadata_field_id": "status", "includes": ["complete", "gone"]}),
            "gone",
            "'gone' is not an option external_id of field 'status'",
        ),
        (
            rule_with(result={"activate_values": {"external_ids": ["eu_40", "eu_99"]}}),
            "eu_99",
            "'eu_99' is not an option external_id of field 'size'",
        ),
        (
            rule_with(condition={"or": [{"metadata_field_id": "size", "populated": True}]}),
            "size",
            "the rule's condition reads its own target field 'size'",
        ),
        (rule_with(result={}), "{}", "a result needs at least one of"),
        (
            rule_with(condition={"metadata_field_id": "sku", "populated": True, "equals": "x"}),
            "",
            "give exactly one of populated, includes, equals",
        ),
        (
            rule_with(condition={"and": [{"metadata_field_id": "status"}]}),
            "metadata_field_id: status",
            "condition.and[0]: give exactly one of populated, includes, equals",
        ),
    ],
    ids=[
        "target",
        "condition-field",
        "equals-value",
        "includes-value",
        "activate",
        "self",
        "empty",
        "two-tests",
        "no-test-inside-and",
    ],
)
def test_offline_errors_point_at_the_offending_value(
    harness: Harness, rule: dict[str, Any], pointed_at: str, message: str
) -> None:
    error, text = _error_at(harness, {"sizes_need_status": rule})
    assert message in error, error
    assert text.startswith(pointed_at), (error, text)


def test_a_field_under_policy_ignore_may_be_named(harness: Harness) -> None:
    harness.write(
        resources(r=rule_with(condition={"metadata_field_id": "console_only", "populated": True})),
        policy={"ignore": {"metadata_fields": ["console_only"]}},
    )
    assert harness.run("validate", "--all").code == 0


# --- through the SDK to the emulator --------------------------------------------------------


def _live_rules(harness: Harness) -> list[dict[str, Any]]:
    answer = harness.sdk(CLOUD, "list_metadata_rules")
    return list(answer["metadata_rules"])


def test_create_update_delete_converge_and_a_second_apply_writes_nothing(harness: Harness) -> None:
    harness.write(resources(sizes_need_status=RULE))
    harness.apply("test")
    [live] = _live_rules(harness)
    assert live["name"] == "sizes_need_status" and live["state"] == "active"
    assert harness.plan_is_empty("test")
    harness.emu.clear_log()
    harness.apply("test")
    assert harness.writes() == []

    edited = rule_with(result={"activate_values": "all", "set_mandatory": True}, state="inactive")
    harness.write(resources(sizes_need_status=edited))
    harness.emu.clear_log()
    harness.apply("test")
    assert [w for w in harness.writes() if "metadata_rules" in w] == [
        f"PUT metadata_rules/{live['external_id']}"
    ]
    [updated] = _live_rules(harness)
    assert updated["external_id"] == live["external_id"] and updated["state"] == "inactive"
    assert harness.plan_is_empty("test")

    harness.write(resources(sizes_need_status={"absent": True}))
    refused = harness.run("apply", "--env", "test", "--auto-approve")
    assert refused.code == 3, refused.out + refused.err
    planned = harness.run("plan", "--env", "test")
    assert "- metadata_rule sizes_need_status  (delete)" in planned.out, planned.out
    assert "ends its effect on field size" in planned.out
    deleted = harness.run("apply", "--env", "test", "--auto-approve", "--allow-delete")
    assert deleted.code == 0, deleted.out + deleted.err
    assert _live_rules(harness) == []
    assert harness.plan_is_empty("test")


def test_a_rule_is_deleted_before_the_field_it_targets(harness: Harness) -> None:
    harness.write(resources(sizes_need_status=RULE))
    harness.apply("test")
    fields = {**BASE_RESOURCES["metadata_fields"], "size": {"absent": True}}
    harness.write(
        {**resources(), "metadata_fields": fields, "metadata_rules": {"sizes_need_status": {"absent": True}}}
    )
    harness.emu.clear_log()
    result = harness.run("apply", "--env", "test", "--auto-approve", "--allow-delete")
    assert result.code == 0, result.out + result.err
    deletes = [w for w in harness.writes() if w.startswith("DELETE")]
    assert "deleted before metadata_field size, which it references" in result.out, result.out
    assert deletes[0].startswith("DELETE metadata_rules/") and deletes[-1] == "DELETE metadata_fields/size"


def test_drift_shows_a_rule_changed_in_the_console(harness: Harness) -> None:
    harness.write(resources(sizes_need_status=RULE))
    harness.apply("test")
    [live] = _live_rules(harness)
    rule = {**RULE, "name": "sizes_need_status", "result": {"hide": True}}
    harness.sdk(CLOUD, "update_metadata_rule", live["external_id"], rule)
    drift = harness.run("drift", "--env", "test")
    assert drift.code == 2 and "~ metadata_rule sizes_need_status" in drift.out, drift.out


def test_import_then_plan_is_empty(harness: Harness, tmp_path: Any) -> None:
    harness.write(
        resources(sizes_need_status=rule_with(state="inactive"), other=rule_with(result={"hide": True}))
    )
    harness.apply("test")
    out = tmp_path / "imported"
    imported = harness.run("import", "--env", "test", "--output", str(out))
    assert imported.code == 0, imported.err
    document = yaml.safe_load((out / "environments" / "common" / "metadata_rules.yaml").read_text())
    assert document["metadata_rules"]["sizes_need_status"]["state"] == "inactive"
    assert "state" not in document["metadata_rules"]["other"]  # the default is left out
    harness.config_dir = out
    # the preset's webhook URL holds a secret: import wrote a variable in its place
    harness.monkeypatch.setenv("UPLOAD_PRESET_PRODUCT_ASSETS_SETTINGS_NOTIFICATION_URL", WEBHOOK_SECRET)
    assert harness.plan_is_empty("test")


# --- canonical forms ------------------------------------------------------------------------


def test_the_list_answer_and_the_config_body_compare_equal() -> None:
    answer = {
        "external_id": "x1",
        "name": "r",
        "position": 3,
        "condition_signature": "abc",
        "metadata_field_id": "size",
        "condition": RULE["condition"],
        "result": {"activate_values": {"external_ids": ["eu_40", "eu_41"], "mode": "append"}},
        "state": "active",
    }
    live: LiveObject = METADATA_RULES.live(answer)
    from cloudinary_state.desired import DesiredObject

    desired = METADATA_RULES.canonical_desired(DesiredObject("metadata_rule", "r", RULE))
    assert live.canonical == desired
    assert canonical_condition({"or": [{"metadata_field_id": "a", "equals": None}]}) == {
        "or": [{"metadata_field_id": "a", "equals": None}]
    }


# --- promote and diff between environments ---------------------------------------------------

GRADE_RULE = {
    "metadata_field_id": "grade",
    "condition": {"metadata_field_id": "sku", "populated": True},
    "result": {"set_mandatory": True},
}


def _with_grade(resources: dict[str, Any]) -> dict[str, Any]:
    fields = {**resources["metadata_fields"], "grade": {"type": "string", "label": "Grade"}}
    return {**resources, "metadata_fields": fields}


def test_promote_brings_a_console_made_rule_to_production(workspace: Harness) -> None:
    workspace.write_resources(_with_grade(WORKSPACE_RESOURCES))
    workspace.apply("staging")
    workspace.apply("production")
    workspace.sdk(STAGING, "add_metadata_rule", {"name": "grade_when_sku", **GRADE_RULE})
    workspace.use_env("production")
    result = workspace.run("promote", "--from", "staging", "--to", "production", "--write")
    assert result.code == 0, result.out + result.err
    assert planned_changes(result.out) == {("metadata_rule", "grade_when_sku"): "create"}
    workspace.apply("production")
    assert workspace.plan_is_empty("production") and workspace.plan_is_empty("staging")


def test_diff_tells_a_real_rule_difference(workspace: Harness) -> None:
    shared = {**_with_grade(WORKSPACE_RESOURCES), "metadata_rules": {"grade_when_sku": GRADE_RULE}}
    workspace.write_resources(shared)
    workspace.write_environment(
        "production", overrides={"metadata_rules": {"grade_when_sku": {"state": "inactive"}}}
    )
    result = workspace.run("diff", "staging", "production")
    assert result.code == 2, result.out + result.err
    assert "~ metadata_rule grade_when_sku" in result.out
    assert 'state: staging "active" | production "inactive"  (real difference)' in result.out

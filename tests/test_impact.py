"""The impact of destructive changes: before a metadata field is deleted, the plan shows how
many assets hold a value in it (one Search API call per field); before a transformation in use
is changed unsafely or deleted, how many derived assets it has; a count that cannot be read is
shown as unknown with the reason; `policy.safety.max_affected_assets` limits the whole plan."""

from __future__ import annotations

import json
from typing import Any

from support.harness import BASE_RESOURCES, CLOUD, Harness, with_changes
from support.uploads import upload_png

WHAT_FIELD = "assets holding a value in this field"


def _sku_deleted(h: Harness, **environment: Any) -> None:
    """Live: the base config, 2 assets with a SKU and 1 without; config: sku tombstoned."""
    h.apply("test")
    upload_png(h, "a", metadata={"sku": "SKU-1"})
    upload_png(h, "b", metadata={"sku": "SKU-2"})
    upload_png(h, "c")
    h.write(with_changes(BASE_RESOURCES, "metadata_fields", "sku", {"absent": True}), **environment)
    h.emu.clear_log()


def _searches(h: Harness) -> list[str]:
    return [
        str(r.query_and_body_params.get("expression"))
        for r in h.emu.request_log
        if r.path == "resources/search"
    ]


def test_a_field_delete_shows_the_assets_holding_a_value_in_text_json_and_markdown(harness: Harness) -> None:
    _sku_deleted(harness)
    text = harness.run("plan", "--env", "test")
    assert text.code == 0, text.out + text.err
    assert "  - metadata_field sku  (delete)" in text.out
    assert f"      impact: {WHAT_FIELD}: 2\n" in text.out
    assert _searches(harness) == ["metadata=sku"]  # one call per field, the documented expression
    as_json = harness.run("plan", "--env", "test", "--format", "json")
    (change,) = json.loads(as_json.out)["changes"]
    assert change["impact"] == {"what": WHAT_FIELD, "assets": 2, "reason": None}
    markdown = harness.run("plan", "--env", "test", "--format", "markdown")
    assert f"- **impact**: {WHAT_FIELD}: 2" in markdown.out


def test_an_unreadable_count_is_shown_as_unknown_with_the_reason(harness: Harness) -> None:
    _sku_deleted(harness)
    harness.emu.state(CLOUD).search_api = False  # an account without the Search API
    text = harness.run("plan", "--env", "test")
    assert text.code == 0, text.out + text.err
    assert f"impact: {WHAT_FIELD}: unknown (the Search API did not answer:" in text.out
    assert "not enabled" in text.out
    (change,) = json.loads(harness.run("plan", "--env", "test", "--format", "json").out)["changes"]
    assert change["impact"]["assets"] is None
    assert "not enabled" in change["impact"]["reason"]
    markdown = harness.run("plan", "--env", "test", "--format", "markdown").out
    assert f"**impact**: {WHAT_FIELD}: unknown (the Search API did not answer" in markdown


def test_max_affected_assets_refuses_a_plan_reaching_more_assets(harness: Harness) -> None:
    _sku_deleted(harness, policy={"safety": {"max_affected_assets": 1}})
    result = harness.run("plan", "--env", "test")
    assert result.code == 3, result.out + result.err
    assert "max_affected_assets" in result.err and "reach 2 assets" in result.err
    assert "metadata_field:sku (2)" in result.err
    applied = harness.run("apply", "--env", "test", "--auto-approve", "--allow-delete")
    assert applied.code == 3, applied.out + applied.err
    assert [r for r in harness.emu.request_log if r.method == "DELETE"] == []


def test_max_affected_assets_allows_a_plan_within_the_limit(harness: Harness) -> None:
    _sku_deleted(harness, policy={"safety": {"max_affected_assets": 2}})
    assert harness.run("plan", "--env", "test").code == 0


def test_an_unknown_count_counts_as_over_the_limit_with_the_reason(harness: Harness) -> None:
    _sku_deleted(harness, policy={"safety": {"max_affected_assets": 1000}})
    harness.emu.state(CLOUD).search_api = False
    result = harness.run("plan", "--env", "test")
    assert result.code == 3, result.out + result.err
    assert "metadata_field:sku cannot be counted" in result.err
    assert "not enabled" in result.err and "unknown count counts as over the limit" in result.err


def test_a_transformation_in_use_shows_its_derived_assets_before_an_unsafe_update(harness: Harness) -> None:
    harness.apply("test")
    upload_png(harness, "a", eager="t_thumb")
    upload_png(harness, "b", eager="t_thumb")
    changed = with_changes(
        BASE_RESOURCES, "transformations", "thumb", {"transformation": "c_fill,h_120,w_120"}
    )
    harness.write(changed)
    text = harness.run("plan", "--env", "test")
    assert text.code == 0, text.out + text.err
    assert "  ~ transformation thumb  (update)" in text.out
    assert "note: transformation is in use" in text.out
    assert "impact: derived assets generated with this transformation: 2" in text.out
    (change,) = json.loads(harness.run("plan", "--env", "test", "--format", "json").out)["changes"]
    assert change["impact"]["assets"] == 2


def test_a_safe_update_and_an_unused_transformation_reach_nothing(harness: Harness) -> None:
    harness.apply("test")
    harness.write(
        with_changes(BASE_RESOURCES, "transformations", "thumb", {"transformation": "c_fill,h_120,w_120"})
    )
    (change,) = json.loads(harness.run("plan", "--env", "test", "--format", "json").out)["changes"]
    assert change["impact"] == {
        "what": "derived assets generated with this transformation",
        "assets": 0,
        "reason": None,
    }
    strict = {"transformation": "c_fill,h_100,w_100", "allowed_for_strict": False}
    harness.write(with_changes(BASE_RESOURCES, "transformations", "thumb", strict))
    (change,) = json.loads(harness.run("plan", "--env", "test", "--format", "json").out)["changes"]
    assert "impact" not in change  # not an unsafe update: no asset is reached


def test_a_saved_plan_keeps_the_impact(harness: Harness, tmp_path: Any) -> None:
    _sku_deleted(harness)
    saved = tmp_path / "plan.json"
    assert harness.run("plan", "--env", "test", "--out", str(saved)).code == 0
    (change,) = json.loads(saved.read_text())["changes"]
    assert change["impact"]["assets"] == 2
    applied = harness.run("apply", "--env", "test", str(saved), "--allow-delete")
    assert applied.code == 0, applied.out + applied.err

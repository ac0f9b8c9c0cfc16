"""Metadata datasources as the API takes and returns them (issue 11, part 3): an entry without
`external_id` is valid (the API assigns one; the plan matches it by value; import writes the
assigned id); `state: active`, as the API returns it, is accepted; `state: inactive` keeps the
value soft-deleted. Each converges on the emulator: apply, then an empty plan; import, then an
empty plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from support.harness import BASE_RESOURCES, CLOUD, WEBHOOK_SECRET, Harness


def _with_colours(values: list[dict[str, Any]], field_type: str = "set") -> dict[str, Any]:
    colours = {"type": field_type, "label": "Colours", "datasource": {"values": values}}
    return {**BASE_RESOURCES, "metadata_fields": {**BASE_RESOURCES["metadata_fields"], "colours": colours}}


def _live_values(harness: Harness) -> list[dict[str, Any]]:
    field = harness.sdk(CLOUD, "metadata_field_by_field_id", "colours")
    return [dict(v) for v in field["datasource"]["values"]]


def _datasource_writes(harness: Harness) -> list[str]:
    return [w for w in harness.writes() if "colours" in w]


def test_entries_without_an_external_id_converge(harness: Harness) -> None:
    harness.write(_with_colours([{"value": "Red"}, {"external_id": "blue", "value": "Blue"}]))
    strict = harness.run("validate", "--env", "test", "--strict")
    assert strict.code == 0, strict.out + strict.err
    harness.apply("test")
    assert harness.plan_is_empty("test")
    [red] = [v for v in _live_values(harness) if v["value"] == "Red"]
    assert red["external_id"] and red["external_id"] != "Red"  # the API's id, not the text
    # a second id-less value is added; the first keeps its server-assigned id
    harness.write(
        _with_colours([{"value": "Red"}, {"external_id": "blue", "value": "Blue"}, {"value": "Green"}])
    )
    before = len(harness.writes())
    harness.apply("test")
    assert harness.writes()[before:] == ["PUT metadata_fields/colours/datasource"]
    assert harness.plan_is_empty("test")
    assert {v["value"]: v["external_id"] for v in _live_values(harness)}["Red"] == red["external_id"]
    # a removed id-less value is soft-deleted, as any removed value
    harness.write(_with_colours([{"external_id": "blue", "value": "Blue"}, {"value": "Green"}]))
    harness.apply("test")
    assert harness.plan_is_empty("test")
    states = {v["value"]: v["state"] for v in _live_values(harness)}
    assert states == {"Red": "inactive", "Blue": "active", "Green": "active"}
    # and declared again without an id, the soft-deleted value is restored, not added twice
    harness.write(
        _with_colours([{"value": "Red"}, {"external_id": "blue", "value": "Blue"}, {"value": "Green"}])
    )
    harness.apply("test")
    assert harness.plan_is_empty("test")
    assert sorted(v["value"] for v in _live_values(harness)) == ["Blue", "Green", "Red"]
    assert all(v["state"] == "active" for v in _live_values(harness))


def test_import_writes_the_assigned_ids(harness: Harness, tmp_path: Path) -> None:
    harness.write(_with_colours([{"value": "Red"}, {"value": "Blue"}], field_type="enum"))
    harness.apply("test")
    out = tmp_path / "imported"
    imported = harness.run("import", "--env", "test", "--output", str(out))
    assert imported.code == 0, imported.err
    document = yaml.safe_load((out / "environments" / "common" / "metadata_fields.yaml").read_text())
    written = document["metadata_fields"]["colours"]["datasource"]["values"]
    assert written == [{"external_id": v["external_id"], "value": v["value"]} for v in _live_values(harness)]
    harness.config_dir = out
    harness.monkeypatch.setenv("UPLOAD_PRESET_PRODUCT_ASSETS_SETTINGS_NOTIFICATION_URL", WEBHOOK_SECRET)
    assert harness.plan_is_empty("test")


def test_state_active_as_the_api_returns_it_is_accepted(harness: Harness) -> None:
    values = [
        {"external_id": "red", "value": "Red", "state": "active"},
        {"external_id": "blue", "value": "Blue"},
    ]
    harness.write(_with_colours(values))
    strict = harness.run("validate", "--env", "test", "--strict")
    assert strict.code == 0, strict.out + strict.err
    harness.apply("test")
    assert harness.plan_is_empty("test")
    # the field as the API returns it, pasted into the config, plans nothing
    pasted = [{k: v[k] for k in ("external_id", "value", "state")} for v in _live_values(harness)]
    harness.write(_with_colours(pasted))
    assert harness.plan_is_empty("test")


def test_state_inactive_keeps_a_value_soft_deleted(harness: Harness) -> None:
    values: list[dict[str, Any]] = [
        {"external_id": "red", "value": "Red"},
        {"external_id": "old", "value": "Old", "state": "inactive"},
    ]
    harness.write(_with_colours(values))
    harness.apply("test")
    assert harness.plan_is_empty("test")
    # created soft-deleted (the create body carries `state`), so it can be restored by its id later
    assert {v["external_id"]: v["state"] for v in _live_values(harness)} == {
        "red": "active",
        "old": "inactive",
    }
    # an active value the config declares inactive is soft-deleted
    harness.write(_with_colours([values[0], {"external_id": "old", "value": "Old"}]))
    harness.apply("test")
    harness.write(_with_colours(values))
    plan = harness.run("plan", "--env", "test", "--detailed-exitcode")
    assert plan.code == 2 and "~ metadata_field colours" in plan.out, plan.out
    before = len(harness.writes())
    harness.apply("test")
    assert harness.writes()[before:] == ["DELETE metadata_fields/colours/datasource"]
    assert harness.plan_is_empty("test")
    assert {v["external_id"]: v["state"] for v in _live_values(harness)}["old"] == "inactive"

"""The call forecast where it meets other features: an update that keeps a field
policy.ignore_changes leaves to another system (a datasource a PIM extends), and datasource
values declared without an external_id (matched by value). A saved plan's forecast must be
exactly the calls its apply makes (emulator request log and the calls line)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.counting import calls_line, requests, save_plan
from support.harness import CLOUD, Harness


def _apply_saved_and_count(harness: Harness, path: Path) -> dict[str, Any]:
    forecast: dict[str, Any] = save_plan(harness, path)["forecast"]
    harness.emu.clear_log()
    applied = harness.run("apply", "--env", "test", str(path))
    assert applied.code == 0, applied.out + applied.err
    reads, writes = requests(harness)
    assert (reads, writes) == (forecast["reread"] + forecast["read_backs"], forecast["writes"])
    assert calls_line(applied.out + applied.err) == forecast["calls"]
    return forecast


def _status(label: str, *values: dict[str, str]) -> dict[str, Any]:
    return {
        "metadata_fields": {
            "status": {"type": "enum", "label": label, "datasource": {"values": list(values)}}
        }
    }


def test_an_update_keeping_an_ignored_datasource_costs_what_it_forecast(
    harness: Harness, tmp_path: Path
) -> None:
    policy = {"ignore_changes": {"metadata_fields": {"status": ["datasource"]}}}
    harness.write(_status("Status", {"external_id": "draft", "value": "Draft"}), policy=policy)
    harness.apply("test")
    # the PIM adds a value; left out of the update, it would be deleted (one more call)
    harness.sdk(CLOUD, "update_metadata_field_datasource", "status", [{"external_id": "pim", "value": "PIM"}])
    harness.write(_status("State", {"external_id": "draft", "value": "Draft"}), policy=policy)
    forecast = _apply_saved_and_count(harness, tmp_path / "plan.json")
    assert forecast["writes"] == 1  # the label only
    values = harness.sdk(CLOUD, "metadata_field_by_field_id", "status")["datasource"]["values"]
    assert [(v["external_id"], v.get("state", "active")) for v in values] == [
        ("draft", "active"),
        ("pim", "active"),
    ]
    assert harness.plan_is_empty("test")


def test_values_without_an_external_id_cost_what_they_forecast(harness: Harness, tmp_path: Path) -> None:
    harness.write(_status("Status", {"value": "Draft"}, {"value": "Done"}))
    harness.apply("test")
    harness.write(_status("Status", {"value": "Draft"}, {"value": "Finished"}, {"value": "Archived"}))
    forecast = _apply_saved_and_count(harness, tmp_path / "plan.json")
    assert forecast["writes"] >= 2  # the new values, and the one no longer declared
    assert harness.plan_is_empty("test")


def test_apply_with_an_impact_search_is_checked_against_the_budget_left_after_it(harness: Harness) -> None:
    """`apply` without a file plans first, and that plan reads the impact of a field's delete
    (a Search API call): the budget its writes and read-backs must fit is what remains after
    that call, so an exact budget applies and one call less is refused before any write."""
    base = _status("Status", {"external_id": "draft", "value": "Draft"})
    harness.write({"metadata_fields": {**base["metadata_fields"], "sku": {"type": "string", "label": "SKU"}}})
    harness.apply("test")
    harness.write({"metadata_fields": {**base["metadata_fields"], "sku": {"absent": True}}})
    harness.emu.reset_budget()
    planned = harness.run("plan", "--env", "test")
    assert planned.code == 0, planned.out + planned.err
    plan_calls = calls_line(planned.out)  # its reads and the search
    assert any(r.path == "resources/search" for r in harness.emu.request_log)
    apply_calls = int(planned.out.split("Apply forecast: ")[1].split(" calls")[0])
    for spare, code in ((-1, 3), (0, 0)):
        harness.emu.reset_budget()
        harness.emu.rate_limit = plan_calls + apply_calls + spare
        harness.emu.clear_log()
        result = harness.run("apply", "--env", "test", "--auto-approve", "--allow-delete")
        assert result.code == code, (spare, result.out + result.err)
        if code == 3:
            assert not harness.writes() and "Nothing was written" in result.err
    assert "0 remaining this hour" in result.out  # the budget spent to the last call
    harness.emu.reset_budget()
    assert harness.plan_is_empty("test")

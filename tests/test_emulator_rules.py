"""Metadata rules in the emulator, driven through the real SDK over HTTP (reference §9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cloudinary.api as api
import pytest
from cloudinary.exceptions import BadRequest, NotFound
from support.emulator import default_clouds, sdk_options

from cloudinary_state.emulator import EmulatorServer


@pytest.fixture
def opts(opts: dict[str, Any]) -> dict[str, Any]:
    """The shared options (conftest), on a cloud that holds the two fields the rules act on."""
    values = {
        "values": [{"external_id": "shoes", "value": "Shoes"}, {"external_id": "hats", "value": "Hats"}]
    }
    api.add_metadata_field(
        {"type": "enum", "external_id": "category", "label": "Category", "datasource": values}, **opts
    )
    sizes = {"values": [{"external_id": "s", "value": "S"}, {"external_id": "l", "value": "L"}]}
    api.add_metadata_field(
        {"type": "set", "external_id": "size", "label": "Size", "datasource": sizes}, **opts
    )
    return opts


def hats_rule(**extra: Any) -> dict[str, Any]:
    rule = {
        "metadata_field_id": "size",
        "name": "hats have one size",
        "condition": {"metadata_field_id": "category", "equals": "hats"},
        "result": {"activate_values": {"external_ids": ["s"], "mode": "override"}},
    }
    rule.update(extra)
    return rule


def test_create_assigns_id_signature_state_and_position(opts: dict[str, Any]) -> None:
    first = api.add_metadata_rule(hats_rule(external_id="mine"), **opts)
    assert first["external_id"] and first["external_id"] != "mine"  # the server owns the id
    assert first["state"] == "active" and first["position"] == 1
    assert first["metadata_field_id"] == "size" and first["name"] == "hats have one size"
    assert first["condition"] == {"metadata_field_id": "category", "equals": "hats"}
    assert first["result"] == {"activate_values": {"external_ids": ["s"], "mode": "override"}}
    assert isinstance(first["condition_signature"], str) and first["condition_signature"]

    same_condition = api.add_metadata_rule(hats_rule(name="again", result={"hide": True}), **opts)
    assert same_condition["condition_signature"] == first["condition_signature"]
    assert same_condition["position"] == 2
    other = api.add_metadata_rule(
        hats_rule(condition={"metadata_field_id": "category", "populated": True}), **opts
    )
    assert other["condition_signature"] != first["condition_signature"]


def test_list_returns_the_rules_in_creation_order(opts: dict[str, Any]) -> None:
    assert api.list_metadata_rules(**opts) == {"metadata_rules": []}
    created = [api.add_metadata_rule(hats_rule(name=f"rule {i}"), **opts) for i in range(3)]
    listed = api.list_metadata_rules(**opts)["metadata_rules"]
    assert listed == [dict(r) for r in created]


def test_logical_conditions_nest(opts: dict[str, Any]) -> None:
    condition = {
        "or": [
            {"metadata_field_id": "category", "includes": ["hats"]},
            {
                "and": [
                    {"metadata_field_id": "category", "populated": False},
                    {"metadata_field_id": "size", "equals": None},
                ]
            },
        ]
    }
    created = api.add_metadata_rule(hats_rule(condition=condition, result={"set_mandatory": True}), **opts)
    assert created["condition"] == condition


def test_update_is_partial_and_recomputes_the_signature(opts: dict[str, Any]) -> None:
    created = api.add_metadata_rule(hats_rule(), **opts)
    condition = {"metadata_field_id": "category", "equals": "shoes"}
    updated = api.update_metadata_rule(
        created["external_id"], {"condition": condition, "state": "inactive"}, **opts
    )
    assert updated["external_id"] == created["external_id"]
    assert updated["condition"] == condition and updated["state"] == "inactive"
    assert updated["name"] == created["name"] and updated["result"] == created["result"]
    assert updated["condition_signature"] != created["condition_signature"]
    assert api.list_metadata_rules(**opts)["metadata_rules"] == [dict(updated)]


def test_delete(opts: dict[str, Any]) -> None:
    created = api.add_metadata_rule(hats_rule(), **opts)
    assert api.list_metadata_rules(**opts)["metadata_rules"] == [created]
    assert api.delete_metadata_rule(created["external_id"], **opts) == {"success": True}
    assert api.list_metadata_rules(**opts)["metadata_rules"] == []


def test_unknown_rule_is_not_found(opts: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        api.update_metadata_rule("nope", {"name": "x"}, **opts)
    with pytest.raises(NotFound):
        api.delete_metadata_rule("nope", **opts)


@pytest.mark.parametrize("missing", ["metadata_field_id", "name", "condition", "result"])
def test_missing_required_attribute_is_bad_request(opts: dict[str, Any], missing: str) -> None:
    rule = hats_rule()
    del rule[missing]
    with pytest.raises(BadRequest, match=missing):
        api.add_metadata_rule(rule, **opts)


@pytest.mark.parametrize(
    "change",
    [
        {"metadata_field_id": "no_such_field"},
        {"condition": {"metadata_field_id": "no_such_field", "populated": True}},
        {"condition": {"metadata_field_id": "category"}},
        {"condition": {"metadata_field_id": "category", "populated": "yes"}},
        {"condition": {"and": []}},
        {"result": {}},
        {"result": {"explode": True}},
        {"result": {"activate_values": {"external_ids": ["s"], "mode": "replace"}}},
        {"state": "paused"},
    ],
)
def test_invalid_rule_is_bad_request_and_stores_nothing(opts: dict[str, Any], change: dict[str, Any]) -> None:
    with pytest.raises(BadRequest):
        api.add_metadata_rule(hats_rule(**change), **opts)
    created = api.add_metadata_rule(hats_rule(), **opts)
    with pytest.raises(BadRequest):
        api.update_metadata_rule(created["external_id"], change, **opts)
    assert api.list_metadata_rules(**opts)["metadata_rules"] == [dict(created)]


def test_rules_keep_their_order_across_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    (cloud,) = default_clouds()
    with EmulatorServer([cloud], state_file=state_file) as first:
        options = sdk_options(first, cloud)
        api.add_metadata_field({"type": "string", "external_id": "brand", "label": "Brand"}, **options)
        condition = {"metadata_field_id": "brand", "populated": True}
        for name in ("zeta", "alpha", "mu"):
            api.add_metadata_rule(
                {
                    "metadata_field_id": "brand",
                    "name": name,
                    "condition": condition,
                    "result": {"hide": True},
                },
                **options,
            )
        before = api.list_metadata_rules(**options)
    with EmulatorServer([cloud], state_file=state_file) as second:
        options["upload_prefix"] = second.url
        after = api.list_metadata_rules(**options)
    assert after == before
    assert [r["name"] for r in after["metadata_rules"]] == ["zeta", "alpha", "mu"]

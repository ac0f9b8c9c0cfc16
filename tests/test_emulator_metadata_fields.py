"""Structured metadata fields in the emulator, driven through the real SDK over HTTP (reference §8)."""

from __future__ import annotations

import base64
import json
import urllib.request
from pathlib import Path
from typing import Any

import cloudinary.api as api
import pytest
from cloudinary.api_client.call_api import call_metadata_api
from cloudinary.exceptions import AuthorizationRequired, BadRequest, NotFound, RateLimited
from support.emulator import sdk_options

from cloudinary_state.emulator import CloudConfig, EmulatorServer

CLOUD = "meta-cloud"
RESERVING_CLOUD = "meta-reserving"
KEY, SECRET = "meta-key", "meta-secret"


@pytest.fixture(scope="module")
def emulated_clouds() -> list[CloudConfig]:
    """`opts` talks to the first, which frees a deleted field's external_id."""
    return [
        CloudConfig(name=CLOUD, api_key=KEY, api_secret=SECRET, reserve_deleted_metadata_ids=False),
        CloudConfig(name=RESERVING_CLOUD, api_key=KEY, api_secret=SECRET),  # the default, as the reference
    ]


def color_field(**extra: Any) -> dict[str, Any]:
    field = {
        "type": "enum",
        "external_id": "color",
        "label": "Color",
        "datasource": {
            "values": [
                {"external_id": "red", "value": "Red"},
                {"external_id": "green", "value": "Green"},
                {"external_id": "blue", "value": "Blue"},
            ]
        },
    }
    field.update(extra)
    return field


def test_create_returns_every_field_key_with_defaults(opts: dict[str, Any]) -> None:
    created = api.add_metadata_field({"type": "string", "external_id": "sku", "label": "SKU"}, **opts)
    assert dict(created) == {
        "type": "string",
        "external_id": "sku",
        "label": "SKU",
        "mandatory": False,
        "default_value": None,
        "validation": None,
        "restrictions": {"readonly_ui": False, "hidden_ui": False, "excluded_from_search": False},
        "default_disabled": False,
        "allow_dynamic_list_values": False,
        "group": "default",
        "alphabetically_sorted": False,
    }
    assert api.metadata_field_by_field_id("sku", **opts) == created


def test_restrictions_are_normalised_to_all_three_keys(opts: dict[str, Any]) -> None:
    field = {"type": "string", "external_id": "sku", "label": "SKU", "restrictions": {"readonly_ui": True}}
    created = api.add_metadata_field(field, **opts)
    assert created["restrictions"] == {"readonly_ui": True, "hidden_ui": False, "excluded_from_search": False}
    # an update's restrictions replace the object: what it leaves out is false again
    updated = api.update_metadata_field("sku", {"restrictions": {"hidden_ui": "true"}}, **opts)
    assert updated["restrictions"] == {"readonly_ui": False, "hidden_ui": True, "excluded_from_search": False}


def test_external_id_is_generated_when_omitted(opts: dict[str, Any]) -> None:
    created = api.add_metadata_field({"type": "integer", "label": "Count"}, **opts)
    assert isinstance(created["external_id"], str) and created["external_id"]
    assert api.metadata_field_by_field_id(created["external_id"], **opts)["label"] == "Count"


def test_list_and_external_ids_filter(opts: dict[str, Any]) -> None:
    for name in ("a", "b", "c"):
        api.add_metadata_field({"type": "string", "external_id": name, "label": name.upper()}, **opts)
    listed = api.list_metadata_fields(**opts)["metadata_fields"]
    assert [f["external_id"] for f in listed] == ["a", "b", "c"]
    # list_metadata_fields() forwards no parameters; the SDK's metadata transport sends the filter
    filtered = call_metadata_api("get", [], {"external_ids": ["a", "c"]}, **opts)["metadata_fields"]
    assert [f["external_id"] for f in filtered] == ["a", "c"]


def test_duplicate_external_id_is_bad_request(opts: dict[str, Any]) -> None:
    api.add_metadata_field({"type": "string", "external_id": "sku", "label": "SKU"}, **opts)
    with pytest.raises(BadRequest, match="external id sku already exists"):
        api.add_metadata_field({"type": "integer", "external_id": "sku", "label": "Other"}, **opts)


def test_deleted_external_id_is_free_unless_the_cloud_reserves_it(opts: dict[str, Any]) -> None:
    field = {"type": "string", "external_id": "sku", "label": "SKU"}
    assert api.delete_metadata_field(api.add_metadata_field(field, **opts)["external_id"], **opts) == {
        "message": "ok"
    }
    assert api.add_metadata_field(field, **opts)["external_id"] == "sku"

    reserving = {**opts, "cloud_name": RESERVING_CLOUD}
    api.add_metadata_field(field, **reserving)
    api.delete_metadata_field("sku", **reserving)
    with pytest.raises(BadRequest, match="external id sku already exists"):
        api.add_metadata_field(field, **reserving)


def test_update_is_partial_and_ignores_type_and_external_id(opts: dict[str, Any]) -> None:
    api.add_metadata_field(
        {"type": "string", "external_id": "sku", "label": "SKU", "mandatory": True, "default_value": "x"},
        **opts,
    )
    updated = api.update_metadata_field(
        "sku", {"type": "integer", "external_id": "renamed", "label": "Stock unit"}, **opts
    )
    assert updated["type"] == "string"
    assert updated["external_id"] == "sku"
    assert updated["label"] == "Stock unit"
    assert updated["mandatory"] is True and updated["default_value"] == "x"  # untouched keys kept
    assert [f["external_id"] for f in api.list_metadata_fields(**opts)["metadata_fields"]] == ["sku"]


def test_update_with_explicit_null_clears_default_and_validation(opts: dict[str, Any]) -> None:
    api.add_metadata_field(
        {
            "type": "integer",
            "external_id": "stock",
            "label": "Stock",
            "default_value": 5,
            "validation": {"type": "greater_than", "value": 0},
        },
        **opts,
    )
    cleared = api.update_metadata_field("stock", {"default_value": None}, **opts)
    assert cleared["default_value"] is None and cleared["validation"] == {"type": "greater_than", "value": 0}
    cleared = api.update_metadata_field("stock", {"validation": None, "label": "In stock"}, **opts)
    assert cleared["validation"] is None and cleared["label"] == "In stock"
    # a default that the old validation rejected is now accepted
    assert api.update_metadata_field("stock", {"default_value": -1}, **opts)["default_value"] == -1


def test_missing_and_invalid_attributes_are_bad_requests(opts: dict[str, Any]) -> None:
    with pytest.raises(BadRequest, match="label"):
        api.add_metadata_field({"type": "string", "external_id": "x"}, **opts)
    with pytest.raises(BadRequest, match="type"):
        api.add_metadata_field({"external_id": "x", "label": "X"}, **opts)
    with pytest.raises(BadRequest, match="type"):
        api.add_metadata_field({"type": "float", "external_id": "x", "label": "X"}, **opts)
    with pytest.raises(BadRequest, match="datasource"):
        api.add_metadata_field({"type": "enum", "external_id": "x", "label": "X"}, **opts)
    with pytest.raises(BadRequest, match="datasource"):
        api.add_metadata_field(
            {"type": "string", "external_id": "x", "label": "X", "datasource": {"values": []}}, **opts
        )
    with pytest.raises(BadRequest, match="external_id"):
        api.add_metadata_field({"type": "string", "external_id": "a/b", "label": "X"}, **opts)
    with pytest.raises(BadRequest, match="external_id"):
        api.add_metadata_field({"type": "string", "external_id": "x" * 256, "label": "X"}, **opts)
    assert api.list_metadata_fields(**opts)["metadata_fields"] == []


def test_unknown_field_is_not_found(opts: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        api.metadata_field_by_field_id("nope", **opts)
    with pytest.raises(NotFound):
        api.update_metadata_field("nope", {"label": "x"}, **opts)
    with pytest.raises(NotFound):
        api.delete_metadata_field("nope", **opts)
    with pytest.raises(NotFound):
        api.update_metadata_field_datasource("nope", [{"value": "x"}], **opts)


def test_wrong_secret_is_authorization_required(opts: dict[str, Any]) -> None:
    with pytest.raises(AuthorizationRequired):
        api.list_metadata_fields(**{**opts, "api_secret": "wrong"})


@pytest.mark.parametrize(
    ("field", "valid_default", "invalid_default"),
    [
        ({"type": "integer", "validation": {"type": "greater_than", "value": 10}}, 11, 10),
        ({"type": "integer", "validation": {"type": "less_than", "value": 10, "equals": True}}, 10, 11),
        ({"type": "integer"}, 5, "5"),
        (
            {"type": "date", "validation": {"type": "greater_than", "value": "2024-01-01"}},
            "2024-01-02",
            "2023-12-31",
        ),
        ({"type": "date"}, "2024-02-29", "2023-02-29"),
        ({"type": "string", "validation": {"type": "strlen", "min": 2, "max": 4}}, "abc", "abcde"),
        (
            {
                "type": "integer",
                "validation": {
                    "type": "and",
                    "rules": [{"type": "greater_than", "value": 0}, {"type": "less_than", "value": 100}],
                },
            },
            50,
            100,
        ),
        (color_field(), "red", "purple"),
        ({**color_field(), "type": "set"}, ["red", "blue"], "red"),
    ],
)
def test_default_value_is_validated(
    opts: dict[str, Any], field: dict[str, Any], valid_default: Any, invalid_default: Any
) -> None:
    base = {**field, "external_id": "f", "label": "F"}
    with pytest.raises(BadRequest, match="default_value is invalid"):
        api.add_metadata_field({**base, "default_value": invalid_default}, **opts)
    created = api.add_metadata_field({**base, "default_value": valid_default}, **opts)
    assert created["default_value"] == valid_default
    # an update is checked against the merged field, and a rejected update changes nothing
    with pytest.raises(BadRequest, match="default_value is invalid"):
        api.update_metadata_field("f", {"default_value": invalid_default}, **opts)
    assert api.metadata_field_by_field_id("f", **opts) == created


def test_malformed_validation_is_rejected(opts: dict[str, Any]) -> None:
    with pytest.raises(BadRequest, match="validation"):
        api.add_metadata_field(
            {
                "type": "string",
                "external_id": "s",
                "label": "S",
                "validation": {"type": "greater_than", "value": 1},
            },
            **opts,
        )
    with pytest.raises(BadRequest, match="validation"):
        api.add_metadata_field(
            {"type": "integer", "external_id": "i", "label": "I", "validation": {"type": "between"}}, **opts
        )


def test_datasource_upsert_merges_in_place_and_appends(opts: dict[str, Any]) -> None:
    api.add_metadata_field(color_field(), **opts)
    result = api.update_metadata_field_datasource(
        "color",
        [
            {"external_id": "green", "value": "Lime"},
            {"external_id": "black", "value": "Black"},
            {"value": "White"},
        ],
        **opts,
    )
    values = result["values"]
    assert [(v["external_id"], v["value"]) for v in values[:4]] == [
        ("red", "Red"),
        ("green", "Lime"),
        ("blue", "Blue"),
        ("black", "Black"),
    ]
    assert len(values) == 5 and values[4]["value"] == "White" and values[4]["external_id"]
    # the datasource endpoints answer each value exactly as {external_id, value} ([S])
    assert all(set(v) == {"external_id", "value"} for v in values)
    field = api.metadata_field_by_field_id("color", **opts)
    # the field itself shows each value's state and 1-based position too
    assert field["datasource"]["values"] == [
        {**v, "state": "active", "position": i} for i, v in enumerate(values, start=1)
    ]


def test_datasource_upsert_ignores_a_sent_state(opts: dict[str, Any]) -> None:
    """The SDK strips `state`; a raw request that sends it changes no state (only delete and
    restore do), and a new value is active whatever it says."""
    api.add_metadata_field(color_field(), **opts)
    api.delete_datasource_entries("color", ["green"], **opts)
    entries = [
        {"external_id": "green", "value": "Lime", "state": "active"},
        {"external_id": "red", "value": "Red", "state": "inactive"},
        {"external_id": "pink", "value": "Pink", "state": "inactive"},
    ]
    shown = call_metadata_api("put", ["color", "datasource"], {"values": entries}, **opts)["values"]
    assert [v["external_id"] for v in shown] == ["red", "blue", "pink"]  # green stays inactive
    stored = api.metadata_field_by_field_id("color", **opts)["datasource"]["values"]
    assert [(v["external_id"], v["value"], v["state"]) for v in stored] == [
        ("red", "Red", "active"),
        ("green", "Lime", "inactive"),
        ("blue", "Blue", "active"),
        ("pink", "Pink", "active"),
    ]


def test_datasource_soft_delete_and_restore(opts: dict[str, Any]) -> None:
    api.add_metadata_field(color_field(), **opts)
    after_delete = api.delete_datasource_entries("color", ["green"], **opts)
    assert [v["external_id"] for v in after_delete["values"]] == ["red", "blue"]
    # the field itself keeps the value, marked inactive, in its place
    shown = api.metadata_field_by_field_id("color", **opts)["datasource"]["values"]
    assert [(v["external_id"], v["state"]) for v in shown] == [
        ("red", "active"),
        ("green", "inactive"),
        ("blue", "active"),
    ]
    # an inactive value is not a valid default
    with pytest.raises(BadRequest, match="default_value is invalid"):
        api.update_metadata_field("color", {"default_value": "green"}, **opts)
    restored = api.restore_metadata_field_datasource("color", ["green"], **opts)
    assert [v["external_id"] for v in restored["values"]] == ["red", "green", "blue"]
    assert api.update_metadata_field("color", {"default_value": "green"}, **opts)["default_value"] == "green"


def test_datasource_in_field_update_merges(opts: dict[str, Any]) -> None:
    api.add_metadata_field(color_field(), **opts)
    updated = api.update_metadata_field(
        "color",
        {
            "datasource": {
                "values": [{"external_id": "red", "value": "Crimson"}, {"external_id": "x", "value": "X"}]
            }
        },
        **opts,
    )
    assert [(v["external_id"], v["value"]) for v in updated["datasource"]["values"]] == [
        ("red", "Crimson"),
        ("green", "Green"),
        ("blue", "Blue"),
        ("x", "X"),
    ]


def test_datasource_order_by_value(opts: dict[str, Any]) -> None:
    api.add_metadata_field(color_field(), **opts)
    descending = api.reorder_metadata_field_datasource("color", "value", "desc", **opts)
    assert [v["value"] for v in descending["values"]] == ["Red", "Green", "Blue"]
    ascending = api.reorder_metadata_field_datasource("color", "value", **opts)  # direction defaults to asc
    assert [v["value"] for v in ascending["values"]] == ["Blue", "Green", "Red"]
    shown = api.metadata_field_by_field_id("color", **opts)["datasource"]["values"]
    assert [v["value"] for v in shown] == ["Blue", "Green", "Red"]
    with pytest.raises(BadRequest, match="order_by"):
        api.reorder_metadata_field_datasource("color", "external_id", **opts)


def test_datasource_endpoints_need_a_list_field(opts: dict[str, Any]) -> None:
    api.add_metadata_field({"type": "string", "external_id": "sku", "label": "SKU"}, **opts)
    with pytest.raises(BadRequest, match="no datasource"):
        api.update_metadata_field_datasource("sku", [{"value": "x"}], **opts)


def test_reorder_fields(opts: dict[str, Any]) -> None:
    for external_id, label in (("b", "Beta"), ("c", "Alpha"), ("a", "Gamma")):
        api.add_metadata_field({"type": "string", "external_id": external_id, "label": label}, **opts)

    def order(response: Any) -> list[str]:
        return [f["external_id"] for f in response["metadata_fields"]]

    assert order(api.reorder_metadata_fields("label", **opts)) == ["c", "b", "a"]
    assert order(api.reorder_metadata_fields("external_id", "desc", **opts)) == ["c", "b", "a"]
    assert order(api.reorder_metadata_fields("created_at", "asc", **opts)) == ["b", "c", "a"]
    assert order(api.list_metadata_fields(**opts)) == ["b", "c", "a"]
    with pytest.raises(BadRequest, match="order_by"):
        api.reorder_metadata_fields("type", **opts)
    with pytest.raises(BadRequest, match="direction"):
        api.reorder_metadata_fields("label", "sideways", **opts)


# The SDK has no named function for these endpoints; its own metadata transport reaches them.


def test_move_field_to_position(opts: dict[str, Any]) -> None:
    for external_id in ("a", "b", "c"):
        api.add_metadata_field({"type": "string", "external_id": external_id, "label": external_id}, **opts)
    moved = call_metadata_api("put", ["c", "reorder"], {"position": 1}, **opts)
    assert [f["external_id"] for f in moved["metadata_fields"]] == ["c", "a", "b"]
    with pytest.raises(BadRequest, match="position"):
        call_metadata_api("put", ["c", "reorder"], {"position": 4}, **opts)
    with pytest.raises(NotFound):
        call_metadata_api("put", ["nope", "reorder"], {"position": 1}, **opts)


def test_put_datasource_order(opts: dict[str, Any]) -> None:
    api.add_metadata_field(color_field(), **opts)
    ordered = call_metadata_api("put", ["color", "datasource", "order"], {"order_by": "value"}, **opts)
    assert [v["value"] for v in ordered["values"]] == ["Blue", "Green", "Red"]


def test_datasource_search(opts: dict[str, Any]) -> None:
    api.add_metadata_field(color_field(), **opts)
    api.add_metadata_field(
        {
            "type": "set",
            "external_id": "size",
            "label": "Size",
            "datasource": {"values": [{"external_id": "gr", "value": "Grande"}]},
        },
        **opts,
    )
    api.delete_datasource_entries("color", ["red"], **opts)
    everywhere = search_all(opts, {"term": "r"})
    assert [(h["field_id"], h["id"], h["value"]) for h in everywhere] == [
        ("color", "green", "Green"),
        ("size", "gr", "Grande"),
    ]
    in_field = call_metadata_api("post", ["color", "datasource", "search"], {"term": "BLU"}, **opts)
    assert [v["external_id"] for v in in_field["values"]] == ["blue"]
    exact = call_metadata_api(
        "post", ["color", "datasource", "search"], {"term": "Gree", "exact_match": True}, **opts
    )
    assert exact["values"] == []
    limited = search_all(opts, {"term": "", "max_results": 1})
    assert len(limited) == 1


def search_all(opts: dict[str, Any], body: dict[str, Any]) -> Any:
    """POST metadata_fields/datasource/search answers a bare JSON array (per the spec), which the
    SDK's Response (a dict) cannot hold, so this one endpoint is called over plain HTTP."""
    url = f"{opts['upload_prefix']}/v1_1/{opts['cloud_name']}/metadata_fields/datasource/search"
    token = base64.b64encode(f"{opts['api_key']}:{opts['api_secret']}".encode()).decode()
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Basic {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_fields_survive_a_restart_from_the_state_file(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    cloud = CloudConfig(name=CLOUD, api_key=KEY, api_secret=SECRET)
    with EmulatorServer([cloud], state_file=state_file) as first:
        opts = sdk_options(first, cloud)
        api.add_metadata_field(color_field(), **opts)
        api.add_metadata_field({"type": "string", "external_id": "sku", "label": "SKU"}, **opts)
        api.delete_datasource_entries("color", ["green"], **opts)
        call_metadata_api("put", ["sku", "reorder"], {"position": 1}, **opts)
        before = api.list_metadata_fields(**opts)
    with EmulatorServer([cloud], state_file=state_file) as second:
        opts["upload_prefix"] = second.url
        assert api.list_metadata_fields(**opts) == before
        assert [f["external_id"] for f in before["metadata_fields"]] == ["sku", "color"]
        # the creation order survives too
        ordered = api.reorder_metadata_fields("created_at", **opts)["metadata_fields"]
        assert [f["external_id"] for f in ordered] == ["color", "sku"]


def test_a_datasource_update_while_the_last_one_runs_is_420_already_updating() -> None:
    """The SDK raises RateLimited with the server's message, which says it is not the quota."""
    now = [1_767_225_600.0]
    cloud = CloudConfig(name=CLOUD, api_key=KEY, api_secret=SECRET, datasource_update_s=5)
    with EmulatorServer([cloud], clock=lambda: now[0]) as server:
        opts = sdk_options(server, cloud)
        api.add_metadata_field(color_field(), **opts)
        api.update_metadata_field_datasource("color", [{"external_id": "teal", "value": "Teal"}], **opts)
        with pytest.raises(RateLimited, match="metadata field is already updating"):
            api.update_metadata_field_datasource("color", [{"value": "Cyan"}], **opts)
        api.update_metadata_field("color", {"label": "Colour"}, **opts)  # the field itself is not busy
        now[0] += 5
        values = api.update_metadata_field_datasource("color", [{"value": "Cyan"}], **opts)["values"]
        assert [v["value"] for v in values][-2:] == ["Teal", "Cyan"]


def test_an_upsert_position_moves_the_value_there(opts: dict[str, Any]) -> None:
    """The schema's upsert takes a position; pycloudinary strips it, so a raw JSON call sends it."""
    api.add_metadata_field(color_field(), **opts)
    entries = [{"external_id": "blue", "value": "Blue", "position": 1}, {"value": "Black", "position": 2}]
    call_metadata_api("put", ["color", "datasource"], {"values": entries}, **opts)
    field = api.metadata_field_by_field_id("color", **opts)
    assert [(v["value"], v["position"]) for v in field["datasource"]["values"]] == [
        ("Blue", 1),
        ("Black", 2),
        ("Red", 3),
        ("Green", 4),
    ]
    with pytest.raises(BadRequest):
        call_metadata_api("put", ["color", "datasource"], {"values": [{"value": "X", "position": 0}]}, **opts)

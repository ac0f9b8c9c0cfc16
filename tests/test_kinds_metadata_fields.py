"""kinds/metadata_fields.py: canonical forms with server defaults, datasource endpoints."""

from __future__ import annotations

from typing import Any

import pytest
from support.kinds_emulator import assert_live_matches, calls_to, emulated, obj, writes

from cloudinary_state.kinds.base import LiveObject
from cloudinary_state.kinds.metadata_fields import METADATA_FIELDS
from cloudinary_state.kinds.metadata_fields.kind import DELETE_NOTE, REPLACE_NOTE, order_class

M = METADATA_FIELDS

STATUS: dict[str, Any] = {
    "type": "enum",
    "label": "Status",
    "datasource": {
        "values": [
            {"external_id": "complete", "value": "Metadata complete"},
            {"external_id": "requires_data", "value": "Requires data"},
        ]
    },
}


def _desired(body: dict[str, Any], name: str = "f") -> dict[str, Any]:
    return M.canonical_desired(obj("metadata_field", name, body))


def _values(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {"values": [{"external_id": i, "value": v} for i, v in pairs]}


# --- pure ----------------------------------------------------------------------------------------


def test_minimal_field_gets_every_server_default() -> None:
    assert _desired({"type": "string", "label": "SKU"}) == {
        "type": "string",
        "label": "SKU",
        "mandatory": False,
        "default_value": None,
        "default_disabled": False,
        "validation": None,
        "restrictions": {"readonly_ui": False, "hidden_ui": False, "excluded_from_search": False},
        "allow_dynamic_list_values": False,
    }


def test_server_shape_equals_the_minimal_config() -> None:
    raw = {
        "type": "string",
        "external_id": "sku",
        "label": "SKU",
        "mandatory": False,
        "default_value": None,
        "validation": None,
        "default_disabled": False,
        "restrictions": {"readonly_ui": True, "hidden_ui": False, "excluded_from_search": False},
        "group": "default",
        "alphabetically_sorted": False,
    }
    assert M.canonical_live(raw) == _desired(
        {"type": "string", "label": "SKU", "restrictions": {"readonly_ui": True}}
    )


def test_live_without_optional_keys_equals_too() -> None:
    assert M.canonical_live({"type": "integer", "external_id": "n", "label": "N"}) == _desired(
        {"type": "integer", "label": "N"}
    )


def test_datasource_compares_active_values_by_id() -> None:
    live = {
        "type": "enum",
        "external_id": "status",
        "label": "Status",
        "datasource": {
            "values": [
                {"external_id": "complete", "value": "Metadata complete", "state": "active", "position": 0},
                {"external_id": "old", "value": "Old", "state": "inactive"},
                {"external_id": "requires_data", "value": "Requires data", "state": "active"},
            ]
        },
    }
    assert M.canonical_live(live) == _desired(STATUS)
    assert _desired(STATUS)["datasource"] == {
        "complete": "Metadata complete",
        "requires_data": "Requires data",
    }


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        (["a"], None),
        (["a", "b", "c"], "asc"),
        (["c", "b", "a"], "desc"),
        (["b", "a", "c"], "custom"),
        (["a", "a"], "asc"),
    ],
)
def test_order_class(values: list[str], expected: str | None) -> None:
    assert order_class(values) == expected


def test_order_marker_only_for_sorted_datasources() -> None:
    assert (
        _desired({"type": "set", "label": "S", "datasource": _values(("x", "a"), ("y", "b"))})[
            "datasource_order"
        ]
        == "asc"
    )
    assert (
        _desired({"type": "set", "label": "S", "datasource": _values(("x", "b"), ("y", "a"))})[
            "datasource_order"
        ]
        == "desc"
    )
    custom = _desired(
        {"type": "set", "label": "S", "datasource": _values(("x", "b"), ("y", "a"), ("z", "c"))}
    )
    assert "datasource_order" not in custom


def test_value_without_external_id_is_matched_by_its_text() -> None:
    # the API assigns the id: a live value whose id the config does not name stands for it
    values = [{"value": "Red"}, {"external_id": "b", "value": "Blue"}, {"value": "Red"}]
    want = _desired({"type": "enum", "label": "E", "datasource": {"values": values}})
    assert want["datasource"] == {"b": "Blue"} and want["datasource_by_value"] == ["Red", "Red"]
    live = {**want, "datasource": {"x1": "Red", "b": "Blue", "x2": "Red"}}
    del live["datasource_by_value"]
    assert M.comparable_live(want, live) == want
    # one Red missing, one value the config does not have: both show
    shown = M.comparable_live(want, {**live, "datasource": {"x1": "Red", "b": "Blue", "x3": "Green"}})
    assert shown["datasource"] == {"b": "Blue", "x3": "Green"} and shown["datasource_by_value"] == ["Red"]


def test_state_inactive_is_left_out_of_the_active_values() -> None:
    values = [
        {"external_id": "a", "value": "A", "state": "active"},
        {"external_id": "o", "value": "O", "state": "inactive"},
    ]
    assert _desired({"type": "set", "label": "S", "datasource": {"values": values}})["datasource"] == {
        "a": "A"
    }


def test_type_change_needs_replace_with_a_note() -> None:
    live = LiveObject("metadata_field", "f", _desired({"type": "string", "label": "F"}))
    assert M.needs_replace({"type": "integer", "label": "F"}, live)
    assert not M.needs_replace({"type": "string", "label": "G"}, live)
    assert M.notes("replace", {"type": "integer"}, live) == [REPLACE_NOTE]
    assert M.notes("delete", None, live) == [DELETE_NOTE]
    assert M.notes("update", {"type": "string"}, live) == []


@pytest.mark.parametrize(
    "body",
    [
        {"type": "string", "label": "SKU", "restrictions": {"readonly_ui": True}},
        {"type": "integer", "label": "N", "mandatory": True, "default_value": 5},
        {
            "type": "date",
            "label": "D",
            "validation": {"type": "greater_than", "value": "2020-01-01", "equals": False},
        },
        {"type": "set", "label": "S", "datasource": _values(("b", "Beta"), ("a", "Alpha"), ("c", "Gamma"))},
        STATUS,
    ],
)
def test_export_round_trips(body: dict[str, Any]) -> None:
    raw = {**body, "external_id": "f"}
    live = LiveObject("metadata_field", "f", M.canonical_live(raw), raw)
    exported = M.export(live)
    assert M.canonical_desired(obj("metadata_field", "f", exported)) == dict(live.canonical)
    assert "restrictions" not in exported or all(exported["restrictions"].values())


# --- through the SDK -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"type": "string", "label": "SKU", "restrictions": {"readonly_ui": True}},
        {
            "type": "integer",
            "label": "Count",
            "default_value": 3,
            "validation": {"type": "less_than", "value": 10},
        },
        {"type": "date", "label": "Launch", "default_disabled": True},
        {
            "type": "enum",
            "label": "Status",
            "mandatory": True,
            "default_value": "complete",
            "datasource": STATUS["datasource"],
        },
        {"type": "set", "label": "Colours", "datasource": _values(("r", "Red"), ("g", "Green"))},
    ],
)
def test_create_reads_back_equal(body: dict[str, Any]) -> None:
    with emulated() as (_, api):
        M.create(api, "field", body)
        assert_live_matches(M, api, obj("metadata_field", "field", body))


def test_read_all_is_one_call() -> None:
    with emulated() as (emu, api):
        for i in range(3):
            M.create(api, f"f{i}", {"type": "string", "label": f"F{i}"})
        emu.clear_log()
        assert sorted(M.read_all(api, 8)) == ["f0", "f1", "f2"]
        assert [(r.method, r.path) for r in emu.request_log] == [("GET", "metadata_fields")]


def test_update_sends_only_changed_attributes() -> None:
    with emulated() as (emu, api):
        M.create(api, "sku", {"type": "string", "label": "SKU"})
        live = M.read_one(api, "sku")
        assert live is not None
        emu.clear_log()
        desired = {"type": "string", "label": "Stock unit", "restrictions": {"hidden_ui": True}}
        M.update(api, "sku", desired, live)
        [put] = writes(emu)
        assert (put.method, put.path) == ("PUT", "metadata_fields/sku")
        assert set(put.query_and_body_params) == {"label", "restrictions"}
        assert_live_matches(M, api, obj("metadata_field", "sku", desired))


def _datasource_writes(emu: Any) -> list[tuple[str, str]]:
    return [(r.method, r.path.split("/", 2)[-1]) for r in writes(emu)]


def test_datasource_soft_delete_restore_and_reorder_use_the_datasource_endpoints() -> None:
    abc = {"type": "enum", "label": "E", "datasource": _values(("a", "Alpha"), ("b", "Beta"), ("c", "Gamma"))}
    with emulated() as (emu, api):
        M.create(api, "e", abc)
        assert_live_matches(M, api, obj("metadata_field", "e", abc))

        # remove b: a soft delete, nothing else
        without_b = {**abc, "datasource": _values(("a", "Alpha"), ("c", "Gamma"))}
        emu.clear_log()
        M.update(api, "e", without_b, M.read_one(api, "e"))  # type: ignore[arg-type]
        assert _datasource_writes(emu) == [("DELETE", "datasource")]
        assert calls_to(emu, "DELETE", "metadata_fields/e/datasource")[0].query_and_body_params == {
            "external_ids": ["b"]
        }
        assert_live_matches(M, api, obj("metadata_field", "e", without_b))
        live = M.read_one(api, "e")
        assert live is not None and {"external_id": "b", "value": "Beta", "state": "inactive"} in [
            {k: v[k] for k in ("external_id", "value", "state")} for v in live.raw["datasource"]["values"]
        ]

        # re-add b with a new text: restore, then upsert the text
        back = {**abc, "datasource": _values(("a", "Alpha"), ("b", "Bravo"), ("c", "Gamma"))}
        emu.clear_log()
        M.update(api, "e", back, live)
        assert _datasource_writes(emu) == [("POST", "datasource_restore"), ("PUT", "datasource")]
        assert_live_matches(M, api, obj("metadata_field", "e", back))

        # descending order: one reorder call
        desc = {**abc, "datasource": _values(("c", "Gamma"), ("b", "Bravo"), ("a", "Alpha"))}
        emu.clear_log()
        M.update(api, "e", desc, M.read_one(api, "e"))  # type: ignore[arg-type]
        assert _datasource_writes(emu) == [("POST", "datasource/order")]
        reorder = writes(emu)[0].query_and_body_params
        assert (reorder["order_by"], reorder["direction"]) == ("value", "desc")
        assert_live_matches(M, api, obj("metadata_field", "e", desc))

        # the field itself was never recreated
        assert len(calls_to(emu, "POST", "metadata_fields")) == 0
        assert all(r.path != "metadata_fields/e" or r.method != "DELETE" for r in emu.request_log)


def test_new_value_into_a_sorted_datasource_is_appended_then_sorted() -> None:
    ac = {"type": "set", "label": "S", "datasource": _values(("a", "Alpha"), ("c", "Gamma"))}
    abc = {"type": "set", "label": "S", "datasource": _values(("a", "Alpha"), ("b", "Beta"), ("c", "Gamma"))}
    with emulated() as (emu, api):
        M.create(api, "s", ac)
        emu.clear_log()
        M.update(api, "s", abc, M.read_one(api, "s"))  # type: ignore[arg-type]
        assert _datasource_writes(emu) == [("PUT", "datasource"), ("POST", "datasource/order")]
        assert_live_matches(M, api, obj("metadata_field", "s", abc))


def test_custom_order_is_kept_without_reorder() -> None:
    custom = {
        "type": "enum",
        "label": "E",
        "datasource": _values(("b", "Beta"), ("a", "Alpha"), ("c", "Gamma")),
    }
    more = {**custom, "datasource": _values(("b", "Beta"), ("a", "Alpha"), ("c", "Gamma"), ("d", "Aardvark"))}
    with emulated() as (emu, api):
        M.create(api, "e", custom)
        assert_live_matches(M, api, obj("metadata_field", "e", custom))
        emu.clear_log()
        M.update(api, "e", more, M.read_one(api, "e"))  # type: ignore[arg-type]
        assert _datasource_writes(emu) == [("PUT", "datasource")]
        assert_live_matches(M, api, obj("metadata_field", "e", more))


def test_new_default_value_is_written_after_its_value_exists() -> None:
    with emulated() as (emu, api):
        M.create(api, "e", STATUS)
        desired = {
            **STATUS,
            "default_value": "new",
            "datasource": {
                "values": [*STATUS["datasource"]["values"], {"external_id": "new", "value": "New"}]
            },
        }
        emu.clear_log()
        M.update(api, "e", desired, M.read_one(api, "e"))  # type: ignore[arg-type]
        assert [r.path for r in writes(emu)] == ["metadata_fields/e/datasource", "metadata_fields/e"]
        assert_live_matches(M, api, obj("metadata_field", "e", desired))


def test_delete_then_read_one_is_none() -> None:
    with emulated() as (_, api):
        M.create(api, "gone", {"type": "string", "label": "Gone"})
        live = M.read_one(api, "gone")
        assert live is not None
        M.delete(api, "gone", live)
        assert M.read_one(api, "gone") is None
        assert M.read_all(api, 1) == {}


def test_custom_order_that_lands_sorted_compares_equal() -> None:
    """The API sorts only by value and appends new values: [Gamma, Alpha, Beta] written over a
    live [Alpha, Beta] lands as [Alpha, Beta, Gamma]. The desired order is custom (not sorted),
    which the API cannot set, so `comparable_live` leaves the live order class out and the
    object converges instead of showing a difference no apply could remove."""
    ab = {"type": "enum", "label": "E", "datasource": _values(("a", "Alpha"), ("b", "Beta"))}
    prepended = {**ab, "datasource": _values(("c", "Gamma"), ("a", "Alpha"), ("b", "Beta"))}
    with emulated() as (_, api):
        M.create(api, "e", ab)
        M.update(api, "e", prepended, M.read_one(api, "e"))  # type: ignore[arg-type]
        live = M.read_one(api, "e")
        assert live is not None
        want = _desired(prepended, "e")
        assert live.canonical["datasource_order"] == "asc"  # the raw live form keeps its class
        assert dict(M.comparable_live(want, live.canonical)) == want
        # a sorted desired order stays enforced: the class is compared
        sorted_want = _desired({**ab, "datasource": _values(("b", "Beta"), ("a", "Alpha"))}, "e")
        assert sorted_want["datasource_order"] == "desc"
        assert M.comparable_live(sorted_want, live.canonical)["datasource_order"] == "asc"

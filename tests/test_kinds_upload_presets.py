"""kinds/upload_presets.py: settings in every shape the user writes and the server answers."""

from __future__ import annotations

from typing import Any

import pytest
from support.kinds_emulator import assert_live_matches, calls_to, emulated, obj

from cloudinary_state.kinds.base import LiveObject
from cloudinary_state.kinds.upload_presets import UPLOAD_PRESETS
from cloudinary_state.kinds.upload_presets.kind import (
    canonical_settings,
    normalise_setting,
    serialise_settings,
)
from cloudinary_state.kinds.upload_presets.settings import encode_pipe_map, parse_pipe_map

P = UPLOAD_PRESETS

FULL_SETTINGS: dict[str, Any] = {
    "folder": "product_assets",
    "use_filename": True,
    "unique_filename": False,
    "overwrite": "true",
    "tags": ["product", "catalog"],
    "allowed_formats": "jpg,png",
    "context": {"alt": "a=b|c", "caption": "Product"},
    "metadata": {"sku": "abc-1"},
    "transformation": "c_fill,w_100/e_sepia",
    "eager": ["c_scale,w_400", "t_thumb/jpg"],
    "eager_async": True,
    "categorization": "google_tagging",
    "auto_tagging": 0.7,
    "access_control": [{"access_type": "anonymous", "start": "2030-01-01T00:00:00Z"}],
    "face_coordinates": [[10, 20, 30, 40]],
    "notification_url": "https://hooks.example/upload",
    "disallow_public_id": True,
}


def _desired(settings: dict[str, Any], **top: Any) -> dict[str, Any]:
    return P.canonical_desired(obj("upload_preset", "p", {"settings": settings, **top}))


# --- pure: one setting, many shapes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "shapes"),
    [
        ("use_filename", [True, "true", "1", 1, "TRUE"]),
        ("overwrite", [False, "false", "0", 0]),
        ("tags", [["a", "b"], "a,b", "a, b", ("a", "b")]),
        ("allowed_formats", [["jpg", "png"], "jpg,png"]),
        ("context", [{"k": "v=1|2", "n": "x"}, "k=v\\=1\\|2|n=x"]),
        (
            "metadata",
            [
                {"colors": ["red", "blue"], "sku": "1"},
                'colors=["red","blue"]|sku=1',
                {"colors": ["red", "blue"], "sku": 1},
            ],
        ),
        (
            "transformation",
            [
                "c_fill,w_100/e_sepia",
                "w_100,c_fill/e_sepia",
                [{"crop": "fill", "width": 100}, {"effect": "sepia"}],
            ],
        ),
        (
            "eager",
            [
                ["c_scale,w_100", "w_50/jpg"],
                "c_scale,w_100|w_50/jpg",
                [[{"crop": "scale", "width": 100}], [{"width": 50, "extension": "jpg"}]],
            ],
        ),
        (
            "access_control",
            [
                [{"access_type": "token"}],
                {"access_type": "token"},
                '[{"access_type": "token"}]',
                '{"access_type": "token"}',
            ],
        ),
        ("auto_tagging", [0.7, "0.7", 0.70]),
        ("auto_tagging", [1, "1", 1.0, "1.0"]),
        ("headers", [{"X-A": "b", "X-B": "c"}, "X-A: b\nX-B: c", ["X-A: b", "X-B: c"]]),
        ("face_coordinates", [[[1, 2, 3, 4], [5, 6, 7, 8]], "1,2,3,4|5,6,7,8"]),
        ("regions", [{"box": [[1, 2], [3, 4]]}, '{"box": [[1, 2], [3, 4]]}']),
        ("auto_transcription", [True, "true"]),
        ("folder", ["a/b"]),
    ],
)
def test_every_shape_of_a_setting_is_the_same(key: str, shapes: list[Any]) -> None:
    first = normalise_setting(key, shapes[0])
    for shape in shapes[1:]:
        assert normalise_setting(key, shape) == first, shape


def test_numbers_are_floats_so_json_spelling_agrees() -> None:
    assert repr(normalise_setting("auto_tagging", "1")) == repr(normalise_setting("auto_tagging", 1)) == "1.0"


def test_injected_empty_and_default_flags_are_dropped() -> None:
    raw = {
        "timestamp": "123",
        "upload_preset": "x",
        "folder": "",
        "live": False,
        "disallow_public_id": "false",
    }
    assert canonical_settings(raw) == {}
    assert canonical_settings({"live": "true"}) == {"live": True}


def test_unsigned_defaults_to_false() -> None:
    assert _desired({})["unsigned"] is False
    assert _desired({}, unsigned="true")["unsigned"] is True


def test_pipe_map_escapes_round_trip() -> None:
    value = {"alt": "a=b|c", "list": ["x", "y|z"], "n": "5"}
    assert parse_pipe_map(encode_pipe_map(value)) == value
    assert encode_pipe_map({"alt": "a=b|c"}) == "alt=a\\=b\\|c"


def test_list_shape_and_detail_shape_canonicalise_identically() -> None:
    list_shape = {
        "name": "p",
        "unsigned": "false",
        "settings": {
            "use_filename": "true",
            "tags": "a,b",
            "context": "alt=x\\=y|caption=c",
            "transformation": "c_fill,w_100",
            "eager": "c_scale,w_10|t_thumb",
            "auto_tagging": "0.5",
            "access_control": '[{"access_type":"anonymous"}]',
            "disallow_public_id": "true",
        },
    }
    detail_shape = {
        "name": "p",
        "unsigned": False,
        "settings": {
            "use_filename": True,
            "tags": ["a", "b"],
            "context": {"alt": "x=y", "caption": "c"},
            "transformation": [{"crop": "fill", "width": 100}],
            "eager": [[{"crop": "scale", "width": 10}], [{"transformation": "thumb"}]],
            "auto_tagging": 0.5,
            "access_control": [{"access_type": "anonymous"}],
            "disallow_public_id": True,
        },
    }
    assert P.canonical_live(list_shape) == P.canonical_live(detail_shape)
    assert P.canonical_live(list_shape) == _desired(
        {
            "use_filename": True,
            "tags": ["a", "b"],
            "context": {"alt": "x=y", "caption": "c"},
            "transformation": "w_100,c_fill",
            "eager": ["c_scale,w_10", "t_thumb"],
            "auto_tagging": 0.5,
            "access_control": [{"access_type": "anonymous"}],
            "disallow_public_id": True,
        }
    )


def test_references_named_transformations_and_metadata_fields() -> None:
    body = {
        "settings": {
            "transformation": "t_base/w_10",
            "eager": "t_thumb|c_fit,w_5",
            "metadata": "sku=1|status=ok",
        }
    }
    assert P.references(obj("upload_preset", "p", body)) == [
        ("transformation", "base"),
        ("transformation", "thumb"),
        ("metadata_field", "sku"),
        ("metadata_field", "status"),
    ]


def test_serialise_sends_each_value_verbatim() -> None:
    params = serialise_settings("p", FULL_SETTINGS)
    assert params["raw_transformation"] == "c_fill,w_100/e_sepia" and "transformation" not in params
    assert params["eager"] == "c_scale,w_400|t_thumb/jpg"
    assert params["tags"] == "product,catalog" and params["allowed_formats"] == "jpg,png"
    assert params["context"] == "alt=a\\=b\\|c|caption=Product"
    assert params["overwrite"] is True and params["auto_tagging"] == 0.7
    assert params["access_control"] == FULL_SETTINGS["access_control"]  # the SDK JSON-encodes it


def test_export_round_trips_and_leaves_defaults_out() -> None:
    canonical = _desired(FULL_SETTINGS)
    exported = P.export(LiveObject("upload_preset", "p", canonical))
    assert "unsigned" not in exported
    assert exported["settings"]["transformation"] == "c_fill,w_100/e_sepia"
    assert P.canonical_desired(obj("upload_preset", "p", exported)) == canonical
    unsigned = P.export(LiveObject("upload_preset", "p", {**canonical, "unsigned": True}))
    assert unsigned["unsigned"] is True


# --- through the SDK -----------------------------------------------------------------------------


def _with_thumb(api: Any) -> None:
    api.call("create_transformation", "thumb", "c_thumb,w_150")


def test_create_reads_back_equal_through_both_read_endpoints() -> None:
    with emulated() as (emu, api):
        _with_thumb(api)
        desired = obj("upload_preset", "product_assets", {"settings": FULL_SETTINGS})
        P.create(api, "product_assets", desired.body)
        [post] = calls_to(emu, "POST", "upload_presets")
        sent = post.query_and_body_params
        assert sent["transformation"] == "c_fill,w_100/e_sepia"  # not t_c_fill,...
        assert sent["eager"] == "c_scale,w_400|t_thumb/jpg"
        assert sent["name"] == "product_assets"
        assert_live_matches(P, api, desired)

        listed = api.call("upload_presets", max_results=500)["presets"][0]["settings"]
        detail = api.call("upload_preset", "product_assets")["settings"]
        assert isinstance(detail["tags"], list) and listed["tags"] != detail["tags"]  # two real shapes
        # the list gives every setting as a string or a boolean (reference §6.2; schemas 0.5.0)
        assert all(isinstance(value, str | bool) for value in listed.values()), listed
        from_list, from_detail = (
            P.canonical_live({"settings": listed}),
            P.canonical_live({"settings": detail}),
        )
        assert from_list == from_detail == P.canonical_desired(desired)


def test_read_all_uses_only_the_list_endpoint() -> None:
    with emulated() as (emu, api):
        for i in range(3):
            P.create(api, f"p{i}", {"settings": {"folder": f"f{i}"}})
        emu.clear_log()
        assert sorted(P.read_all(api, 8)) == ["p0", "p1", "p2"]
        assert [(r.method, r.path) for r in emu.request_log] == [("GET", "upload_presets")]


def test_update_sends_full_settings_and_replaces() -> None:
    with emulated() as (emu, api):
        _with_thumb(api)
        P.create(api, "p", {"settings": FULL_SETTINGS})
        live = P.read_one(api, "p")
        assert live is not None
        smaller = {k: v for k, v in FULL_SETTINGS.items() if k not in ("context", "eager")}
        desired = obj("upload_preset", "p", {"unsigned": True, "settings": {**smaller, "tags": "product"}})
        emu.clear_log()
        P.update(api, "p", desired.body, live)
        [put] = calls_to(emu, "PUT", "upload_presets/p")
        assert {"folder", "use_filename", "transformation", "unsigned"} <= set(put.query_and_body_params)
        assert_live_matches(P, api, desired)
        after = P.read_one(api, "p")
        assert after is not None and "context" not in after.canonical["settings"]


def test_option_of_an_unregistered_addon_does_not_read_back() -> None:
    with emulated(addons=frozenset()) as (_, api):
        desired = obj("upload_preset", "p", {"settings": {"folder": "x", "categorization": "google_tagging"}})
        P.create(api, "p", desired.body)
        live = P.read_one(api, "p")
        assert live is not None
        assert "categorization" not in live.canonical["settings"]
        assert P.canonical_desired(desired) != dict(live.canonical)  # read-back verification catches it


def test_delete_then_read_one_is_none() -> None:
    with emulated() as (_, api):
        P.create(api, "gone", {"settings": {"folder": "x"}})
        live = P.read_one(api, "gone")
        assert live is not None
        P.delete(api, "gone", live)
        assert P.read_one(api, "gone") is None
        assert P.read_all(api, 1) == {}

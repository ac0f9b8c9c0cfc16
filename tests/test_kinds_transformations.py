"""kinds/transformations.py: pure canonical forms, and the real SDK against the emulator."""

from __future__ import annotations

from pathlib import Path

import cloudinary.uploader
from hypothesis import HealthCheck, given, settings
from support.kinds_emulator import CLOUD, assert_live_matches, calls_to, emulated, obj, writes
from support.strategies_transformation import transformation_strings

from cloudinary_state.kinds import REGISTRY, get_kind
from cloudinary_state.kinds.base import LiveObject
from cloudinary_state.kinds.transformations import TRANSFORMATIONS
from cloudinary_state.kinds.transformations.kind import DELETE_IN_USE_NOTE, IN_USE_NOTE

T = TRANSFORMATIONS


def _desired(text: str, **extra: object) -> dict[str, object]:
    return T.canonical_desired(obj("transformation", "thumb", {"transformation": text, **extra}))


# --- registry ------------------------------------------------------------------------------------


def test_all_kinds_by_rank_and_lookup() -> None:
    assert [(k.kind, k.rank) for k in REGISTRY] == [
        ("metadata_field", 10),
        ("transformation", 20),
        ("metadata_rule", 30),
        ("streaming_profile", 35),
        ("upload_preset", 40),
        ("upload_mapping", 50),
        ("trigger", 60),
    ]
    assert get_kind("transformation") is T


def test_unknown_kind_is_a_clear_error() -> None:
    import pytest

    with pytest.raises(ValueError, match="unknown kind 'asset_folder'"):
        get_kind("asset_folder")


# --- pure canonical forms ------------------------------------------------------------------------


def test_allowed_for_strict_defaults_to_the_servers_true() -> None:
    assert _desired("w_100")["allowed_for_strict"] is True
    assert _desired("w_100", allowed_for_strict=False)["allowed_for_strict"] is False
    assert _desired("w_100", allowed_for_strict="false")["allowed_for_strict"] is False


def test_parameter_order_and_number_spelling_do_not_matter() -> None:
    assert _desired("w_100,c_fill/e_sepia") == _desired("c_fill,w_100/e_sepia")


def test_live_info_in_server_shape_equals_the_string() -> None:
    raw = {
        "name": "t_thumb",
        "allowed_for_strict": True,
        "used": False,
        "named": True,
        "info": [{"width": 100, "crop": "fill"}, {"effect": "sepia", "extension": "jpg"}],
    }
    assert T.canonical_live(raw) == _desired("c_fill,w_100/e_sepia/jpg")


def test_live_numbers_as_strings_equal_json_numbers() -> None:
    as_numbers = T.canonical_live({"info": [{"width": 100, "opacity": 50}], "allowed_for_strict": "1"})
    as_strings = T.canonical_live({"info": [{"width": "100", "opacity": "50"}], "allowed_for_strict": True})
    assert as_numbers == as_strings


def test_different_definitions_differ() -> None:
    assert _desired("w_100") != _desired("w_101")


def test_references_name_each_named_transformation() -> None:
    body = {"transformation": "t_base/c_fill,w_10/t_other"}
    assert T.references(obj("transformation", "x", body)) == [
        ("transformation", "base"),
        ("transformation", "other"),
    ]


def test_export_round_trips_and_leaves_defaults_out() -> None:
    canonical = _desired("c_pad,b_white,h_1600,w_1600/e_shadow")
    live = LiveObject("transformation", "thumb", canonical, {"used": False})
    body = T.export(live)
    assert "allowed_for_strict" not in body
    assert T.canonical_desired(obj("transformation", "thumb", body)) == canonical
    strict_off = LiveObject("transformation", "thumb", {**canonical, "allowed_for_strict": False})
    assert T.export(strict_off)["allowed_for_strict"] is False


def test_notes_only_for_used_transformations() -> None:
    canonical = _desired("w_100")
    used = LiveObject("transformation", "thumb", canonical, {"used": True})
    unused = LiveObject("transformation", "thumb", canonical, {"used": False})
    assert T.notes("update", {"transformation": "w_200"}, used) == [IN_USE_NOTE]
    assert T.notes("update", {"transformation": "w_200"}, unused) == []
    assert T.notes("update", {"transformation": "w_100", "allowed_for_strict": False}, used) == []
    assert T.notes("delete", None, used) == [DELETE_IN_USE_NOTE]
    assert T.notes("create", {"transformation": "w_1"}, None) == []


# --- through the SDK -----------------------------------------------------------------------------


def test_create_read_update_delete() -> None:
    with emulated() as (emu, api):
        desired = obj("transformation", "thumb", {"transformation": "w_100,c_fill/e_sepia"})
        T.create(api, "thumb", desired.body)
        assert_live_matches(T, api, desired)

        live = T.read_one(api, "thumb")
        assert live is not None and live.name == "thumb" and live.raw["used"] is False
        emu.clear_log()
        changed = obj("transformation", "thumb", {"transformation": "c_scale,w_200/e_grayscale"})
        T.update(api, "thumb", changed.body, live)
        [put] = writes(emu)
        assert put.path == "transformations"
        assert put.query_and_body_params["unsafe_update"] == "c_scale,w_200/e_grayscale"  # raw string
        assert_live_matches(T, api, changed)

        before = T.read_one(api, "thumb")
        assert before is not None
        T.delete(api, "thumb", before)
        assert T.read_one(api, "thumb") is None
        assert T.read_all(api, 4) == {}


def test_allowed_for_strict_false_needs_an_update_after_create() -> None:
    with emulated() as (emu, api):
        desired = obj("transformation", "strict_off", {"transformation": "w_10", "allowed_for_strict": False})
        T.create(api, "strict_off", desired.body)
        assert [(r.method, r.path) for r in writes(emu)] == [
            ("POST", "transformations"),
            ("PUT", "transformations"),
        ]
        assert_live_matches(T, api, desired)
        live = T.read_one(api, "strict_off")
        assert live is not None
        emu.clear_log()
        back_on = obj("transformation", "strict_off", {"transformation": "w_10"})
        T.update(api, "strict_off", back_on.body, live)
        [put] = writes(emu)
        assert "unsafe_update" not in put.query_and_body_params  # the definition did not change
        assert_live_matches(T, api, back_on)


def test_read_all_is_list_pages_plus_one_get_per_named() -> None:
    with emulated() as (emu, api):
        for i in range(5):
            T.create(api, f"n{i}", {"transformation": f"w_{i + 1}"})
        api.call("create_transformation", "c_fit,h_10", "c_fit,h_10")  # an unnamed one is not read
        emu.clear_log()
        live = T.read_all(api, 3)
        assert sorted(live) == [f"n{i}" for i in range(5)]
        gets = calls_to(emu, "GET", "transformations")
        listed = [r for r in gets if "transformation" not in r.query_and_body_params]
        assert len(listed) == 1 and len(gets) == 6
        assert listed[0].query_and_body_params.get("max_results") in ("500", 500)


def test_used_transformation_is_updated_in_place_with_a_note(tmp_path: Path) -> None:
    image = tmp_path / "pixel.png"
    image.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    )
    with emulated() as (emu, api):
        T.create(api, "thumb", {"transformation": "w_100"})
        cloudinary.uploader.upload(
            str(image),
            eager="t_thumb",
            cloud_name=CLOUD,
            api_key="k",
            api_secret="secret-xyz",
            upload_prefix=emu.url,
        )
        live = T.read_one(api, "thumb")
        assert live is not None and live.raw["used"] is True
        assert "derived" not in live.raw  # kept small: the plan needs `used`, not the assets
        changed = {"transformation": "w_300"}
        assert T.notes("update", changed, live) == [IN_USE_NOTE]
        T.update(api, "thumb", changed, live)
        assert_live_matches(T, api, obj("transformation", "thumb", changed))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=transformation_strings())
def test_any_grammar_string_reads_back_equal(text: str) -> None:
    with emulated() as (_, api):
        desired = obj("transformation", "generated", {"transformation": text})
        for name in T.references(desired):
            T.create(api, name[1], {"transformation": "w_10"})
        T.create(api, "generated", desired.body)
        live = T.read_one(api, "generated")
        assert live is not None
        assert T.canonical_desired(desired) == dict(live.canonical)
        assert T.canonical_desired(obj("transformation", "generated", T.export(live))) == dict(live.canonical)

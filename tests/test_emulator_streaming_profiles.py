"""Adaptive streaming profiles in the emulator, driven through the real SDK over HTTP (reference §11)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cloudinary.api as api
import pytest
from cloudinary.exceptions import AlreadyExists, BadRequest, NotFound
from support.emulator import default_clouds, sdk_options

from cloudinary_state.emulator import EmulatorServer

BUILTINS = ["4k", "full_hd", "hd", "sd", "full_hd_wifi", "full_hd_lean", "hd_lean"]


def test_every_cloud_has_the_seven_builtins(opts: dict[str, Any]) -> None:
    listed = api.list_streaming_profiles(**opts)["data"]
    assert [p["name"] for p in listed] == BUILTINS
    assert all(p["predefined"] is True and p["display_name"] and p["external_id"] for p in listed)
    hd = api.get_streaming_profile("hd", **opts)["data"]
    assert hd["predefined"] is True
    assert hd["representations"], "a built-in has representations"
    for representation in hd["representations"]:
        (step,) = representation["transformation"]
        assert step["crop"] == "limit" and isinstance(step["width"], int) and isinstance(step["height"], int)


def test_representations_are_parsed_into_arrays_of_steps(opts: dict[str, Any]) -> None:
    created = api.create_streaming_profile(
        "custom",
        display_name="Custom",
        representations=[
            {
                "crop": "limit",
                "width": 1200,
                "height": 1200,
                "bit_rate": "5m",
            },  # the SDK renders dicts sorted
            "c_limit,w_800,h_800,br_2m",
            "c_scale,w_400/vc_h264:baseline",
        ],
        **opts,
    )["data"]
    assert created == {
        "name": "custom",
        "display_name": "Custom",
        "predefined": False,
        "external_id": created["external_id"],
        "representations": [
            {"transformation": [{"bit_rate": "5m", "crop": "limit", "height": 1200, "width": 1200}]},
            {"transformation": [{"crop": "limit", "width": 800, "height": 800, "bit_rate": "2m"}]},
            {"transformation": [{"crop": "scale", "width": 400}, {"video_codec": "h264:baseline"}]},
        ],
    }
    assert api.get_streaming_profile("custom", **opts)["data"] == created
    listed = {p["name"]: p for p in api.list_streaming_profiles(**opts)["data"]}
    assert listed["custom"] == {"name": "custom", "display_name": "Custom", "predefined": False,
                                "external_id": created["external_id"]}  # fmt: skip


def test_update_is_wrapped_and_partial(opts: dict[str, Any]) -> None:
    api.create_streaming_profile("custom", representations=["c_limit,w_800,br_2m"], **opts)
    updated = api.update_streaming_profile("custom", display_name="Renamed", **opts)
    assert updated["message"] == "updated"
    assert updated["data"]["display_name"] == "Renamed"
    assert updated["data"]["representations"] == [
        {"transformation": [{"crop": "limit", "width": 800, "bit_rate": "2m"}]}
    ]
    replaced = api.update_streaming_profile("custom", representations=["c_limit,w_640,br_1m"], **opts)["data"]
    assert replaced["display_name"] == "Renamed"
    assert replaced["representations"] == [
        {"transformation": [{"crop": "limit", "width": 640, "bit_rate": "1m"}]}
    ]


def test_delete_custom_profile(opts: dict[str, Any]) -> None:
    api.create_streaming_profile("custom", representations=["c_limit,w_800"], **opts)
    assert api.get_streaming_profile("custom", **opts)["data"]["name"] == "custom"
    assert api.delete_streaming_profile("custom", **opts) == {"message": "deleted"}
    with pytest.raises(NotFound):
        api.get_streaming_profile("custom", **opts)


def test_builtin_update_then_delete_reverts_it(opts: dict[str, Any]) -> None:
    original = api.get_streaming_profile("sd", **opts)["data"]
    with pytest.raises(BadRequest, match="Cannot delete predefined profile"):
        api.delete_streaming_profile("sd", **opts)
    changed = api.update_streaming_profile("sd", representations=["c_limit,w_320,h_240,br_150k"], **opts)[
        "data"
    ]
    assert changed["predefined"] is True
    assert changed["representations"] == [
        {"transformation": [{"crop": "limit", "width": 320, "height": 240, "bit_rate": "150k"}]}
    ]
    assert api.delete_streaming_profile("sd", **opts) == {"message": "deleted"}
    assert api.get_streaming_profile("sd", **opts)["data"] == original
    with pytest.raises(BadRequest, match="Cannot delete predefined profile"):
        api.delete_streaming_profile("sd", **opts)


def test_duplicate_name_is_already_exists(opts: dict[str, Any]) -> None:
    api.create_streaming_profile("custom", representations=["c_limit,w_800"], **opts)
    with pytest.raises(AlreadyExists):
        api.create_streaming_profile("custom", representations=["c_limit,w_400"], **opts)
    with pytest.raises(AlreadyExists):
        api.create_streaming_profile("hd", representations=["c_limit,w_400"], **opts)


def test_unknown_profile_is_not_found(opts: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        api.get_streaming_profile("nope", **opts)
    with pytest.raises(NotFound):
        api.update_streaming_profile("nope", display_name="x", **opts)
    with pytest.raises(NotFound):
        api.delete_streaming_profile("nope", **opts)


def test_invalid_representations_are_bad_requests(opts: dict[str, Any]) -> None:
    with pytest.raises(BadRequest, match="representations"):
        api.create_streaming_profile("custom", **opts)
    with pytest.raises(BadRequest, match="representations"):
        api.create_streaming_profile("custom", representations=[], **opts)
    with pytest.raises(BadRequest, match="zz"):
        api.create_streaming_profile("custom", representations=["zz"], **opts)
    api.create_streaming_profile("custom", representations=["c_limit,w_800"], **opts)
    with pytest.raises(BadRequest):
        api.update_streaming_profile("custom", representations=["c_limit,,w_1"], **opts)
    assert api.get_streaming_profile("custom", **opts)["data"]["representations"] == [
        {"transformation": [{"crop": "limit", "width": 800}]}
    ]


def test_representations_as_a_json_string_on_the_wire(emu: EmulatorServer, opts: dict[str, Any]) -> None:
    api.create_streaming_profile("custom", representations=["c_limit,w_800"], **opts)
    sent = emu.request_log[-1].query_and_body_params["representations"]
    assert json.loads(sent) == [{"transformation": "c_limit,w_800"}]


def test_profiles_survive_a_restart_from_the_state_file(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    (cloud,) = default_clouds()
    with EmulatorServer([cloud], state_file=state_file) as first:
        opts = sdk_options(first, cloud)
        api.create_streaming_profile("custom", representations=["c_limit,w_800,br_2m"], **opts)
        original_hd = api.get_streaming_profile("hd", **opts)["data"]
        api.update_streaming_profile("hd", display_name="Our HD", **opts)
    with EmulatorServer([cloud], state_file=state_file) as second:
        opts["upload_prefix"] = second.url
        assert [p["name"] for p in api.list_streaming_profiles(**opts)["data"]] == [*BUILTINS, "custom"]
        assert api.get_streaming_profile("hd", **opts)["data"]["display_name"] == "Our HD"
        # the modification mark persisted too: a delete still reverts the built-in
        api.delete_streaming_profile("hd", **opts)
        assert api.get_streaming_profile("hd", **opts)["data"] == original_hd


def test_a_representation_naming_a_missing_transformation_is_refused(opts: dict[str, Any]) -> None:
    with pytest.raises(BadRequest, match="Transformation t_missing not found"):
        api.create_streaming_profile("custom", representations=["t_missing/br_1m"], **opts)
    # pycloudinary turns a representation given as a dict into transformation options: a
    # {"transformation": "c_limit,..."} reaches the service as t_c_limit,... and is refused
    with pytest.raises(BadRequest, match="Transformation t_c_limit not found"):
        api.create_streaming_profile(
            "custom", representations=[{"transformation": "c_limit,w_800,br_2m"}], **opts
        )
    with pytest.raises(NotFound):
        api.get_streaming_profile("custom", **opts)
    api.create_transformation("small", "c_scale,w_400", **opts)
    created = api.create_streaming_profile("custom", representations=["t_small/br_1m"], **opts)["data"]
    assert created["representations"] == [
        {"transformation": [{"transformation": "small"}, {"bit_rate": "1m"}]}
    ]
    with pytest.raises(BadRequest, match="Transformation t_gone not found"):
        api.update_streaming_profile("custom", representations=["t_gone"], **opts)


def test_the_builtins_are_the_definitions_the_engine_knows(opts: dict[str, Any]) -> None:
    """The emulator keeps its own copy of the built-in ladders (it shares no code with the
    engine); both must agree, or a revert would never read back as the built-in."""
    from cloudinary_state.kinds.streaming_profiles.builtins import BUILTIN_REPRESENTATIONS
    from cloudinary_state.transformation import comparable

    assert list(BUILTIN_REPRESENTATIONS) == BUILTINS
    for name, representations in BUILTIN_REPRESENTATIONS.items():
        answered = api.get_streaming_profile(name, **opts)["data"]["representations"]
        assert [comparable(r["transformation"]) for r in answered] == [comparable(t) for t in representations]

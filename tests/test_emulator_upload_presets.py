"""Upload presets in the emulator through the real SDK (reference §6)."""

from __future__ import annotations

from typing import Any

import cloudinary.api as api
import pytest
from cloudinary.api_client.call_api import call_json_api
from cloudinary.exceptions import AlreadyExists, BadRequest, NotFound

from cloudinary_state.emulator import CloudConfig, EmulatorServer

CLOUD, KEY, SECRET = "preset-cloud", "preset-key", "preset-secret"
ADDONS = frozenset({"google_tagging", "aws_rek"})


@pytest.fixture(scope="module")
def emulated_clouds() -> list[CloudConfig]:
    return [CloudConfig(CLOUD, KEY, SECRET, addons=ADDONS)]


FULL = {
    "name": "product_assets",
    "unsigned": False,
    "disallow_public_id": True,
    "folder": "product_assets",
    "use_filename": True,
    "unique_filename": False,
    "tags": ["product", "catalog"],
    "context": {"team": "web", "note": "a=b|c"},
    "metadata": {"sku": "X-1", "colors": ["red", "blue"]},
    "transformation": [{"width": 100, "crop": "scale"}],
    "eager": [{"crop": "fit", "width": 50}, "t_thumb/jpg"],
    "allowed_formats": ["jpg", "png"],
    "access_control": [{"access_type": "anonymous", "start": "2030-01-01T00:00:00Z"}],
    "auto_tagging": 0.7,
    "categorization": "google_tagging",
    "notification_url": "https://hooks.example/cld",
}


def test_list_returns_wire_strings_and_get_returns_parsed_values(opts: dict[str, Any]) -> None:
    created = api.create_upload_preset(**FULL, **opts)
    assert created["message"] == "created" and created["name"] == "product_assets" and created["external_id"]
    [listed] = api.upload_presets(**opts)["presets"]
    assert listed["name"] == "product_assets" and listed["unsigned"] is False
    assert listed["settings"] == {
        "disallow_public_id": True,
        "folder": "product_assets",
        "use_filename": "1",
        "unique_filename": "0",
        "tags": "product,catalog",
        "context": "team=web|note=a\\=b\\|c",
        "metadata": 'sku=X-1|colors=["red","blue"]',
        "transformation": "c_scale,w_100",
        "eager": "c_fit,w_50|t_thumb/jpg",
        "allowed_formats": "jpg,png",
        "access_control": '[{"access_type":"anonymous","start":"2030-01-01T00:00:00Z"}]',
        "auto_tagging": "0.7",
        "categorization": "google_tagging",
        "notification_url": "https://hooks.example/cld",
    }
    detail = api.upload_preset("product_assets", **opts)
    assert detail["external_id"] == created["external_id"] and detail["unsigned"] is False
    assert detail["settings"] == {
        "disallow_public_id": True,
        "folder": "product_assets",
        "use_filename": True,
        "unique_filename": False,
        "tags": ["product", "catalog"],
        "context": {"team": "web", "note": "a=b|c"},
        "metadata": {"sku": "X-1", "colors": ["red", "blue"]},
        "transformation": [{"crop": "scale", "width": 100}],
        "eager": [[{"crop": "fit", "width": 50}], [{"transformation": "thumb", "extension": "jpg"}]],
        "allowed_formats": ["jpg", "png"],
        "access_control": [{"access_type": "anonymous", "start": "2030-01-01T00:00:00Z"}],
        "auto_tagging": 0.7,
        "categorization": "google_tagging",
        "notification_url": "https://hooks.example/cld",
    }


def test_injected_timestamp_and_upload_preset_are_not_settings(
    emu: EmulatorServer, opts: dict[str, Any]
) -> None:
    api.create_upload_preset(name="plain", folder="f", upload_preset="sneaky", **opts)
    sent = emu.request_log[-1].query_and_body_params
    assert "timestamp" in sent and sent["upload_preset"] == "sneaky"
    assert api.upload_preset("plain", **opts)["settings"] == {"folder": "f"}


def test_update_replaces_every_setting(opts: dict[str, Any]) -> None:
    api.create_upload_preset(name="replace_me", folder="a", tags=["x"], colors=True, unsigned=True, **opts)
    assert (
        api.update_upload_preset("replace_me", folder="b", eval="upload_options['x']=1", **opts)["message"]
        == "updated"
    )
    detail = api.upload_preset("replace_me", **opts)
    assert detail["settings"] == {"folder": "b", "eval": "upload_options['x']=1"}
    assert detail["unsigned"] is True  # a preset-level flag, kept when the update does not send it
    api.update_upload_preset("replace_me", unsigned=False, disallow_public_id=True, live=True, **opts)
    detail = api.upload_preset("replace_me", **opts)
    assert detail["unsigned"] is False
    assert detail["settings"] == {"disallow_public_id": True, "live": True}


def test_string_transformation_is_sent_as_a_named_reference(opts: dict[str, Any]) -> None:
    # pycloudinary's gotcha (§6.3): a string is taken for a named transformation
    api.create_upload_preset(name="gotcha", transformation="thumb", **opts)
    assert api.upload_preset("gotcha", **opts)["settings"]["transformation"] == [{"transformation": "thumb"}]
    api.create_upload_preset(name="verbatim", raw_transformation="c_fill,w_100/e_sepia", **opts)
    assert api.upload_preset("verbatim", **opts)["settings"]["transformation"] == [
        {"crop": "fill", "width": 100},
        {"effect": "sepia"},
    ]


def test_options_for_unregistered_addons_are_dropped_per_element(opts: dict[str, Any]) -> None:
    api.create_upload_preset(
        name="ai",
        categorization="google_tagging:en,aws_rek_tagging",
        detection="captioning",
        moderation="webpurify|aws_rek|manual",
        background_removal="cloudinary_ai:fine_edges",
        raw_convert="extract_text",
        ocr="adv_ocr",
        auto_tagging=0.6,
        **opts,
    )
    assert api.upload_preset("ai", **opts)["settings"] == {
        "categorization": "google_tagging:en",
        "moderation": "aws_rek|manual",
        "raw_convert": "extract_text",
        "auto_tagging": 0.6,
    }
    api.create_upload_preset(name="none_left", categorization="imagga_tagging", auto_tagging=0.5, **opts)
    assert api.upload_preset("none_left", **opts)["settings"] == {}


def test_random_name_duplicate_and_missing(opts: dict[str, Any]) -> None:
    created = api.create_upload_preset(folder="anon", **opts)
    assert created["name"] and api.upload_preset(created["name"], **opts)["settings"] == {"folder": "anon"}
    with pytest.raises(AlreadyExists, match="Error 409"):
        api.create_upload_preset(name=created["name"], **opts)
    for call in (api.upload_preset, api.delete_upload_preset):
        with pytest.raises(NotFound, match="Error 404"):
            call("missing", **opts)
    with pytest.raises(NotFound):
        api.update_upload_preset("missing", folder="x", **opts)
    with pytest.raises(BadRequest, match="Error 400"):
        api.create_upload_preset(name="bad_eager", eager="c_fill,,w_1", **opts)
    deleted = api.delete_upload_preset(created["name"], **opts)
    assert deleted == {"message": "deleted", "external_id": created["external_id"]}
    assert api.upload_presets(**opts)["presets"] == []


def test_pagination_across_pages(opts: dict[str, Any]) -> None:
    names = [f"preset_{i:02d}" for i in range(12)]
    for name in reversed(names):
        api.create_upload_preset(name=name, **opts)
    first = api.upload_presets(**opts)
    assert [p["name"] for p in first["presets"]] == names[:10]
    second = api.upload_presets(next_cursor=first["next_cursor"], **opts)
    assert [p["name"] for p in second["presets"]] == names[10:]
    assert "next_cursor" not in second
    small = api.upload_presets(max_results=5, **opts)
    assert len(small["presets"]) == 5 and small["next_cursor"]


def test_list_order_and_direction(opts: dict[str, Any]) -> None:
    # pycloudinary's upload_presets() forwards only max_results/next_cursor, so call the endpoint
    for name in ("b", "c", "a"):
        api.create_upload_preset(name=name, **opts)

    def names(**params: Any) -> tuple[list[str], str | None]:
        page = call_json_api("get", ["upload_presets"], params, **opts)
        return [p["name"] for p in page["presets"]], page.get("next_cursor")

    first, cursor = names(order_by="created_at", direction="desc", max_results=2)
    assert first == ["a", "c"]
    assert names(order_by="created_at", direction="desc", next_cursor=cursor) == (["b"], None)
    assert names(direction="desc")[0] == ["c", "b", "a"]
    assert names()[0] == ["a", "b", "c"]
    with pytest.raises(BadRequest):
        names(order_by="colour")


def test_the_list_gives_json_arrays_and_objects_as_the_strings_the_sdks_send(opts: dict[str, Any]) -> None:
    """A client outside the SDK's string encoding may send JSON values; the list still answers
    every setting as a string or a boolean (reference §6.2; api schemas' changelog 0.5.0)."""
    body = {
        "name": "raw_json",
        "tags": ["a", "b"],
        "parameter_whitelist": ["folder", "tags"],
        "context": {"alt": "x=y"},
        "eager": ["c_fit,w_5", "e_sepia"],
        "auto_tagging": 0.5,
        "categorization": "google_tagging",
        "face_coordinates": [[1, 2, 3, 4], [5, 6, 7, 8]],
        "headers": {"X-Robots-Tag": "noindex"},
        "access_control": [{"access_type": "anonymous"}],
        "colors": True,
    }
    call_json_api("post", ["upload_presets"], body, **opts)
    [listed] = api.upload_presets(**opts)["presets"]
    assert listed["settings"] == {
        "tags": "a,b",
        "parameter_whitelist": "folder,tags",
        "context": "alt=x\\=y",
        "eager": "c_fit,w_5|e_sepia",
        "auto_tagging": "0.5",
        "categorization": "google_tagging",
        "face_coordinates": "1,2,3,4|5,6,7,8",
        "headers": "X-Robots-Tag: noindex",
        "access_control": '[{"access_type":"anonymous"}]',
        "colors": True,  # sent as a JSON boolean: listed as one
    }
    detail = api.upload_preset("raw_json", **opts)["settings"]
    assert detail["tags"] == ["a", "b"] and detail["face_coordinates"] == [[1, 2, 3, 4], [5, 6, 7, 8]]

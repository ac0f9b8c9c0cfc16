"""Upload presets in the emulator through the real SDK (reference §6)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import cloudinary.api as api
import pytest
from cloudinary.api_client.call_api import call_json_api
from cloudinary.exceptions import AlreadyExists, BadRequest, NotFound
from emulator_reset import fresh_sdk_options

from cloudinary_state.emulator import CloudConfig, EmulatorServer

CLOUD, KEY, SECRET = "preset-cloud", "preset-key", "preset-secret"
ADDONS = frozenset({"google_tagging", "aws_rek"})


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with EmulatorServer([CloudConfig(CLOUD, KEY, SECRET, addons=ADDONS)]) as server:
        yield server


@pytest.fixture
def o(emu: EmulatorServer) -> dict[str, Any]:
    return fresh_sdk_options(emu, CLOUD, KEY, SECRET)


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


def test_list_returns_wire_strings_and_get_returns_parsed_values(o: dict[str, Any]) -> None:
    created = api.create_upload_preset(**FULL, **o)
    assert created["message"] == "created" and created["name"] == "product_assets" and created["external_id"]
    [listed] = api.upload_presets(**o)["presets"]
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
    detail = api.upload_preset("product_assets", **o)
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
    emu: EmulatorServer, o: dict[str, Any]
) -> None:
    api.create_upload_preset(name="plain", folder="f", upload_preset="sneaky", **o)
    sent = emu.request_log[-1].query_and_body_params
    assert "timestamp" in sent and sent["upload_preset"] == "sneaky"
    assert api.upload_preset("plain", **o)["settings"] == {"folder": "f"}


def test_update_replaces_every_setting(o: dict[str, Any]) -> None:
    api.create_upload_preset(name="replace_me", folder="a", tags=["x"], colors=True, unsigned=True, **o)
    assert (
        api.update_upload_preset("replace_me", folder="b", eval="upload_options['x']=1", **o)["message"]
        == "updated"
    )
    detail = api.upload_preset("replace_me", **o)
    assert detail["settings"] == {"folder": "b", "eval": "upload_options['x']=1"}
    assert detail["unsigned"] is True  # a preset-level flag, kept when the update does not send it
    api.update_upload_preset("replace_me", unsigned=False, disallow_public_id=True, live=True, **o)
    detail = api.upload_preset("replace_me", **o)
    assert detail["unsigned"] is False
    assert detail["settings"] == {"disallow_public_id": True, "live": True}


def test_string_transformation_is_sent_as_a_named_reference(o: dict[str, Any]) -> None:
    # pycloudinary's gotcha (§6.3): a string is taken for a named transformation
    api.create_upload_preset(name="gotcha", transformation="thumb", **o)
    assert api.upload_preset("gotcha", **o)["settings"]["transformation"] == [{"transformation": "thumb"}]
    api.create_upload_preset(name="verbatim", raw_transformation="c_fill,w_100/e_sepia", **o)
    assert api.upload_preset("verbatim", **o)["settings"]["transformation"] == [
        {"crop": "fill", "width": 100},
        {"effect": "sepia"},
    ]


def test_options_for_unregistered_addons_are_dropped_per_element(o: dict[str, Any]) -> None:
    api.create_upload_preset(
        name="ai",
        categorization="google_tagging:en,aws_rek_tagging",
        detection="captioning",
        moderation="webpurify|aws_rek|manual",
        background_removal="cloudinary_ai:fine_edges",
        raw_convert="extract_text",
        ocr="adv_ocr",
        auto_tagging=0.6,
        **o,
    )
    assert api.upload_preset("ai", **o)["settings"] == {
        "categorization": "google_tagging:en",
        "moderation": "aws_rek|manual",
        "raw_convert": "extract_text",
        "auto_tagging": 0.6,
    }
    api.create_upload_preset(name="none_left", categorization="imagga_tagging", auto_tagging=0.5, **o)
    assert api.upload_preset("none_left", **o)["settings"] == {}


def test_random_name_duplicate_and_missing(o: dict[str, Any]) -> None:
    created = api.create_upload_preset(folder="anon", **o)
    assert created["name"] and api.upload_preset(created["name"], **o)["settings"] == {"folder": "anon"}
    with pytest.raises(AlreadyExists, match="Error 409"):
        api.create_upload_preset(name=created["name"], **o)
    for call in (api.upload_preset, api.delete_upload_preset):
        with pytest.raises(NotFound, match="Error 404"):
            call("missing", **o)
    with pytest.raises(NotFound):
        api.update_upload_preset("missing", folder="x", **o)
    with pytest.raises(BadRequest, match="Error 400"):
        api.create_upload_preset(name="bad_eager", eager="c_fill,,w_1", **o)
    deleted = api.delete_upload_preset(created["name"], **o)
    assert deleted == {"message": "deleted", "external_id": created["external_id"]}
    assert api.upload_presets(**o)["presets"] == []


def test_pagination_across_pages(o: dict[str, Any]) -> None:
    names = [f"preset_{i:02d}" for i in range(12)]
    for name in reversed(names):
        api.create_upload_preset(name=name, **o)
    first = api.upload_presets(**o)
    assert [p["name"] for p in first["presets"]] == names[:10]
    second = api.upload_presets(next_cursor=first["next_cursor"], **o)
    assert [p["name"] for p in second["presets"]] == names[10:]
    assert "next_cursor" not in second
    small = api.upload_presets(max_results=5, **o)
    assert len(small["presets"]) == 5 and small["next_cursor"]


def test_list_order_and_direction(o: dict[str, Any]) -> None:
    # pycloudinary's upload_presets() forwards only max_results/next_cursor, so call the endpoint
    for name in ("b", "c", "a"):
        api.create_upload_preset(name=name, **o)

    def names(**params: Any) -> tuple[list[str], str | None]:
        page = call_json_api("get", ["upload_presets"], params, **o)
        return [p["name"] for p in page["presets"]], page.get("next_cursor")

    first, cursor = names(order_by="created_at", direction="desc", max_results=2)
    assert first == ["a", "c"]
    assert names(order_by="created_at", direction="desc", next_cursor=cursor) == (["b"], None)
    assert names(direction="desc")[0] == ["c", "b", "a"]
    assert names()[0] == ["a", "b", "c"]
    with pytest.raises(BadRequest):
        names(order_by="colour")

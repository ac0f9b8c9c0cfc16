"""Upload mappings in the emulator through the real SDK (reference §7)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import cloudinary.api as api
import pytest
from cloudinary.api_client.call_api import call_json_api
from cloudinary.exceptions import AlreadyExists, BadRequest, NotFound
from emulator_reset import fresh_sdk_options

from cloudinary_state.emulator import CloudConfig, EmulatorServer

CLOUD, KEY, SECRET = "map-cloud", "map-key", "map-secret"


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with EmulatorServer([CloudConfig(CLOUD, KEY, SECRET)]) as server:
        yield server


@pytest.fixture
def o(emu: EmulatorServer) -> dict[str, Any]:
    return fresh_sdk_options(emu, CLOUD, KEY, SECRET)


def test_create_get_update_delete(o: dict[str, Any]) -> None:
    created = api.create_upload_mapping("product_assets", template="https://media.acme.example/media/", **o)
    assert created["message"] == "created" and created["folder"] == "product_assets"
    mapping = api.upload_mapping("product_assets", **o)  # the bare object, not wrapped
    assert mapping == {
        "folder": "product_assets",
        "template": "https://media.acme.example/media/",
        "external_id": created["external_id"],
    }
    updated = api.update_upload_mapping("product_assets", template="https://cdn.acme.example/", **o)
    assert updated == {"message": "updated", "external_id": created["external_id"]}
    assert api.upload_mapping("product_assets", **o)["template"] == "https://cdn.acme.example/"
    assert api.delete_upload_mapping("product_assets", **o)["message"] == "deleted"
    with pytest.raises(NotFound):
        api.upload_mapping("product_assets", **o)


def test_error_classes(o: dict[str, Any]) -> None:
    api.create_upload_mapping("docs", template="https://d.example/", **o)
    with pytest.raises(AlreadyExists, match="Error 409"):
        api.create_upload_mapping("docs", template="https://other.example/", **o)
    for call in (api.upload_mapping, api.delete_upload_mapping):
        with pytest.raises(NotFound, match="Error 404"):
            call("nowhere", **o)
    with pytest.raises(NotFound):
        api.update_upload_mapping("nowhere", template="https://x.example/", **o)
    with pytest.raises(BadRequest, match="Error 400"):
        api.create_upload_mapping("bad", template="not a url", **o)
    with pytest.raises(BadRequest):
        api.create_upload_mapping("no_template", **o)


def test_list_paginates_and_counts(o: dict[str, Any]) -> None:
    folders = [f"folder_{i:02d}" for i in range(13)]
    for folder in folders:
        api.create_upload_mapping(folder, template=f"https://{folder}.example/", **o)
    first = api.upload_mappings(max_results=5, **o)
    assert first["total_entries"] == 13
    collected = [m["folder"] for m in first["mappings"]]
    cursor = first["next_cursor"]
    while cursor:
        page = api.upload_mappings(max_results=5, next_cursor=cursor, **o)
        collected += [m["folder"] for m in page["mappings"]]
        cursor = page.get("next_cursor")
    assert collected == folders
    assert set(first["mappings"][0]) == {"folder", "template", "external_id"}


def test_replace_all(o: dict[str, Any]) -> None:
    kept = api.create_upload_mapping("kept", template="https://old.example/", **o)
    api.create_upload_mapping("gone", template="https://gone.example/", **o)
    body = {
        "mappings": [
            {"folder": "kept", "template": "https://new.example/"},
            {"folder": "added", "template": "https://a.example/"},
        ]
    }
    assert call_json_api("put", ["upload_mappings", "replace"], body, **o) == {"message": "replaced"}
    listed = {m["folder"]: m for m in api.upload_mappings(**o)["mappings"]}
    assert set(listed) == {"kept", "added"}
    assert listed["kept"]["template"] == "https://new.example/"
    assert listed["kept"]["external_id"] == kept["external_id"]

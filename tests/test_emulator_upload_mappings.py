"""Upload mappings in the emulator through the real SDK (reference §7)."""

from __future__ import annotations

from typing import Any

import cloudinary.api as api
import pytest
from cloudinary.api_client.call_api import call_json_api
from cloudinary.exceptions import AlreadyExists, BadRequest, NotFound


def test_create_get_update_delete(opts: dict[str, Any]) -> None:
    created = api.create_upload_mapping(
        "product_assets", template="https://media.acme.example/media/", **opts
    )
    assert created["message"] == "created" and created["folder"] == "product_assets"
    mapping = api.upload_mapping("product_assets", **opts)  # the bare object, not wrapped
    assert mapping == {
        "folder": "product_assets",
        "template": "https://media.acme.example/media/",
        "external_id": created["external_id"],
        "upload_preset_name": None,  # no preset associated ([S]: string | null)
    }
    updated = api.update_upload_mapping("product_assets", template="https://cdn.acme.example/", **opts)
    assert updated == {"message": "updated", "external_id": created["external_id"]}
    assert api.upload_mapping("product_assets", **opts)["template"] == "https://cdn.acme.example/"
    assert api.delete_upload_mapping("product_assets", **opts)["message"] == "deleted"
    with pytest.raises(NotFound):
        api.upload_mapping("product_assets", **opts)


def test_error_classes(opts: dict[str, Any]) -> None:
    api.create_upload_mapping("docs", template="https://d.example/", **opts)
    with pytest.raises(AlreadyExists, match="Error 409"):
        api.create_upload_mapping("docs", template="https://other.example/", **opts)
    for call in (api.upload_mapping, api.delete_upload_mapping):
        with pytest.raises(NotFound, match="Error 404"):
            call("nowhere", **opts)
    with pytest.raises(NotFound):
        api.update_upload_mapping("nowhere", template="https://x.example/", **opts)
    with pytest.raises(BadRequest, match="Error 400"):
        api.create_upload_mapping("bad", template="not a url", **opts)
    with pytest.raises(BadRequest):
        api.create_upload_mapping("no_template", **opts)


def test_list_paginates_and_counts(opts: dict[str, Any]) -> None:
    folders = [f"folder_{i:02d}" for i in range(13)]
    for folder in folders:
        api.create_upload_mapping(folder, template=f"https://{folder}.example/", **opts)
    first = api.upload_mappings(max_results=5, **opts)
    assert first["total_entries"] == 13
    collected = [m["folder"] for m in first["mappings"]]
    cursor = first["next_cursor"]
    while cursor:
        page = api.upload_mappings(max_results=5, next_cursor=cursor, **opts)
        collected += [m["folder"] for m in page["mappings"]]
        cursor = page.get("next_cursor")
    assert collected == folders
    assert set(first["mappings"][0]) == {"folder", "template", "external_id", "upload_preset_name"}


def test_replace_all(opts: dict[str, Any]) -> None:
    kept = api.create_upload_mapping("kept", template="https://old.example/", **opts)
    api.create_upload_mapping("gone", template="https://gone.example/", **opts)
    body = {
        "mappings": [
            {"folder": "kept", "template": "https://new.example/"},
            {"folder": "added", "template": "https://a.example/"},
        ]
    }
    assert call_json_api("put", ["upload_mappings", "replace"], body, **opts) == {"message": "replaced"}
    listed = {m["folder"]: m for m in api.upload_mappings(**opts)["mappings"]}
    assert set(listed) == {"kept", "added"}
    assert listed["kept"]["template"] == "https://new.example/"
    assert listed["kept"]["external_id"] == kept["external_id"]


def test_upload_preset_name_is_kept_by_a_template_update_and_cleared_by_null(opts: dict[str, Any]) -> None:
    """The SDK's helpers send only folder and template; the association goes as a raw JSON body."""
    body = {"folder": "docs", "template": "https://docs.example/", "upload_preset_name": "docs_preset"}
    call_json_api("post", ["upload_mappings"], body, **opts)
    assert api.upload_mapping("docs", **opts)["upload_preset_name"] == "docs_preset"
    api.update_upload_mapping("docs", template="https://cdn.docs.example/", **opts)  # no preset sent
    assert api.upload_mapping("docs", **opts)["upload_preset_name"] == "docs_preset"
    clear = {"folder": "docs", "template": "https://cdn.docs.example/", "upload_preset_name": None}
    call_json_api("put", ["upload_mappings"], clear, **opts)
    assert api.upload_mapping("docs", **opts)["upload_preset_name"] is None
    replace = {"mappings": [{"folder": "docs", "template": "https://r.example/", "upload_preset_name": "p"}]}
    call_json_api("put", ["upload_mappings", "replace"], replace, **opts)
    assert [m["upload_preset_name"] for m in api.upload_mappings(**opts)["mappings"]] == ["p"]
    with pytest.raises(BadRequest):
        call_json_api("put", ["upload_mappings"], {**clear, "upload_preset_name": 7}, **opts)

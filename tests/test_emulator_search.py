"""emulator/search.py: the Search API as far as a plan's impact needs it, through the real SDK."""

from __future__ import annotations

import base64
from typing import Any

import cloudinary.api
import cloudinary.exceptions
import cloudinary.uploader
import pytest

from cloudinary_state.emulator import CloudConfig, EmulatorServer

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _search(opts: dict[str, Any], expression: str, **more: Any) -> Any:
    body = {"expression": expression, **more}
    return cloudinary.api.call_json_api("post", ["resources", "search"], body, **opts)


@pytest.fixture
def assets(emu: EmulatorServer, opts: dict[str, Any]) -> dict[str, Any]:
    """Three assets: two with a value in `sku-id` (a hyphen, which expressions escape), one
    with an empty value."""
    cloudinary.api.add_metadata_field({"external_id": "sku-id", "type": "string", "label": "SKU"}, **opts)
    for name, sku in (("a", "S1"), ("b", "S2"), ("c", None)):
        metadata = {"sku-id": sku} if sku else {}
        cloudinary.uploader.upload((f"{name}.png", PNG), metadata=metadata, **opts)
    return opts


def test_counts_the_assets_with_and_without_a_value(assets: dict[str, Any]) -> None:
    assert _search(assets, r"metadata=sku\-id")["total_count"] == 2
    assert _search(assets, r"-metadata=sku\-id")["total_count"] == 1
    assert _search(assets, "")["total_count"] == 3
    assert _search(assets, "metadata=other")["total_count"] == 0


def test_pages_with_max_results_and_next_cursor(assets: dict[str, Any]) -> None:
    first = _search(assets, "", max_results=2)
    assert first["total_count"] == 3 and len(first["resources"]) == 2
    second = _search(assets, "", max_results=2, next_cursor=first["next_cursor"])
    assert len(second["resources"]) == 1 and "next_cursor" not in second
    ids = {r["public_id"] for r in first["resources"] + second["resources"]}
    assert len(ids) == 3


def test_refuses_an_expression_it_cannot_evaluate_rather_than_miscount(assets: dict[str, Any]) -> None:
    with pytest.raises(cloudinary.exceptions.BadRequest, match="Unsupported search expression"):
        _search(assets, "tags=kitten")
    with pytest.raises(cloudinary.exceptions.BadRequest, match="max_results"):
        _search(assets, "", max_results=501)


def test_a_cloud_without_the_search_api_answers_403() -> None:
    with EmulatorServer([CloudConfig("nosearch", "k", "s", search_api=False)]) as server:
        opts = {"cloud_name": "nosearch", "api_key": "k", "api_secret": "s", "upload_prefix": server.url}
        with pytest.raises(cloudinary.exceptions.NotAllowed, match="not enabled"):
            _search(opts, "metadata=sku")
        assert server.request_log[-1].path == "resources/search"

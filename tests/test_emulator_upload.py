"""The minimal signed upload endpoint: a preset tried on a sample file, through the real SDK."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import cloudinary.api as api
import cloudinary.uploader as uploader
import pytest
from cloudinary.exceptions import AuthorizationRequired, BadRequest
from emulator_reset import fresh_sdk_options

from cloudinary_state.emulator import CloudConfig, EmulatorServer

CLOUD, KEY, SECRET = "upload-cloud", "upload-key", "upload-secret"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x40\x00\x00\x00\x20" + b"\x00" * 16


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with EmulatorServer([CloudConfig(CLOUD, KEY, SECRET, addons=frozenset({"google_tagging"}))]) as server:
        yield server


@pytest.fixture
def o(emu: EmulatorServer) -> dict[str, Any]:
    return fresh_sdk_options(emu, CLOUD, KEY, SECRET)


def test_upload_applies_the_preset(emu: EmulatorServer, o: dict[str, Any]) -> None:
    emu.state(CLOUD).metadata_fields["sku"] = {"external_id": "sku", "type": "string", "label": "SKU"}
    api.create_transformation("thumb", "c_fill,w_80,h_80", **o)
    api.create_upload_preset(
        name="product_assets",
        folder="products",
        tags=["product"],
        context={"team": "web"},
        metadata={"sku": "X-1"},
        eager=["t_thumb", "c_scale,w_40/png"],
        categorization="google_tagging",
        **o,
    )
    asset = uploader.upload(PNG, upload_preset="product_assets", public_id="shoe", **o)
    assert asset["public_id"] == "products/shoe"
    assert (asset["format"], asset["width"], asset["height"], asset["bytes"]) == ("png", 64, 32, len(PNG))
    assert asset["tags"] == ["product"]
    assert asset["context"] == {"custom": {"team": "web"}}
    assert asset["metadata"] == {"sku": "X-1"}
    assert [e["transformation"] for e in asset["eager"]] == ["t_thumb", "c_scale,w_40/png"]
    assert emu.state(CLOUD).assets["products/shoe"]["asset_id"] == asset["asset_id"]
    listed = {t["name"]: t for t in api.transformations(**o)["transformations"]}
    assert listed["t_thumb"]["used"] is True
    assert listed["c_scale,w_40/png"] == {
        "name": "c_scale,w_40/png",
        "allowed_for_strict": False,
        "used": True,
        "named": False,
    }


def test_explicit_params_override_the_preset(o: dict[str, Any]) -> None:
    api.create_upload_preset(name="tagged", tags=["from_preset"], **o)
    asset = uploader.upload(PNG, upload_preset="tagged", tags=["explicit"], **o)
    assert asset["tags"] == ["explicit"]
    assert len(asset["public_id"]) == 20


def test_signature_is_checked(o: dict[str, Any]) -> None:
    with pytest.raises(AuthorizationRequired, match="Invalid Signature"):
        uploader.upload(PNG, **{**o, "api_secret": "wrong"})
    with pytest.raises(AuthorizationRequired, match="Invalid api_key"):
        uploader.upload(PNG, **{**o, "api_key": "other"})


def test_unsigned_upload_needs_an_unsigned_preset(o: dict[str, Any]) -> None:
    api.create_upload_preset(name="open", unsigned=True, folder="public", **o)
    api.create_upload_preset(name="closed", unsigned=False, **o)
    assert uploader.unsigned_upload(PNG, "open", **o)["public_id"].startswith("public/")
    with pytest.raises(BadRequest):
        uploader.unsigned_upload(PNG, "closed", **o)


def test_unregistered_addons_and_unknown_references_fail_with_400(o: dict[str, Any]) -> None:
    with pytest.raises(BadRequest, match="aws_rek_tagging"):
        uploader.upload(PNG, categorization="aws_rek_tagging", **o)
    with pytest.raises(BadRequest, match="t_nowhere"):
        uploader.upload(PNG, eager="t_nowhere", **o)
    with pytest.raises(BadRequest, match="Upload preset not found"):
        uploader.upload(PNG, upload_preset="ghost", **o)
    with pytest.raises(BadRequest, match="Metadata field"):
        uploader.upload(PNG, metadata={"undeclared": "x"}, **o)
    assert uploader.upload(PNG, categorization="google_tagging", **o)["format"] == "png"


def test_a_failing_upload_registers_nothing(emu: EmulatorServer, o: dict[str, Any]) -> None:
    with pytest.raises(BadRequest):
        uploader.upload(PNG, eager="c_scale,w_10|t_missing", **o)
    assert emu.state(CLOUD).transformations == {} and emu.state(CLOUD).assets == {}


def test_derived_entries_are_listed_on_the_transformation(o: dict[str, Any]) -> None:
    api.create_transformation("icon", "c_fill,w_16,h_16", **o)
    uploader.upload(PNG, public_id="logo", eager="t_icon/webp", **o)
    [derived] = api.transformation("icon", **o)["derived"]
    assert {k: derived[k] for k in ("public_id", "resource_type", "type", "format", "bytes")} == {
        "public_id": "logo",
        "resource_type": "image",
        "type": "upload",
        "format": "webp",
        "bytes": len(PNG),
    }
    assert derived["secure_url"].startswith("https://") and derived["id"]


def test_upload_errors_carry_x_cld_error(emu: EmulatorServer, o: dict[str, Any]) -> None:
    request = urllib.request.Request(f"{emu.url}/v1_1/{CLOUD}/image/upload", data=b"file=x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 400
    assert info.value.headers["X-Cld-Error"] == "Missing required parameter - signature"

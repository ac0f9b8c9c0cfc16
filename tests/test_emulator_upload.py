"""The minimal signed upload endpoint: a preset tried on a sample file, through the real SDK."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import cloudinary.api as api
import cloudinary.uploader as uploader
import pytest
from cloudinary.exceptions import AuthorizationRequired, BadRequest

from cloudinary_state.emulator import CloudConfig, EmulatorServer

CLOUD, KEY, SECRET = "upload-cloud", "upload-key", "upload-secret"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x40\x00\x00\x00\x20" + b"\x00" * 16


@pytest.fixture(scope="module")
def emulated_clouds() -> list[CloudConfig]:
    return [CloudConfig(CLOUD, KEY, SECRET, addons=frozenset({"google_tagging"}))]


def test_upload_applies_the_preset(emu: EmulatorServer, opts: dict[str, Any]) -> None:
    emu.state(CLOUD).metadata_fields["sku"] = {"external_id": "sku", "type": "string", "label": "SKU"}
    api.create_transformation("thumb", "c_fill,w_80,h_80", **opts)
    api.create_upload_preset(
        name="product_assets",
        folder="products",
        tags=["product"],
        context={"team": "web"},
        metadata={"sku": "X-1"},
        eager=["t_thumb", "c_scale,w_40/png"],
        categorization="google_tagging",
        **opts,
    )
    asset = uploader.upload(PNG, upload_preset="product_assets", public_id="shoe", **opts)
    assert asset["public_id"] == "products/shoe"
    assert (asset["format"], asset["width"], asset["height"], asset["bytes"]) == ("png", 64, 32, len(PNG))
    assert asset["tags"] == ["product"]
    assert asset["context"] == {"custom": {"team": "web"}}
    assert asset["metadata"] == {"sku": "X-1"}
    assert [e["transformation"] for e in asset["eager"]] == ["t_thumb", "c_scale,w_40/png"]
    assert emu.state(CLOUD).assets["products/shoe"]["asset_id"] == asset["asset_id"]
    listed = {t["name"]: t for t in api.transformations(**opts)["transformations"]}
    assert listed["t_thumb"]["used"] is True
    assert listed["c_scale,w_40/png"] == {
        "name": "c_scale,w_40/png",
        "allowed_for_strict": False,
        "used": True,
        "named": False,
    }


def test_explicit_params_override_the_preset(opts: dict[str, Any]) -> None:
    api.create_upload_preset(name="tagged", tags=["from_preset"], **opts)
    asset = uploader.upload(PNG, upload_preset="tagged", tags=["explicit"], **opts)
    assert asset["tags"] == ["explicit"]
    assert len(asset["public_id"]) == 20


def test_signature_is_checked(opts: dict[str, Any]) -> None:
    with pytest.raises(AuthorizationRequired, match="Invalid Signature"):
        uploader.upload(PNG, **{**opts, "api_secret": "wrong"})
    with pytest.raises(AuthorizationRequired, match="Invalid api_key"):
        uploader.upload(PNG, **{**opts, "api_key": "other"})


def test_unsigned_upload_needs_an_unsigned_preset(opts: dict[str, Any]) -> None:
    api.create_upload_preset(name="open", unsigned=True, folder="public", **opts)
    api.create_upload_preset(name="closed", unsigned=False, **opts)
    assert uploader.unsigned_upload(PNG, "open", **opts)["public_id"].startswith("public/")
    with pytest.raises(BadRequest):
        uploader.unsigned_upload(PNG, "closed", **opts)


def test_unregistered_addons_and_unknown_references_fail_with_400(opts: dict[str, Any]) -> None:
    with pytest.raises(BadRequest, match="aws_rek_tagging"):
        uploader.upload(PNG, categorization="aws_rek_tagging", **opts)
    with pytest.raises(BadRequest, match="t_nowhere"):
        uploader.upload(PNG, eager="t_nowhere", **opts)
    with pytest.raises(BadRequest, match="Upload preset not found"):
        uploader.upload(PNG, upload_preset="ghost", **opts)
    with pytest.raises(BadRequest, match="Metadata field"):
        uploader.upload(PNG, metadata={"undeclared": "x"}, **opts)
    assert uploader.upload(PNG, categorization="google_tagging", **opts)["format"] == "png"


def test_a_failing_upload_registers_nothing(emu: EmulatorServer, opts: dict[str, Any]) -> None:
    with pytest.raises(BadRequest):
        uploader.upload(PNG, eager="c_scale,w_10|t_missing", **opts)
    assert emu.state(CLOUD).transformations == {} and emu.state(CLOUD).assets == {}


def test_derived_entries_are_listed_on_the_transformation(opts: dict[str, Any]) -> None:
    api.create_transformation("icon", "c_fill,w_16,h_16", **opts)
    uploader.upload(PNG, public_id="logo", eager="t_icon/webp", **opts)
    [derived] = api.transformation("icon", **opts)["derived"]
    assert {k: derived[k] for k in ("public_id", "resource_type", "type", "format", "bytes")} == {
        "public_id": "logo",
        "resource_type": "image",
        "type": "upload",
        "format": "webp",
        "bytes": len(PNG),
    }
    assert derived["secure_url"].startswith("https://") and derived["id"]


def test_upload_errors_carry_x_cld_error(emu: EmulatorServer, opts: dict[str, Any]) -> None:
    request = urllib.request.Request(f"{emu.url}/v1_1/{CLOUD}/image/upload", data=b"file=x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 400
    assert info.value.headers["X-Cld-Error"] == "Missing required parameter - signature"

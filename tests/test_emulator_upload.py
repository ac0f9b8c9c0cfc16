"""The minimal signed upload endpoint: a preset tried on a sample file, through the real SDK."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from typing import Any

import cloudinary.api as api
import cloudinary.uploader as uploader
import cloudinary.utils
import pytest
from cloudinary.exceptions import AuthorizationRequired, BadRequest

from cloudinary_state.emulator import CloudConfig, EmulatorServer, media

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


# --- what the upload learned for try-preset (docs/emulator.md, "Upload") -----------------------


def _png(width: int, height: int) -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
        + width.to_bytes(4, "big")
        + height.to_bytes(4, "big")
        + b"\0" * 8
    )


def test_the_file_name_gives_the_public_id_and_original_filename(opts: dict[str, Any]) -> None:
    unique = uploader.upload(("photos/shoe.png", PNG), use_filename=True, **opts)
    assert unique["original_filename"] == "shoe"
    assert re.fullmatch(r"shoe_[a-z0-9]{6}", unique["public_id"])  # pycloudinary's live test
    plain = uploader.upload(("shoe.png", PNG), use_filename=True, unique_filename=False, **opts)
    assert plain["public_id"] == "shoe"
    overridden = uploader.upload(("shoe.png", PNG), filename_override="boot.png", **opts)
    assert overridden["original_filename"] == "boot"
    assert uploader.upload(PNG, **opts)["original_filename"] == "file"


def test_the_answer_is_signed_as_the_sdk_checks(opts: dict[str, Any]) -> None:
    asset = uploader.upload(PNG, public_id="signed", **opts)
    expected = cloudinary.utils.api_sign_request(
        {"public_id": asset["public_id"], "version": asset["version"]}, SECRET
    )
    assert asset["signature"] == expected


def test_allowed_formats_refuses_unless_format_converts(opts: dict[str, Any]) -> None:
    assert uploader.upload(PNG, allowed_formats=["png"], **opts)["format"] == "png"
    with pytest.raises(BadRequest, match=r"^Image file format png not allowed$"):
        uploader.upload(PNG, allowed_formats=["jpg", "webp"], **opts)
    assert uploader.upload(PNG, allowed_formats=["jpg"], format="jpg", **opts)["format"] == "jpg"
    # only the formats allowed_formats does not list are converted
    assert uploader.upload(PNG, allowed_formats=["png"], format="jpg", **opts)["format"] == "png"
    assert uploader.upload(PNG, format="gif", **opts)["format"] == "gif"
    with pytest.raises(BadRequest, match=r"^Raw file format txt not allowed$"):
        uploader.upload(("notes.txt", b"hello"), resource_type="auto", allowed_formats=["pdf"], **opts)


def test_the_resource_type_comes_from_the_bytes(opts: dict[str, Any]) -> None:
    with pytest.raises(BadRequest, match=r"^Invalid image file$"):
        uploader.upload(("notes.txt", b"hello"), **opts)
    raw = uploader.upload(("notes.txt", b"hello"), resource_type="auto", **opts)
    assert (raw["resource_type"], raw["format"]) == ("raw", "txt")
    assert "/raw/upload/" in raw["url"]
    image = uploader.upload(("x.bin", _png(7, 5)), resource_type="auto", **opts)
    assert (image["resource_type"], image["format"], image["width"], image["height"]) == (
        "image",
        "png",
        7,
        5,
    )


def test_a_remote_url_is_not_fetched_but_typed_by_the_call(opts: dict[str, Any]) -> None:
    video = uploader.upload("https://media.example.test/clip.mp4", resource_type="video", **opts)
    assert (video["resource_type"], video["format"], video["original_filename"]) == ("video", "mp4", "clip")
    image = uploader.upload("https://media.example.test/a/photo.jpg", **opts)
    assert (image["resource_type"], image["format"], image["width"]) == ("image", "jpg", None)


def test_delivery_urls_are_the_sdks_own(opts: dict[str, Any]) -> None:
    api.create_transformation("thumb", "c_fill,w_16,h_16", **opts)
    asset = uploader.upload(PNG, public_id="items/shoe", eager="t_thumb|c_scale,w_40/jpg", **opts)
    url = cloudinary.utils.cloudinary_url(
        "items/shoe", format="png", version=asset["version"], cloud_name=CLOUD, secure=False
    )[0]
    assert asset["url"] == url.replace("https://", "http://")
    eager = asset["eager"][1]
    assert eager["format"] == "jpg"
    expected = cloudinary.utils.cloudinary_url(
        "items/shoe",
        raw_transformation="c_scale,w_40",
        format="jpg",
        version=asset["version"],
        cloud_name=CLOUD,
    )[0]
    assert eager["url"] == expected  # the path pycloudinary's live test checks


def test_authenticated_assets_get_signed_urls(opts: dict[str, Any]) -> None:
    asset = uploader.upload(PNG, public_id="secret", type="authenticated", eager="c_scale,w_10", **opts)
    sign = {"cloud_name": CLOUD, "api_secret": SECRET, "sign_url": True, "type": "authenticated"}
    original = cloudinary.utils.cloudinary_url("secret", format="png", version=asset["version"], **sign)[0]
    derived = cloudinary.utils.cloudinary_url(
        "secret", raw_transformation="c_scale,w_10", format="png", version=asset["version"], **sign
    )[0]
    assert (asset["type"], asset["url"], asset["eager"][0]["url"]) == ("authenticated", original, derived)
    assert "/s--" in original


def test_the_incoming_transformation_shapes_the_stored_asset(opts: dict[str, Any]) -> None:
    asset = uploader.upload(_png(64, 32), raw_transformation="c_scale,w_32/jpg", **opts)
    assert (asset["format"], asset["width"], asset["height"]) == ("jpg", 32, 16)
    api.create_transformation("square", "c_fill,w_20,h_20/f_webp", **opts)
    named = uploader.upload(_png(64, 32), raw_transformation="t_square", **opts)
    assert (named["format"], named["width"], named["height"]) == ("webp", 20, 20)
    limited = uploader.upload(_png(64, 32), raw_transformation="c_limit,w_100,h_100", **opts)
    assert (limited["width"], limited["height"]) == (64, 32)
    with pytest.raises(BadRequest, match="t_missing"):
        uploader.upload(PNG, raw_transformation="t_missing", **opts)


def test_structured_metadata_is_validated(emu: EmulatorServer, opts: dict[str, Any]) -> None:
    emu.state(CLOUD).metadata_fields.update(
        {
            "size": {
                "external_id": "size",
                "type": "set",
                "label": "Size",
                "validation": None,
                "datasource": {"values": [{"external_id": "s", "value": "S", "state": "active"}]},
            },
            "stock": {"external_id": "stock", "type": "integer", "label": "Stock", "validation": None},
        }
    )
    asset = uploader.upload(PNG, metadata={"size": ["s"], "stock": 3}, **opts)
    assert asset["metadata"] == {"size": ["s"], "stock": 3}
    with pytest.raises(BadRequest, match="size"):
        uploader.upload(PNG, metadata={"size": ["xl"]}, **opts)
    with pytest.raises(BadRequest, match="stock"):
        uploader.upload(PNG, metadata={"stock": "many"}, **opts)


def test_addon_results_and_moderation(opts: dict[str, Any]) -> None:
    asset = uploader.upload(PNG, categorization="google_tagging", moderation="manual", **opts)
    assert asset["info"] == {"categorization": {"google_tagging": {"status": "complete", "data": []}}}
    assert asset["moderation"] == [{"kind": "manual", "status": "pending"}]  # pycloudinary's live test


def test_file_headers_give_format_and_size() -> None:
    gif = b"GIF89a" + (3).to_bytes(2, "little") + (4).to_bytes(2, "little")
    jpeg = (
        b"\xff\xd8\xff\xe0\x00\x04ab\xff\xc0\x00\x11\x08" + (9).to_bytes(2, "big") + (12).to_bytes(2, "big")
    )
    webp = b"RIFF\0\0\0\0WEBPVP8X" + b"\0" * 8 + (99).to_bytes(3, "little") + (49).to_bytes(3, "little")
    assert media.detect(gif, None) == media.FileFacts("image", "gif", 3, 4)
    assert media.detect(jpeg, None) == media.FileFacts("image", "jpg", 12, 9)
    assert media.detect(webp, None) == media.FileFacts("image", "webp", 100, 50)
    assert media.detect(b"%PDF-1.7", "a.pdf") == media.FileFacts("image", "pdf")
    assert media.detect(b"\0\0\0\x18ftypmp42", None).resource_type == "video"
    assert media.detect(b"plain", "notes.TXT") == media.FileFacts(None, "txt")


def test_a_preset_that_disallows_public_ids_ignores_the_calls(opts: dict[str, Any]) -> None:
    api.create_upload_preset(name="named_here", disallow_public_id=True, folder="f", **opts)
    asset = uploader.upload(PNG, upload_preset="named_here", public_id="chosen", **opts)
    assert asset["public_id"].startswith("f/") and "chosen" not in asset["public_id"]

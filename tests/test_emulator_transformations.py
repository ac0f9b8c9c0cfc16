"""Named transformations in the emulator through the real SDK (reference §5)."""

from __future__ import annotations

from typing import Any

import cloudinary.api as api
import cloudinary.uploader as uploader
import pytest
from cloudinary.api_client.call_api import call_json_api
from cloudinary.exceptions import AlreadyExists, BadRequest, NotFound

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x03" + b"\x00" * 16


def test_names_carry_the_t_prefix_in_responses(opts: dict[str, Any]) -> None:
    assert api.create_transformation("thumb", "c_fill,h_100,w_100", **opts) == {"message": "created"}
    listed = api.transformations(**opts)["transformations"]
    assert listed == [{"name": "t_thumb", "allowed_for_strict": True, "used": False, "named": True}]
    for ident in ("thumb", "t_thumb"):  # bare name and the prefixed one both work as input
        assert api.transformation(ident, **opts)["name"] == "t_thumb"
    api.update_transformation("t_thumb", allowed_for_strict=False, **opts)
    api.delete_transformation("t_thumb", **opts)
    assert api.transformations(**opts)["transformations"] == []


def test_info_is_parsed_into_typed_component_dicts(opts: dict[str, Any]) -> None:
    api.create_transformation("product", "e_background_removal/c_pad,b_white,h_1600,w_1600/e_shadow/", **opts)
    detail = api.transformation("product", **opts)
    assert detail["info"] == [
        {"effect": "background_removal"},
        {"crop": "pad", "background": "white", "height": 1600, "width": 1600},
        {"effect": "shadow", "extension": "none"},
    ]
    assert detail["derived"] == [] and detail["named"] is True
    # a dict definition is rendered by the SDK (sorted short keys) and parsed the same way
    api.create_transformation("dict_made", {"crop": "fill", "width": 100, "height": 150}, **opts)
    assert api.transformation("dict_made", **opts)["info"] == [{"crop": "fill", "height": 150, "width": 100}]


def test_get_by_string_and_both_url_styles(opts: dict[str, Any]) -> None:
    api.create_transformation("c_scale,w_300/jpg", "c_scale,w_300/jpg", **opts)  # name == definition
    [listed] = api.transformations(named=False, **opts)["transformations"]
    assert listed == {"name": "c_scale,w_300/jpg", "allowed_for_strict": True, "used": False, "named": False}
    assert api.transformation("c_scale,w_300/jpg", **opts)["info"] == [
        {"crop": "scale", "width": 300, "extension": "jpg"}
    ]
    assert api.transformation({"crop": "scale", "width": 300, "format": "jpg"}, **opts)["named"] is False
    api.create_transformation("banner", "c_fill,w_1200,h_300", **opts)
    by_path = call_json_api("get", ["transformations", "banner"], {}, **opts)
    assert by_path["name"] == "t_banner"
    call_json_api("put", ["transformations", "t_banner"], {"allowed_for_strict": False}, **opts)
    assert api.transformation("banner", **opts)["allowed_for_strict"] is False
    call_json_api("delete", ["transformations", "banner"], {}, **opts)
    with pytest.raises(NotFound):
        api.transformation("banner", **opts)
    call_json_api(
        "post",
        ["transformations", "spec_style"],
        {"transformation": "w_10", "allowed_for_strict": False},
        **opts,
    )
    assert api.transformation("spec_style", **opts)["allowed_for_strict"] is False


def test_named_filter_and_pagination_across_pages(opts: dict[str, Any]) -> None:
    for i in range(7):
        api.create_transformation(f"n{i}", f"w_{100 + i}", **opts)
    for i in range(5):
        api.create_transformation(f"h_{200 + i}", f"h_{200 + i}", **opts)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = api.transformations(
            named=True, max_results=3, **({"next_cursor": cursor} if cursor else {}), **opts
        )
        seen += [t["name"] for t in page["transformations"]]
        pages += 1
        cursor = page.get("next_cursor")
        if not cursor:
            break
    assert pages == 3
    assert seen == [f"t_n{i}" for i in range(7)]
    unnamed = api.transformations(named=False, **opts)["transformations"]
    assert [t["name"] for t in unnamed] == [f"h_{200 + i}" for i in range(5)]
    assert len(api.transformations(**opts)["transformations"]) == 10  # max_results defaults to 10
    assert "next_cursor" in api.transformations(**opts)
    with pytest.raises(BadRequest):
        api.transformations(next_cursor="garbage!", **opts)


def test_update_allowed_for_strict_and_unsafe_update(opts: dict[str, Any]) -> None:
    api.create_transformation("hero", "c_fill,w_800", **opts)
    assert api.update_transformation("hero", allowed_for_strict=False, **opts) == {"message": "updated"}
    api.update_transformation("hero", unsafe_update={"crop": "fit", "width": 640}, **opts)
    detail = api.transformation("hero", **opts)
    assert detail["allowed_for_strict"] is False
    assert detail["info"] == [{"crop": "fit", "width": 640}]
    with pytest.raises(BadRequest):
        api.update_transformation("hero", unsafe_update="nonsense", **opts)


def test_error_classes(opts: dict[str, Any]) -> None:
    api.create_transformation("dup", "w_10", **opts)
    with pytest.raises(AlreadyExists, match="Error 409"):
        api.create_transformation("dup", "w_20", **opts)
    with pytest.raises(BadRequest, match="Error 400"):
        api.create_transformation("broken", "width", **opts)
    for call in (api.transformation, api.delete_transformation):
        with pytest.raises(NotFound, match="Error 404"):
            call("missing", **opts)
    with pytest.raises(NotFound):
        api.update_transformation("missing", allowed_for_strict=True, **opts)


def test_used_turns_true_when_an_upload_derives_with_it(opts: dict[str, Any]) -> None:
    api.create_transformation("small", "c_scale,w_50", **opts)
    api.create_upload_preset(name="derive", eager=["t_small", "c_fit,w_20/png"], **opts)
    assert api.transformation("small", **opts)["used"] is False
    uploader.upload(PNG, upload_preset="derive", **opts)
    detail = api.transformation("small", **opts)
    assert detail["used"] is True
    assert len(detail["derived"]) == 1
    implicit = api.transformation("c_fit,w_20/png", **opts)
    assert (implicit["named"], implicit["allowed_for_strict"], implicit["used"]) == (False, False, True)
    assert not any(
        t["name"] == "t_small" and not t["named"] for t in api.transformations(**opts)["transformations"]
    )


def test_a_rejected_update_changes_nothing(opts: dict[str, Any]) -> None:
    api.create_transformation("steady", "c_fill,w_100", **opts)
    with pytest.raises(BadRequest):
        api.update_transformation("steady", allowed_for_strict=False, unsafe_update="c_fill,,w_1", **opts)
    detail = api.transformation("steady", **opts)
    assert (detail["allowed_for_strict"], detail["info"]) == (True, [{"crop": "fill", "width": 100}])


def test_unsafe_update_of_an_unnamed_one_rekeys_it(opts: dict[str, Any]) -> None:
    api.create_transformation("w_10", "w_10", **opts)
    api.create_transformation("w_20", "w_20", **opts)
    with pytest.raises(AlreadyExists):
        api.update_transformation("w_10", unsafe_update="w_20", **opts)
    api.update_transformation("w_10", unsafe_update="w_30", **opts)
    assert api.transformation("w_30", **opts)["name"] == "w_30"
    with pytest.raises(NotFound):
        api.transformation("w_10", **opts)


def test_a_chained_reference_names_each_transformation(opts: dict[str, Any]) -> None:
    """`t_a.b` applies two named transformations (pycloudinary writes a list of names so): an
    upload deriving with it needs both, and marks both used."""
    api.create_transformation("first", "c_scale,w_50", **opts)
    api.create_upload_preset(name="chained", eager=["t_first.second"], **opts)
    with pytest.raises(BadRequest, match="t_second not found"):
        uploader.upload(PNG, upload_preset="chained", **opts)
    api.create_transformation("second", "e_grayscale", **opts)
    uploader.upload(PNG, upload_preset="chained", **opts)
    assert [api.transformation(n, **opts)["used"] for n in ("first", "second")] == [True, True]

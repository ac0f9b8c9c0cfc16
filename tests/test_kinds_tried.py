"""The kinds' answers to a tried upload (kinds/tried.py), on hand-made assets: pure, no I/O.
The end-to-end runs are in test_try_preset.py."""

from __future__ import annotations

from typing import Any

import pytest

from cloudinary_state.desired import DesiredObject, StrippedOption
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.metadata_rules.tried import describe_condition, describe_result, holds
from cloudinary_state.kinds.tried import TriedUpload, UploadEffect

PRESETS, RULES, MAPPINGS = (REGISTRY.get(k) for k in ("upload_preset", "metadata_rule", "upload_mapping"))


def preset(settings: dict[str, Any], **extra: Any) -> DesiredObject:
    return DesiredObject("upload_preset", "p", {"settings": settings}, **extra)


def tried(through: DesiredObject, asset: dict[str, Any], **extra: Any) -> TriedUpload:
    return TriedUpload(through, asset, extra.pop("addons", {}), extra.pop("explicit", {}))


def effects(obj: DesiredObject, asset: dict[str, Any], **extra: Any) -> dict[str, UploadEffect]:
    return {e.setting or "": e for e in PRESETS.upload_effects(obj, tried(obj, asset, **extra))}


def test_exactly_one_kind_is_what_try_preset_uploads_through() -> None:
    assert [k.kind for k in REGISTRY if k.try_target] == ["upload_preset"]
    assert PRESETS.upload_params("p") == {"upload_preset": "p"}
    with pytest.raises(NotImplementedError):
        MAPPINGS.upload_params("folder")


def test_naming_settings_without_effect() -> None:
    alone = effects(preset({"unique_filename": True}), {})
    assert alone["unique_filename"].detail == "it applies only with use_filename"
    named = effects(preset({"public_id": "x", "use_filename": True}), {})
    assert (
        not named["use_filename"].applies
        and named["use_filename"].detail == "the preset's public_id names the asset"
    )
    given = effects(preset({"use_filename": True, "public_id": "x"}), {}, explicit={"public_id": "mine"})
    assert {"use_filename", "public_id"} <= set(given) and not given["public_id"].applies
    kept = effects(
        preset({"disallow_public_id": True, "use_filename": True}), {}, explicit={"public_id": "m"}
    )
    assert kept["disallow_public_id"].applies and "use_filename" not in kept


def test_format_inside_allowed_formats_and_stripped_options() -> None:
    obj = preset(
        {"format": "jpg", "allowed_formats": ["png", "jpg"], "notification_url": "https://x"},
        stripped_options=(StrippedOption("settings.categorization", "aws_rek_tagging", "aws_rek_tagging"),),
        sensitive_paths=frozenset({"settings.notification_url"}),
    )
    found = effects(obj, {"format": "png"})
    assert "format converts only the formats allowed_formats does not list" in found["format"].detail
    assert found["categorization"].value == "aws_rek_tagging" and not found["categorization"].applies
    assert "Amazon Rekognition Auto Tagging" in found["categorization"].detail
    assert found["notification_url"].value == "(sensitive)"
    assert "format" not in effects(obj, {"format": "jpg"})  # converted: it had its effect


def test_an_addon_the_environment_does_not_mention_is_a_note() -> None:
    obj = preset({"categorization": "google_tagging", "auto_tagging": 0.6})
    notes = effects(obj, {}, addons={"captioning": True})
    assert notes["categorization"].applies and "not mentioned under addons" in notes["categorization"].detail
    assert "categorization" not in effects(obj, {}, addons={"google_tagging": True})


def test_another_preset_says_nothing() -> None:
    other = DesiredObject("upload_preset", "other", {"settings": {"unique_filename": True}})
    assert PRESETS.upload_effects(other, tried(preset({}), {})) == []


RULE = {
    "metadata_field_id": "size",
    "condition": {
        "and": [
            {"metadata_field_id": "category", "equals": "shoes"},
            {"metadata_field_id": "sku", "populated": True},
        ]
    },
    "result": {"activate_values": {"external_ids": ["eu_40", "eu_41"]}, "set_mandatory": True},
}


@pytest.mark.parametrize(
    ("condition", "metadata", "expected"),
    [
        ({"metadata_field_id": "c", "equals": "a"}, {"c": "a"}, True),
        ({"metadata_field_id": "c", "equals": "a"}, {}, False),
        ({"metadata_field_id": "c", "equals": None}, {}, True),
        ({"metadata_field_id": "c", "equals": ["a", "b"]}, {"c": ["b", "a"]}, True),
        ({"metadata_field_id": "c", "includes": ["a"]}, {"c": ["a", "b"]}, True),
        ({"metadata_field_id": "c", "includes": ["a", "z"]}, {"c": ["a", "b"]}, False),
        ({"metadata_field_id": "c", "populated": False}, {"c": ""}, True),
        (
            {
                "or": [
                    {"metadata_field_id": "c", "populated": True},
                    {"metadata_field_id": "d", "equals": "x"},
                ]
            },
            {"d": "x"},
            True,
        ),
    ],
)
def test_conditions(condition: dict[str, Any], metadata: dict[str, Any], expected: bool) -> None:
    assert holds(condition, metadata) is expected


def test_a_rule_against_the_asset() -> None:
    rule = DesiredObject("metadata_rule", "shoes", RULE)
    upload = tried(preset({}), {"metadata": {"category": "shoes", "sku": "S-1"}})
    [effect] = RULES.upload_effects(rule, upload)
    assert effect.applies
    assert effect.detail == (
        "(category equals shoes and sku is set): in the Media Library it makes size mandatory; "
        "offers eu_40, eu_41 for size (append)"
    )
    [missed] = RULES.upload_effects(rule, tried(preset({}), {"metadata": {"sku": "S-1"}}))
    assert not missed.applies and missed.detail.endswith("(category: unset, sku: S-1)")
    inactive = DesiredObject("metadata_rule", "off", {**RULE, "state": "inactive"})
    assert not RULES.upload_effects(inactive, upload)[0].applies
    assert describe_condition({"metadata_field_id": "c", "equals": None}) == "c is not set"
    assert (
        describe_result("f", {"apply_value": {"value": "x"}, "hide": True})
        == "hides f; sets f to x (default)"
    )


def test_a_mapping_matches_the_folder_of_the_public_id() -> None:
    mapping = DesiredObject("upload_mapping", "products", {"template": "https://media.example/"})
    inside = MAPPINGS.upload_effects(mapping, tried(preset({}), {"public_id": "products/shoes/a"}))[0]
    assert inside.applies and "fetched from https://media.example/" in inside.detail
    beside = MAPPINGS.upload_effects(mapping, tried(preset({}), {"public_id": "productsx/a"}))[0]
    assert not beside.applies and beside.detail.startswith(
        "did not match: the asset's public ID is in folder productsx/"
    )
    root = MAPPINGS.upload_effects(mapping, tried(preset({}), {"public_id": "a"}))[0]
    assert "in no folder" in root.detail

"""The add-on table (README "Add-ons", reference §6.5) and its per-element strip rule."""

from __future__ import annotations

import pytest

from cloudinary_state.addons import ADDONS
from cloudinary_state.desired import StrippedOption
from cloudinary_state.kinds.upload_presets.addon_options import UnknownOptionValue, addon_for, strip_settings


@pytest.mark.parametrize(
    ("option", "element", "addon"),
    [
        ("categorization", "google_tagging", "google_tagging"),
        ("categorization", "google_tagging:fr", "google_tagging"),
        ("categorization", "aws_rek_tagging", "aws_rek_tagging"),
        ("detection", "captioning", "captioning"),
        ("detection", "coco_v2", "captioning"),
        ("detection", "lvis", "captioning"),
        ("detection", "watermark-detection", "captioning"),
        ("detection", "adv_face", "adv_face"),
        ("detection", "aws_rek_face", "aws_rek_face"),
        ("moderation", "aws_rek", "aws_rek"),
        ("moderation", "duplicate:0.8", "duplicate"),
        ("moderation", "manual", None),
        ("background_removal", "cloudinary_ai:fine_edges", "cloudinary_ai"),
        ("background_removal", "pixelz", "pixelz"),
        ("raw_convert", "extract_text", None),
        ("raw_convert", "google_speech:vtt:en-US", "google_speech"),
        ("raw_convert", "aspose", "aspose"),
        ("ocr", "adv_ocr:document", "adv_ocr"),
    ],
)
def test_addon_for(option: str, element: str, addon: str | None) -> None:
    assert addon_for(option, element) == addon
    assert addon is None or addon in ADDONS


@pytest.mark.parametrize(
    ("option", "element"),
    [
        ("categorization", "google_taging"),
        ("moderation", "duplicate:2"),
        ("ocr", "tesseract"),
        ("detection", "x"),
    ],
)
def test_unknown_values(option: str, element: str) -> None:
    with pytest.raises(UnknownOptionValue):
        addon_for(option, element)


def test_strip_removes_only_the_elements_whose_addon_is_off() -> None:
    settings = {
        "categorization": "google_tagging,aws_rek_tagging:en",
        "auto_tagging": 0.7,
        "moderation": "aws_rek|manual",
        "folder": "x",
    }
    on = {"google_tagging"}
    result = strip_settings(settings, lambda a: a in on)
    assert result.settings == {
        "categorization": "google_tagging",
        "auto_tagging": 0.7,
        "moderation": "manual",
        "folder": "x",
    }
    assert result.stripped == (
        StrippedOption("settings.categorization", "aws_rek_tagging:en", "aws_rek_tagging"),
        StrippedOption("settings.moderation", "aws_rek", "aws_rek"),
    )


def test_auto_tagging_goes_when_no_tagging_element_remains() -> None:
    settings = {"categorization": "google_tagging", "detection": "captioning", "auto_tagging": 0.5}
    result = strip_settings(settings, lambda a: False)
    assert result.settings == {}
    assert result.stripped[-1] == StrippedOption("settings.auto_tagging", 0.5, "captioning,google_tagging")


def test_nothing_stripped_when_everything_is_on() -> None:
    settings = {"categorization": "google_tagging", "detection": "captioning", "auto_tagging": 0.5}
    assert strip_settings(settings, lambda a: True).settings == settings
    assert strip_settings(settings, lambda a: True).stripped == ()

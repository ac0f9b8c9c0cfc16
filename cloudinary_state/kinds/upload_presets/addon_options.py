"""Which upload-preset option values need which add-on (reference §6.5), and the strip rule.

An upload-preset option value may need an add-on (Google tagging, AI captioning, ...). Where an
environment turns the add-on off, the elements that need it are stripped from the rendered
preset (the live service drops them the same way, so keeping them would be a perpetual diff).
The preset kind's checks, its strip hook, its read-back hint and its environment-diff
attribution all read this one table. The emulator implements it with its own code (DESIGN §6).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cloudinary_state.desired import StrippedOption
from cloudinary_state.kinds.upload_presets.catalogue import ADDON_OPTIONS, LIST_SEPARATORS

# Cloudinary AI Content Analysis models: a bare name or `<model>_<version>` (coco_v2, lvis_v1...).
_CONTENT_ANALYSIS = re.compile(
    r"^(captioning|iqa|watermark-detection|coco|lvis|cld_fashion|cld_text|human_anatomy|unidet)"
    r"(_v?\d+(\.\d+)*)?$"
)
_TAGGING = {"google_tagging", "google_video_tagging", "imagga_tagging", "aws_rek_tagging"}
_LANGUAGE = re.compile(r"^[a-z]{2}(-[A-Za-z]{2,4})?$")
_UNIT_NUMBER = re.compile(r"^(0(\.\d+)?|1(\.0+)?)$")

_HINTS = {
    "categorization": "use google_tagging, google_video_tagging, imagga_tagging or aws_rek_tagging "
    "(optionally with :LANG), comma-separated",
    "detection": "use captioning, iqa, watermark-detection, a content-analysis model such as coco_v2, "
    "adv_face or aws_rek_face, comma-separated",
    "moderation": "use aws_rek, webpurify, perception_point, duplicate:<0..1>, aws_rek_video, "
    "google_video_moderation or manual, pipe-separated",
    "background_removal": "use cloudinary_ai, cloudinary_ai:fine_edges or pixelz",
    "raw_convert": "use aspose, extract_text, google_speech[:vtt|:srt][:LANG] or azure_video_indexer[:...]",
    "ocr": "use adv_ocr or adv_ocr:document",
}


class UnknownOptionValue(ValueError):
    """An element no add-on (and no built-in feature) provides."""

    def __init__(self, option: str, element: str) -> None:
        self.option = option
        self.element = element
        self.hint = _HINTS[option]
        super().__init__(f"unknown {option} value '{element}'")


def addon_for(option: str, element: str) -> str | None:
    """The add-on `element` of `option` needs; None when it needs none (`manual`, `extract_text`)."""
    base, _, suffix = element.partition(":")
    if option == "categorization" and base in _TAGGING and (not suffix or _LANGUAGE.match(suffix)):
        return base
    if option == "detection" and not suffix:
        if base in ("adv_face", "aws_rek_face"):
            return base
        if _CONTENT_ANALYSIS.match(base):
            return "captioning"
    if option == "moderation":
        if element == "manual":
            return None
        if base == "duplicate" and _UNIT_NUMBER.match(suffix):
            return "duplicate"
        if base in ("aws_rek", "webpurify", "perception_point", "aws_rek_video", "google_video_moderation"):
            return base
    if option == "background_removal" and (
        element in ("cloudinary_ai", "cloudinary_ai:fine_edges", "pixelz")
    ):
        return base
    if option == "raw_convert":
        if element == "extract_text":
            return None
        if element == "aspose":
            return "aspose"
        if base in ("google_speech", "azure_video_indexer"):
            return base
    if option == "ocr" and element in ("adv_ocr", "adv_ocr:document"):
        return "adv_ocr"
    raise UnknownOptionValue(option, element)


def elements(option: str, value: str) -> list[str]:
    """The elements of an option value (a single-value option has one)."""
    separator = LIST_SEPARATORS.get(option)
    parts = value.split(separator) if separator else [value]
    return [p.strip() for p in parts if p.strip()]


@dataclass(frozen=True)
class StripResult:
    settings: dict[str, Any]
    stripped: tuple[StrippedOption, ...]


def strip_settings(settings: Mapping[str, Any], enabled: Callable[[str], bool]) -> StripResult:
    """Remove option elements whose add-on is off, element by element (README "Add-ons").

    Values that `addon_for` does not know are left alone: the semantic checks report them.
    """
    out = dict(settings)
    stripped: list[StrippedOption] = []
    for option in ADDON_OPTIONS:
        value = out.get(option)
        if not isinstance(value, str):
            continue
        kept: list[str] = []
        for element in elements(option, value):
            try:
                addon = addon_for(option, element)
            except UnknownOptionValue:
                addon = None
            if addon is None or enabled(addon):
                kept.append(element)
            else:
                stripped.append(StrippedOption(f"settings.{option}", element, addon))
        if not kept:
            del out[option]
        elif len(kept) != len(elements(option, value)):
            out[option] = LIST_SEPARATORS.get(option, "").join(kept)
    if "auto_tagging" in out and "categorization" not in out and "detection" not in out:
        because = sorted(
            {s.addon for s in stripped if s.path in ("settings.categorization", "settings.detection")}
        )
        if because:  # auto_tagging without any tagging option at all is a config error, not a strip
            stripped.append(
                StrippedOption("settings.auto_tagging", out.pop("auto_tagging"), ",".join(because))
            )
    return StripResult(out, tuple(stripped))


def addons_needed(settings: Mapping[str, Any], option: str) -> tuple[str, ...]:
    """The add-ons the setting `option` needs to stick, in the order its elements name them.
    auto_tagging is kept only while a tagging option is, so those options' add-ons decide."""
    options = ("categorization", "detection") if option == "auto_tagging" else (option,)
    needed: dict[str, None] = {}
    for name in options:
        value = settings.get(name)
        if name not in ADDON_OPTIONS or not isinstance(value, str):
            continue
        for element in elements(name, value):
            try:
                addon = addon_for(name, element)
            except UnknownOptionValue:
                continue
            if addon is not None:
                needed[addon] = None
    return tuple(needed)

"""The emulator's own add-on table: which option values need which add-on (reference §6.5;
the identifiers are the README's add-on list).

Works on wire values (strings as the SDK sends them). Stripping is per element: elements whose
add-on is not registered are removed; an option left with no element is removed; `auto_tagging`
goes when no categorization or detection element remains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ADDON_NAMES: dict[str, str] = {
    "google_tagging": "Google Auto Tagging",
    "google_video_tagging": "Google Automatic Video Tagging",
    "imagga_tagging": "Imagga Auto Tagging",
    "aws_rek_tagging": "Amazon Rekognition Auto Tagging",
    "captioning": "Cloudinary AI Content Analysis",
    "adv_face": "Advanced Facial Attribute Detection",
    "aws_rek_face": "Amazon Rekognition Celebrity Detection",
    "aws_rek": "Amazon Rekognition AI Moderation",
    "webpurify": "WebPurify",
    "perception_point": "Perception Point Malware Detection",
    "duplicate": "Cloudinary Duplicate Image Detection",
    "aws_rek_video": "Amazon Rekognition Video Moderation",
    "google_video_moderation": "Google AI Video Moderation",
    "cloudinary_ai": "Cloudinary AI Background Removal",
    "pixelz": "Pixelz",
    "aspose": "Aspose Document Conversion",
    "google_speech": "Google AI Video Transcription",
    "azure_video_indexer": "Microsoft Azure Video Indexer",
    "adv_ocr": "OCR Text Detection and Extraction",
}

# Detection models served by Cloudinary AI Content Analysis (any `<model>_<version>` too).
CONTENT_ANALYSIS_MODELS = (
    "captioning",
    "iqa",
    "watermark-detection",
    "coco",
    "lvis",
    "cld_fashion",
    "cld_text",
    "human_anatomy",
    "unidet",
)

# option -> element separator
LIST_OPTIONS: dict[str, str] = {
    "categorization": ",",
    "detection": ",",
    "moderation": "|",
    "background_removal": ",",
    "raw_convert": ",",
    "ocr": ",",
}


def addon_for(option: str, element: str) -> str | None:
    """The add-on one element of an option needs, or None when it needs none (or is unknown)."""
    base = element.strip().split(":", 1)[0]
    if option == "categorization":
        return (
            base
            if base in ("google_tagging", "google_video_tagging", "imagga_tagging", "aws_rek_tagging")
            else None
        )
    if option == "detection":
        if base in ("adv_face", "aws_rek_face"):
            return base
        for model in CONTENT_ANALYSIS_MODELS:
            if base == model or base.startswith(f"{model}_"):
                return "captioning"
        return None
    if option == "moderation":
        known = (
            "aws_rek",
            "webpurify",
            "perception_point",
            "duplicate",
            "aws_rek_video",
            "google_video_moderation",
        )
        return base if base in known else None
    if option == "background_removal":
        return base if base in ("cloudinary_ai", "pixelz") else None
    if option == "raw_convert":
        return base if base in ("aspose", "google_speech", "azure_video_indexer") else None
    if option == "ocr":
        return base if base == "adv_ocr" else None
    return None


@dataclass(frozen=True)
class Unregistered:
    option: str
    element: str
    addon: str

    def message(self) -> str:
        name = ADDON_NAMES.get(self.addon, self.addon)
        return f"{self.option} {self.element} is invalid: the {name} add-on ({self.addon}) is not registered"


def _elements(option: str, value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [e for e in str(value).split(LIST_OPTIONS[option]) if e != ""]


def unregistered(params: dict[str, Any], addons: set[str] | frozenset[str]) -> list[Unregistered]:
    """Every element of `params` that needs an add-on not in `addons`."""
    found = []
    for option in LIST_OPTIONS:
        if option in params:
            for element in _elements(option, params[option]):
                addon = addon_for(option, element)
                if addon is not None and addon not in addons:
                    found.append(Unregistered(option, element, addon))
    return found


def strip_unregistered(params: dict[str, Any], addons: set[str] | frozenset[str]) -> dict[str, Any]:
    """A copy of `params` without the elements (and emptied options) whose add-on is missing."""
    kept = dict(params)
    for option, separator in LIST_OPTIONS.items():
        if option not in kept:
            continue
        value = kept[option]
        elements = [
            e for e in _elements(option, value) if (addon := addon_for(option, e)) is None or addon in addons
        ]
        if not elements:
            del kept[option]
        elif isinstance(value, list):
            kept[option] = elements
        else:
            kept[option] = separator.join(elements)
    if "auto_tagging" in kept and "categorization" not in kept and "detection" not in kept:
        del kept["auto_tagging"]
    return kept

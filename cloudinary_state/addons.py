"""The add-ons an environment can toggle (README "Add-ons", reference §6.5).

The Admin API cannot tell which add-ons an account has, so each environment declares them under
`addons:`. Which options of which kind need an add-on is that kind's knowledge (its package under
`kinds/`); this table only names the add-ons. The emulator keeps its own copy (DESIGN.md §6).
"""

from __future__ import annotations

from collections.abc import Mapping

# identifier -> the add-on's product name (reference §6.5).
ADDONS: dict[str, str] = {
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


# An environment's toggles hold only the add-ons it mentions: True (on), False (off). An add-on
# it does not mention is unknown: its options are kept as written (never stripped), and the
# apply's read-back tells when the account lacks it (README "Add-ons", issue 12: an import
# must not turn off what it cannot see).
Toggles = Mapping[str, bool]


def is_off(toggles: Toggles, addon: str) -> bool:
    """Whether the environment turns `addon` off, so the options that need it are stripped."""
    return toggles.get(addon) is False


def toggle_word(toggles: Toggles, addon: str) -> str:
    """`on`, `off` or `unknown` (not mentioned), for messages."""
    value = toggles.get(addon)
    return "unknown" if value is None else "on" if value else "off"

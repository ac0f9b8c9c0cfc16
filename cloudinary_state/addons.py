"""The add-ons an environment can toggle (README "Add-ons", reference §6.5).

The Admin API cannot tell which add-ons an account has, so each environment declares them under
`addons:`. Which options of which kind need an add-on is that kind's knowledge (its package under
`kinds/`); this table only names the add-ons. The emulator keeps its own copy (DESIGN.md §6).
"""

from __future__ import annotations

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

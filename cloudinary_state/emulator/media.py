"""What an uploaded file is, read from its first bytes: the emulator renders no pixels, but it
knows the formats a preset tried on a sample file meets (docs/emulator.md, "Upload").

`detect` gives the resource type the service would file the data under (`image`, `video`) or
None for anything else (stored as `raw` by an `auto` upload), its format and, where the header
carries them, its dimensions. A PDF is an image, as on the live service (`[D]` Cloudinary stores
PDFs as image assets). A file the header does not identify takes its format from the file
name's extension.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class FileFacts:
    resource_type: str | None  # "image", "video", or None: no media type the emulator recognises
    format: str | None
    width: int | None = None
    height: int | None = None


def _png(data: bytes) -> FileFacts | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return FileFacts("image", "png", width, height)
    return None


def _gif(data: bytes) -> FileFacts | None:
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return FileFacts("image", "gif", width, height)
    return None


def _jpeg(data: bytes) -> FileFacts | None:
    """JPEG: the dimensions sit in the first start-of-frame segment (SOF0..SOF15 but DHT,
    JPG and DAC), found by walking the segment lengths."""
    if not data.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 9 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return FileFacts("image", "jpg", width, height)
        at += 2 + length
    return FileFacts("image", "jpg")


def _webp(data: bytes) -> FileFacts | None:
    if not (data[:4] == b"RIFF" and data[8:12] == b"WEBP") or len(data) < 30:
        return None
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return FileFacts("image", "webp", width, height)
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return FileFacts("image", "webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return FileFacts("image", "webp", width & 0x3FFF, height & 0x3FFF)
    return FileFacts("image", "webp")


def _other(data: bytes) -> FileFacts | None:
    if data.startswith(b"%PDF-"):
        return FileFacts("image", "pdf")
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return FileFacts("image", "bmp", width, abs(height))
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        return FileFacts("video", "mov" if brand == b"qt  " else "mp4")
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return FileFacts("video", "webm")
    return None


_DETECTORS = (_png, _gif, _jpeg, _webp, _other)


def extension(filename: str | None) -> str | None:
    suffix = PurePosixPath(filename or "").suffix.lower().lstrip(".")
    return suffix or None


def detect(data: bytes, filename: str | None) -> FileFacts:
    """The resource type, format and dimensions of `data` (a file called `filename`)."""
    for detector in _DETECTORS:
        facts = detector(data)
        if facts is not None:
            return facts
    return FileFacts(None, extension(filename))

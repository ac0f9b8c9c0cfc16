"""Assets uploaded to the emulated test cloud through the SDK's upload call, as a person or
another system would (the impact tests count what a change reaches among them)."""

from __future__ import annotations

import base64
from typing import Any

from support.harness import API_KEY, API_SECRET, CLOUD, Harness

# a 1x1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def upload_png(h: Harness, name: str, **params: Any) -> None:
    """Upload a 1x1 PNG as `name` with the Upload API parameters `params`."""
    import cloudinary.uploader

    options = {"cloud_name": CLOUD, "api_key": API_KEY, "api_secret": API_SECRET, "upload_prefix": h.emu.url}
    cloudinary.uploader.upload((f"{name}.png", PNG), **params, **options)

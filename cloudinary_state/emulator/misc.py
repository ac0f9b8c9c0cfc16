"""Account-level endpoints the SDK's helpers touch: ping, config, usage (reference §12)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cloudinary_state.emulator.routing import Request, route
from cloudinary_state.emulator.state import CloudState


@route("GET", r"ping")
def ping(cloud: CloudState, request: Request) -> tuple[int, Any]:
    return 200, {"status": "ok"}


@route("GET", r"config")
def config(cloud: CloudState, request: Request) -> tuple[int, Any]:
    body: dict[str, Any] = {"cloud_name": cloud.name, "created_at": "2020-01-01T00:00:00Z"}
    if str(request.params.get("settings", "")).lower() in ("true", "1"):
        body["settings"] = {"folder_mode": "dynamic"}
    return 200, body


@route("GET", r"usage(?:/(?P<date>[^/]+))?")
def usage(cloud: CloudState, request: Request, date: str | None = None) -> tuple[int, Any]:
    today = dt.date.today().isoformat()
    body: dict[str, Any] = {
        "plan": "Emulator",
        "last_updated": today,
        "date_requested": date or today,
        "transformations": {"usage": len(cloud.transformations)},
        "objects": {"usage": len(cloud.assets)},
        "requests": 0,
        "resources": len(cloud.assets),
        "derived_resources": sum(len(a.get("derived", [])) for a in cloud.assets.values()),
        "media_limits": {
            "image_max_size_bytes": 10485760,
            "video_max_size_bytes": 104857600,
            "raw_max_size_bytes": 10485760,
            "image_max_px": 25000000,
            "asset_max_total_px": 50000000,
        },
    }
    return 200, body

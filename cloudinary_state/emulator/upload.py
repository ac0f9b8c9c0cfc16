"""A minimal signed Upload API: `POST <resource_type>/upload`, so a preset can be tried on a file.

Signed the way the SDK signs (`cloudinary.utils.api_sign_request`): sha1 (or sha256) over the
sorted `k=v` pairs joined by `&` plus the API secret; unsigned uploads need an unsigned preset.
The preset's settings are applied under the request's own parameters; eager transformations
register unnamed transformations (not allowed for strict) and mark named ones `used`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import struct
import time
import uuid
from pathlib import PurePosixPath
from typing import Any

from cloudinary_state.emulator import addons, transformations
from cloudinary_state.emulator.routing import ApiError, Request, route
from cloudinary_state.emulator.state import CloudState
from cloudinary_state.emulator.upload_presets import INJECTED, parse_pipe_map, parse_setting

UPLOAD_PATH = re.compile(r"(?P<resource_type>image|video|raw|auto)/upload")
UNSIGNED_KEYS = frozenset(
    {"file", "api_key", "signature", "resource_type", "cloud_name", "signature_algorithm"}
)
MAX_CLOCK_SKEW_S = 3600


def is_upload_path(path: str) -> bool:
    return UPLOAD_PATH.fullmatch(path) is not None


def string_to_sign(params: dict[str, Any], version: int) -> str:
    pairs = []
    for key, value in params.items():
        if key in UNSIGNED_KEYS or not value:
            continue
        text = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
        pair = f"{key}={text}"
        pairs.append(pair.replace("&", "%26") if version >= 2 else pair)
    return "&".join(sorted(pairs))


def _signature_ok(params: dict[str, Any], secret: str, signature: str) -> bool:
    algorithm = hashlib.sha256 if len(signature) == 64 else hashlib.sha1
    for version in (2, 1):
        expected = algorithm((string_to_sign(params, version) + secret).encode("utf-8")).hexdigest()
        if hmac.compare_digest(expected, signature.lower()):
            return True
    return False


def _authenticate(cloud: CloudState, params: dict[str, Any], preset: dict[str, Any] | None) -> None:
    signature = params.get("signature")
    if signature is None:
        if preset is not None and preset["unsigned"]:
            return
        raise ApiError(
            400,
            "Missing required parameter - signature"
            if preset is None
            else "Upload preset must be whitelisted for unsigned uploads",
        )
    if params.get("api_key") != cloud.api_key:
        raise ApiError(401, "Invalid api_key " + str(params.get("api_key", "")))
    if not isinstance(signature, str) or not _signature_ok(params, cloud.api_secret, signature):
        raise ApiError(401, "Invalid Signature")
    try:
        timestamp = int(params.get("timestamp", ""))
    except ValueError:
        raise ApiError(400, "Missing required parameter - timestamp") from None
    if abs(time.time() - timestamp) > MAX_CLOCK_SKEW_S:
        raise ApiError(400, f"Stale request - reported time is {timestamp}")


def _image_facts(data: bytes) -> tuple[str | None, int | None, int | None]:
    """(format, width, height) from the first bytes of PNG, GIF or JPEG data."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return "gif", width, height
    if data.startswith(b"\xff\xd8"):
        return "jpg", None, None
    return None, None, None


def _check_eager(cloud: CloudState, eager: list[str]) -> None:
    """Validate every eager string before anything is registered: a failing upload changes nothing."""
    for definition in eager:
        for ref in transformations.named_references(definition):
            if transformations.find(cloud, f"t_{ref}") is None:
                raise ApiError(400, f"Transformation t_{ref} not found")


def _derive(
    cloud: CloudState, eager: list[str], asset: dict[str, Any], base_url: str
) -> list[dict[str, Any]]:
    """The asset's eager derivatives; their transformations become `used` (and get registered)."""
    entries = []
    for definition in eager:
        steps = transformations.parse_definition(definition)
        extension = steps[-1].get("extension")
        fmt = extension if extension not in (None, "none") else asset["format"]
        url = f"{base_url}/{definition}/{asset['public_id']}.{fmt}"
        targets = [
            transformations.find(cloud, f"t_{ref}") for ref in transformations.named_references(definition)
        ]
        if not (len(steps) == 1 and set(steps[0]) <= {"transformation", "extension"}):
            # anything but a bare `t_<name>` is an implicit unnamed transformation
            targets.append(transformations.register_unnamed(cloud, definition, allowed_for_strict=False))
        for record in targets:
            assert record is not None
            record["used"] = True
            record.setdefault("derived", []).append(
                {
                    "public_id": asset["public_id"],
                    "resource_type": asset["resource_type"],
                    "type": asset["type"],
                    "format": fmt,
                    "bytes": asset["bytes"],
                    "url": url,
                    "secure_url": url.replace("http://", "https://", 1),
                    "id": uuid.uuid4().hex,
                }
            )
        entries.append(
            {
                "transformation": definition,
                "format": fmt,
                "bytes": asset["bytes"],
                "url": url,
                "secure_url": url.replace("http://", "https://", 1),
            }
        )
    return entries


@route("POST", UPLOAD_PATH.pattern)
def upload(cloud: CloudState, request: Request, resource_type: str) -> tuple[int, Any]:
    params = request.params
    preset: dict[str, Any] | None = None
    if params.get("upload_preset"):
        preset = cloud.upload_presets.get(str(params["upload_preset"]))
        if preset is None:
            raise ApiError(400, f"Upload preset not found: {params['upload_preset']}")
    _authenticate(cloud, params, preset)
    data = request.files.get("file")
    if data is None and isinstance(params.get("file"), str):
        data = str(params["file"]).encode("utf-8")  # a remote URL or data URI: stored as given
    if not data:
        raise ApiError(400, "Missing required parameter - file")

    explicit = {k: v for k, v in params.items() if k not in INJECTED and k not in UNSIGNED_KEYS}
    effective = {**(preset["settings"] if preset else {}), **explicit}
    missing = addons.unregistered(effective, cloud.addons)
    if missing:
        raise ApiError(400, missing[0].message())
    settings = {key: parse_setting(key, value) for key, value in effective.items()}

    raw_eager = effective.get("eager", [])
    eager = [str(e) for e in (raw_eager if isinstance(raw_eager, list) else str(raw_eager).split("|")) if e]
    _check_eager(cloud, eager)
    for key in settings.get("metadata", {}):
        if key not in cloud.metadata_fields:
            raise ApiError(400, f"Metadata field {key} does not exist")
    detected_format, width, height = _image_facts(data)
    original_filename = "file"
    public_id = settings.get("public_id") or secrets.token_hex(10)
    if not settings.get("public_id") and settings.get("use_filename"):
        original_filename = PurePosixPath(str(settings.get("filename_override") or "file")).stem
        public_id = original_filename
        if settings.get("unique_filename", True):
            public_id = f"{public_id}_{secrets.token_hex(3)}"
    if settings.get("public_id_prefix"):
        public_id = f"{settings['public_id_prefix']}{public_id}"
    folder = str(settings.get("asset_folder") or settings.get("folder") or "")
    if settings.get("folder"):
        public_id = f"{str(settings['folder']).strip('/')}/{public_id}"
    if public_id in cloud.assets and not settings.get("overwrite", True):
        raise ApiError(400, f"Resource {public_id} already exists")

    fmt = str(settings.get("format") or detected_format or "jpg")
    version = int(time.time())
    stored_type = "image" if resource_type == "auto" else resource_type
    base_url = f"http://res.cloudinary.com/{cloud.name}/{stored_type}/upload"
    asset: dict[str, Any] = {
        "asset_id": uuid.uuid4().hex,
        "public_id": public_id,
        "version": version,
        "version_id": uuid.uuid4().hex,
        "signature": hashlib.sha1(data).hexdigest(),
        "width": width,
        "height": height,
        "format": fmt,
        "resource_type": stored_type,
        "created_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tags": settings.get("tags", []),
        "bytes": len(data),
        "type": settings.get("type", "upload"),
        "etag": hashlib.md5(data, usedforsecurity=False).hexdigest(),
        "placeholder": False,
        "url": f"{base_url}/v{version}/{public_id}.{fmt}",
        "secure_url": f"{base_url}/v{version}/{public_id}.{fmt}".replace("http://", "https://", 1),
        "asset_folder": folder,
        "display_name": public_id.rsplit("/", 1)[-1],
        "original_filename": original_filename,
    }
    if "transformation" in effective:
        asset["transformation"] = effective["transformation"]
    if "context" in settings:
        asset["context"] = {"custom": parse_pipe_map(effective["context"])}
    if "metadata" in settings:
        asset["metadata"] = settings["metadata"]
    if eager:
        asset["eager"] = _derive(cloud, eager, asset, base_url)
    for option, separator in addons.LIST_OPTIONS.items():
        if option in effective:  # add-on results, as the service reports them once done
            elements = str(effective[option]).split(separator)
            asset.setdefault("info", {})[option] = {
                e.split(":")[0]: {"status": "complete"} for e in elements if e
            }
    cloud.assets[public_id] = asset
    return 200, asset

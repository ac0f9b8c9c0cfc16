"""A minimal signed Upload API: `POST <resource_type>/upload`, so a preset can be tried on a file.

Signed the way the SDK signs (`cloudinary.utils.api_sign_request`): sha1 (or sha256) over the
sorted `k=v` pairs joined by `&` plus the API secret; unsigned uploads need an unsigned preset.
The preset's settings are applied under the request's own parameters. What the answer holds,
and every choice the reference leaves open, is in docs/emulator.md ("Upload"): the file's
type and format from its bytes (`media.py`), `allowed_formats`, the public ID from the file
name, the incoming transformation's format and dimensions, delivery URLs (signed for
`authenticated` assets), eager derivatives (which register unnamed transformations and mark
named ones `used`), validated structured metadata, and add-on results, as the service reports
them once done, with nothing detected.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import re
import secrets
import time
import uuid
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from cloudinary_state.emulator import addons, media, transformations
from cloudinary_state.emulator.metadata_fields import typed_upload_value, value_is_valid
from cloudinary_state.emulator.routing import ApiError, Request, route
from cloudinary_state.emulator.shapes import ARRAY, OBJECT, STRING, Record, check_identity
from cloudinary_state.emulator.state import CloudState, stored
from cloudinary_state.emulator.upload_delivery import Delivery, derive, incoming
from cloudinary_state.emulator.upload_presets import INJECTED, parse_pipe_map, parse_setting
from cloudinary_state.emulator.values import coerce_bool

UPLOAD_PATH = re.compile(r"(?P<resource_type>image|video|raw|auto)/upload")
UNSIGNED_KEYS = frozenset(
    {"file", "api_key", "signature", "resource_type", "cloud_name", "signature_algorithm"}
)
MAX_CLOCK_SKEW_S = 3600
_DATA_URI = re.compile(r"data:(?P<media>[\w/+.-]*)(?:;[\w=-]+)*;base64,(?P<data>.*)", re.DOTALL)

# What the handlers read of a stored asset (shapes.py says what is checked and why): the search
# reads its metadata, usage counts its derivatives; the rest is answered as stored.
STORED_ASSET = Record({"public_id": STRING}, {"metadata": OBJECT, "derived": ARRAY})


@stored("assets")
def check_stored_asset(key: str, asset: Any) -> None:
    STORED_ASSET.check(asset, "")
    check_identity(asset, "public_id", key)


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


# --- the file ------------------------------------------------------------------------------


def _file(request: Request) -> tuple[bytes, str | None, bool]:
    """(data, file name, remote): a multipart file part, a data URI, or a remote URL the
    emulator cannot fetch (kept as given, its name from the URL's path)."""
    if "file" in request.files:
        return request.files["file"], request.filenames.get("file"), False
    given = request.params.get("file")
    if not isinstance(given, str) or not given:
        raise ApiError(400, "Missing required parameter - file")
    match = _DATA_URI.fullmatch(given)
    if match is not None:
        try:
            return base64.b64decode(match["data"], validate=False), None, False
        except (binascii.Error, ValueError):
            raise ApiError(400, "Invalid data URI") from None
    return given.encode("utf-8"), PurePosixPath(urlsplit(given).path).name or None, True


def _identify(requested: str, data: bytes, filename: str | None, remote: bool) -> media.FileFacts:
    """What the upload stores: an image upload of data that is no image is refused, as the
    live service refuses it ("Invalid image file"); `auto` files anything else as raw."""
    facts = media.detect(data, filename)
    if remote and facts.resource_type is None:  # not fetched: trust the URL and the call
        facts = media.FileFacts("image" if requested == "auto" else requested, media.extension(filename))
    if requested == "auto":
        return facts if facts.resource_type else media.FileFacts("raw", facts.format)
    if requested == "raw":
        return media.FileFacts("raw", media.extension(filename) or facts.format)
    if facts.resource_type != requested:
        raise ApiError(400, f"Invalid {requested} file")
    return facts


def _check_format(facts: media.FileFacts, settings: dict[str, Any]) -> str | None:
    """The stored format. Without `allowed_formats`, `format` converts every file; with it, a
    listed format is kept (`format` then converts only the others) and an unlisted one is
    refused unless `format` converts it ("Raw file format txt not allowed")."""
    allowed = [str(a).lower() for a in settings.get("allowed_formats") or []]
    forced = settings.get("format")
    if allowed and (facts.format or "").lower() in allowed:
        return facts.format
    if allowed and not forced:
        kind = (facts.resource_type or "raw").capitalize()
        raise ApiError(400, f"{kind} file format {facts.format or 'unknown'} not allowed")
    return str(forced) if forced else facts.format


# --- naming ---------------------------------------------------------------------------------


def _original_filename(settings: dict[str, Any], filename: str | None) -> str:
    """The file name without its extension; "file" when the upload carried none."""
    chosen = settings.get("filename_override") or filename or "file"
    return PurePosixPath(str(chosen)).stem or "file"


def _public_id(settings: dict[str, Any], original_filename: str) -> str:
    public_id = str(settings.get("public_id") or "")
    if not public_id:
        public_id = secrets.token_hex(10)
        if settings.get("use_filename"):
            public_id = original_filename
            if settings.get("unique_filename", True):
                public_id = f"{public_id}_{secrets.token_hex(3)}"
    if settings.get("public_id_prefix"):
        public_id = f"{settings['public_id_prefix']}{public_id}"
    folder = str(settings.get("folder") or "").strip("/")
    if not folder and settings.get("use_asset_folder_as_public_id_prefix"):
        folder = str(settings.get("asset_folder") or "").strip("/")
    return f"{folder}/{public_id}" if folder else public_id


def _check_metadata(cloud: CloudState, metadata: dict[str, Any]) -> dict[str, Any]:
    typed = {}
    for key, raw in metadata.items():
        field = cloud.metadata_fields.get(key)
        if field is None:
            raise ApiError(400, f"Metadata field {key} does not exist")
        typed[key] = typed_upload_value(field, raw)
        if not value_is_valid(field, typed[key]):
            raise ApiError(400, f"Metadata field {key}: value {raw!r} is invalid")
    return typed


# --- the answer -----------------------------------------------------------------------------


def _addon_results(effective: dict[str, Any]) -> dict[str, Any]:
    """`info` and `moderation` as the service reports add-on work once done: here, complete
    with nothing found; manual moderation is pending (reference: pycloudinary's live test)."""
    answer: dict[str, Any] = {}
    for option, separator in addons.LIST_OPTIONS.items():
        if option not in effective:
            continue
        kinds = [e.split(":")[0] for e in str(effective[option]).split(separator) if e]
        if option == "moderation":
            answer["moderation"] = [{"kind": k, "status": "pending"} for k in kinds]
        else:
            found = {k: {"status": "complete", "data": []} for k in kinds}
            answer.setdefault("info", {})[option] = found
    return answer


def _api_signature(public_id: str, version: int, secret: str) -> str:
    """The answer's `signature`: the API signature of public_id and version (pycloudinary's
    live test checks it with `api_sign_request`)."""
    return hashlib.sha1(f"public_id={public_id}&version={version}{secret}".encode()).hexdigest()


def _asset(cloud: CloudState, upload: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    public_id, version, delivery = upload["public_id"], upload["version"], upload["delivery"]
    folder = str(settings.get("asset_folder") or settings.get("folder") or "")
    return {
        "asset_id": uuid.uuid4().hex,
        "public_id": public_id,
        "version": version,
        "version_id": uuid.uuid4().hex,
        "signature": _api_signature(public_id, version, cloud.api_secret),
        "width": upload["width"],
        "height": upload["height"],
        "format": upload["format"],
        "resource_type": delivery.resource_type,
        "created_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tags": settings.get("tags", []),
        "bytes": upload["bytes"],
        "type": delivery.type,
        "etag": upload["etag"],
        "placeholder": False,
        "url": delivery.url("", public_id, upload["format"], version),
        "secure_url": delivery.url("", public_id, upload["format"], version, secure=True),
        "asset_folder": folder.strip("/"),
        "display_name": str(settings.get("display_name") or public_id.rsplit("/", 1)[-1]),
        "original_filename": upload["original_filename"],
    }


def _request_settings(cloud: CloudState, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(effective wire settings, parsed settings): the preset's under the request's own."""
    preset: dict[str, Any] | None = None
    if params.get("upload_preset"):
        preset = cloud.upload_presets.get(str(params["upload_preset"]))
        if preset is None:
            raise ApiError(400, f"Upload preset not found: {params['upload_preset']}")
    _authenticate(cloud, params, preset)
    explicit = {k: v for k, v in params.items() if k not in INJECTED and k not in UNSIGNED_KEYS}
    if preset and coerce_bool(preset["settings"].get("disallow_public_id", False), "disallow_public_id"):
        explicit.pop("public_id", None)  # the preset names its assets: the call's public_id is ignored
    effective = {**(preset["settings"] if preset else {}), **explicit}
    missing = addons.unregistered(effective, cloud.addons)
    if missing:
        raise ApiError(400, missing[0].message())
    return effective, {key: parse_setting(key, value) for key, value in effective.items()}


def _eager_list(effective: dict[str, Any]) -> list[str]:
    raw = effective.get("eager", [])
    return [str(e) for e in (raw if isinstance(raw, list) else str(raw).split("|")) if e]


@route("POST", UPLOAD_PATH.pattern)
def upload(cloud: CloudState, request: Request, resource_type: str) -> tuple[int, Any]:
    effective, settings = _request_settings(cloud, request.params)
    data, filename, remote = _file(request)
    facts = _identify(resource_type, data, filename, remote)
    stored_format = _check_format(facts, settings)
    eager = _eager_list(effective)
    transformations.check_references(cloud, [*eager, str(effective.get("transformation") or "")])
    metadata = _check_metadata(cloud, settings.get("metadata", {}))
    original_filename = _original_filename(settings, filename)
    public_id = _public_id(settings, original_filename)
    if public_id in cloud.assets and not settings.get("overwrite", True):
        raise ApiError(400, f"Resource {public_id} already exists")
    delivery = Delivery(
        cloud.name, cloud.api_secret, str(facts.resource_type), settings.get("type", "upload")
    )
    shaped = incoming(cloud, effective.get("transformation"), facts, stored_format)
    upload_facts = {
        "public_id": public_id,
        "version": int(time.time()),
        "delivery": delivery,
        "bytes": len(data),
        "etag": hashlib.md5(data, usedforsecurity=False).hexdigest(),
        "original_filename": original_filename,
        **shaped,
    }
    asset = _asset(cloud, upload_facts, settings)
    _add_optional(asset, effective, settings, metadata)
    if eager:
        asset["eager"] = derive(cloud, eager, asset, delivery)
    cloud.assets[public_id] = asset
    return 200, asset


def _add_optional(
    asset: dict[str, Any], effective: dict[str, Any], settings: dict[str, Any], metadata: dict[str, Any]
) -> None:
    """The answer's keys that only some uploads have."""
    if "transformation" in effective:
        asset["transformation"] = effective["transformation"]
    if "context" in settings:
        asset["context"] = {"custom": parse_pipe_map(effective["context"])}
    if metadata:
        asset["metadata"] = metadata
    if "access_control" in settings:
        asset["access_control"] = settings["access_control"]
    asset.update(_addon_results(effective))

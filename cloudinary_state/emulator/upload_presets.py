"""Upload presets, reference §6.

Store: `cloud.upload_presets[name]` = {name, unsigned, settings (wire values exactly as
received, minus injected and add-on-less options), external_id, seq, updated_seq}. The single
GET shows `settings` parsed (booleans, numbers, arrays, objects, transformation steps); the list
shows each as a string or a boolean (`listed_setting`), as the live service does.

The list's form, with its evidence: reference §6.2 (`[S]`: booleans "mostly raw strings, some
native bools", lists as comma strings, context as a pipe string, transformation and eager as
strings, headers as a string) and the schemas' changelog (api 0.5.0: the list's settings values
are "oneOf [string, boolean] to match actual API response types"). A value the client sent as
a string or a JSON boolean is shown as sent; anything else (a JSON array, object or number,
which a client that does not go through the SDK's string encoding can send) is shown as the
string the SDKs would have sent for it. For `auto_tagging` and the JSON-valued settings the
reference has no observation (`[?]`): a string, as the schema's type allows.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from typing import Any

from cloudinary_state.emulator import addons, txparse
from cloudinary_state.emulator.routing import ApiError, Request, route
from cloudinary_state.emulator.shapes import ANY, BOOLEAN, INTEGER, OBJECT, STRING, Record, check_identity
from cloudinary_state.emulator.state import CloudState, stored
from cloudinary_state.emulator.values import coerce_bool, paginate

SEQ_COUNTER = "upload_preset_seq"

# What the handlers read of a stored preset (shapes.py says what is checked and why). The
# settings' values are answered as stored, whatever they are: the single GET answers a 400 for
# one it cannot parse, and a test stages an odd live value there.
STORED = Record(
    {
        "name": STRING,
        "unsigned": BOOLEAN,  # an unsigned upload's permission
        "settings": OBJECT,
        "external_id": ANY,
        "seq": INTEGER,  # the list's order by id or created_at
    },
    {"updated_seq": INTEGER},  # by updated_at
)


@stored("upload_presets")
def check_stored(key: str, preset: Any) -> None:
    STORED.check(preset, "")
    check_identity(preset, "name", key)


# Added by pycloudinary to every call, or not settings at all (reference §6.3, §6.4).
INJECTED = frozenset({"timestamp", "upload_preset", "resource_type", "api_key", "signature"})
PRESET_LEVEL = frozenset({"name", "unsigned"})

BOOLEAN_SETTINGS = frozenset(
    {
        "use_filename",
        "unique_filename",
        "use_filename_as_display_name",
        "unique_display_name",
        "use_asset_folder_as_public_id_prefix",
        "discard_original_filename",
        "overwrite",
        "invalidate",
        "backup",
        "async",
        "return_delete_token",
        "eager_async",
        "colors",
        "faces",
        "phash",
        "image_metadata",
        "media_metadata",
        "exif",
        "quality_analysis",
        "accessibility_analysis",
        "cinemagraph_analysis",
        "visual_search",
        "similarity_search",
        "auto_chaptering",
        "clear_invalid",
        "disallow_public_id",
        "live",
    }
)
NUMBER_SETTINGS = frozenset({"auto_tagging"})
COMMA_LIST_SETTINGS = frozenset({"tags", "allowed_formats"})
PIPE_MAP_SETTINGS = frozenset({"context", "metadata"})
JSON_SETTINGS = frozenset({"access_control", "regions", "responsive_breakpoints", "auto_transcription"})
COORDINATE_SETTINGS = frozenset({"face_coordinates", "custom_coordinates"})

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_UNESCAPED_EQUALS = re.compile(r"(?<!\\)=")


# --- wire -> parsed -------------------------------------------------------------------------


def parse_pipe_map(raw: Any) -> dict[str, Any]:
    """`k=v|k2=v2` (with `\\=` / `\\|` escapes, list values JSON-encoded) -> object."""
    if isinstance(raw, dict):
        return dict(raw)
    result: dict[str, Any] = {}
    for pair in _UNESCAPED_PIPE.split(str(raw)):
        if not pair:
            continue
        key, _, value = _split_once(pair)
        value = value.replace("\\=", "=").replace("\\|", "|")
        if value.startswith("["):
            try:
                result[key] = json.loads(value)
                continue
            except json.JSONDecodeError:
                pass
        result[key] = value
    return result


def _split_once(pair: str) -> tuple[str, str, str]:
    match = _UNESCAPED_EQUALS.search(pair)
    if match is None:
        return pair, "", ""
    return pair[: match.start()], "=", pair[match.end() :]


def _parse_steps(raw: Any, name: str) -> list[dict[str, Any]]:
    try:
        return txparse.parse(str(raw))
    except txparse.TransformationSyntaxError as e:
        raise ApiError(400, f"Invalid {name}: {e}") from None


def parse_setting(key: str, raw: Any) -> Any:
    """One raw setting -> the value the single GET returns. Raises ApiError(400) when malformed."""
    if key in BOOLEAN_SETTINGS:
        return coerce_bool(raw, key)
    if key in NUMBER_SETTINGS:
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise ApiError(400, f"Invalid value {raw!r} for {key}") from None
        return int(number) if number.is_integer() and "." not in str(raw) else number
    if key in COMMA_LIST_SETTINGS:
        items = raw if isinstance(raw, list) else str(raw).split(",")
        return [str(item).strip() for item in items if str(item).strip()]
    if key in PIPE_MAP_SETTINGS:
        return parse_pipe_map(raw)
    if key == "transformation":
        return _parse_steps(raw, key)
    if key == "eager":
        items = raw if isinstance(raw, list) else str(raw).split("|")
        return [_parse_steps(item, key) for item in items if item]
    if key in JSON_SETTINGS:
        if not isinstance(raw, str):
            parsed = raw
        elif raw.lower() in ("true", "false", "1", "0"):
            parsed = coerce_bool(raw, key)
        else:
            try:
                parsed = json.loads(raw)
            except json.JSONDecodeError:
                raise ApiError(400, f"Invalid JSON for {key}") from None
        if key == "access_control" and isinstance(parsed, dict):
            parsed = [parsed]
        return parsed
    if key in COORDINATE_SETTINGS:  # "x,y,w,h|..." as the SDK sends them, or JSON arrays
        boxes = raw if isinstance(raw, list) else [box.split(",") for box in str(raw).split("|") if box]
        return [[_number(str(v)) for v in (box if isinstance(box, list) else [box])] for box in boxes]
    if key == "headers" and isinstance(raw, str):
        lines = [line.split(":", 1) for line in raw.split("\n") if ":" in line]
        return {name.strip(): value.strip() for name, value in lines}
    return raw


def _number(text: str) -> int | float:
    value = txparse.typed_value(text.strip())
    if not isinstance(value, int | float):
        raise ApiError(400, f"Invalid coordinate {text!r}")
    return value


def parsed_settings(raw_settings: dict[str, Any]) -> dict[str, Any]:
    return {key: parse_setting(key, value) for key, value in raw_settings.items()}


# --- stored -> the list's form ---------------------------------------------------------------


def listed_setting(key: str, raw: Any) -> str | bool:
    """One stored setting as `GET upload_presets` returns it: a string, or a boolean sent as one."""
    if isinstance(raw, str | bool):
        return raw
    if isinstance(raw, int | float):
        return str(raw)
    if key in PIPE_MAP_SETTINGS and isinstance(raw, dict):
        return "|".join(f"{k}={_pipe_value(v)}" for k, v in raw.items())
    if key == "eager" and isinstance(raw, list):
        return "|".join(str(item) for item in raw)
    if key in COORDINATE_SETTINGS and isinstance(raw, list):
        return "|".join(",".join(str(n) for n in box) for box in raw)
    if key == "headers" and isinstance(raw, dict):
        return "\n".join(f"{name}: {value}" for name, value in raw.items())
    if isinstance(raw, list) and all(isinstance(item, str | int | float) for item in raw):
        # tags, allowed_formats, parameter_whitelist...: the SDKs send lists comma-joined
        return ",".join(str(item) for item in raw)
    return json.dumps(raw, separators=(",", ":"))


def _pipe_value(value: Any) -> str:
    """A context/metadata value as pycloudinary encodes it: lists as JSON, `=` and `|` escaped."""
    text = json.dumps(value) if isinstance(value, list) else str(value)
    return text.replace("=", "\\=").replace("|", "\\|")


# --- helpers ---------------------------------------------------------------------------------


def _raw_settings(cloud: CloudState, request: Request) -> dict[str, Any]:
    """The settings of a create/update body: injected keys out, add-on-less options dropped."""
    raw = {k: v for k, v in request.params.items() if k not in INJECTED and k not in PRESET_LEVEL and v != ""}
    parsed_settings(raw)  # validates: malformed transformation/eager/booleans are a 400
    return addons.strip_unregistered(raw, cloud.addons)


def _require(cloud: CloudState, name: str) -> dict[str, Any]:
    preset = cloud.upload_presets.get(name)
    if preset is None:
        raise ApiError(404, f"Upload preset {name} not found")
    return preset


def _next_seq(cloud: CloudState) -> int:
    cloud.counters[SEQ_COUNTER] = cloud.counters.get(SEQ_COUNTER, 0) + 1
    return cloud.counters[SEQ_COUNTER]


# --- endpoints --------------------------------------------------------------------------------


@route("GET", r"upload_presets")
def list_presets(cloud: CloudState, request: Request) -> tuple[int, Any]:
    order_by = request.params.get("order_by", "name")
    direction = request.params.get("direction", "asc")
    # created_at: the reference §6 [S]; updated_at: the schemas' enum [S]
    if order_by not in ("name", "id", "created_at", "updated_at") or direction not in ("asc", "desc"):
        raise ApiError(400, "Invalid order_by or direction")
    presets = list(cloud.upload_presets.values())
    if order_by == "name":
        keys = {p["name"]: str(p["name"]) for p in presets}
    else:
        seq = "updated_seq" if order_by == "updated_at" else "seq"
        keys = {p["name"]: f"{int(p.get(seq, p['seq'])):012d}" for p in presets}
    presets.sort(key=lambda p: keys[p["name"]], reverse=direction == "desc")
    page, cursor = paginate(
        presets, [keys[p["name"]] for p in presets], request.params, descending=direction == "desc"
    )
    body: dict[str, Any] = {
        "presets": [
            {
                "name": p["name"],
                "unsigned": p["unsigned"],
                "settings": {k: listed_setting(k, v) for k, v in p["settings"].items()},
                "external_id": p["external_id"],
            }
            for p in page
        ]
    }
    if cursor:
        body["next_cursor"] = cursor
    return 200, body


@route("GET", r"upload_presets/(?P<name>[^/]+)")
def get_preset(cloud: CloudState, request: Request, name: str) -> tuple[int, Any]:
    preset = _require(cloud, name)
    return 200, {
        "name": preset["name"],
        "unsigned": preset["unsigned"],
        "settings": parsed_settings(preset["settings"]),
        "external_id": preset["external_id"],
    }


@route("POST", r"upload_presets")
def create_preset(cloud: CloudState, request: Request) -> tuple[int, Any]:
    name = request.params.get("name")
    if name is None:
        name = secrets.token_hex(10)
    if not isinstance(name, str) or not name or "/" in name:
        raise ApiError(400, f"Invalid upload preset name {name!r}")
    if name in cloud.upload_presets:
        raise ApiError(409, f"Upload preset {name} already exists")
    unsigned = coerce_bool(request.params.get("unsigned", False), "unsigned")
    settings = _raw_settings(cloud, request)
    external_id = uuid.uuid4().hex
    cloud.upload_presets[name] = {
        "name": name,
        "unsigned": unsigned,
        "settings": settings,
        "external_id": external_id,
        "seq": _next_seq(cloud),
    }
    cloud.upload_presets[name]["updated_seq"] = cloud.upload_presets[name]["seq"]
    return 200, {"message": "created", "name": name, "external_id": external_id}


@route("PUT", r"upload_presets/(?P<name>[^/]+)")
def update_preset(cloud: CloudState, request: Request, name: str) -> tuple[int, Any]:
    preset = _require(cloud, name)
    settings = _raw_settings(cloud, request)
    if "unsigned" in request.params:
        preset["unsigned"] = coerce_bool(request.params["unsigned"], "unsigned")
    preset["settings"] = settings  # replace, never merge (reference §6.1)
    preset["updated_seq"] = _next_seq(cloud)
    return 200, {"message": "updated", "external_id": preset["external_id"]}


@route("DELETE", r"upload_presets/(?P<name>[^/]+)")
def delete_preset(cloud: CloudState, request: Request, name: str) -> tuple[int, Any]:
    preset = _require(cloud, name)
    del cloud.upload_presets[name]
    return 200, {"message": "deleted", "external_id": preset["external_id"]}

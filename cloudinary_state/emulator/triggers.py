"""Emulated notification triggers (reference §10).

Storage: `cloud.triggers[id]` holds the trigger as the API returns it (id: 32 hex digits),
plus `_seq`, the creation order the list follows (the state file sorts keys).
Identity for reconciling is (uri, event_type): a second trigger with the same pair is 409
`record_already_exists`; at most 30 URIs per event type (400 `limit_reached`). Only the URI
can change (`new_uri`). Triggers carry no filters here, so the test endpoint always reports
`filter_present: false` and `filter_result: true` (the notification would be sent).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from cloudinary_state.emulator.routing import ApiError, Request, route
from cloudinary_state.emulator.shapes import INTEGER, STRING, Record, check_identity
from cloudinary_state.emulator.state import CloudState, stored

EVENT_TYPES = frozenset(
    {
        "all", "access_control_changed", "bulk_refresh_auto_fetch", "create_folder", "delete",
        "delete_by_token", "delete_folder", "eager", "error", "explode", "generate_archive", "info",
        "invalidate_custom_cdn", "moderation", "moderation_summary", "move",
        "move_or_rename_asset_folder", "multi", "publish", "rename", "report",
        "resource_context_changed", "resource_display_name_changed", "resource_metadata_changed",
        "resource_tags_changed", "restore_asset_version", "sprite", "upload",
    }
)  # fmt: skip
URI_TYPES = ("webhook", "flow", "poll")
LIMIT_PER_EVENT_TYPE = 30
ID = r"(?P<trigger_id>[^/]+)"

# What the handlers read of a stored trigger (shapes.py says what is checked and why): a new
# trigger's (uri, event_type) is matched against each, an update checks the URI by uri_type.
STORED = Record({"id": STRING, "uri": STRING, "uri_type": STRING, "event_type": STRING, "_seq": INTEGER})


@stored("triggers")
def check_stored(key: str, trigger: Any) -> None:
    STORED.check(trigger, "")
    check_identity(trigger, "id", key)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _check_event_type(value: Any) -> str:
    if not isinstance(value, str) or value not in EVENT_TYPES:
        raise ApiError(400, f"Invalid value {value} for parameter event_type")
    return value


def _check_uri(uri: Any, uri_type: str) -> str:
    if not isinstance(uri, str) or not uri:
        raise ApiError(400, "invalid_or_malformed_attribute")
    if uri_type == "webhook":
        valid = uri.startswith(("http://", "https://")) and len(uri.split("://", 1)[1]) > 0
    elif uri_type == "poll":
        valid = uri.startswith("poll://") and len(uri) > len("poll://")
    else:  # flow: an opaque flow identifier
        valid = not uri.isspace()
    if not valid:
        raise ApiError(400, "invalid_or_malformed_attribute")
    return uri


def _find(cloud: CloudState, trigger_id: str) -> dict[str, Any]:
    trigger = cloud.triggers.get(trigger_id)
    if trigger is None:
        raise ApiError(404, "record_not_found")
    return trigger


def _render(trigger: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in trigger.items() if not k.startswith("_")}


def _same_pair(cloud: CloudState, uri: str, event_type: str) -> bool:
    return any(t["uri"] == uri and t["event_type"] == event_type for t in cloud.triggers.values())


@route("GET", r"triggers")
def list_triggers(cloud: CloudState, req: Request) -> tuple[int, Any]:
    found = sorted(cloud.triggers.values(), key=lambda t: int(t["_seq"]))
    if "event_type" in req.params:
        event_type = _check_event_type(req.params["event_type"])
        found = [t for t in found if t["event_type"] == event_type]
    return 200, {"triggers": [_render(t) for t in found], "total": len(found)}


@route("POST", r"triggers")
def create_trigger(cloud: CloudState, req: Request) -> tuple[int, Any]:
    if "uri" not in req.params or "event_type" not in req.params:
        raise ApiError(400, "missing_attributes")
    event_type = _check_event_type(req.params["event_type"])
    uri_type = req.params.get("uri_type", "webhook")
    if uri_type not in URI_TYPES:
        raise ApiError(400, f"Invalid value {uri_type} for parameter uri_type")
    uri = _check_uri(req.params["uri"], uri_type)
    if _same_pair(cloud, uri, event_type):
        raise ApiError(409, "record_already_exists")
    if sum(t["event_type"] == event_type for t in cloud.triggers.values()) >= LIMIT_PER_EVENT_TYPE:
        raise ApiError(400, "limit_reached")
    now = _now()
    sequence = cloud.counters.get("trigger_seq", 0) + 1
    trigger = {
        "id": uuid.uuid4().hex,
        # stable per cloud, so every trigger of one product environment shares it
        "product_environment_id": hashlib.md5(cloud.name.encode()).hexdigest(),
        "uri": uri,
        "uri_type": uri_type,
        "event_type": event_type,
        "created_at": now,
        "updated_at": now,
        "_seq": sequence,
    }
    cloud.counters["trigger_seq"] = sequence
    cloud.triggers[trigger["id"]] = trigger
    return 201, _render(trigger)


@route("PUT", rf"triggers/{ID}")
def update_trigger(cloud: CloudState, req: Request, trigger_id: str) -> tuple[int, Any]:
    trigger = _find(cloud, trigger_id)
    if "new_uri" not in req.params:
        raise ApiError(400, "missing_attributes")
    new_uri = _check_uri(req.params["new_uri"], trigger["uri_type"])
    if new_uri != trigger["uri"] and _same_pair(cloud, new_uri, trigger["event_type"]):
        raise ApiError(409, "record_already_exists")
    trigger["uri"] = new_uri
    trigger["updated_at"] = _now()
    return 200, {"message": "ok"}


@route("DELETE", rf"triggers/{ID}")
def delete_trigger(cloud: CloudState, req: Request, trigger_id: str) -> tuple[int, Any]:
    _find(cloud, trigger_id)
    del cloud.triggers[trigger_id]
    return 200, {"message": "ok"}


@route("POST", rf"triggers/{ID}/test")
def test_trigger(cloud: CloudState, req: Request, trigger_id: str) -> tuple[int, Any]:
    _find(cloud, trigger_id)
    sample = req.params.get("sample_data")
    if isinstance(sample, str):  # form-encoded clients send the JSON as text
        try:
            sample = json.loads(sample)
        except json.JSONDecodeError:
            raise ApiError(400, "invalid_sample_data_json") from None
    if sample is not None and not isinstance(sample, dict):
        raise ApiError(400, "invalid_sample_data_json")
    return 200, {"trigger_id": trigger_id, "filter_present": False, "filter_result": True}

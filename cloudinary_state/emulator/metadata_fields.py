"""Emulated structured metadata fields (reference §8): fields, datasources, ordering, search.

Storage: `cloud.metadata_fields[external_id]` holds the field as the API returns it, plus
`_created_seq` (creation order, for `order_by: created_at`) and `_position` (display order;
the state file is written with sorted keys, so dict order cannot carry it). Datasource values
are stored, in order, with their `state`; soft-deleted values stay in the store as `inactive`.

Decisions where the reference is silent (`[?]` there):
- GET/list show every datasource value with its `state` (inactive ones included) and its
  `position` (1-based, in datasource order, inactive ones keeping their place); the datasource
  endpoints (upsert, delete, restore, order, search) answer with the active values only, as the
  SDK tests observe, each exactly `{external_id, value}` (`[S]`: the schemas'
  `metadata_field_datasource_value` has those two properties, where the field's own datasource
  values have `position` and `state` too).
- An upsert entry's `position` (1-based, in the schema's request `[S]`) moves that value there;
  its effect beyond that is `[INF]`.
- A datasource upsert arriving while the field's previous one is still being applied answers
  420 "metadata field is already updating" (`[S]`, the reference §3); how long one takes is the
  cloud's `datasource_update_s` (0 by default: instant, so never).
- `datasource` in a field update merges like the datasource upsert endpoint.
- `restrictions` in an update replaces the whole object (omitted keys become false), so a
  reconciler can switch a restriction off by leaving it out.
- JSON `null` is absent (§1.2) everywhere except for `default_value` and `validation` in a
  field update, where an explicit `null` clears the attribute: the SDK forwards only the keys
  the caller put in the field dict, so such a null is deliberate, and without it nothing could
  ever remove a default or a validation short of recreating the field `[INF]`.
- A deleted external_id stays reserved only when `cloud.reserve_deleted_metadata_ids`; the
  reservations live in `cloud.counters` under `reserved_metadata_field:<id>`.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from cloudinary_state.emulator.routing import ApiError, Request, route
from cloudinary_state.emulator.shapes import (
    ANY,
    INTEGER,
    NUMBER,
    OBJECT,
    STRING,
    ArrayOf,
    Record,
    ShapeError,
    check_identity,
)
from cloudinary_state.emulator.state import CloudState, stored

FIELD_TYPES = ("string", "integer", "date", "enum", "set")
LIST_TYPES = ("enum", "set")
RESTRICTION_KEYS = ("readonly_ui", "hidden_ui", "excluded_from_search")
MAX_ID_LENGTH = 255
RESERVED_PREFIX = "reserved_metadata_field:"
UPDATING_UNTIL = "_updating_until"  # on a field: the clock time its datasource update ends
ALREADY_UPDATING = "metadata field is already updating"  # reference §3 [S]
CLEARABLE = ("default_value", "validation")
ID = r"(?P<external_id>[^/]+)"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# What the handlers read of a stored field (shapes.py says what is checked and why): values
# are searched and sorted by their text, fields ordered by label, creation and position.
_DATASOURCE = Record({"values": ArrayOf(Record({"external_id": STRING, "value": STRING, "state": ANY}))})
STORED = Record(
    {
        "external_id": STRING,
        "type": STRING,
        "label": STRING,
        "default_value": ANY,
        "restrictions": OBJECT,
        "_created_seq": INTEGER,
        "_position": INTEGER,
    },
    {"datasource": _DATASOURCE, "validation": ANY, UPDATING_UNTIL: NUMBER},
)


@stored("metadata_fields")
def check_stored(key: str, field: Any) -> None:
    STORED.check(field, "")
    check_identity(field, "external_id", key)
    if field["type"] in LIST_TYPES and "datasource" not in field:
        raise ShapeError(f"datasource is missing: a field of type {field['type']} has one")
    if field.get("validation") is not None:  # an upload's value is judged by it
        try:
            _check_validation(field["validation"], field["type"])
        except ApiError as e:
            raise ShapeError(f"validation is invalid: {e.message}") from None


# --- small coercions -------------------------------------------------------------------------


def coerce_bool(value: Any, name: str) -> bool:
    """Booleans as the checklist (§13.2) accepts them: true/false, "true"/"false", "1"/"0", 1/0."""
    if isinstance(value, bool):
        return value
    if value in (1, 0) and isinstance(value, int):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise ApiError(400, f"{name} must be a boolean")


def _parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _require_object(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ApiError(400, f"{name} must be an object")
    return value


def _find(cloud: CloudState, external_id: str) -> dict[str, Any]:
    field = cloud.metadata_fields.get(external_id)
    if field is None:
        raise ApiError(404, f"metadata field {external_id} not found")
    return field


# --- validation rules ------------------------------------------------------------------------


def _check_validation(rule: Any, field_type: str) -> dict[str, Any]:
    """Reject a malformed validation object; return it unchanged when it is well formed."""
    checked = _require_object(rule, "validation")
    kind = checked.get("type")
    if kind in ("greater_than", "less_than"):
        if field_type not in ("integer", "date"):
            raise ApiError(400, f"validation {kind} is only valid for integer and date fields")
        bound = checked.get("value")
        valid_bound = (
            isinstance(bound, int) and not isinstance(bound, bool)
            if field_type == "integer"
            else _parse_date(bound) is not None
        )
        if not valid_bound:
            raise ApiError(400, f"validation {kind} value is invalid")
        if "equals" in checked:
            coerce_bool(checked["equals"], "validation equals")
    elif kind == "strlen":
        if field_type != "string":
            raise ApiError(400, "validation strlen is only valid for string fields")
        for bound_name in ("min", "max"):
            bound = checked.get(bound_name)
            if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool) or bound < 0):
                raise ApiError(400, f"validation strlen {bound_name} is invalid")
    elif kind == "and":
        rules = checked.get("rules")
        if not isinstance(rules, list) or not rules:
            raise ApiError(400, "validation and requires rules")
        for inner in rules:
            _check_validation(inner, field_type)
    else:
        raise ApiError(400, f"validation type {kind!r} is invalid")
    return checked


def _satisfies(value: Any, rule: dict[str, Any], field_type: str) -> bool:
    kind = rule["type"]
    if kind == "and":
        return all(_satisfies(value, inner, field_type) for inner in rule["rules"])
    if kind == "strlen":
        length = len(value)
        return (rule.get("min") is None or length >= rule["min"]) and (
            rule.get("max") is None or length <= rule["max"]
        )
    bound: Any = rule["value"] if field_type == "integer" else _parse_date(rule["value"])
    subject: Any = value if field_type == "integer" else _parse_date(value)
    inclusive = coerce_bool(rule.get("equals", False), "validation equals")
    if kind == "greater_than":
        return bool(subject >= bound if inclusive else subject > bound)
    return bool(subject <= bound if inclusive else subject < bound)


def _active_ids(field: dict[str, Any]) -> set[str]:
    values = field.get("datasource", {}).get("values", [])
    return {v["external_id"] for v in values if v["state"] == "active"}


def _default_is_valid(field: dict[str, Any]) -> bool:
    return value_is_valid(field, field["default_value"])


def value_is_valid(field: dict[str, Any], value: Any) -> bool:
    """Whether `value` (typed: an int for integer, a list for set) is a valid value of `field`:
    its type, an active datasource external_id for enum and set, and its validation."""
    field_type = field["type"]
    if field_type == "string":
        type_ok = isinstance(value, str)
    elif field_type == "integer":
        type_ok = isinstance(value, int) and not isinstance(value, bool)
    elif field_type == "date":
        type_ok = _parse_date(value) is not None
    elif field_type == "enum":
        type_ok = isinstance(value, str) and value in _active_ids(field)
    else:  # set
        type_ok = (
            isinstance(value, list)
            and bool(value)
            and all(isinstance(v, str) and v in _active_ids(field) for v in value)
        )
    if not type_ok:
        return False
    return field.get("validation") is None or _satisfies(value, field["validation"], field_type)


def typed_upload_value(field: dict[str, Any], raw: Any) -> Any:
    """A metadata value as an upload sends it (wire strings; a set as a list) -> the field's type,
    so that `value_is_valid` judges it. A value that does not convert is returned as sent."""
    if field["type"] == "integer" and isinstance(raw, str) and re.fullmatch(r"-?\d+", raw.strip()):
        return int(raw)
    if field["type"] == "set" and isinstance(raw, str):
        return [raw]
    return raw


# --- datasource ------------------------------------------------------------------------------


def _new_value_id(existing: set[str]) -> str:
    while True:
        candidate = uuid.uuid4().hex[:16]
        if candidate not in existing:
            return candidate


def merge_datasource(field: dict[str, Any], entries: Any, *, accept_state: bool = True) -> None:
    """Upsert: known external_ids are updated in place (order kept), the rest appended.

    Without `accept_state` an entry's `state` is ignored: the datasource upsert endpoint only
    takes `external_id` and `value` (pycloudinary strips the rest, reference §8.2), so only
    delete and restore change a value's state there; new values are active.
    """
    if not isinstance(entries, list):
        raise ApiError(400, "datasource values must be an array")
    values: list[dict[str, Any]] = field.setdefault("datasource", {"values": []})["values"]
    by_id = {v["external_id"]: v for v in values}
    for entry in entries:
        entry = _require_object(entry, "datasource value")
        text = entry.get("value")
        if not isinstance(text, str) or not text:
            raise ApiError(400, "datasource value must be a non-empty string")
        state = entry.get("state") if accept_state else None
        if state is not None and state not in ("active", "inactive"):
            raise ApiError(400, f"datasource value state {state!r} is invalid")
        entry_id = entry.get("external_id")
        if entry_id is not None and (not isinstance(entry_id, str) or not entry_id):
            raise ApiError(400, "datasource value external_id must be a non-empty string")
        if entry_id in by_id:
            by_id[entry_id]["value"] = text
            if state is not None:
                by_id[entry_id]["state"] = state
            continue
        new_id = entry_id or _new_value_id(set(by_id))
        stored = {"external_id": new_id, "value": text, "state": state or "active"}
        values.append(stored)
        by_id[new_id] = stored
    for entry in entries:
        _move_to_position(values, by_id, entry)


def _move_to_position(values: list[dict[str, Any]], by_id: dict[str, dict[str, Any]], entry: Any) -> None:
    """An upsert entry's 1-based `position` moves its value there (clamped to the list)."""
    position = entry.get("position")
    if position is None:
        return
    if isinstance(position, str) and position.isdigit():
        position = int(position)
    if not isinstance(position, int) or isinstance(position, bool) or position < 1:
        raise ApiError(400, "datasource value position must be a positive integer")
    value = by_id.get(entry.get("external_id")) if entry.get("external_id") else None
    if value is None:  # a new value without an id: the one just stored with this text
        value = next(v for v in reversed(values) if v["value"] == entry["value"])
    values.remove(value)
    values.insert(min(position, len(values) + 1) - 1, value)


def _set_state(field: dict[str, Any], ids: Any, state: str) -> None:
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ApiError(400, "external_ids must be an array of strings")
    wanted = set(ids)
    for value in field["datasource"]["values"]:
        if value["external_id"] in wanted:
            value["state"] = state


def _list_field(cloud: CloudState, external_id: str) -> dict[str, Any]:
    field = _find(cloud, external_id)
    if field["type"] not in LIST_TYPES:
        raise ApiError(400, f"metadata field {external_id} has no datasource")
    return field


def _active_values(field: dict[str, Any]) -> dict[str, Any]:
    """What the datasource endpoints answer: the active values, each `{external_id, value}`."""
    return {"values": [_entry(v) for v in field["datasource"]["values"] if v["state"] == "active"]}


def _entry(value: dict[str, Any]) -> dict[str, Any]:
    return {"external_id": value["external_id"], "value": value["value"]}


# --- rendering -------------------------------------------------------------------------------


def render(field: dict[str, Any]) -> dict[str, Any]:
    """The field as GET returns it: every §8.1 key, internal bookkeeping removed."""
    out = {k: v for k, v in field.items() if not k.startswith("_")}
    if "datasource" in out:
        values = out["datasource"]["values"]
        out["datasource"] = {"values": [{**v, "position": i} for i, v in enumerate(values, start=1)]}
    out["restrictions"] = dict(out["restrictions"])
    return out


def ordered_fields(cloud: CloudState) -> list[dict[str, Any]]:
    return sorted(cloud.metadata_fields.values(), key=lambda f: int(f["_position"]))


def _render_all(cloud: CloudState) -> dict[str, Any]:
    return {"metadata_fields": [render(f) for f in ordered_fields(cloud)]}


# --- field create / update -------------------------------------------------------------------


def _normalise_restrictions(value: Any) -> dict[str, bool]:
    given = _require_object(value, "restrictions")
    unknown = set(given) - set(RESTRICTION_KEYS)
    if unknown:
        raise ApiError(400, f"restrictions has unknown keys: {', '.join(sorted(unknown))}")
    return {key: coerce_bool(given.get(key, False), f"restrictions.{key}") for key in RESTRICTION_KEYS}


def _apply_attributes(field: dict[str, Any], params: dict[str, Any]) -> None:
    """Apply the writable attributes present in params (partial: absent keys keep their value)."""
    if "label" in params:
        label = params["label"]
        if not isinstance(label, str) or not label.strip() or len(label) > MAX_ID_LENGTH:
            raise ApiError(400, "label is invalid")
        field["label"] = label
    for flag in ("mandatory", "default_disabled", "allow_dynamic_list_values"):
        if flag in params:
            field[flag] = coerce_bool(params[flag], flag)
    if "restrictions" in params:
        field["restrictions"] = _normalise_restrictions(params["restrictions"])
    if "validation" in params:
        field["validation"] = _check_validation(params["validation"], field["type"])
    if "datasource" in params:
        if field["type"] not in LIST_TYPES:
            raise ApiError(400, "datasource is only allowed for enum and set fields")
        merge_datasource(field, _require_object(params["datasource"], "datasource").get("values", []))
    if "default_value" in params:
        field["default_value"] = params["default_value"]
    if field["default_value"] is not None and not _default_is_valid(field):
        raise ApiError(400, "default_value is invalid")


def _is_taken(cloud: CloudState, external_id: str) -> bool:
    return external_id in cloud.metadata_fields or (
        cloud.reserve_deleted_metadata_ids and RESERVED_PREFIX + external_id in cloud.counters
    )


@route("GET", r"metadata_fields", entitlement="metadata_fields")
def list_fields(cloud: CloudState, req: Request) -> tuple[int, Any]:
    wanted = req.params.get("external_ids")
    if wanted is None:
        return 200, _render_all(cloud)
    ids = wanted if isinstance(wanted, list) else str(wanted).split(",")
    return 200, {"metadata_fields": [render(f) for f in ordered_fields(cloud) if f["external_id"] in ids]}


@route("POST", r"metadata_fields", entitlement="metadata_fields")
def create_field(cloud: CloudState, req: Request) -> tuple[int, Any]:
    params = req.params
    for required in ("type", "label"):
        if required not in params:
            raise ApiError(400, f"Missing required parameter - {required}")
    field_type = params["type"]
    if field_type not in FIELD_TYPES:
        raise ApiError(400, f"type {field_type!r} is invalid; expected one of {', '.join(FIELD_TYPES)}")
    external_id = params.get("external_id")
    if external_id is None:
        external_id = str(uuid.uuid4())
        while _is_taken(cloud, external_id):
            external_id = str(uuid.uuid4())
    elif (
        not isinstance(external_id, str)
        or not external_id
        or len(external_id) > MAX_ID_LENGTH
        or "/" in external_id  # it could never be addressed: the SDK does not escape `/` in paths
    ):
        raise ApiError(400, "external_id is invalid")
    elif _is_taken(cloud, external_id):
        raise ApiError(400, f"external id {external_id} already exists")
    if field_type in LIST_TYPES and "datasource" not in params:
        raise ApiError(400, f"datasource is required for {field_type} fields")
    sequence = cloud.counters.get("metadata_field_seq", 0) + 1
    field: dict[str, Any] = {
        "type": field_type,
        "external_id": external_id,
        "label": "",
        "mandatory": False,
        "default_value": None,
        "validation": None,
        "restrictions": dict.fromkeys(RESTRICTION_KEYS, False),
        "default_disabled": False,
        "allow_dynamic_list_values": False,
        "group": "default",
        "alphabetically_sorted": False,
        "_created_seq": sequence,
        "_position": max((int(f["_position"]) for f in cloud.metadata_fields.values()), default=0) + 1,
    }
    if field_type in LIST_TYPES:
        field["datasource"] = {"values": []}
    _apply_attributes(field, params)
    cloud.counters["metadata_field_seq"] = sequence
    cloud.metadata_fields[external_id] = field
    return 200, render(field)


# Specific paths are registered before `metadata_fields/<id>` so that they win.
@route("PUT", r"metadata_fields/order")
def order_fields(cloud: CloudState, req: Request) -> tuple[int, Any]:
    order_by = req.params.get("order_by")
    keys = {"label": "label", "external_id": "external_id", "created_at": "_created_seq"}
    if order_by not in keys:
        raise ApiError(400, "order_by must be one of label, external_id, created_at")
    descending = _direction(req) == "desc"
    ordered = sorted(ordered_fields(cloud), key=lambda f: f[keys[order_by]], reverse=descending)
    _replace_order(cloud, ordered)
    return 200, _render_all(cloud)


@route("POST", r"metadata_fields/datasource/search")
def search_all_datasources(cloud: CloudState, req: Request) -> tuple[int, Any]:
    term, limit = _search_terms(req, default_limit=100)
    hits = [
        {"field_id": field["external_id"], "id": v["external_id"], "value": v["value"]}
        for field in ordered_fields(cloud)
        for v in field.get("datasource", {}).get("values", [])
        if v["state"] == "active" and term in v["value"].lower()
    ]
    return 200, hits[:limit]


@route("GET", rf"metadata_fields/{ID}", entitlement="metadata_fields")
def get_field(cloud: CloudState, req: Request, external_id: str) -> tuple[int, Any]:
    return 200, render(_find(cloud, external_id))


@route("PUT", rf"metadata_fields/{ID}", entitlement="metadata_fields")
def update_field(cloud: CloudState, req: Request, external_id: str) -> tuple[int, Any]:
    field = _find(cloud, external_id)
    candidate = _deep_copy(field)
    # `type` and `external_id` in an update body are ignored, as the live API does (§8.2).
    updates = {k: v for k, v in req.params.items() if k not in ("type", "external_id")}
    # An explicit JSON null clears an optional attribute (see the module docstring).
    body = req.body if isinstance(req.body, dict) else {}
    for clearable in CLEARABLE:
        if clearable in body and body[clearable] is None:
            candidate[clearable] = None
    _apply_attributes(candidate, updates)
    cloud.metadata_fields[external_id] = candidate
    return 200, render(candidate)


@route("DELETE", rf"metadata_fields/{ID}", entitlement="metadata_fields")
def delete_field(cloud: CloudState, req: Request, external_id: str) -> tuple[int, Any]:
    _find(cloud, external_id)
    del cloud.metadata_fields[external_id]
    if cloud.reserve_deleted_metadata_ids:
        cloud.counters[RESERVED_PREFIX + external_id] = 1
    return 200, {"message": "ok"}


@route("PUT", rf"metadata_fields/{ID}/reorder")
def move_field(cloud: CloudState, req: Request, external_id: str) -> tuple[int, Any]:
    field = _find(cloud, external_id)
    position = req.params.get("position")
    if isinstance(position, str) and position.isdigit():
        position = int(position)
    count = len(cloud.metadata_fields)
    if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= count:
        raise ApiError(400, f"position must be an integer between 1 and {count}")
    others = [f for f in ordered_fields(cloud) if f["external_id"] != external_id]
    others.insert(position - 1, field)
    _replace_order(cloud, others)
    return 200, _render_all(cloud)


# --- datasource endpoints --------------------------------------------------------------------


@route("PUT", rf"metadata_fields/{ID}/datasource")
def upsert_datasource(cloud: CloudState, req: Request, external_id: str) -> tuple[int, Any]:
    field = _list_field(cloud, external_id)
    if req.received_at < float(field.get(UPDATING_UNTIL, 0)):
        raise ApiError(420, ALREADY_UPDATING)
    candidate = _deep_copy(field)
    merge_datasource(candidate, req.params.get("values", []), accept_state=False)
    if cloud.datasource_update_s:
        candidate[UPDATING_UNTIL] = req.received_at + cloud.datasource_update_s
    cloud.metadata_fields[external_id] = candidate
    return 200, _active_values(candidate)


@route("DELETE", rf"metadata_fields/{ID}/datasource")
def delete_datasource_values(cloud: CloudState, req: Request, external_id: str) -> tuple[int, Any]:
    field = _list_field(cloud, external_id)
    if "external_ids" not in req.params:
        raise ApiError(400, "Missing required parameter - external_ids")
    _set_state(field, req.params["external_ids"], "inactive")
    return 200, _active_values(field)


@route("POST", rf"metadata_fields/{ID}/datasource_restore", entitlement="metadata_fields")
def restore_datasource_values(cloud: CloudState, req: Request, external_id: str) -> tuple[int, Any]:
    field = _list_field(cloud, external_id)
    _set_state(field, req.params.get("external_ids", []), "active")
    return 200, _active_values(field)


def _order_datasource(cloud: CloudState, req: Request, external_id: str) -> tuple[int, Any]:
    field = _list_field(cloud, external_id)
    if req.params.get("order_by") != "value":
        raise ApiError(400, "order_by must be value")
    values = field["datasource"]["values"]
    values.sort(key=lambda v: v["value"], reverse=_direction(req) == "desc")
    return 200, _active_values(field)


# pycloudinary sends POST; the current spec documents PUT. Both are served.
route("POST", rf"metadata_fields/{ID}/datasource/order")(_order_datasource)
route("PUT", rf"metadata_fields/{ID}/datasource/order")(_order_datasource)


@route("POST", rf"metadata_fields/{ID}/datasource/search")
def search_datasource(cloud: CloudState, req: Request, external_id: str) -> tuple[int, Any]:
    field = _list_field(cloud, external_id)
    term, limit = _search_terms(req, default_limit=255)
    exact = coerce_bool(req.params.get("exact_match", False), "exact_match")
    hits = [
        _entry(v)
        for v in field["datasource"]["values"]
        if v["state"] == "active" and (v["value"].lower() == term if exact else term in v["value"].lower())
    ]
    return 200, {"values": hits[:limit]}


# --- helpers ---------------------------------------------------------------------------------


def _direction(req: Request) -> str:
    direction = req.params.get("direction", "asc")
    if direction not in ("asc", "desc"):
        raise ApiError(400, "direction must be asc or desc")
    return str(direction)


def _search_terms(req: Request, default_limit: int) -> tuple[str, int]:
    term = req.params.get("term", "")
    if not isinstance(term, str):
        raise ApiError(400, "term must be a string")
    limit = req.params.get("max_results", default_limit)
    if isinstance(limit, str) and limit.isdigit():
        limit = int(limit)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ApiError(400, "max_results must be a positive integer")
    return term.lower(), limit


def _replace_order(cloud: CloudState, ordered: list[dict[str, Any]]) -> None:
    for position, field in enumerate(ordered, start=1):
        field["_position"] = position


def _deep_copy(field: dict[str, Any]) -> dict[str, Any]:
    """A copy to edit, so a rejected update leaves the stored field untouched."""
    copy = dict(field)
    copy["restrictions"] = dict(field["restrictions"])
    if "datasource" in field:
        copy["datasource"] = {"values": [dict(v) for v in field["datasource"]["values"]]}
    return copy

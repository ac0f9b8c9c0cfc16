"""Structured metadata fields (reference §8). Identity is the field's external_id.

The canonical form carries every attribute with the server's default filled in, so a field
written with only `type` and `label` equals what the server answers. A datasource is compared
as external_id -> value over *active* values (soft-deleted values are the server's history,
not the user's config). The API can only sort a datasource by value, so order is compared
only as a class: when the desired values are in ascending or descending order of `value`, the
canonical form carries `datasource_order`, and the live side carries the class of its active
order. Any other desired order is left to where the values land.

Writes: the field update is partial (only changed attributes are sent) and datasource changes
go only through the datasource endpoints (upsert, soft delete, restore, order); a field is
never recreated for them. A type change cannot be updated: it is a replace, which the live
service cannot carry out (the external_id stays reserved), so safety refuses it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from cloudinary_state.config.checks import CheckedObject, Report, Universe
from cloudinary_state.desired import DesiredObject, KindName
from cloudinary_state.kinds._common import (
    as_read,
    call_create,
    call_delete,
    get_or_none,
    live_object,
    to_bool,
)
from cloudinary_state.kinds.base import Action, AdminApi, Kind, LiveObject
from cloudinary_state.kinds.metadata_fields.checks import check_metadata_field
from cloudinary_state.kinds.metadata_fields.model import MetadataFieldModel

LIST_TYPES = frozenset({"enum", "set"})
RESTRICTION_KEYS = ("readonly_ui", "hidden_ui", "excluded_from_search")
# Attributes the partial update sends when they change (type and external_id cannot change).
UPDATABLE = (
    "label",
    "mandatory",
    "default_value",
    "default_disabled",
    "validation",
    "restrictions",
    "allow_dynamic_list_values",
)
REPLACE_NOTE = "replace destroys the values stored on assets for this field"
# Reference §8.2: a deleted external_id stays reserved, so the create after the delete fails.
REPLACE_REFUSAL = (
    "its type changes, which the API cannot update in place, and Cloudinary keeps a deleted field's "
    "external_id reserved, so the field cannot be recreated under the same id: the apply would delete "
    "the field and the values stored on assets for it, then fail. Declare the field under a new "
    "external_id, and tombstone the old one (`absent: true`, applied with --allow-delete) to delete it"
)
DELETE_NOTE = "deleting a field destroys the values stored on assets for it"
_Call = tuple[str, tuple[Any, ...]]  # an Admin API function and its arguments


def _entries(datasource: Any) -> list[dict[str, Any]]:
    """Datasource values as written: `{values: [...]}` or a bare list."""
    if datasource is None:
        return []
    values = datasource.get("values", []) if isinstance(datasource, Mapping) else datasource
    return [dict(v) for v in values]


def _entry_id(entry: Mapping[str, Any]) -> str:
    # A value written without an external_id is sent with its text as the id, so that the
    # same config always names the same value (a server-generated id would never match).
    return str(entry.get("external_id") or entry["value"])


def order_class(values: Sequence[str]) -> str | None:
    """ "asc" / "desc" when the values are sorted by value (as the server sorts), else "custom";
    None when fewer than two values make order meaningless."""
    if len(values) < 2:
        return None
    if list(values) == sorted(values):
        return "asc"
    if list(values) == sorted(values, reverse=True):
        return "desc"
    return "custom"


def _restrictions(value: Any, boolean: Callable[[Any], Any]) -> dict[str, Any]:
    given = dict(value or {})
    return {key: boolean(given.get(key, False)) for key in RESTRICTION_KEYS}


def _live_bool(value: Any) -> Any:
    """A live flag; one that is no boolean is kept as answered, so it shows as a diff."""
    return as_read(to_bool, value)


def _canonical(
    body: Mapping[str, Any], active: list[tuple[str, str]], boolean: Callable[[Any], Any] = to_bool
) -> dict[str, Any]:
    field_type = str(body["type"])
    allow_dynamic = body.get("allow_dynamic_list_values")  # the live service may answer null
    canonical: dict[str, Any] = {
        "type": field_type,
        "label": str(body.get("label", "")),
        "mandatory": boolean(body.get("mandatory", False)),
        "default_value": copy.deepcopy(body.get("default_value")),
        "default_disabled": boolean(body.get("default_disabled", False)),
        "validation": copy.deepcopy(body.get("validation")),
        "restrictions": _restrictions(body.get("restrictions"), boolean),
        "allow_dynamic_list_values": boolean(False if allow_dynamic is None else allow_dynamic),
    }
    if field_type in LIST_TYPES:
        canonical["datasource"] = dict(active)
        order = order_class([value for _, value in active])
        if order in ("asc", "desc"):
            canonical["datasource_order"] = order
    return canonical


def _active_live(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(v["external_id"]), str(v["value"]))
        for v in _entries(raw.get("datasource"))
        if v.get("state", "active") == "active"
    ]


class MetadataFieldKind(Kind):
    kind = "metadata_field"
    section = "metadata_fields"
    rank = 10
    model = MetadataFieldModel
    description = "structured metadata fields, by external_id"
    guide = """
`datasource` is `{values: [{external_id, value}, ...]}` with at least one value. The API can
only sort a datasource by value, so order counts only as "ascending", "descending" or any
other; a value removed from the config is soft-deleted on the server (as the API does).

Validation rules (`validation:`), one of:
- `{type: strlen, min: N, max: N}`: string fields; at least one of `min` (≥ 0) and `max`
  (≥ 1), `min` ≤ `max`;
- `{type: greater_than | less_than, value: V, equals: BOOL}`: integer fields (an integer
  `value`) and date fields (a `YYYY-MM-DD` value); `equals: true` includes `V`;
- `{type: and, rules: [RULE, ...]}`: every rule holds.

Plan notes and replace rules: deleting a field destroys the values stored on assets for it (the
plan says so). A `type` change cannot be made in place, so it shows as a replace (`-/+`), and
`plan` and `apply` refuse it (exit 3) whatever the flags: Cloudinary keeps a deleted field's
external_id reserved, so the field could not be recreated under the same id. Declare the field
under a new external_id instead, and tombstone the old one.
"""
    replace_refusal = REPLACE_REFUSAL

    def check(self, report: Report, universe: Universe, obj: CheckedObject) -> None:
        check_metadata_field(report, universe, obj)

    def references(self, obj: DesiredObject) -> list[tuple[KindName, str]]:
        return []

    def canonical_desired(self, obj: DesiredObject) -> dict[str, Any]:
        body = obj.body
        desired = [(_entry_id(v), str(v["value"])) for v in _entries(body.get("datasource"))]
        return _canonical(body, desired)

    def canonical_live(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return _canonical(raw, _active_live(raw), _live_bool)

    def _live(self, raw: Mapping[str, Any]) -> LiveObject:
        return live_object(self.kind, lambda r: str(r["external_id"]), self.canonical_live, raw)

    def comparable_live(self, desired: Mapping[str, Any], live: Mapping[str, Any]) -> Mapping[str, Any]:
        # A desired order that is not sorted by value cannot be set through the API (it only
        # sorts by value), so the live order class is not compared with it.
        if "datasource_order" in live and "datasource_order" not in desired:
            return {k: v for k, v in live.items() if k != "datasource_order"}
        return live

    def read_all(self, api: AdminApi, parallelism: int) -> dict[str, LiveObject]:
        fields = api.call("list_metadata_fields").get("metadata_fields") or []
        return {live.name: live for live in map(self._live, fields)}

    def read_one(self, api: AdminApi, name: str) -> LiveObject | None:
        raw = get_or_none(api, "metadata_field_by_field_id", name)
        return self._live(raw) if raw is not None and "external_id" in raw else None

    def read_many(
        self, api: AdminApi, names: Collection[str], parallelism: int
    ) -> dict[str, LiveObject | None]:
        if not names:
            return {}
        # one unpaginated list call holds every field: never more calls than one GET
        listed = self.read_all(api, parallelism)
        return {name: listed.get(name) for name in names}

    def read_many_calls(self, names: int, present: int, listed: int) -> int:
        return 1 if names else 0

    def needs_replace(self, desired: Mapping[str, Any], live: LiveObject) -> bool:
        return str(desired["type"]) != str(live.canonical["type"])

    def sensitive_canonical_paths(self, body_paths: Collection[str]) -> frozenset[str]:
        paths: set[str] = set()
        for path in body_paths:
            top = path.split(".", 1)[0]
            # body `datasource.values` (a list) -> canonical `datasource` (external_id -> value)
            # and its order class, which is derived from the values
            paths.update(("datasource", "datasource_order") if top == "datasource" else (top,))
        return frozenset(paths)

    def notes(self, action: Action, desired: Mapping[str, Any] | None, live: LiveObject | None) -> list[str]:
        if action == "replace":
            return [REPLACE_NOTE]
        if action == "delete":
            return [DELETE_NOTE]
        return []

    def export(self, live: LiveObject) -> dict[str, Any]:
        canonical = live.canonical
        body: dict[str, Any] = {"type": canonical["type"], "label": canonical["label"]}
        for key in ("mandatory", "default_disabled", "allow_dynamic_list_values"):
            if canonical[key]:
                body[key] = True
        for key in ("default_value", "validation"):
            if canonical[key] is not None:
                body[key] = copy.deepcopy(canonical[key])
        restrictions = {key: True for key, on in canonical["restrictions"].items() if on}
        if restrictions:
            body["restrictions"] = restrictions
        if canonical["type"] in LIST_TYPES:
            # live order, so that the exported values carry the live order class
            body["datasource"] = {
                "values": [{"external_id": i, "value": v} for i, v in _active_live(live.raw)]
            }
        return body

    # -- writes -----------------------------------------------------------------------------

    def create(self, api: AdminApi, name: str, desired: Mapping[str, Any]) -> None:
        field: dict[str, Any] = {
            key: copy.deepcopy(value)
            for key, value in desired.items()
            if key != "datasource" and value is not None
        }
        field["external_id"] = name
        if str(desired["type"]) in LIST_TYPES:
            field["datasource"] = {
                "values": [
                    {"external_id": _entry_id(v), "value": str(v["value"])}
                    for v in _entries(desired.get("datasource"))
                ]
            }
        want = self.canonical_desired(DesiredObject(kind=self.kind, name=name, body=desired))

        def made_already() -> bool:
            live = self.read_one(api, name)
            return live is not None and dict(live.canonical) == want

        call_create(api, made_already, "add_metadata_field", field)

    def update(self, api: AdminApi, name: str, desired: Mapping[str, Any], live: LiveObject) -> None:
        for function, args in self._update_calls(name, desired, live):
            api.call(function, *args)

    def update_calls(self, desired: Mapping[str, Any], live: LiveObject) -> int:
        return len(self._update_calls(live.name, desired, live))

    def _update_calls(self, name: str, desired: Mapping[str, Any], live: LiveObject) -> list[_Call]:
        """The calls an update makes, in order (`update` makes them, `update_calls` counts them)."""
        want = self.canonical_desired(DesiredObject(kind=self.kind, name=name, body=desired))
        have = live.canonical
        calls: list[_Call] = []
        if want["type"] in LIST_TYPES:
            # values first: a new default_value may name a value that does not exist yet
            calls += self._add_and_restore(name, desired, live)
        changed = {key: want[key] for key in UPDATABLE if want[key] != have.get(key)}
        if changed:
            calls.append(("update_metadata_field", (name, changed)))
        if want["type"] in LIST_TYPES:
            calls += self._remove_and_reorder(name, want, live)
        return calls

    def _add_and_restore(self, name: str, desired: Mapping[str, Any], live: LiveObject) -> list[_Call]:
        stored = {str(v["external_id"]): v for v in _entries(live.raw.get("datasource"))}
        restore: list[str] = []
        upsert: list[dict[str, str]] = []
        for entry in _entries(desired.get("datasource")):
            entry_id, value = _entry_id(entry), str(entry["value"])
            current = stored.get(entry_id)
            if current is not None and current.get("state", "active") != "active":
                restore.append(entry_id)
            if current is None or str(current["value"]) != value:
                upsert.append({"external_id": entry_id, "value": value})
        calls: list[_Call] = []
        if restore:
            calls.append(("restore_metadata_field_datasource", (name, restore)))
        if upsert:
            calls.append(("update_metadata_field_datasource", (name, upsert)))
        return calls

    def _remove_and_reorder(self, name: str, want: Mapping[str, Any], live: LiveObject) -> list[_Call]:
        wanted: Mapping[str, str] = want["datasource"]
        active_before = _active_live(live.raw)
        removed = [entry_id for entry_id, _ in active_before if entry_id not in wanted]
        calls: list[_Call] = [("delete_datasource_entries", (name, removed))] if removed else []
        order = want.get("datasource_order")
        if order is None:
            return calls
        # Where the values stand after the upsert: known ids keep their place, new ones append.
        stored_order = [str(v["external_id"]) for v in _entries(live.raw.get("datasource"))]
        appended = [entry_id for entry_id in wanted if entry_id not in stored_order]
        after = [wanted[i] for i in stored_order + appended if i in wanted]
        if order_class(after) != order:
            calls.append(("reorder_metadata_field_datasource", (name, "value", order)))
        return calls

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
        call_delete(api, "delete_metadata_field", name)

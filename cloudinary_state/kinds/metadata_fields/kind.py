"""Structured metadata fields (reference §8). Identity is the field's external_id.

The canonical form carries every attribute with the server's default filled in, so a field
written with only `type` and `label` equals what the server answers. A datasource is compared
as external_id -> value over *active* values (soft-deleted values are the server's history,
not the user's config; an entry declared `state: inactive` is one to keep soft-deleted). An
entry declared without an external_id gets one from the API, so it is compared by its value
(`datasource_by_value`): a live value whose id the config does not name matches it. The API
can only sort a datasource by value, so order is compared only as a class: when the desired
values are in ascending or descending order of `value`, the canonical form carries
`datasource_order`, and the live side carries the class of its active order. Any other
desired order is left to where the values land.

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
from cloudinary_state.errors import ApiError
from cloudinary_state.kinds._common import (
    as_read,
    call_create,
    call_delete,
    get_or_none,
    live_object,
    to_bool,
)
from cloudinary_state.kinds.base import Action, AdminApi, AssetImpact, Kind, LiveObject, ModelRef
from cloudinary_state.kinds.metadata_fields.checks import check_metadata_field

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
IMPACT_WHAT = "assets holding a value in this field"
# Characters a search expression reserves (Cloudinary docs, search_expressions: "escape special
# characters with a backslash") [D]; an external_id rarely has any.
_SEARCH_RESERVED = frozenset('\\+-!():^[]"{}~*?|&/=<> ')


def _entries(datasource: Any) -> list[dict[str, Any]]:
    """Datasource values as written: `{values: [...]}` or a bare list."""
    if datasource is None:
        return []
    values = datasource.get("values", []) if isinstance(datasource, Mapping) else datasource
    return [dict(v) for v in values]


def _is_active(entry: Mapping[str, Any]) -> bool:
    return bool(entry.get("state", "active") != "inactive")


def _declared_id(entry: Mapping[str, Any]) -> str | None:
    return None if entry.get("external_id") is None else str(entry["external_id"])


def _sent_entry(entry: Mapping[str, Any]) -> dict[str, str]:
    sent = {"value": str(entry["value"])}
    if entry.get("external_id") is not None:
        sent["external_id"] = str(entry["external_id"])
    if not _is_active(entry):
        sent["state"] = "inactive"
    return sent


def _match_by_value(
    entries: list[dict[str, Any]], stored: list[dict[str, Any]]
) -> list[tuple[str | None, dict[str, Any]]]:
    """Each declared entry with the live id it stands for (None: not on the server yet). An
    entry without an external_id takes a stored value of the same text whose id no entry
    names: an active one first, else a soft-deleted one (which is restored)."""
    named = {i for i in map(_declared_id, entries) if i is not None}
    free = [v for v in stored if str(v["external_id"]) not in named]
    free.sort(key=lambda v: 0 if v.get("state", "active") == "active" else 1)  # stable
    taken: set[str] = set()
    matched: list[tuple[str | None, dict[str, Any]]] = []
    for entry in entries:
        entry_id = _declared_id(entry)
        if entry_id is None:
            same = (v for v in free if str(v["value"]) == str(entry["value"]))
            found = next((v for v in same if str(v["external_id"]) not in taken), None)
            entry_id = None if found is None else str(found["external_id"])
            if entry_id is not None:
                taken.add(entry_id)
        matched.append((entry_id, entry))
    return matched


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
    body: Mapping[str, Any],
    active: list[tuple[str | None, str]],
    boolean: Callable[[Any], Any] = to_bool,
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
        canonical["datasource"] = {i: v for i, v in active if i is not None}
        by_value = sorted(v for i, v in active if i is None)
        if by_value:
            canonical["datasource_by_value"] = by_value
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


def _by_value(desired: Mapping[str, Any], live_values: Mapping[str, str]) -> dict[str, Any]:
    """The live datasource as the desired one is keyed: a live value whose id the config does
    not name stands for a declared entry without an id that has its text."""
    wanted = list(desired["datasource_by_value"])
    named: dict[str, str] = {}
    matched: list[str] = []
    for entry_id, value in live_values.items():
        if entry_id not in desired["datasource"] and value in wanted:
            wanted.remove(value)
            matched.append(value)
        else:
            named[entry_id] = value
    return {"datasource": named, "datasource_by_value": sorted(matched)}


class MetadataFieldKind(Kind):
    kind = "metadata_field"
    section = "metadata_fields"
    rank = 10
    model = ModelRef("cloudinary_state.kinds.metadata_fields.model", "MetadataFieldModel")
    description = "structured metadata fields, by external_id"
    guide = """
`datasource` is `{values: [{external_id, value}, ...]}` with at least one value. An entry
without `external_id` gets one from the API; the plan matches it by its value, and `import`
writes the assigned id. `state: active` (as the API returns it) is the default; `state:
inactive` keeps the value soft-deleted (created so, soft-deleted if active, never restored). The
API can only sort a datasource by value, so order counts only as "ascending", "descending" or
any other; a value removed from the config is soft-deleted on the server (as the API does).

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
        entries = _entries(body.get("datasource"))
        desired = [(_declared_id(v), str(v["value"])) for v in entries if _is_active(v)]
        return _canonical(body, desired)

    def canonical_live(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        active: list[tuple[str | None, str]] = list(_active_live(raw))
        return _canonical(raw, active, _live_bool)

    def _live(self, raw: Mapping[str, Any]) -> LiveObject:
        return live_object(self.kind, lambda r: str(r["external_id"]), self.canonical_live, raw)

    def comparable_live(self, desired: Mapping[str, Any], live: Mapping[str, Any]) -> Mapping[str, Any]:
        comparable = dict(live)
        # A desired order that is not sorted by value cannot be set through the API (it only
        # sorts by value), so the live order class is not compared with it.
        if "datasource_order" in live and "datasource_order" not in desired:
            del comparable["datasource_order"]
        if "datasource_by_value" in desired and "datasource" in live:
            comparable.update(_by_value(desired, live["datasource"]))
        return comparable

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
            # body `datasource.values` (a list) -> canonical `datasource` (external_id -> value),
            # the values declared without an id, and the order class derived from the values
            datasource = ("datasource", "datasource_by_value", "datasource_order")
            paths.update(datasource if top == "datasource" else (top,))
        return frozenset(paths)

    def canonical_paths(self, body_path: str) -> tuple[str, ...]:
        if body_path.split(".", 1)[0] == "datasource":  # as sensitive_canonical_paths maps it
            return ("datasource", "datasource_by_value", "datasource_order")
        return (body_path,)

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

    def impact(
        self, api: AdminApi, action: Action, desired: Mapping[str, Any] | None, live: LiveObject
    ) -> AssetImpact | None:
        """Assets holding a value in the field, before a delete or replace destroys them: one
        Search API call (`POST resources/search`, part of the Admin API [D search_api]) with the
        expression `metadata=<external_id>`, "assets that have a value in the structured
        metadata external_id" [D support 360016991039]; `total_count` is the count [D]."""
        if action not in ("delete", "replace"):
            return None
        escaped = "".join(f"\\{c}" if c in _SEARCH_RESERVED else c for c in live.name)
        query = {"expression": f"metadata={escaped}", "max_results": 1}
        try:
            answer = api.call("call_json_api", "post", ["resources", "search"], query)
        except ApiError as e:  # the Search API not enabled, a key without the permission, ...
            return AssetImpact(IMPACT_WHAT, None, f"the Search API did not answer: {e}")
        total = answer.get("total_count")
        if not isinstance(total, int) or isinstance(total, bool):
            return AssetImpact(IMPACT_WHAT, None, f"the Search API answered no total_count ({total!r})")
        return AssetImpact(IMPACT_WHAT, total)

    # -- writes -----------------------------------------------------------------------------

    def restore(self, api: AdminApi, live: LiveObject) -> None:
        """The field as read, soft-deleted datasource values included (in their place, then
        deleted again: a later restore or re-use of their external_id meets them as live does)."""
        body = self.export(live)
        stored = _entries(live.raw.get("datasource"))
        if str(live.canonical["type"]) in LIST_TYPES and stored:
            body["datasource"] = {
                "values": [{"external_id": str(v["external_id"]), "value": str(v["value"])} for v in stored]
            }
        self.create(api, live.name, body)
        inactive = [str(v["external_id"]) for v in stored if v.get("state", "active") != "active"]
        if inactive:
            api.call("delete_datasource_entries", live.name, inactive)

    def create(self, api: AdminApi, name: str, desired: Mapping[str, Any]) -> None:
        field: dict[str, Any] = {
            key: copy.deepcopy(value)
            for key, value in desired.items()
            if key != "datasource" and value is not None
        }
        field["external_id"] = name
        if str(desired["type"]) in LIST_TYPES:
            # an entry without an id gets one from the API; `state` is part of the create body
            # (structured-metadata schema [S]), so an inactive entry is created soft-deleted
            field["datasource"] = {"values": [_sent_entry(v) for v in _entries(desired.get("datasource"))]}
        want = self.canonical_desired(DesiredObject(kind=self.kind, name=name, body=desired))

        def made_already() -> bool:
            live = self.read_one(api, name)
            return live is not None and dict(self.comparable_live(want, live.canonical)) == want

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
        stored = _entries(live.raw.get("datasource"))
        matched = _match_by_value(_entries(desired.get("datasource")), stored)
        calls: list[_Call] = []
        if want["type"] in LIST_TYPES:
            # values first: a new default_value may name a value that does not exist yet
            calls += self._add_and_restore(name, matched, stored)
        changed = {key: want[key] for key in UPDATABLE if want[key] != have.get(key)}
        if changed:
            calls.append(("update_metadata_field", (name, changed)))
        if want["type"] in LIST_TYPES:
            calls += self._remove_and_reorder(name, want, matched, stored)
        return calls

    def _add_and_restore(
        self, name: str, matched: list[tuple[str | None, dict[str, Any]]], stored: list[dict[str, Any]]
    ) -> list[_Call]:
        by_id = {str(v["external_id"]): v for v in stored}
        restore: list[str] = []
        upsert: list[dict[str, str]] = []
        for entry_id, entry in matched:
            if not _is_active(entry):
                continue  # kept soft-deleted: never restored (removed below when active)
            value = str(entry["value"])
            current = by_id.get(entry_id) if entry_id is not None else None
            if current is not None and current.get("state", "active") != "active":
                restore.append(str(entry_id))
            if current is None or str(current["value"]) != value:
                upsert.append({"value": value, **({} if entry_id is None else {"external_id": entry_id})})
        calls: list[_Call] = []
        if restore:
            calls.append(("restore_metadata_field_datasource", (name, restore)))
        if upsert:
            calls.append(("update_metadata_field_datasource", (name, upsert)))
        return calls

    def _remove_and_reorder(
        self,
        name: str,
        want: Mapping[str, Any],
        matched: list[tuple[str | None, dict[str, Any]]],
        stored: list[dict[str, Any]],
    ) -> list[_Call]:
        kept = [(entry_id, str(e["value"])) for entry_id, e in matched if _is_active(e)]
        kept_ids = {entry_id for entry_id, _ in kept if entry_id is not None}
        active_before = _active_live({"datasource": stored})
        removed = [entry_id for entry_id, _ in active_before if entry_id not in kept_ids]
        calls: list[_Call] = [("delete_datasource_entries", (name, removed))] if removed else []
        order = want.get("datasource_order")
        if order is None:
            return calls
        # Where the values stand after the upsert: known ids keep their place, new ones append.
        value_of = {entry_id: value for entry_id, value in kept if entry_id is not None}
        stored_order = [str(v["external_id"]) for v in stored]
        placed = [value_of[i] for i in stored_order if i in value_of]
        appended = [value for entry_id, value in kept if entry_id is None or entry_id not in stored_order]
        if order_class(placed + appended) != order:
            calls.append(("reorder_metadata_field_datasource", (name, "value", order)))
        return calls

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
        call_delete(api, "delete_metadata_field", name)

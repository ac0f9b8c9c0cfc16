"""policy.ignore_changes: fields of an object that something outside the config manages (a
preset's `notification_url` set by another system, say).

Such a field is never diffed and never overwritten: before an existing object is compared,
written or read back, its desired body takes the field's live value (or loses the field when
the live object has none), so the comparison cannot see it and an update sends the value the
account already holds. Updates that replace a whole set (an upload preset's settings) therefore
keep it too. A create has no live value to keep, so it sends what the config says, if anything.
Pure: the live value comes from the kind's `export`, the body form of a live object.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from cloudinary_state.desired import DesiredObject
from cloudinary_state.kinds.base import Kind, LiveObject

_MISSING = object()


def with_live_fields(
    kind: Kind, obj: DesiredObject, live: LiveObject | None, paths: Sequence[str]
) -> DesiredObject:
    """`obj` with the fields at `paths` (dotted body paths) as `live` has them."""
    if not paths or live is None or obj.absent:
        return obj
    return dataclasses.replace(obj, body=with_fields_of(obj.body, kind.export(live), paths))


def with_fields_of(
    body: Mapping[str, Any], source: Mapping[str, Any], paths: Sequence[str]
) -> dict[str, Any]:
    """A copy of `body` with the fields at `paths` as `source` (a body) has them, dropped where
    it has none. Import into the project records a live object this way, the fields managed
    elsewhere as the config says them: they are not the config's to record."""
    kept: dict[str, Any] = copy.deepcopy(dict(body))
    for path in paths:
        parts = path.split(".")
        value = _lookup(source, parts)
        if value is _MISSING:
            _remove(kept, parts)
        else:
            _put(kept, parts, copy.deepcopy(value))
    return kept


def without_fields(body: Mapping[str, Any], paths: Sequence[str]) -> dict[str, Any]:
    """A copy of `body` without the fields at `paths`."""
    kept: dict[str, Any] = copy.deepcopy(dict(body))
    for path in paths:
        _remove(kept, path.split("."))
    return kept


def _lookup(value: Any, parts: Sequence[str]) -> Any:
    for part in parts:
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _put(body: dict[str, Any], parts: Sequence[str], value: Any) -> None:
    *parents, leaf = parts
    for part in parents:
        child = body.get(part)
        if child is None:
            child = body[part] = {}
        if not isinstance(child, dict):
            return  # the config holds a scalar where the live object has a mapping: keep it
        body = child
    body[leaf] = value


def _remove(body: dict[str, Any], parts: Sequence[str]) -> None:
    """Drop the field at `parts`, and the mappings its removal leaves empty (as if never written)."""
    head, *rest = parts
    child = body.get(head)
    if not rest:
        body.pop(head, None)
        return
    if isinstance(child, dict):
        _remove(child, rest)
        if not child:
            del body[head]

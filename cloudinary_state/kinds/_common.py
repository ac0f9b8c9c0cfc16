"""Helpers shared by the kind modules: pagination, bulk reads by name, parallel reads, value
coercion."""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, TypeVar

from cloudinary_state.desired import KindName
from cloudinary_state.errors import NotFoundError, PermanentApiError, UnreadableLiveError
from cloudinary_state.kinds.api import AdminApi, LiveObject
from cloudinary_state.transformation import comparable

PAGE_SIZE = 500  # the Admin API's maximum max_results
T = TypeVar("T")
R = TypeVar("R")

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


def list_pages(listed: int) -> int:
    """The calls `paginate` makes to list `listed` items: one page of 500 each, one even when
    there are none (the call forecast, engine/forecast.py)."""
    return max(1, math.ceil(listed / PAGE_SIZE))


def paginate(
    api: AdminApi,
    function: str,
    items_key: str,
    *,
    until: Callable[[list[dict[str, Any]]], bool] | None = None,
    **params: Any,
) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated list endpoint, one call per page of 500.

    `until` sees each page's items as it arrives; once it answers True the later pages are
    not read (the caller has what it needs)."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page_params = dict(params, max_results=PAGE_SIZE)
        if cursor:
            page_params["next_cursor"] = cursor
        page = api.call(function, **page_params)
        page_items = page.get(items_key) or []
        items.extend(page_items)
        cursor = page.get("next_cursor")
        satisfied = until is not None and until(page_items)
        if not cursor or satisfied:
            return items


def listed_by_name(
    kind: KindName,
    api: AdminApi,
    function: str,
    items_key: str,
    names: Collection[str],
    name_of: Callable[[Mapping[str, Any]], str | None],
    **params: Any,
) -> dict[str, dict[str, Any]]:
    """The list items of the named objects (`name_of` gives an item's name, None for an item
    that is not one of this kind's objects), from as few pages as possible: the pages stop once
    every name is found. A name that is absent costs the whole list, because only the last
    page proves it is not there. No names, no calls."""
    wanted = set(names)
    found: dict[str, dict[str, Any]] = {}
    if not wanted:
        return found

    def collect(page: list[dict[str, Any]]) -> bool:
        for item in page:
            name = readable_name(kind, name_of, item)
            if name in wanted:
                found[name] = item
        return len(found) == len(wanted)

    paginate(api, function, items_key, until=collect, **params)
    return found


def parallel_map(function: Callable[[T], R], items: Iterable[T], parallelism: int) -> list[R]:
    """`map` over threads, results in input order; the first failure propagates."""
    work = list(items)
    if len(work) <= 1 or parallelism <= 1:
        return [function(item) for item in work]
    # imported here: the offline commands (validate, schema) never start threads
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(parallelism, len(work))) as pool:
        return list(pool.map(function, work))


def read_each_listed(
    names: Collection[str],
    listed: Callable[[list[str]], Iterable[str]],
    read_one: Callable[[str], LiveObject | None],
    parallelism: int,
) -> dict[str, LiveObject | None]:
    """`read_many` for a kind whose list lacks what the detail GET answers: a single name is its
    GET alone (one call, never more); for several, the list (`listed`: the names it shows of
    those asked for) proves which do not exist, and each one it shows costs its GET. The list
    is an extra call when every name exists (a read-back after writes), and saves one GET per
    absent name (creates in a saved plan, deletes)."""
    unique = list(dict.fromkeys(names))
    if len(unique) == 1:
        return {unique[0]: read_one(unique[0])}
    shown = list(listed(unique))
    found = dict(zip(shown, parallel_map(read_one, shown, parallelism), strict=True))
    return {name: found.get(name) for name in names}


def read_each_listed_calls(names: int, present: int, *, list_calls: int) -> int:
    """The calls `read_each_listed` makes for `names` distinct names of which `present` exist,
    its list costing `list_calls`: a single name is its GET, several the list and a GET each."""
    if names <= 1:
        return names
    return list_calls + present


def get_or_none(api: AdminApi, function: str, *args: Any, **params: Any) -> dict[str, Any] | None:
    """A detail GET that answers None for a missing object."""
    try:
        return api.call(function, *args, **params)
    except NotFoundError:
        return None


def to_bool(value: Any) -> bool:
    """The API's booleans arrive as True, "true", "1" or 1 (and their false twins)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"not a boolean: {value!r}")


def as_read(convert: Callable[[Any], R], value: Any) -> R | Any:
    """`convert(value)` for a live value; the value itself when it is not in the form the
    canonicalizer expects (a preset's `auto_tagging: "high"`). One odd live value must not
    fail the whole read: kept raw, it differs from the desired value and shows in the plan
    under its own field, and the apply writes the desired value over it."""
    try:
        return convert(value)
    except (ValueError, TypeError):
        return value


# What reading a key the answer lacks, or a structure of the wrong type, raises.
_UNREADABLE = (KeyError, ValueError, TypeError, AttributeError)


def _unreadable(kind: KindName, name: str, error: Exception) -> UnreadableLiveError:
    return UnreadableLiveError(
        f"{kind} {name}: the Admin API answered it in a form this tool cannot read "
        f"({type(error).__name__}: {error}); check the object in the Cloudinary console"
    )


def readable_name(kind: KindName, name_of: Callable[[Mapping[str, Any]], T], raw: Any) -> T:
    """`name_of(raw)` for one API answer or list item; one the name cannot be read from is an
    UnreadableLiveError, whichever read (read_all, read_one, read_many) met it."""
    try:
        return name_of(raw)
    except _UNREADABLE as e:
        # named as far as the answer names it; a list item that is no mapping names nothing
        shown = "?"
        if isinstance(raw, Mapping):
            shown = str(raw.get("name") or raw.get("external_id") or raw.get("folder") or "?")
        raise _unreadable(kind, shown, e) from None


def live_definition(value: Any) -> str:
    """A live transformation definition (a string, or the parsed `info` steps) in the form
    `comparable` gives the desired one. One the grammar cannot read (a parameter it does not
    know inside a string, a step that is no mapping) is the `as_read` case for definitions:
    kept as answered (sorted JSON for a structure), it shows as a diff and the apply writes
    the desired definition over it, instead of failing the read of the whole account."""
    readable = isinstance(value, str) or (
        isinstance(value, list | tuple) and all(isinstance(step, Mapping) for step in value)
    )
    if readable:
        try:
            return comparable(value)
        except (ValueError, TypeError, KeyError, AttributeError):  # TransformationSyntaxError is a ValueError
            pass
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def live_object(
    kind: KindName,
    name_of: Callable[[Mapping[str, Any]], str],
    canonical_of: Callable[[Mapping[str, Any]], dict[str, Any]],
    raw: Mapping[str, Any],
) -> LiveObject:
    """A LiveObject from one API answer; an answer the kind cannot read at all (a key it needs
    missing, a structure of the wrong type) is a clear error naming the kind and the object,
    never a traceback."""
    name = readable_name(kind, name_of, raw)
    try:
        return LiveObject(kind=kind, name=name, canonical=canonical_of(raw), raw=raw)
    except _UNREADABLE as e:
        raise _unreadable(kind, name, e) from None


def is_conflict(error: PermanentApiError) -> bool:
    """The object already exists: 409, or metadata's 400 "external id ... already exists"."""
    return error.status == 409 or (error.status == 400 and "already exists" in str(error))


def call_create(api: AdminApi, matches: Callable[[], bool], function: str, *args: Any, **params: Any) -> None:
    """A create that is safe to retry.

    When an attempt's answer is lost (dropped connection, timeout) the client retries, and the
    retry finds the object the first attempt made. A conflict is therefore accepted when the
    existing object already `matches` what this create writes; any other conflict is an error.
    """
    try:
        api.call(function, *args, **params)
    except PermanentApiError as error:
        if not (is_conflict(error) and matches()):
            raise


def call_delete(api: AdminApi, function: str, *args: Any) -> None:
    """A delete that is safe to retry: an object that is already gone is what was asked for."""
    with contextlib.suppress(NotFoundError):
        api.call(function, *args)

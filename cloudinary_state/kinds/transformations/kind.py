"""Named transformations (reference §5).

Identity is the name without the `t_` prefix the server adds in responses. The list endpoint
lacks `info` (the parsed definition), so `read_all` lists the named ones and then GETs each in
parallel; `read_many` does the same for the names asked for (a single name is one GET), so a
name the list does not show costs no GET (the list proves it does not exist). The definition
is compared structurally, never as raw strings: the desired string and the live `info` both go
through the grammar's `comparable` form (a canonical string rebuilt from the parsed
structure, which plans show); a live definition the grammar cannot read is kept as answered
(`live_definition`), so it shows as a diff instead of failing the read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from cloudinary_state.config.checks import CheckedObject, Report, Universe
from cloudinary_state.desired import DesiredObject, KindName, SourceRef
from cloudinary_state.errors import ApiError
from cloudinary_state.kinds._common import (
    as_read,
    call_create,
    call_delete,
    get_or_none,
    list_pages,
    listed_by_name,
    live_definition,
    live_object,
    paginate,
    parallel_map,
    read_each_listed,
    read_each_listed_calls,
    readable_name,
    to_bool,
)
from cloudinary_state.kinds.base import Action, AdminApi, AssetImpact, Kind, LiveObject, ModelRef
from cloudinary_state.kinds.transformations.checks import check_cycles, check_name, check_transformation
from cloudinary_state.transformation import comparable, named_references

# What the detail GET returns that the plan or notes need; `derived` is left out.
_RAW_KEYS = ("name", "named", "used", "allowed_for_strict", "info")

IN_USE_NOTE = (
    "transformation is in use: unsafe_update changes the definition for newly generated derivatives "
    "only; existing derived assets keep the old result until they are invalidated or regenerated"
)
DELETE_IN_USE_NOTE = (
    "transformation is in use: deleting it also deletes its derived assets (the API refuses when "
    "there are more than 1000)"
)


IMPACT_WHAT = "derived assets generated with this transformation"


def bare_name(name: str) -> str:
    return name[2:] if name.startswith("t_") else name


def _named(item: Mapping[str, Any]) -> str | None:
    """A list item's bare name; None for an unnamed transformation (not one of our objects)."""
    return bare_name(str(item["name"])) if to_bool(item.get("named", True)) else None


def _definition(body: Mapping[str, Any]) -> str:
    value = body["transformation"]
    if not isinstance(value, str):
        raise ValueError(f"a transformation definition must be a string, not {type(value).__name__}")
    return value


class TransformationKind(Kind):
    kind = "transformation"
    section = "transformations"
    rank = 20
    model = ModelRef("cloudinary_state.kinds.transformations.model", "TransformationModel")
    description = "named transformations, by name without the t_ prefix"
    guide = """
Presets refer to a named transformation as `t_NAME`. Names use `A-Z a-z 0-9 _ -`; a name
written with `t_` is an error (declare `t_x` as `x`). A transformation may use another as
`t_NAME`; circular references are errors, and so is a transformation named exactly like its
own definition (Cloudinary registers that as an unnamed transformation). Plan notes: changing
or deleting a transformation that is in use says what happens to its derived assets (a change
applies to newly generated derivatives only; a delete also deletes the derived assets).
"""

    def name_from_key(self, written: str) -> str:
        # a t_-prefixed key is reported by check_name; references to it then resolve as intended
        return written[2:] if written.startswith("t_") else written

    def check_name(self, report: Report, name: str, at: SourceRef) -> None:
        check_name(report, name, at)

    def check_all(self, report: Report, universe: Universe, objects: list[CheckedObject]) -> None:
        graph = {obj.name: check_transformation(report, universe, obj) for obj in objects}
        check_cycles(report, universe, graph)

    def references(self, obj: DesiredObject) -> list[tuple[KindName, str]]:
        return [("transformation", name) for name in named_references(_definition(obj.body))]

    def canonical_desired(self, obj: DesiredObject) -> dict[str, Any]:
        return {
            "transformation": comparable(_definition(obj.body)),
            # the server sets allowed_for_strict true on create
            "allowed_for_strict": to_bool(obj.body.get("allowed_for_strict", True)),
        }

    def canonical_live(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "transformation": live_definition(raw.get("info") or []),
            "allowed_for_strict": as_read(to_bool, raw.get("allowed_for_strict", True)),
        }

    def _live(self, detail: Mapping[str, Any]) -> LiveObject:
        raw = {key: detail[key] for key in _RAW_KEYS if key in detail}
        return live_object(self.kind, lambda r: bare_name(str(r["name"])), self.canonical_live, raw)

    def read_all(self, api: AdminApi, parallelism: int) -> dict[str, LiveObject]:
        listed = paginate(api, "transformations", "transformations", named=True)
        named = (readable_name(self.kind, _named, item) for item in listed)
        names = [name for name in named if name is not None]
        details = parallel_map(lambda name: get_or_none(api, "transformation", name), names, parallelism)
        # None: deleted between the list and its GET, so it no longer exists
        return {live.name: live for live in map(self._live, filter(None, details))}

    def read_one(self, api: AdminApi, name: str) -> LiveObject | None:
        detail = get_or_none(api, "transformation", name)
        if detail is None or readable_name(self.kind, _named, detail) is None:
            return None  # an unnamed transformation with this string is not our object
        return self._live(detail)

    def read_many(
        self, api: AdminApi, names: Collection[str], parallelism: int
    ) -> dict[str, LiveObject | None]:
        def listed(unique: list[str]) -> list[str]:
            found = listed_by_name(
                self.kind, api, "transformations", "transformations", unique, _named, named=True
            )
            return list(found)

        return read_each_listed(names, listed, lambda name: self.read_one(api, name), parallelism)

    def read_many_calls(self, names: int, present: int, listed: int) -> int:
        return read_each_listed_calls(names, present, list_calls=list_pages(listed))

    def needs_replace(self, desired: Mapping[str, Any], live: LiveObject) -> bool:
        return False  # the definition is updatable in place (unsafe_update)

    def sensitive_canonical_paths(self, body_paths: Collection[str]) -> frozenset[str]:
        return frozenset(path.split(".", 1)[0] for path in body_paths)  # same top-level keys

    def notes(self, action: Action, desired: Mapping[str, Any] | None, live: LiveObject | None) -> list[str]:
        if live is None or not to_bool(live.raw.get("used", False)):
            return []
        if action == "update" and desired is not None:
            wanted = comparable(_definition(desired))
            if wanted != live.canonical["transformation"]:
                return [IN_USE_NOTE]
        if action in ("delete", "replace"):
            return [DELETE_IN_USE_NOTE]
        return []

    def impact(
        self, api: AdminApi, action: Action, desired: Mapping[str, Any] | None, live: LiveObject
    ) -> AssetImpact | None:
        """Whether the transformation is in use, and by how many derived assets, before a delete
        (which deletes them) or an unsafe update (which leaves them with the old result). The
        API says it with `used` ("false until derived assets exist" [T]) and the detail GET's
        `derived` list, paginated by `next_cursor` [S]: counted only when `used` is true, one
        call per 500."""
        unsafe = (
            action == "update"
            and desired is not None
            and (comparable(_definition(desired)) != live.canonical["transformation"])
        )
        if action not in ("delete", "replace") and not unsafe:
            return None
        if not to_bool(live.raw.get("used", False)):
            return AssetImpact(IMPACT_WHAT, 0)
        try:
            derived = paginate(api, "transformation", "derived", transformation=live.name)
        except ApiError as e:
            return AssetImpact(IMPACT_WHAT, None, f"in use, but its derived assets could not be listed: {e}")
        return AssetImpact(IMPACT_WHAT, len(derived))

    def export(self, live: LiveObject) -> dict[str, Any]:
        body: dict[str, Any] = {"transformation": live.canonical["transformation"]}
        if not live.canonical["allowed_for_strict"]:
            body["allowed_for_strict"] = False
        return body

    def create(self, api: AdminApi, name: str, desired: Mapping[str, Any]) -> None:
        definition = _definition(desired)

        def made_already() -> bool:
            live = self.read_one(api, name)
            return live is not None and live.canonical["transformation"] == comparable(definition)

        call_create(api, made_already, "create_transformation", name, definition)
        # create cannot carry allowed_for_strict; the server starts it at true
        if not to_bool(desired.get("allowed_for_strict", True)):
            api.call("update_transformation", name, allowed_for_strict=False)

    def create_calls(self, desired: Mapping[str, Any]) -> int:
        return 1 if to_bool(desired.get("allowed_for_strict", True)) else 2

    def update(self, api: AdminApi, name: str, desired: Mapping[str, Any], live: LiveObject) -> None:
        params = self._update_params(desired, live)
        if params:
            api.call("update_transformation", name, **params)

    def update_calls(self, desired: Mapping[str, Any], live: LiveObject) -> int:
        return 1 if self._update_params(desired, live) else 0

    def _update_params(self, desired: Mapping[str, Any], live: LiveObject) -> dict[str, Any]:
        """What an update sends: nothing when the definition and the flag are as live."""
        allowed_for_strict = to_bool(desired.get("allowed_for_strict", True))
        params: dict[str, Any] = {}
        if comparable(_definition(desired)) != live.canonical["transformation"]:
            # the only in-place way to change a definition; always the user's raw string
            params["unsafe_update"] = _definition(desired)
        if params or allowed_for_strict != live.canonical["allowed_for_strict"]:
            params["allowed_for_strict"] = allowed_for_strict
        return params

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
        call_delete(api, "delete_transformation", name)

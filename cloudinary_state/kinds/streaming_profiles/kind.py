"""Adaptive streaming profiles (reference §11). Identity is the profile's name.

Reads: the list (`list_streaming_profiles`) names every profile, built-ins included, but
carries no representations, so each listed profile is then read with its detail GET
(`get_streaming_profile`), in parallel: 1 + P calls for P profiles. `read_many` of one name is
its GET alone; of several, the list (which proves which do not exist) and one GET per listed
name.

Representations compare structurally, never as raw strings: the desired string and the live
answer's parsed steps (`{"transformation": [step, ...]}`, numbers as ints) both go through the
grammar's `comparable` form; a live one the grammar cannot read is kept as answered
(`live_definition`). A display name that the config leaves out is left as it is live.

Writes send each representation's transformation as the string the config holds: pycloudinary
sends a string verbatim (`{"transformation": "<the string>"}` inside the JSON-encoded list),
while a dict would go through its transformation-options builder, which turns
`{"transformation": "c_limit,..."}` into the named reference `t_c_limit,...`.

Built-ins (`predefined: true`, `builtins.py`) are server-provided (`Kind.builtin_definition`):
declaring one updates it, a tombstone on it reverts it (the API's DELETE reverts a built-in),
and it is never unmanaged, pruned, or imported while it is at its definition.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from cloudinary_state.config.checks import CheckedObject, Report, Universe
from cloudinary_state.desired import DesiredObject, KindName, SourceRef
from cloudinary_state.errors import PermanentApiError
from cloudinary_state.kinds._common import (
    call_create,
    call_delete,
    get_or_none,
    listed_by_name,
    live_definition,
    parallel_map,
    read_each_listed,
    read_each_listed_calls,
    readable_name,
    to_bool,
)
from cloudinary_state.kinds.base import Action, AdminApi, Kind, LiveObject, ModelRef
from cloudinary_state.kinds.streaming_profiles.builtins import BUILTIN_REPRESENTATIONS
from cloudinary_state.kinds.streaming_profiles.checks import check_name, check_streaming_profile
from cloudinary_state.transformation import comparable, named_references

REVERT_NOTE = "reverts to the built-in: a built-in profile is never deleted, the API restores its definition"
BUILTIN_UPDATE_NOTE = "updates a built-in profile (a tombstone, absent: true, reverts it to the built-in)"


def _strings(body: Mapping[str, Any]) -> list[str]:
    """Each representation's transformation string, as the config holds it."""
    return [str(representation["transformation"]) for representation in body["representations"]]


def _live_representation(item: Any) -> str:
    """One answered representation (`{"transformation": [steps]}`) in comparable form."""
    return live_definition(item["transformation"] if isinstance(item, Mapping) else item)


class StreamingProfileKind(Kind):
    kind = "streaming_profile"
    section = "streaming_profiles"
    rank = 35  # after the transformations its representations name as t_NAME
    model = ModelRef("cloudinary_state.kinds.streaming_profiles.model", "StreamingProfileModel")
    description = "adaptive streaming profiles, by name"
    identity_field = "name"
    guide = """
Each representation's `transformation` is a transformation string (checked by the grammar,
compared structurally with what the API answers); it may use a named transformation as
`t_NAME`, which must be declared or under `policy.ignore`. Names use `A-Z a-z 0-9 _ -`.
`display_name` is optional: left out, the live one is kept. The built-in profiles (`4k`,
`full_hd`, `hd`, `sd`, `full_hd_wifi`, `full_hd_lean`, `hd_lean`) are in every account: declaring
one updates it, and a tombstone (`absent: true`, with `--allow-delete`) reverts it to its
built-in definition, planned only while it differs from it. Built-ins are never listed as
unmanaged, never deleted by `policy.prune`, and `import` writes them only when they differ from
their definition. A plan reads the list and then each profile (built-ins included).
"""

    # --- config -----------------------------------------------------------------------------

    def check_name(self, report: Report, name: str, at: SourceRef) -> None:
        check_name(report, name, at)

    def check(self, report: Report, universe: Universe, obj: CheckedObject) -> None:
        check_streaming_profile(report, universe, obj)

    def references(self, obj: DesiredObject) -> list[tuple[KindName, str]]:
        names = [ref for text in _strings(obj.body) for ref in named_references(text)]
        return [("transformation", name) for name in dict.fromkeys(names)]

    # --- canonical forms --------------------------------------------------------------------

    def canonical_desired(self, obj: DesiredObject) -> dict[str, Any]:
        canonical: dict[str, Any] = {"representations": [comparable(text) for text in _strings(obj.body)]}
        if obj.body.get("display_name") is not None:
            canonical["display_name"] = str(obj.body["display_name"])
        return canonical

    def canonical_live(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        canonical: dict[str, Any] = {
            "representations": [_live_representation(item) for item in raw["representations"]]
        }
        if raw.get("display_name") is not None:
            canonical["display_name"] = str(raw["display_name"])
        return canonical

    def comparable_live(self, desired: Mapping[str, Any], live: Mapping[str, Any]) -> Mapping[str, Any]:
        if "display_name" in desired:
            return live
        return {key: value for key, value in live.items() if key != "display_name"}

    def builtin_definition(self, live: LiveObject) -> Mapping[str, Any] | None:
        if not to_bool(live.raw.get("predefined", False)):
            return None
        representations = BUILTIN_REPRESENTATIONS.get(live.name)
        if representations is None:  # a built-in this tool does not know: taken as it is
            return dict(live.canonical)
        return {"representations": [comparable(text) for text in representations]}

    # --- reads ------------------------------------------------------------------------------

    def read_one(self, api: AdminApi, name: str) -> LiveObject | None:
        answer = get_or_none(api, "get_streaming_profile", name)
        if answer is None:
            return None
        data = answer.get("data")  # single-profile answers are wrapped
        return self.live(data if isinstance(data, Mapping) else {})

    def _listed(self, api: AdminApi) -> list[str]:
        items = api.call("list_streaming_profiles").get("data") or []
        return [readable_name(self.kind, self.name_of, item) for item in items]

    def read_all(self, api: AdminApi, parallelism: int) -> dict[str, LiveObject]:
        details = parallel_map(lambda name: self.read_one(api, name), self._listed(api), parallelism)
        # None: deleted between the list and its GET, so it no longer exists
        return {live.name: live for live in details if live is not None}

    def read_many(
        self, api: AdminApi, names: Collection[str], parallelism: int
    ) -> dict[str, LiveObject | None]:
        def listed(unique: list[str]) -> list[str]:
            # one call, unpaginated
            return list(
                listed_by_name(self.kind, api, "list_streaming_profiles", "data", unique, self.name_of)
            )

        return read_each_listed(names, listed, lambda name: self.read_one(api, name), parallelism)

    def read_many_calls(self, names: int, present: int, listed: int) -> int:
        return read_each_listed_calls(names, present, list_calls=1)  # the list is unpaginated

    # --- plan notes, import -----------------------------------------------------------------

    def notes(self, action: Action, desired: Mapping[str, Any] | None, live: LiveObject | None) -> list[str]:
        if live is None or self.builtin_definition(live) is None:
            return []
        return [REVERT_NOTE] if action == "delete" else [BUILTIN_UPDATE_NOTE]

    def export(self, live: LiveObject) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if "display_name" in live.canonical:
            body["display_name"] = live.canonical["display_name"]
        body["representations"] = [{"transformation": text} for text in live.canonical["representations"]]
        return body

    # --- writes -----------------------------------------------------------------------------

    def _params(self, desired: Mapping[str, Any]) -> dict[str, Any]:
        # strings, never dicts: the SDK sends a string verbatim (see the module docstring)
        params: dict[str, Any] = {"representations": _strings(desired)}
        if desired.get("display_name") is not None:
            params["display_name"] = str(desired["display_name"])
        return params

    def create(self, api: AdminApi, name: str, desired: Mapping[str, Any]) -> None:
        want = self.canonical_desired(DesiredObject(self.kind, name, desired))

        def made_already() -> bool:
            live = self.read_one(api, name)
            return live is not None and dict(self.comparable_live(want, live.canonical)) == want

        call_create(api, made_already, "create_streaming_profile", name, **self._params(desired))

    def update(self, api: AdminApi, name: str, desired: Mapping[str, Any], live: LiveObject) -> None:
        api.call("update_streaming_profile", name, **self._params(desired))

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
        try:
            call_delete(api, "delete_streaming_profile", name)
        except PermanentApiError as error:
            # "Cannot delete predefined profile": the built-in is unchanged already (a retry
            # after a lost answer, or a revert made meanwhile); the read-back checks it
            if not (error.status == 400 and self.builtin_definition(live) is not None):
                raise

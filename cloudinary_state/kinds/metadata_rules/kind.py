"""Metadata rules (conditional metadata, reference §9). Identity is the rule's name.

There is no get-by-id endpoint: every read is the one list call, and the server's
`external_id` (kept in the live object's raw answer) addresses updates and deletes. The
canonical form fills the server's defaults (`state: active`, `activate_values.mode: append`,
`apply_value.mode: default`) and drops what the server computes (`condition_signature`,
`position`, `external_id`), so a rule written with only what it needs equals what the list
answers. Updates send the whole rule (the SDK forwards name, field, condition, result, state).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from cloudinary_state.config.checks import CheckedObject, Report, Universe
from cloudinary_state.desired import DesiredObject, KindName
from cloudinary_state.errors import UnreadableLiveError
from cloudinary_state.kinds._common import call_create, call_delete
from cloudinary_state.kinds.base import (
    Action,
    AdminApi,
    Kind,
    LiveObject,
    ModelRef,
    TriedUpload,
    UploadEffect,
)
from cloudinary_state.kinds.metadata_rules.checks import LOGICAL, TESTS, check_metadata_rule
from cloudinary_state.kinds.metadata_rules.tried import rule_effect

DELETE_NOTE = (
    "deleting the rule ends its effect on field {field}: values and requirements it set stop applying"
)


def canonical_condition(condition: Mapping[str, Any]) -> dict[str, Any]:
    for logical in LOGICAL:
        if logical in condition:
            return {logical: [canonical_condition(part) for part in condition[logical]]}
    return {key: condition[key] for key in ("metadata_field_id", *TESTS) if key in condition}


def canonical_result(result: Mapping[str, Any]) -> dict[str, Any]:
    canonical = dict(result)
    activate = canonical.get("activate_values")
    if isinstance(activate, Mapping):
        canonical["activate_values"] = {"mode": "append", **activate}
    apply_value = canonical.get("apply_value")
    if isinstance(apply_value, Mapping):
        canonical["apply_value"] = {"mode": "default", **apply_value}
    return canonical


def _condition_fields(condition: Mapping[str, Any]) -> list[str]:
    for logical in LOGICAL:
        if logical in condition:
            return [field for part in condition[logical] for field in _condition_fields(part)]
    return [str(condition["metadata_field_id"])]


class MetadataRuleKind(Kind):
    kind = "metadata_rule"
    section = "metadata_rules"
    rank = 30  # after the fields it reads and targets (deletes run before theirs)
    model = ModelRef("cloudinary_state.kinds.metadata_rules.model", "MetadataRuleModel")
    description = "metadata rules (conditional metadata), by rule name"
    identity_field = "name"

    def check(self, report: Report, universe: Universe, obj: CheckedObject) -> None:
        check_metadata_rule(report, universe, obj)

    def references(self, obj: DesiredObject) -> list[tuple[KindName, str]]:
        fields = [str(obj.body["metadata_field_id"]), *_condition_fields(obj.body["condition"])]
        return [("metadata_field", field) for field in dict.fromkeys(fields)]

    def live_references(self, live: LiveObject) -> list[tuple[KindName, str]]:
        canonical = live.canonical
        fields = [str(canonical["metadata_field_id"]), *_condition_fields(canonical["condition"])]
        return [("metadata_field", field) for field in dict.fromkeys(fields)]

    def canonical_desired(self, obj: DesiredObject) -> dict[str, Any]:
        return self._canonical(obj.body)

    def canonical_live(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return self._canonical(raw)

    def _canonical(self, rule: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "metadata_field_id": str(rule["metadata_field_id"]),
            "condition": canonical_condition(rule["condition"]),
            "result": canonical_result(rule["result"]),
            "state": str(rule.get("state") or "active"),
        }

    def read_all(self, api: AdminApi, parallelism: int) -> dict[str, LiveObject]:
        rules: dict[str, LiveObject] = {}
        for live in map(self.live, api.call("list_metadata_rules").get("metadata_rules") or []):
            if live.name in rules:
                raise UnreadableLiveError(
                    f"metadata_rule {live.name}: two live rules have this name, and rules are matched "
                    "by name; rename one in the Cloudinary console"
                )
            rules[live.name] = live
        return rules

    def read_one(self, api: AdminApi, name: str) -> LiveObject | None:
        return self.read_all(api, 1).get(name)  # no get-by-id endpoint: the list is the read

    def read_many(
        self, api: AdminApi, names: Collection[str], parallelism: int
    ) -> dict[str, LiveObject | None]:
        if not names:
            return {}
        everything = self.read_all(api, parallelism)
        return {name: everything.get(name) for name in names}

    def read_many_calls(self, names: int, present: int, listed: int) -> int:
        return 1 if names else 0  # the one list call

    def upload_effects(self, obj: DesiredObject, upload: TriedUpload) -> list[UploadEffect]:
        return [rule_effect(self.kind, obj, upload)]

    def notes(self, action: Action, desired: Mapping[str, Any] | None, live: LiveObject | None) -> list[str]:
        if action == "delete" and live is not None:
            return [DELETE_NOTE.format(field=live.canonical["metadata_field_id"])]
        return []

    def export(self, live: LiveObject) -> dict[str, Any]:
        body = {key: live.canonical[key] for key in ("metadata_field_id", "condition")}
        result = dict(live.canonical["result"])
        for key, default in (("activate_values", "append"), ("apply_value", "default")):
            if isinstance(result.get(key), Mapping) and result[key].get("mode") == default:
                result[key] = {k: v for k, v in result[key].items() if k != "mode"}
        body["result"] = result
        if live.canonical["state"] != "active":
            body["state"] = live.canonical["state"]
        return body

    def _rule(self, name: str, desired: Mapping[str, Any]) -> dict[str, Any]:
        return {"name": name, **self._canonical(desired)}

    def create(self, api: AdminApi, name: str, desired: Mapping[str, Any]) -> None:
        want = self._canonical(desired)

        def made_already() -> bool:
            live = self.read_one(api, name)
            return live is not None and dict(live.canonical) == want

        # the server takes a second rule of the same name: a retry after a lost answer must
        # first look whether the first attempt made it
        call_create(
            api, made_already, "add_metadata_rule", self._rule(name, desired), already_done=made_already
        )

    def update(self, api: AdminApi, name: str, desired: Mapping[str, Any], live: LiveObject) -> None:
        api.call("update_metadata_rule", str(live.raw["external_id"]), self._rule(name, desired))

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
        call_delete(api, "delete_metadata_rule", str(live.raw["external_id"]))

"""Emulated metadata rules (conditional metadata, reference §9).

Storage: `cloud.metadata_rules[external_id]` holds the rule as the API returns it. The
external_id is always server-assigned (a client-sent one is ignored); `position` follows
creation order and orders the list (the state file sorts keys, so dict order is lost);
`condition_signature` is a digest of the canonical condition, so two rules with the same
condition share it. There is no get-by-id endpoint: clients filter the list.

Conditions and results are validated structurally (the shapes of §9) and every
`metadata_field_id` they name must be an existing field: a rule on a missing field is a
validation error (400), an unknown rule id is 404.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any

from cloudinary_state.emulator.routing import ApiError, Request, route
from cloudinary_state.emulator.shapes import INTEGER, STRING, Record, check_identity
from cloudinary_state.emulator.state import CloudState, stored

REQUIRED = ("metadata_field_id", "name", "condition", "result")
RESULT_KEYS = ("disable", "enable", "hide", "set_mandatory", "activate_values", "apply_value")
STATES = ("active", "inactive")
ID = r"(?P<external_id>[^/]+)"

# What the handlers read of a stored rule (shapes.py says what is checked and why): its
# condition, result and the rest are validated when written and answered as stored.
STORED = Record({"external_id": STRING, "position": INTEGER})


@stored("metadata_rules")
def check_stored(key: str, rule: Any) -> None:
    STORED.check(rule, "")
    check_identity(rule, "external_id", key)


def _known_field(cloud: CloudState, field_id: Any, where: str) -> str:
    if not isinstance(field_id, str) or field_id not in cloud.metadata_fields:
        raise ApiError(400, f"{where}: metadata field {field_id} does not exist")
    return field_id


def _check_condition(cloud: CloudState, condition: Any) -> None:
    if not isinstance(condition, dict):
        raise ApiError(400, "condition must be an object")
    logical = [k for k in ("and", "or") if k in condition]
    if logical:
        if len(condition) != 1:
            raise ApiError(400, "a logical condition has exactly one key, and or or")
        parts = condition[logical[0]]
        if not isinstance(parts, list) or not parts:
            raise ApiError(400, f"condition {logical[0]} must be a non-empty array")
        for part in parts:
            _check_condition(cloud, part)
        return
    _known_field(cloud, condition.get("metadata_field_id"), "condition")
    tests = [k for k in ("populated", "includes", "equals") if k in condition]
    if len(tests) != 1 or len(condition) != 2:
        raise ApiError(
            400, "an atomic condition has metadata_field_id and one of populated, includes, equals"
        )
    operand = condition[tests[0]]
    valid = {
        "populated": isinstance(operand, bool),
        "includes": isinstance(operand, list) and all(isinstance(i, str) for i in operand),
        "equals": operand is None
        or isinstance(operand, str)
        or (isinstance(operand, list) and all(isinstance(i, str) for i in operand)),
    }[tests[0]]
    if not valid:
        raise ApiError(400, f"condition {tests[0]} has an invalid value")


def _check_result(result: Any) -> None:
    if not isinstance(result, dict) or not result:
        raise ApiError(400, "result must be an object with at least one property")
    unknown = set(result) - set(RESULT_KEYS)
    if unknown:
        raise ApiError(400, f"result has unknown properties: {', '.join(sorted(unknown))}")
    for flag in ("disable", "enable", "hide", "set_mandatory"):
        if flag in result and not isinstance(result[flag], bool):
            raise ApiError(400, f"result {flag} must be a boolean")
    activate = result.get("activate_values")
    if activate is not None and activate != "all":
        if not isinstance(activate, dict) or not isinstance(activate.get("external_ids"), list):
            raise ApiError(400, 'result activate_values must be "all" or {external_ids, mode}')
        if activate.get("mode", "append") not in ("override", "append"):
            raise ApiError(400, "result activate_values mode must be override or append")
    apply_value = result.get("apply_value")
    if apply_value is not None:
        if not isinstance(apply_value, dict) or "value" not in apply_value:
            raise ApiError(400, "result apply_value must be {value, mode}")
        if apply_value.get("mode", "default") not in ("default", "override", "append"):
            raise ApiError(400, "result apply_value mode must be default, override or append")


def condition_signature(condition: Any) -> str:
    canonical = json.dumps(condition, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _apply(cloud: CloudState, rule: dict[str, Any], params: dict[str, Any]) -> None:
    if "metadata_field_id" in params:
        rule["metadata_field_id"] = _known_field(cloud, params["metadata_field_id"], "metadata_field_id")
    if "name" in params:
        if not isinstance(params["name"], str) or not params["name"].strip():
            raise ApiError(400, "name must be a non-empty string")
        rule["name"] = params["name"]
    if "condition" in params:
        _check_condition(cloud, params["condition"])
        rule["condition"] = params["condition"]
        rule["condition_signature"] = condition_signature(params["condition"])
    if "result" in params:
        _check_result(params["result"])
        rule["result"] = params["result"]
    if "state" in params:
        if params["state"] not in STATES:
            raise ApiError(400, "state must be active or inactive")
        rule["state"] = params["state"]


def _find(cloud: CloudState, external_id: str) -> dict[str, Any]:
    rule = cloud.metadata_rules.get(external_id)
    if rule is None:
        raise ApiError(404, f"metadata rule {external_id} not found")
    return rule


@route("GET", r"metadata_rules", entitlement="metadata_rules")
def list_rules(cloud: CloudState, req: Request) -> tuple[int, Any]:
    ordered = sorted(cloud.metadata_rules.values(), key=lambda r: int(r["position"]))
    return 200, {"metadata_rules": [dict(r) for r in ordered]}


@route("POST", r"metadata_rules", entitlement="metadata_rules")
def create_rule(cloud: CloudState, req: Request) -> tuple[int, Any]:
    for required in REQUIRED:
        if required not in req.params:
            raise ApiError(400, f"Missing required parameter - {required}")
    position = cloud.counters.get("metadata_rule_position", 0) + 1
    rule: dict[str, Any] = {"external_id": uuid.uuid4().hex, "state": "active", "position": position}
    _apply(cloud, rule, req.params)
    cloud.counters["metadata_rule_position"] = position
    cloud.metadata_rules[rule["external_id"]] = rule
    return 200, dict(rule)


@route("PUT", rf"metadata_rules/{ID}", entitlement="metadata_rules")
def update_rule(cloud: CloudState, req: Request, external_id: str) -> tuple[int, Any]:
    candidate = dict(_find(cloud, external_id))
    # the server owns the identity: an external_id in the body is ignored
    _apply(cloud, candidate, {k: v for k, v in req.params.items() if k != "external_id"})
    cloud.metadata_rules[external_id] = candidate
    return 200, dict(candidate)


@route("DELETE", rf"metadata_rules/{ID}", entitlement="metadata_rules")
def delete_rule(cloud: CloudState, req: Request, external_id: str) -> tuple[int, Any]:
    _find(cloud, external_id)
    del cloud.metadata_rules[external_id]
    return 200, {"success": True}

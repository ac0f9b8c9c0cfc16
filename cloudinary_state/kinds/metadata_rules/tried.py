"""A rule against a tried upload's asset (`try-preset`): does its condition hold on the
metadata the asset got, and what does it then do to its target field.

The rules act in the Media Library (Cloudinary's docs describe them as what the editor shows,
offers and fills in); whether the Upload API applies them is not documented, and the emulator
does not (docs/emulator.md, "Upload"). So this reports, it does not change the asset.
`includes` is read as "the field holds every listed option" and `equals` with a list as "holds
exactly these options" (the reference gives the shapes, not the semantics).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudinary_state.desired import DesiredObject, KindName
from cloudinary_state.kinds.tried import TriedUpload, UploadEffect

LOGICAL = ("and", "or")


def _values(value: Any) -> list[str]:
    if value in (None, "", []):
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def holds(condition: Mapping[str, Any], metadata: Mapping[str, Any]) -> bool:
    for logical in LOGICAL:
        if logical in condition:
            results = [holds(part, metadata) for part in condition[logical]]
            return all(results) if logical == "and" else any(results)
    values = _values(metadata.get(str(condition["metadata_field_id"])))
    if "populated" in condition:
        return bool(values) == bool(condition["populated"])
    if "includes" in condition:
        return set(_values(condition["includes"])) <= set(values)
    wanted = condition.get("equals")
    return sorted(_values(wanted)) == sorted(values)


def describe_condition(condition: Mapping[str, Any]) -> str:
    for logical in LOGICAL:
        if logical in condition:
            return "(" + f" {logical} ".join(describe_condition(p) for p in condition[logical]) + ")"
    field = condition["metadata_field_id"]
    if "populated" in condition:
        return f"{field} is {'set' if condition['populated'] else 'not set'}"
    if "includes" in condition:
        return f"{field} includes {', '.join(_values(condition['includes']))}"
    wanted = _values(condition.get("equals"))
    return f"{field} equals {', '.join(wanted)}" if wanted else f"{field} is not set"


def _fields(condition: Mapping[str, Any]) -> list[str]:
    for logical in LOGICAL:
        if logical in condition:
            return [f for part in condition[logical] for f in _fields(part)]
    return [str(condition["metadata_field_id"])]


def describe_result(field: str, result: Mapping[str, Any]) -> str:
    done = [
        f"{verb} {field}" for key, verb in (("disable", "disables"), ("hide", "hides")) if result.get(key)
    ]
    if result.get("enable"):
        done.append(f"enables {field}")
    if result.get("set_mandatory"):
        done.append(f"makes {field} mandatory")
    activate = result.get("activate_values")
    if activate == "all":
        done.append(f"offers every value of {field}")
    elif isinstance(activate, Mapping):
        ids = ", ".join(_values(activate.get("external_ids")))
        done.append(f"offers {ids} for {field} ({activate.get('mode', 'append')})")
    apply_value = result.get("apply_value")
    if isinstance(apply_value, Mapping):
        value = ", ".join(_values(apply_value.get("value")))
        done.append(f"sets {field} to {value} ({apply_value.get('mode', 'default')})")
    return "; ".join(done) or "does nothing"


def rule_effect(kind: KindName, obj: DesiredObject, upload: TriedUpload) -> UploadEffect:
    """Whether the rule `obj` applies to the uploaded asset, and what it does then."""
    body, metadata = obj.body, upload.asset.get("metadata") or {}
    condition = describe_condition(body["condition"])
    if body.get("state", "active") != "active":
        return UploadEffect(kind, obj.name, False, f"inactive (when {condition})")
    if not holds(body["condition"], metadata):
        seen = ", ".join(
            f"{f}: {', '.join(_values(metadata.get(f))) or 'unset'}" for f in _fields(body["condition"])
        )
        return UploadEffect(kind, obj.name, False, f"its condition does not hold: {condition} ({seen})")
    does = describe_result(str(body["metadata_field_id"]), body["result"])
    return UploadEffect(kind, obj.name, True, f"{condition}: in the Media Library it {does}")

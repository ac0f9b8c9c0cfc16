"""Offline checks of metadata rules: every field a rule names (its target, each field a
condition reads) is declared or ignored, value external_ids exist in that field's datasource,
a rule never targets a field its own condition reads, each atomic condition makes exactly one
test, and a result does something."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cloudinary_state.config.checks import CheckedObject, Report, Universe
from cloudinary_state.config.interpolate import did_you_mean
from cloudinary_state.config.yamlload import DocPath
from cloudinary_state.kinds.metadata_fields.checks import datasource_entries, value_problem

FIELD = "metadata_field"
TESTS = ("populated", "includes", "equals")  # what an atomic condition tests: exactly one
LOGICAL = ("and", "or")


def atomic_conditions(
    condition: dict[str, Any], path: DocPath = ("condition",)
) -> Iterator[tuple[DocPath, dict[str, Any]]]:
    """Every atomic condition of a (nested) condition, with its path in the rule's body."""
    for logical in LOGICAL:
        if logical in condition:
            for i, part in enumerate(condition[logical]):
                yield from atomic_conditions(part, (*path, logical, i))
            return
    yield path, condition


def _field(
    report: Report, universe: Universe, obj: CheckedObject, path: DocPath, field_id: str
) -> CheckedObject | None:
    """The declared field `field_id` names (None, reported, when it cannot be used)."""
    fields = universe.declared(FIELD)
    target = fields.get(field_id)
    if target is not None and target.body is not None:
        return target
    if target is None and universe.trusted(FIELD, field_id):
        return None  # managed outside this config: trusted to exist
    why = "deleted here (absent: true)" if target is not None else "not declared"
    hint = (
        did_you_mean(field_id, set(fields))
        or f"declare metadata_fields.{field_id}, or list it under policy.ignore.metadata_fields"
    )
    report.error(obj.marks.at(path), f"{obj.label(path)}: field '{field_id}' is {why}", hint)
    return None


def _options(field: CheckedObject) -> set[str] | None:
    if field.fields.get("datasource") is None:
        return None
    return {v["external_id"] for v in datasource_entries(field.fields) if "external_id" in v}


def _check_ids(
    report: Report, obj: CheckedObject, path: DocPath, field: CheckedObject, ids: list[str]
) -> None:
    options = _options(field)
    if options is None:
        return
    for i, value in enumerate(ids):
        if value not in options:
            report.error(
                obj.marks.at((*path, i) if len(ids) > 1 or path[-1] != "equals" else path),
                f"{obj.label(path)}: '{value}' is not an option external_id of field '{field.name}'",
                did_you_mean(value, options) or f"options: {', '.join(sorted(options))}",
            )


def _check_tests(report: Report, obj: CheckedObject, path: DocPath, atom: dict[str, Any]) -> None:
    """An atomic condition makes exactly one test (a JSON Schema cannot say it)."""
    if sum(1 for test in TESTS if test in atom) != 1:
        report.error(
            obj.marks.at(path), f"{obj.label(path)}: give exactly one of populated, includes, equals"
        )


def _check_condition(report: Report, universe: Universe, obj: CheckedObject, target_id: str) -> None:
    for path, atom in atomic_conditions(obj.fields["condition"]):
        _check_tests(report, obj, path, atom)
        at_field = (*path, "metadata_field_id")
        field_id = atom["metadata_field_id"]
        if field_id == target_id:
            report.error(
                obj.marks.at(at_field),
                f"{obj.label(at_field)}: the rule's condition reads its own target field '{target_id}'",
                "a rule sets what a field offers from other fields: condition on another field",
            )
            continue
        field = _field(report, universe, obj, at_field, field_id)
        if field is None or field.fields["type"] not in ("enum", "set"):
            continue
        if "includes" in atom:
            _check_ids(report, obj, (*path, "includes"), field, atom["includes"])
        elif "equals" in atom:
            equals = atom["equals"]
            _check_ids(report, obj, (*path, "equals"), field, [equals] if isinstance(equals, str) else equals)


def _check_result(report: Report, obj: CheckedObject, target: CheckedObject | None) -> None:
    result = obj.fields["result"]
    if not result:  # checked here, beside the rule's other checks, with the message it always had
        report.error(
            obj.marks.at(("result",)),
            f"{obj.label(('result',))}: a result needs at least one of disable, hide, set_mandatory, "
            "activate_values, apply_value",
        )
    if target is None:
        return
    activate = result.get("activate_values")
    if activate is not None and activate != "all":
        if _options(target) is None:
            report.error(
                obj.marks.at(("result", "activate_values")),
                f"{obj.label(('result', 'activate_values'))}: field '{target.name}' has no datasource",
                "activate_values applies to enum and set fields",
            )
        else:
            _check_ids(
                report, obj, ("result", "activate_values", "external_ids"), target, activate["external_ids"]
            )
    if "apply_value" in result:
        problem = value_problem(target, result["apply_value"]["value"], sensitive=False)
        if problem:
            path: DocPath = ("result", "apply_value", "value")
            report.error(obj.marks.at(path), f"{obj.label(path)}: {problem}")


def check_metadata_rule(report: Report, universe: Universe, obj: CheckedObject) -> None:
    target_id = obj.fields["metadata_field_id"]
    target = _field(report, universe, obj, ("metadata_field_id",), target_id)
    _check_condition(report, universe, obj, target_id)
    _check_result(report, obj, target)

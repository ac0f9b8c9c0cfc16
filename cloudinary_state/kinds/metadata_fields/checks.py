"""Offline checks of metadata fields: datasources, validation rules, default values; and
`value_problem`, which every kind that fills a field (upload presets' `metadata`) uses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any, Literal, NotRequired, TypedDict

from cloudinary_state.config.checks import CheckedObject, Report, Universe
from cloudinary_state.scrubbing import is_sensitive

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _valid_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


class _Rule(TypedDict):
    """A validation rule as the model validated it; `and` holds `rules`, the others test."""

    type: Literal["strlen", "greater_than", "less_than", "and"]
    min: NotRequired[int]  # strlen
    max: NotRequired[int]  # strlen
    value: NotRequired[int | str]  # greater_than, less_than
    equals: NotRequired[bool]  # greater_than, less_than
    rules: NotRequired[list[_Rule]]  # and


def _rules(rule: _Rule) -> Iterator[_Rule]:
    """The testing rules of a (nested) rule: `and` rules opened."""
    if rule["type"] == "and":
        for inner in rule.get("rules", []):
            yield from _rules(inner)
    else:
        yield rule


def _rule_problem(field_type: str, rule: _Rule) -> str:
    kind = rule["type"]
    if kind == "strlen":
        low, high = rule.get("min"), rule.get("max")
        if field_type != "string":
            return f"a strlen rule applies to string fields, not {field_type}"
        if low is not None and high is not None and low > high:
            return f"strlen min {low} is greater than max {high}"
        if low is None and high is None:
            return "a strlen rule needs min, max or both"
        return ""
    value = rule.get("value")
    if field_type == "integer":
        return "" if isinstance(value, int) else f"{kind} on an integer field needs an integer value"
    if field_type == "date":
        ok = isinstance(value, str) and _valid_date(value)
        return "" if ok else f"{kind} on a date field needs a YYYY-MM-DD value"
    return f"a {kind} rule applies to integer and date fields, not {field_type}"


def _passes(rule: _Rule, value: str | int) -> bool:
    if rule["type"] == "strlen":
        length, low, high = len(str(value)), rule.get("min"), rule.get("max")
        return (low is None or length >= low) and (high is None or length <= high)
    bound = rule.get("value")
    if type(value) is not type(bound):
        return True  # a type mismatch is reported by _rule_problem / the default check
    # ISO dates compare correctly as strings.
    if rule["type"] == "greater_than":
        return bool(value > bound or (rule.get("equals") and value == bound))  # type: ignore[operator]
    return bool(value < bound or (rule.get("equals") and value == bound))  # type: ignore[operator]


def value_problem(field: CheckedObject, value: Any, *, sensitive: bool) -> str:
    """Why `value` cannot be stored in the metadata `field` ("" when it can).

    A `sensitive` value (from ${env.*}) is never quoted, nor are the field's options when they
    come from ${env.*}: scrubbing free text cannot catch a short secret.
    """
    body = field.fields
    entries = datasource_entries(body)
    ids = [v["external_id"] for v in entries if "external_id" in v]
    # an option declared without an external_id gets one from the server, which the config
    # cannot know: option ids are then not checked (never stricter than the API)
    unknowable = any("external_id" not in v for v in entries)
    if is_sensitive("datasource.values", field.sensitive_paths):
        datasource = "the datasource (its options are sensitive)"
    else:
        datasource = f"the datasource ({', '.join(ids)})"
    kind = body["type"]
    if kind == "string" and not isinstance(value, str):
        return "a string field needs a string"
    if kind == "integer" and not (isinstance(value, int) and not isinstance(value, bool)):
        return "an integer field needs an integer"
    if kind == "date" and not (isinstance(value, str) and _valid_date(value)):
        return "a date field needs a YYYY-MM-DD date"
    if kind == "enum":
        if not isinstance(value, str):
            return "an enum field needs one option external_id"
        if value not in ids and not unknowable:
            shown = "the value (sensitive)" if sensitive else f"'{value}'"
            return f"{shown} is not an option external_id of {datasource}"
    if kind == "set":
        if not isinstance(value, list):
            return "a set field needs a list of option external_ids"
        unknown = [v for v in value if v not in ids and not unknowable]
        if unknown:
            if sensitive:
                return f"the value (sensitive) holds ids that are not option external_ids of {datasource}"
            listed = ", ".join(map(repr, unknown))
            return f"{listed} not option external_ids of {datasource}"
    validation = body.get("validation")
    if validation is not None and isinstance(value, str | int):
        failed = [r for r in _rules(validation) if not _passes(r, value)]
        if failed:
            return f"fails the field's {failed[0]['type']} validation"
    return ""


def datasource_entries(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The options of a field's datasource as validated (none without a datasource)."""
    datasource = body.get("datasource")
    return [] if datasource is None else list(datasource["values"])


def _check_datasource(report: Report, obj: CheckedObject) -> None:
    """An enum or set field has a datasource, whose options have distinct external_ids."""
    if obj.fields.get("datasource") is None:
        report.error(
            obj.marks.at((), key=True),
            f"{obj.label()}: an {obj.fields['type']} field needs a datasource",
            "add datasource: {values: [{external_id: ..., value: ...}, ...]}",
        )
        return
    seen: dict[str, int] = {}
    for i, entry in enumerate(datasource_entries(obj.fields)):
        external_id = entry.get("external_id")
        if external_id is None:
            continue  # the API assigns one; the plan matches the entry by its value
        if external_id in seen:
            report.error(
                obj.marks.at(("datasource", "values", i, "external_id")),
                f"{obj.label(('datasource',))}: external_id '{external_id}' is used twice "
                f"(entries {seen[external_id]} and {i})",
                "give every option its own external_id",
            )
        seen.setdefault(external_id, i)


def check_metadata_field(report: Report, universe: Universe, obj: CheckedObject) -> None:
    body = obj.fields
    at = obj.marks.at
    field_type = body["type"]
    if field_type in ("enum", "set"):
        _check_datasource(report, obj)
    else:
        for key in ("datasource", "allow_dynamic_list_values"):
            if body.get(key) is not None:
                report.error(
                    at((key,), key=True),
                    f"{obj.label()}: {key} applies to enum and set fields, not {field_type}",
                    f"remove {key}, or change the type",
                )
    if body.get("validation") is not None:
        for rule in _rules(body["validation"]):
            problem = _rule_problem(field_type, rule)
            if problem:
                report.error(at(("validation",)), f"{obj.label(('validation',))}: {problem}")
    if body.get("default_value") is not None:
        problem = value_problem(
            obj, body["default_value"], sensitive=is_sensitive("default_value", obj.sensitive_paths)
        )
        if problem:
            report.error(
                at(("default_value",)),
                f"{obj.label(('default_value',))}: {problem}",
                "fix the default, or remove it",
            )

"""Offline checks of metadata fields: datasources, validation rules, default values; and
`value_problem`, which every kind that fills a field (upload presets' `metadata`) uses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from cloudinary_state.config.checks import CheckedObject, Report, Universe
from cloudinary_state.kinds.metadata_fields.model import (
    AndRule,
    ComparisonRule,
    MetadataFieldModel,
    StrlenRule,
    ValidationRule,
)
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


def _rules(rule: ValidationRule) -> Iterator[StrlenRule | ComparisonRule]:
    if isinstance(rule, AndRule):
        for inner in rule.rules:
            yield from _rules(inner)
    else:
        yield rule


def _rule_problem(field_type: str, rule: StrlenRule | ComparisonRule) -> str:
    if isinstance(rule, StrlenRule):
        if field_type != "string":
            return f"a strlen rule applies to string fields, not {field_type}"
        if rule.min is not None and rule.max is not None and rule.min > rule.max:
            return f"strlen min {rule.min} is greater than max {rule.max}"
        if rule.min is None and rule.max is None:
            return "a strlen rule needs min, max or both"
        return ""
    if field_type == "integer":
        return (
            "" if isinstance(rule.value, int) else f"{rule.type} on an integer field needs an integer value"
        )
    if field_type == "date":
        ok = isinstance(rule.value, str) and _valid_date(rule.value)
        return "" if ok else f"{rule.type} on a date field needs a YYYY-MM-DD value"
    return f"a {rule.type} rule applies to integer and date fields, not {field_type}"


def _passes(rule: StrlenRule | ComparisonRule, value: str | int) -> bool:
    if isinstance(rule, StrlenRule):
        length = len(str(value))
        return (rule.min is None or length >= rule.min) and (rule.max is None or length <= rule.max)
    if type(value) is not type(rule.value):
        return True  # a type mismatch is reported by _rule_problem / the default check
    # ISO dates compare correctly as strings.
    if rule.type == "greater_than":
        return bool(value > rule.value or (rule.equals and value == rule.value))  # type: ignore[operator]
    return bool(value < rule.value or (rule.equals and value == rule.value))  # type: ignore[operator]


def value_problem(field: CheckedObject, value: Any, *, sensitive: bool) -> str:
    """Why `value` cannot be stored in the metadata `field` ("" when it can).

    A `sensitive` value (from ${env.*}) is never quoted, nor are the field's options when they
    come from ${env.*}: scrubbing free text cannot catch a short secret.
    """
    model: MetadataFieldModel = field.model
    entries = model.datasource.values if model.datasource else []
    ids = [v.external_id for v in entries if v.external_id is not None]
    # an option declared without an external_id gets one from the server, which the config
    # cannot know: option ids are then not checked (never stricter than the API)
    unknowable = any(v.external_id is None for v in entries)
    if is_sensitive("datasource.values", field.sensitive_paths):
        datasource = "the datasource (its options are sensitive)"
    else:
        datasource = f"the datasource ({', '.join(ids)})"
    kind = model.type
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
    if model.validation is not None and isinstance(value, str | int):
        failed = [r for r in _rules(model.validation) if not _passes(r, value)]
        if failed:
            return f"fails the field's {failed[0].type} validation"
    return ""


def check_metadata_field(report: Report, universe: Universe, obj: CheckedObject) -> None:
    model: MetadataFieldModel = obj.model
    at = obj.marks.at
    if model.type in ("enum", "set"):
        if model.datasource is None:
            report.error(
                at((), key=True),
                f"{obj.label()}: an {model.type} field needs a datasource",
                "add datasource: {values: [{external_id: ..., value: ...}, ...]}",
            )
        else:
            seen: dict[str, int] = {}
            for i, entry in enumerate(model.datasource.values):
                if entry.external_id is None:
                    continue  # the API assigns one; the plan matches the entry by its value
                if entry.external_id in seen:
                    report.error(
                        at(("datasource", "values", i, "external_id")),
                        f"{obj.label(('datasource',))}: external_id '{entry.external_id}' is used twice "
                        f"(entries {seen[entry.external_id]} and {i})",
                        "give every option its own external_id",
                    )
                seen.setdefault(entry.external_id, i)
    else:
        for key in ("datasource", "allow_dynamic_list_values"):
            if getattr(model, key) is not None:
                report.error(
                    at((key,), key=True),
                    f"{obj.label()}: {key} applies to enum and set fields, not {model.type}",
                    f"remove {key}, or change the type",
                )
    if model.validation is not None:
        for rule in _rules(model.validation):
            problem = _rule_problem(model.type, rule)
            if problem:
                report.error(at(("validation",)), f"{obj.label(('validation',))}: {problem}")
    if model.default_value is not None:
        problem = value_problem(
            obj, model.default_value, sensitive=is_sensitive("default_value", obj.sensitive_paths)
        )
        if problem:
            report.error(
                at(("default_value",)),
                f"{obj.label(('default_value',))}: {problem}",
                "fix the default, or remove it",
            )

"""Semantic checks: the rules that span fields, objects and documents.

The models have checked shape and types; here we check what only the whole environment
knows: transformation syntax and `t_NAME` references, metadata keys of presets, datasources
and default values, add-on option values, URLs. Every finding goes to a `Report` with the
place to fix it; nothing stops at the first problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cloudinary_state import transformation as grammar
from cloudinary_state.addons import ADDON_OPTIONS, UnknownOptionValue, addon_for, elements
from cloudinary_state.config.interpolate import did_you_mean, sensitive_path
from cloudinary_state.config.models import (
    AndRule,
    ComparisonRule,
    MetadataFieldModel,
    StrlenRule,
    TransformationModel,
    UploadMappingModel,
    UploadPresetModel,
    ValidationRule,
)
from cloudinary_state.config.yamlload import DocPath, Marks, dotted
from cloudinary_state.desired import UNSENDABLE_PRESET_SETTINGS, KindName, Policy, SourceRef
from cloudinary_state.errors import Diagnostic
from cloudinary_state.preset_settings import pipe_map_keys, transformation_strings
from cloudinary_state.scrubbing import is_sensitive

TRANSFORMATION_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


@dataclass
class Report:
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)

    def error(self, at: SourceRef, message: str, hint: str = "") -> None:
        self.errors.append(Diagnostic(at.file, at.line, at.column, message, hint))

    def warning(self, at: SourceRef, message: str, hint: str = "") -> None:
        self.warnings.append(Diagnostic(at.file, at.line, at.column, message, hint))


@dataclass
class CheckedObject:
    """A validated object with what the checks need to point back at the config."""

    kind: KindName
    name: str
    model: Any  # the kind's model instance; None for a tombstone
    marks: Marks  # rooted at the object's body
    sensitive_paths: frozenset[str] = frozenset()

    def label(self, path: DocPath = ()) -> str:
        where = f": {dotted(path)}" if path else ""
        return f"{self.kind} '{self.name}'{where}"


@dataclass
class Universe:
    """Everything declared in one environment, for cross-object checks."""

    objects: dict[tuple[KindName, str], CheckedObject]
    policy: Policy
    _by_kind: dict[KindName, dict[str, CheckedObject]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for (kind, name), obj in self.objects.items():
            self._by_kind.setdefault(kind, {})[name] = obj

    def declared(self, kind: KindName) -> dict[str, CheckedObject]:
        return self._by_kind.get(kind, {})


def check_name(report: Report, kind: KindName, name: str, at: SourceRef) -> None:
    if not name.strip():
        report.error(at, f"{kind} name is empty")
    elif len(name) > 255:
        report.error(at, f"{kind} name is longer than 255 characters")
    elif kind == "transformation":
        if name.startswith("t_"):
            report.error(
                at,
                f"transformation name '{name}' carries the t_ prefix",
                f"declare it as '{name[2:]}'; presets refer to it as t_{name[2:]}",
            )
        elif not TRANSFORMATION_NAME.match(name):
            report.error(
                at,
                f"transformation name '{name}' has characters a t_ reference cannot carry",
                "use A-Z a-z 0-9 _ -",
            )


# --- transformation strings -----------------------------------------------------------------


def _parse(report: Report, obj: CheckedObject, path: DocPath, text: str, offset: int = 0) -> list[str]:
    """Check one transformation string; return its t_ references (none when it is invalid)."""
    try:
        grammar.parse(text)
    except grammar.TransformationSyntaxError as e:
        report.error(
            obj.marks.offset(path, offset + e.position),
            f"{obj.label(path)}: invalid transformation: {e.message}",
            e.hint or "see https://cloudinary.com/documentation/transformation_reference",
        )
        return []
    return list(grammar.named_references(text))


def _check_references(
    report: Report,
    universe: Universe,
    obj: CheckedObject,
    path: DocPath,
    refs: list[str],
    text: str = "",
    offset: int = 0,
) -> None:
    """Each `t_NAME` of `text` (which starts at `offset` of the scalar at `path`) must resolve."""
    declared = universe.declared("transformation")
    for ref in refs:
        target = declared.get(ref)
        deleted = target is not None and target.model is None
        if not deleted and (target is not None or universe.policy.is_ignored("transformation", ref)):
            continue  # resolves; the position below (a regex compiled per name) is for errors only
        found = re.search(rf"(?<![A-Za-z0-9_])t_{re.escape(ref)}(?![A-Za-z0-9_-])", text)
        at = obj.marks.offset(path, offset + (found.start() if found else 0))
        if deleted:
            report.error(
                at,
                f"{obj.label(path)}: t_{ref} refers to a transformation this environment deletes "
                "(absent: true)",
                "remove the reference or the tombstone",
            )
        else:
            suggestion = did_you_mean(ref, set(declared))
            report.error(
                at,
                f"{obj.label(path)}: t_{ref} names a transformation that is not declared",
                suggestion
                or f"declare transformations.{ref}, or list it under policy.ignore.transformations "
                "if it is managed outside this config",
            )


def check_transformation(report: Report, universe: Universe, obj: CheckedObject) -> list[str]:
    """Check a named transformation; return the names it refers to."""
    model: TransformationModel = obj.model
    path: DocPath = ("transformation",)
    refs = _parse(report, obj, path, model.transformation)
    _check_references(report, universe, obj, path, refs, model.transformation)
    if model.transformation == obj.name:
        # The Admin API registers create_transformation(S, S) as an *unnamed* transformation
        # (reference §5), so this object could never exist under its name.
        report.error(
            obj.marks.at(path),
            f"transformation '{obj.name}' is named exactly like its own definition: Cloudinary "
            "registers that as an unnamed transformation, not as a named one",
            "choose a name that differs from the transformation string",
        )
    return refs


def check_cycles(report: Report, universe: Universe, graph: dict[str, list[str]]) -> None:
    """Named transformations that refer to each other in a circle can never be created."""
    state: dict[str, str] = {}  # name -> "open" while on the DFS stack, "done" after

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for ref in graph.get(name, []):
            if state.get(ref) == "open":
                cycle = [*trail[trail.index(ref) :], ref] if ref in trail else [name, ref]
                obj = universe.objects[("transformation", name)]
                report.error(
                    obj.marks.at(("transformation",)),
                    f"{obj.label()}: circular reference {' -> '.join('t_' + n for n in cycle)}",
                    "break the circle: a named transformation cannot contain itself",
                )
            elif ref not in state and ref in graph:
                visit(ref, [*trail, ref])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


# --- metadata fields ---------------------------------------------------------------------------


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
    ids = [v.external_id for v in model.datasource.values] if model.datasource else []
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
        if value not in ids:
            shown = "the value (sensitive)" if sensitive else f"'{value}'"
            return f"{shown} is not an option external_id of {datasource}"
    if kind == "set":
        if not isinstance(value, list):
            return "a set field needs a list of option external_ids"
        unknown = [v for v in value if v not in ids]
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


def check_metadata_field(report: Report, obj: CheckedObject) -> None:
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


# --- upload presets -------------------------------------------------------------------------------


def check_upload_preset(report: Report, universe: Universe, obj: CheckedObject) -> None:
    model: UploadPresetModel = obj.model
    s = model.settings
    at = obj.marks.at
    for key in sorted(UNSENDABLE_PRESET_SETTINGS & s.model_fields_set):
        report.error(
            at(("settings", key), key=True),
            f"upload_preset '{obj.name}': settings.{key} cannot be managed by this tool: the "
            "cloudinary SDK does not send it when it creates or updates a preset",
            "remove it from the config and set it in the Cloudinary console",
        )
    # the same strings, hence the same references, as the kind orders its writes by
    with_transformations = s.model_dump(include={"transformation", "eager", "responsive_breakpoints"})
    for inner, text, offset in transformation_strings(with_transformations):
        path: DocPath = ("settings", *inner)
        refs = _parse(report, obj, path, text, offset)
        _check_references(report, universe, obj, path, refs, text, offset)

    if s.metadata is not None:
        fields = universe.declared("metadata_field")
        for key in pipe_map_keys(s.metadata):  # the keys as sent, spaces included
            path = ("settings", "metadata", key) if isinstance(s.metadata, dict) else ("settings", "metadata")
            target = fields.get(key)
            if target is None or target.model is None:
                if universe.policy.is_ignored("metadata_field", key) and target is None:
                    continue
                why = "deleted here (absent: true)" if target is not None else "not declared"
                if key != key.strip() and key.strip() in fields:
                    hint = f"remove the spaces around '{key.strip()}': the key is sent as written"
                else:
                    hint = did_you_mean(key, set(fields)) or f"declare metadata_fields.{key}"
                report.error(
                    at(path, key=True), f"{obj.label(('settings', 'metadata'))}: field '{key}' is {why}", hint
                )
            elif isinstance(s.metadata, dict) and key in s.metadata:
                sensitive = is_sensitive(sensitive_path(path), obj.sensitive_paths)
                problem = value_problem(target, s.metadata[key], sensitive=sensitive)
                if problem:
                    report.error(at(path), f"{obj.label(path)}: {problem}")

    for option in ADDON_OPTIONS:
        value = getattr(s, option)
        if value is None:
            continue
        for element in elements(option, value):
            try:
                addon_for(option, element)
            except UnknownOptionValue as e:
                report.error(at(("settings", option)), f"{obj.label(('settings', option))}: {e}", e.hint)
    if s.auto_tagging is not None and s.categorization is None and s.detection is None:
        report.error(
            at(("settings", "auto_tagging"), key=True),
            f"{obj.label(('settings', 'auto_tagging'))}: needs categorization or detection",
            "add categorization (e.g. google_tagging) or detection, or remove auto_tagging",
        )
    if model.unsigned and s.overwrite:
        report.error(
            at(("settings", "overwrite"), key=True),
            f"{obj.label(('settings', 'overwrite'))}: an unsigned preset cannot force overwrite: true",
            "remove overwrite, or make the preset signed",
        )
    for key in ("notification_url", "eager_notification_url"):
        _check_url(report, obj, ("settings", key), getattr(s, key))
    for key in ("face_coordinates", "custom_coordinates"):
        _check_coordinates(report, obj, ("settings", key), getattr(s, key))


_NUMBER = r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*"
_BOX = re.compile(rf"{_NUMBER}(?:,{_NUMBER}){{3}}")


def _check_coordinates(report: Report, obj: CheckedObject, path: DocPath, value: object) -> None:
    """A string form is the API's `x,y,w,h|x,y,w,h`: four numbers per box (the list form is
    typed by the model already). Which number spellings the service takes is not documented,
    so this refuses only what is no number at all, which could never be compared or sent."""
    if not isinstance(value, str):
        return
    if not all(_BOX.fullmatch(box) for box in value.split("|")):
        shown = (
            "the value (sensitive)"
            if is_sensitive(sensitive_path(path), obj.sensitive_paths)
            else repr(value)
        )
        report.error(
            obj.marks.at(path),
            f"{obj.label(path)}: {shown} is not a list of x,y,width,height boxes",
            "write boxes as x,y,w,h separated by |, e.g. '10,20,150,130|213,345,82,61', "
            "or as a list of lists",
        )


def _check_url(report: Report, obj: CheckedObject, path: DocPath, value: str | None) -> None:
    sensitive = is_sensitive(sensitive_path(path), obj.sensitive_paths)
    if value is None or (sensitive and "${env." in value):
        return  # an unset ${env.*} (offline validation): reported as a warning already
    if not _URL.match(value):
        shown = "the value" if sensitive else f"'{value}'"
        report.error(obj.marks.at(path), f"{obj.label(path)}: {shown} is not an http(s) URL")


def check_upload_mapping(report: Report, obj: CheckedObject) -> None:
    model: UploadMappingModel = obj.model
    _check_url(report, obj, ("template",), model.template)


def check_all(report: Report, universe: Universe) -> None:
    graph: dict[str, list[str]] = {}
    for obj in universe.objects.values():
        if obj.model is None:
            continue
        if obj.kind == "transformation":
            graph[obj.name] = check_transformation(report, universe, obj)
        elif obj.kind == "metadata_field":
            check_metadata_field(report, obj)
        elif obj.kind == "upload_preset":
            check_upload_preset(report, universe, obj)
        else:
            check_upload_mapping(report, obj)
        if universe.policy.is_ignored(obj.kind, obj.name):
            report.error(
                obj.marks.at((), key=True),
                f"{obj.label()} is declared, but policy.ignore matches it "
                "(ignored objects are never managed)",
                "remove the declaration or narrow the ignore pattern",
            )
    check_cycles(report, universe, graph)

"""Offline checks of upload presets: transformation strings and their
`t_NAME` references, metadata keys and values against the declared fields, add-on option
values, URLs and coordinates."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from cloudinary_state.config.checks import CheckedObject, Report, Universe, check_url
from cloudinary_state.config.interpolate import did_you_mean, sensitive_path
from cloudinary_state.config.yamlload import DocPath
from cloudinary_state.kinds.metadata_fields.checks import value_problem
from cloudinary_state.kinds.transformations.checks import check_references, parse_checked
from cloudinary_state.kinds.upload_presets.addon_options import UnknownOptionValue, addon_for, elements
from cloudinary_state.kinds.upload_presets.catalogue import ADDON_OPTIONS
from cloudinary_state.kinds.upload_presets.settings import pipe_map_keys, transformation_strings
from cloudinary_state.scrubbing import is_sensitive


def check_upload_preset(report: Report, universe: Universe, obj: CheckedObject) -> None:
    s: dict[str, Any] = obj.fields.get("settings", {})
    # the same strings, hence the same references, as the kind orders its writes by
    for inner, text, offset in transformation_strings(s):
        path: DocPath = ("settings", *inner)
        refs = parse_checked(report, obj, path, text, offset)
        check_references(report, universe, obj, path, refs, text, offset)
    if "metadata" in s:
        _check_metadata(report, universe, obj, s["metadata"])
    _check_addon_options(report, obj, s)
    if obj.fields.get("unsigned") and s.get("overwrite"):
        report.error(
            obj.marks.at(("settings", "overwrite"), key=True),
            f"{obj.label(('settings', 'overwrite'))}: an unsigned preset cannot force overwrite: true",
            "remove overwrite, or make the preset signed",
        )
    for key in ("notification_url", "eager_notification_url"):
        check_url(report, obj, ("settings", key), s.get(key))
    for key in ("face_coordinates", "custom_coordinates"):
        _check_coordinates(report, obj, ("settings", key), s.get(key))
    for i, rule in enumerate(s.get("access_control", [])):
        problem = access_control_problem(rule)
        if problem:
            path = ("settings", "access_control", i)
            report.error(obj.marks.at(path), f"{obj.label(path)}: {problem}")


def _check_metadata(report: Report, universe: Universe, obj: CheckedObject, metadata: Any) -> None:
    """Each key names a declared field (or an ignored one), and each value fits its field."""
    fields = universe.declared("metadata_field")
    for key in pipe_map_keys(metadata):  # the keys as sent, spaces included
        path: DocPath = (
            ("settings", "metadata", key) if isinstance(metadata, dict) else ("settings", "metadata")
        )
        target = fields.get(key)
        if target is None or target.body is None:
            if universe.trusted("metadata_field", key) and target is None:
                continue
            why = "deleted here (absent: true)" if target is not None else "not declared"
            if key != key.strip() and key.strip() in fields:
                hint = f"remove the spaces around '{key.strip()}': the key is sent as written"
            else:
                hint = did_you_mean(key, set(fields)) or f"declare metadata_fields.{key}"
            report.error(
                obj.marks.at(path, key=True),
                f"{obj.label(('settings', 'metadata'))}: field '{key}' is {why}",
                hint,
            )
        elif isinstance(metadata, dict) and key in metadata:
            sensitive = is_sensitive(sensitive_path(path), obj.sensitive_paths)
            problem = value_problem(target, metadata[key], sensitive=sensitive)
            if problem:
                report.error(obj.marks.at(path), f"{obj.label(path)}: {problem}")


def _check_addon_options(report: Report, obj: CheckedObject, s: dict[str, Any]) -> None:
    """Add-on option values the add-on table knows, and auto_tagging beside a tagging option."""
    for option in ADDON_OPTIONS:
        value = s.get(option)
        if value is None:
            continue
        for element in elements(option, value):
            try:
                addon_for(option, element)
            except UnknownOptionValue as e:
                path: DocPath = ("settings", option)
                report.error(obj.marks.at(path), f"{obj.label(path)}: {e}", e.hint)
    if "auto_tagging" in s and "categorization" not in s and "detection" not in s:
        report.error(
            obj.marks.at(("settings", "auto_tagging"), key=True),
            f"{obj.label(('settings', 'auto_tagging'))}: needs categorization or detection",
            "add categorization (e.g. google_tagging) or detection, or remove auto_tagging",
        )


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


def _iso8601(value: str, field: str) -> tuple[datetime | None, str]:
    try:
        return datetime.fromisoformat(value), ""
    except ValueError:
        return None, f"{field} must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z"


def access_control_problem(rule: dict[str, Any]) -> str:
    """Why an `access_control` rule cannot hold ("" when it can): what its schema cannot say."""
    start_text, end_text = rule.get("start"), rule.get("end")
    if rule["access_type"] == "token" and (start_text or end_text):
        return "start/end apply to access_type anonymous; token access is limited by its key"
    if rule["access_type"] == "anonymous" and rule.get("key"):
        return "key applies to access_type token only"
    start, problem = _iso8601(start_text, "start") if start_text else (None, "")
    if problem:
        return problem
    end, problem = _iso8601(end_text, "end") if end_text else (None, "")
    if problem or start is None or end is None:
        return problem
    if (start.tzinfo is None) != (end.tzinfo is None):
        return "give start and end both with or both without a time zone"
    return "start must be before end" if start >= end else ""

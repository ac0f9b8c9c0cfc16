"""Pydantic validation errors -> `Diagnostic`s that point at the YAML and say what to do.

Pydantic reports a `loc` through the model (with union branch names such as `list[str]` or
`strlen` mixed in) and a generic message. We walk the `loc` through the *data* to find the
YAML node, merge the alternatives of a union into one message ("expected a list or a
string"), and add did-you-mean hints for unknown keys and literal values.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from cloudinary_state.config.interpolate import did_you_mean, sensitive_path
from cloudinary_state.config.yamlload import DocPath, Marks, dotted
from cloudinary_state.errors import Diagnostic
from cloudinary_state.scrubbing import is_sensitive

_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "bool_type": "a boolean (true/false)",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _data_path(loc: tuple[str | int, ...], data: Any) -> DocPath:
    """The part of a pydantic `loc` that walks the data.

    Union branch names ('list[str]', 'strlen'), '[key]' and the name of a missing key do not
    walk the data and are skipped; the name of a forbidden key does and is kept.
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            path.append(part)
    return tuple(path)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if get_origin(annotation) in (Union, UnionType, Annotated):
        args = get_args(annotation)
        members = args[:1] if get_origin(annotation) is Annotated else args
        return [m for arg in members for m in _models_in(arg)]
    return []


def _descend(annotation: Any, part: str | int) -> Any:
    """The annotation one loc step below `annotation`, or None when `part` is not a step."""
    for model in _models_in(annotation):
        for name, info in model.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is list and isinstance(part, int):
        return args[0]
    if origin is dict and isinstance(part, str):
        return args[1]
    if origin in (Union, UnionType, Annotated):
        for arg in args[:1] if origin is Annotated else args:
            found = _descend(arg, part)
            if found is not None:
                return found
    return None


def _known_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Field names of the model(s) an unknown key sits in, for did-you-mean."""
    current: Any = model
    for part in loc[:-1]:
        current = _descend(current, part) or current  # a union branch name: stay
    return [info.alias or name for m in _models_in(current) for name, info in m.model_fields.items()]


def validation_diagnostics(
    error: ValidationError,
    data: Any,
    marks: Marks,
    prefix: str,
    model: type[BaseModel],
    sensitive_paths: Collection[str] = (),
) -> list[Diagnostic]:
    """One diagnostic per offending place; the alternatives of a union are merged into one.
    A value at one of `sensitive_paths` (it came from `${env.*}`) is never quoted: scrubbing
    free text cannot catch a short secret."""
    grouped: dict[tuple[DocPath, bool], list[Any]] = {}
    for item in error.errors(include_url=False):
        at_key = item["type"] in ("missing", "extra_forbidden") or "[key]" in item["loc"]
        grouped.setdefault((_data_path(item["loc"], data), at_key), []).append(item)
    out: list[Diagnostic] = []
    for (path, is_key), items in grouped.items():
        at = marks.at(path, key=is_key)
        message, hint = _message(items, path, model)
        # only a message made of type errors ("expected a string, got a number") quotes no value
        quoted = not all(i["type"] in _TYPE_NAMES for i in items)
        if not is_key and quoted and is_sensitive(sensitive_path(path), sensitive_paths):
            message, hint = "this value (sensitive, from ${env.*}) is not valid here", ""
        where = dotted(path)
        out.append(
            Diagnostic(at.file, at.line, at.column, f"{prefix}{where + ': ' if where else ''}{message}", hint)
        )
    return out


def _message(items: list[Any], path: DocPath, model: type[BaseModel]) -> tuple[str, str]:
    first = items[0]
    kind = first["type"]
    if kind == "extra_forbidden":
        key = str(first["loc"][-1])
        return f"unknown key '{key}'", did_you_mean(key, _known_keys(model, first["loc"]))
    if kind == "missing":
        return f"missing required key '{first['loc'][-1]}'", ""
    type_errors = [i for i in items if i["type"] in _TYPE_NAMES]
    if type_errors and len(type_errors) == len(items):
        wanted = " or ".join(dict.fromkeys(_TYPE_NAMES[i["type"]] for i in type_errors))
        hint = ""
        if isinstance(first["input"], str) and re.fullmatch(r"-?\d+(\.\d+)?|true|false", first["input"]):
            hint = "write the value without quotes (a quoted value, or a ${...} placeholder, is a string)"
        return f"expected {wanted}, got {_describe(first['input'])}", hint
    detailed = [i for i in items if i["type"] not in _TYPE_NAMES] or items
    item = detailed[0]
    text = str(item["msg"]).removeprefix("Value error, ")
    hint = ""
    if item["type"] in ("literal_error", "enum"):
        expected = re.findall(r"'([^']*)'", str(item.get("ctx", {}).get("expected", "")))
        if isinstance(item["input"], str):
            hint = did_you_mean(item["input"], expected)
        text = f"'{item['input']}' is not allowed: {text[0].lower()}{text[1:]}"
    elif item["type"] in ("union_tag_invalid", "union_tag_not_found"):
        tags = item.get("ctx", {}).get("expected_tags", "")
        text = f"unknown rule type; expected type: {tags}"
    elif item["type"] == "string_pattern_mismatch":
        text, hint = _PATTERN_MESSAGES.get(path[:1], (text, ""))
    return text, hint


# What a pattern means, by top-level key (the value is never quoted: it may be a pasted secret).
_PATTERN_MESSAGES: dict[DocPath, tuple[str, str]] = {
    ("credentials",): (
        "must be the name of an environment variable, not its value",
        "write e.g. credentials: CLOUDINARY_URL_PRODUCTION and export that variable",
    ),
    ("cloud_name",): (
        "is not a cloud name",
        "use the cloud name of the Cloudinary console: letters, digits, _ and -",
    ),
    ("variables",): ("variable names are letters, digits and _, not starting with a digit", ""),
}

"""Markdown reference tables generated from the config models, for docs/config.md: a model's
fields with their types and descriptions, as the JSON Schema of `schemas/` states them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from cloudinary_state.config.schema import schema_generator


def describe_type(schema: dict[str, Any]) -> str:
    """A short human spelling of a JSON Schema type: `string`, `list of string`, `one of a, b`."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    for union in ("anyOf", "oneOf"):
        if union in schema:
            return " or ".join(describe_type(option) for option in schema[union])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {describe_type(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"mapping of {describe_type(schema['additionalProperties'])}"
    return str(kind)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", ()))
    rows = ["| field | type | required | description |", "|---|---|---|---|"]
    for name, field in schema.get("properties", {}).items():
        rows.append(
            f"| `{name}` | {_cell(describe_type(field))} | {'yes' if name in required else ''} | "
            f"{_cell(field.get('description', ''))} |"
        )
    return rows


def fields_table(model: type[BaseModel], *, skip: frozenset[str] = frozenset()) -> str:
    """One row per field (name as written in YAML, type, required, description), then one table
    per nested type the fields name (except those in `skip`, which the caller documents)."""
    schema = model.model_json_schema(by_alias=True, schema_generator=schema_generator())
    lines = _table(schema)
    for name, definition in sorted(schema.get("$defs", {}).items()):
        if name in skip or "properties" not in definition:
            continue
        lines += ["", f"`{name}`:", "", *_table(definition)]
    return "\n".join(lines) + "\n"

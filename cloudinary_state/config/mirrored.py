"""Whether a model checks and changes nothing that its JSON Schema does not show: the condition
for the fast check (`fastschema.py`) to decide its documents.

The fast check sees only the JSON Schema. What a model's core schema holds beyond it (a
validator, an Enum class, a date, a string constraint that rewrites the value, a serializer, an
alias for the dump only, a computed field...) it cannot see: it would accept what the model
refuses, or dump otherwise. The registry's models keep to what their schemas show (the kind
contract; tests hold it), and their packaged schemas are trusted; a model whose schema is
generated on the spot (a kind registered at run time, a packaged file gone stale) is read here,
and one that does more is left to the model whole. It reads the model's core schema, a plain
dict: no pydantic import.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

# Per core schema type, the keys it may have for the fast check to see all it does.
_CORE_KEYS: Final = {
    "any": {"type"},
    "bool": {"type"},
    "int": {"type", "ge", "le", "gt", "lt"},
    "float": {"type", "ge", "le", "gt", "lt"},
    "str": {"type", "min_length", "max_length", "pattern", "metadata"},
    "list": {"type", "items_schema", "min_length", "max_length", "metadata"},
    "dict": {"type", "keys_schema", "values_schema"},
    "literal": {"type", "expected"},
    "union": {"type", "choices"},
    "tagged-union": {"type", "choices", "discriminator", "from_attributes", "metadata", "strict"},
    "nullable": {"type", "schema"},
    "default": {"type", "default", "default_factory", "default_factory_takes_data", "schema"},
    "definitions": {"type", "definitions", "schema"},
    "definition-ref": {"type", "schema_ref", "metadata"},
    "model": {"type", "cls", "config", "custom_init", "metadata", "ref", "root_model", "schema"},
    "model-fields": {"type", "fields", "model_name", "computed_fields"},
    "model-field": {"type", "schema", "metadata", "serialization_alias", "validation_alias"},
}
# The configuration of every model (config/models.py's `Model`): strict, unknown keys refused.
_MODEL_CONFIG: Final = {
    "extra_fields_behavior": "forbid",
    "strict": True,
    "validate_by_alias": True,
    "validate_by_name": False,
}
_NOT_SCHEMAS: Final = ("metadata", "serialization", "config", "default", "function", "cls", "expected")


def _core_nodes(schema: Any) -> Iterator[dict[str, Any]]:
    if isinstance(schema, dict):
        if isinstance(schema.get("type"), str):
            yield schema
        for key, value in schema.items():
            if key not in _NOT_SCHEMAS:
                yield from _core_nodes(value)
    elif isinstance(schema, list | tuple):
        for item in schema:
            yield from _core_nodes(item)


def _unmirrored(node: dict[str, Any]) -> bool:
    """Whether the core schema `node` checks or changes what the fast check cannot see."""
    kind = node["type"]
    if kind not in _CORE_KEYS or not node.keys() <= _CORE_KEYS[kind]:
        return True
    if kind == "model":
        config = {k: v for k, v in node["config"].items() if k != "title"}
        return config != _MODEL_CONFIG or bool(node["custom_init"] or node["root_model"])
    if kind == "model-fields":
        return bool(node.get("computed_fields"))
    if kind == "model-field":
        return node.get("serialization_alias") != node.get("validation_alias")
    if kind == "literal":
        expected = node["expected"]
        return not (all(type(v) is str for v in expected) or (len(expected) == 1 and expected[0] is True))
    return False


def unmirrored(model: Any) -> list[dict[str, Any]]:
    """The parts of the pydantic model's core schema that its JSON Schema does not show."""
    return [node for node in _core_nodes(model.__pydantic_core_schema__) if _unmirrored(node)]

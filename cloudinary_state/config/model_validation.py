"""Validation by the models themselves: the authority behind the fast check.

The loader checks each document first against the JSON Schema generated from its model
(`fastschema.py`, with the packaged schemas of `packaged_schemas.py`). A document that check does
not accept comes here: the pydantic model validates it, and a failure becomes diagnostics at
file:line:column (`pydantic_errors.py`). Importing this module imports pydantic, so the loader
imports it only when a document needs it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from cloudinary_state.config.pydantic_errors import validation_diagnostics
from cloudinary_state.config.yamlload import Marks
from cloudinary_state.errors import Diagnostic


def document(model: BaseModel) -> dict[str, Any]:
    """A validated document as plain data, as everything after validation reads it: JSON
    values, the keys the user set (defaults are the reader's to apply), by their YAML names."""
    dumped: dict[str, Any] = model.model_dump(mode="json", exclude_unset=True, by_alias=True)
    return dumped


def validated_document(
    model: type[BaseModel], data: Any, marks: Marks, prefix: str, sensitive_paths: Collection[str] = ()
) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    """`data` validated by `model`, as plain data; or None and why, at the place to fix it."""
    try:
        return document(model.model_validate(data)), []
    except ValidationError as e:
        return None, list(validation_diagnostics(e, data, marks, prefix, model, sensitive_paths))


def salvaged_document(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """The fields of an invalid document that are valid on their own (others left out).

    Only used to keep checking after an error has been reported: never becomes a state.
    """
    valid: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in data:
            try:
                annotation: Any = info.annotation
                if info.metadata:  # constraints such as the cloud_name pattern
                    annotation = Annotated[annotation, *info.metadata]
                adapter: TypeAdapter[Any] = TypeAdapter(annotation)
                valid[name] = adapter.validate_python(data[name], strict=True)
            except ValidationError:
                pass
    return document(model.model_construct(**valid))

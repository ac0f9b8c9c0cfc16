"""JSON Schemas for editors, generated from the pydantic models.

`schemas/environment.schema.json` describes `environments/<env>.yaml`, and
`schemas/resources.schema.json` the resource documents they include. With the
yaml-language-server modeline at the top of a file
(`# yaml-language-server: $schema=../schemas/environment.schema.json`) editors complete
keys and flag unknown ones. The files are committed; `schema --check` fails when they no
longer match the models.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from cloudinary_state.config.models import environment_model, resources_model
from cloudinary_state.config.packaged_schemas import SchemaKind

SCHEMA_DIR = "schemas"


def schema_models(kinds: Sequence[SchemaKind]) -> dict[str, tuple[type[BaseModel], str]]:
    """Schema file name -> (model, title): the environment file and the resource document, each
    with one section per kind (a kind's part of the schema is its body model)."""
    return {
        "environment.schema.json": (
            environment_model(kinds),
            "cloudinary-state environment file (environments/<env>.yaml)",
        ),
        "resources.schema.json": (
            resources_model(kinds),
            "cloudinary-state resource document (included by environments)",
        ),
    }


class _Generator(GenerateJsonSchema):
    """Optional fields are written as "leave the key out", never as null: the loader refuses null."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        result = super().default_schema(schema)
        if result.get("default", ...) is None:
            del result["default"]
        return result


def schema_generator() -> type[GenerateJsonSchema]:
    """The generator of every schema this project publishes (optional fields are never null)."""
    return _Generator


def render_schema(model: type[BaseModel], title: str) -> str:
    body: dict[str, Any] = model.model_json_schema(by_alias=True, schema_generator=_Generator)
    document = {"$schema": "https://json-schema.org/draft/2020-12/schema", **body, "title": title}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_schemas(kinds: Sequence[SchemaKind]) -> dict[str, str]:
    """File name -> schema text, for every schema file."""
    return {name: render_schema(model, title) for name, (model, title) in schema_models(kinds).items()}


def write_schemas(directory: Path, kinds: Sequence[SchemaKind]) -> list[Path]:
    """Write every schema file whose text changed; return the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_schemas(kinds).items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def stale_schemas(directory: Path, kinds: Sequence[SchemaKind]) -> list[Path]:
    """Schema files that are missing or differ from what the models generate."""
    stale = []
    for name, text in render_schemas(kinds).items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
    return stale

"""The field tables of docs/config.md list exactly the fields the config models accept.

A table preceded by `<!-- fields: SCHEMA:PATH -->` documents the properties of the object at
PATH in `schemas/SCHEMA.schema.json` (generated from the models; `schema --check` keeps it
current): `resources:upload_presets.settings` is the `settings` of an upload preset,
`environment:policy` the environment file's `policy`, `environment` the environment file
itself. Its first column names each field in backticks. Between `<!-- kinds:begin -->` and
`<!-- kinds:end -->` the kinds' sections are generated from the registry (one `###` section per
resource section) and must be current.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.reference import BEGIN, END, refreshed

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DOC = ROOT / "docs" / "config.md"
SCHEMAS = {name: ROOT / "schemas" / f"{name}.schema.json" for name in ("environment", "resources")}

_FIELDS_MARKER = re.compile(r"^<!-- fields: (\S+) -->$")
_FIRST_CELL = re.compile(r"^\|\s*`([^`]+)`\s*\|")


def _schema(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SCHEMAS[name].read_text(encoding="utf-8"))
    return document


def _object(node: Any, defs: dict[str, Any]) -> dict[str, Any] | None:
    """The object schema (one with `properties`) that `node` describes: through `$ref`, list
    items, the branches of a union (a tombstone branch is skipped) and mapping values."""
    if not isinstance(node, dict):
        return None
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    if "properties" in node:
        found: dict[str, Any] = node
        return found
    if node.get("type") == "array":
        return _object(node.get("items"), defs)
    for union in ("anyOf", "oneOf"):
        if union in node:
            branches = [_object(branch, defs) for branch in node[union]]
            objects = [b for b in branches if b is not None and set(b["properties"]) != {"absent"}]
            return objects[0] if objects else None
    return _object(node.get("additionalProperties"), defs)


def schema_fields(spec: str) -> set[str]:
    """The property names at `SCHEMA:PATH` (see the module docstring)."""
    name, _, path = spec.partition(":")
    document = _schema(name)
    defs = document.get("$defs", {})
    node: dict[str, Any] | None = document
    for part in path.split(".") if path else []:
        assert node is not None and part in node["properties"], f"{spec}: no property {part!r}"
        node = _object(node["properties"][part], defs)
    assert node is not None, f"{spec} is not an object with properties"
    return set(node["properties"])


def documented_tables(text: str) -> dict[str, list[str]]:
    """`SCHEMA:PATH` -> the backticked names in the first column of the table after its marker."""
    lines = text.splitlines()
    tables: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        marker = _FIELDS_MARKER.match(line.strip())
        if marker is None:
            continue
        spec = marker.group(1)
        assert spec not in tables, f"docs/config.md documents {spec} twice"
        rows = []
        for row in lines[index + 1 :]:
            if not row.startswith("|"):
                break
            cell = _FIRST_CELL.match(row)
            if cell:
                rows.append(cell.group(1))
        assert rows, f"docs/config.md: the marker for {spec} is not followed by a table of fields"
        tables[spec] = rows
    return tables


TEXT = CONFIG_DOC.read_text(encoding="utf-8")
TABLES = documented_tables(TEXT)


@pytest.mark.parametrize("spec", sorted(TABLES))
def test_a_field_table_lists_exactly_the_models_fields(spec: str) -> None:
    documented = TABLES[spec]
    assert len(documented) == len(set(documented)), f"{spec}: a field is listed twice"
    expected = schema_fields(spec)
    assert set(documented) == expected, (
        f"docs/config.md, table {spec}: undocumented {sorted(expected - set(documented))}, "
        f"not in the models {sorted(set(documented) - expected)}"
    )


def test_the_kinds_block_is_what_the_registry_generates() -> None:
    assert TEXT.count(BEGIN) == 1 and TEXT.count(END) == 1
    assert refreshed(TEXT, REGISTRY) == TEXT, (
        "docs/config.md: the kinds block is stale; run python -m cloudinary_state.kinds.reference --write"
    )
    block = TEXT.split(BEGIN, 1)[1].split(END, 1)[0]
    sections = re.findall(r"^### `([a-z_]+)`$", block, re.MULTILINE)
    assert set(sections) == set(_schema("resources")["properties"]) == set(REGISTRY.sections())


def test_the_environment_file_and_its_policy_are_documented() -> None:
    assert {"environment", "environment:policy", "environment:policy.safety", "environment:addons"} <= set(
        TABLES
    )


def test_the_checker_sees_a_missing_field() -> None:
    tables = documented_tables("<!-- fields: resources:upload_mappings -->\n| field |\n|---|\n| `tmpl` |\n")
    assert tables == {"resources:upload_mappings": ["tmpl"]}
    assert schema_fields("resources:upload_mappings") == {"template", "upload_preset_name"}

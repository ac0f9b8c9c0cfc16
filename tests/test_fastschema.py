"""The fast schema check (config/fastschema.py) against pydantic, the authority: it never
accepts a document pydantic refuses, and what it accepts it dumps as pydantic does (same keys,
same order, same types). It accepts every valid document of every kind and the example config,
and importing it imports no pydantic."""

from __future__ import annotations

import copy
import datetime
import enum
import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, StringConstraints, ValidationError, field_validator
from support.schema_documents import documents, mutated_documents, single_changes, vocabulary

from cloudinary_state.config.fastschema import compile_schema
from cloudinary_state.config.mirrored import unmirrored
from cloudinary_state.config.models import Model, environment_model, resources_model
from cloudinary_state.config.schema import schema_generator
from cloudinary_state.config.yamlload import load_yaml_file
from cloudinary_state.kinds import REGISTRY

REPO = Path(__file__).resolve().parent.parent


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(by_alias=True, schema_generator=schema_generator())


def pydantic_dump(model: type[BaseModel], document: Any) -> Any:
    return model.model_validate(document).model_dump(mode="json", exclude_unset=True, by_alias=True)


def exact(value: Any) -> str:
    """A value's text with its order and types: 1, 1.0 and true differ, so do key orders."""
    return json.dumps(value, ensure_ascii=True)


SUBJECTS: dict[str, type[BaseModel]] = {
    **{kind.section: kind.model for kind in REGISTRY},
    "environment": environment_model(REGISTRY),
    "resources": resources_model(REGISTRY),
}
SCHEMAS = {name: json_schema(model) for name, model in SUBJECTS.items()}
FAST = {name: compile_schema(schema) for name, schema in SCHEMAS.items()}


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_our_models_check_nothing_their_json_schema_does_not_show(name: str) -> None:
    assert unmirrored(SUBJECTS[name]) == []


def test_the_guard_sees_what_the_json_schema_does_not_show() -> None:
    class Shade(enum.Enum):
        DARK = "dark"

    class Hidden(Model):
        shade: Shade
        when: datetime.date
        name: Annotated[str, StringConstraints(strip_whitespace=True)]
        loose: Literal[1]

        @field_validator("name")
        @classmethod
        def _upper(cls, value: str) -> str:
            return value.upper()

    kinds = sorted(node["type"] for node in unmirrored(Hidden))
    assert kinds == ["date", "enum", "function-after", "literal", "str"]


def assert_agrees(name: str, document: Any) -> dict[str, Any] | None:
    """When the fast check accepts `document`, pydantic accepts it with the same dump."""
    accepted = FAST[name].check(document)
    if accepted is not None:
        try:
            dumped = pydantic_dump(SUBJECTS[name], document)
        except ValidationError as e:
            raise AssertionError(f"fast accepted what pydantic refuses: {document!r}\n{e}") from None
        assert exact(accepted) == exact(dumped), repr(document)
    return accepted


@pytest.mark.parametrize("name", sorted(SUBJECTS))
@given(data=st.data())
def test_a_valid_document_is_accepted_as_pydantic_dumps_it(name: str, data: st.DataObject) -> None:
    document = data.draw(documents(SCHEMAS[name]))
    assert assert_agrees(name, document) is not None


@pytest.mark.parametrize("name", sorted(SUBJECTS))
@given(data=st.data())
def test_a_mutated_document_is_refused_or_accepted_as_pydantic_dumps_it(
    name: str, data: st.DataObject
) -> None:
    assert_agrees(name, data.draw(mutated_documents(SCHEMAS[name])))


@pytest.mark.parametrize("name", sorted(SUBJECTS))
@settings(max_examples=40)  # each example checks a few hundred changed documents
@given(data=st.data())
def test_each_single_change_to_a_valid_document_is_refused_or_accepted_as_pydantic_dumps_it(
    name: str, data: st.DataObject
) -> None:
    document = data.draw(documents(SCHEMAS[name]))
    words = data.draw(st.lists(st.sampled_from(vocabulary(SCHEMAS[name])), max_size=4, unique=True))
    for changed in single_changes(document, words):
        assert_agrees(name, changed)


def _example_documents() -> list[tuple[str, str, Any]]:
    """(file, subject, document): each environment file and each object body of the example
    config (tombstones aside: the loader reads them itself)."""
    found = []
    for path in sorted((REPO / "environments").rglob("*.yaml")):
        data = load_yaml_file(path, str(path)).data
        if path.parent.name == "environments":
            found.append((path.name, "environment", data))
            continue
        found.append((path.name, "resources", data))
        for section, objects in data.items():
            found += [(f"{path.name}:{name}", section, body) for name, body in objects.items()]
    return [item for item in found if "absent" not in item[2]]


EXAMPLES = _example_documents()


def test_the_example_config_has_documents_of_every_kind() -> None:
    assert {subject for _, subject, _ in EXAMPLES} == set(SUBJECTS)


@pytest.mark.parametrize(("where", "name", "document"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_document_of_the_example_config_is_accepted(where: str, name: str, document: Any) -> None:
    accepted = FAST[name].check(document)
    assert accepted is not None
    assert exact(accepted) == exact(pydantic_dump(SUBJECTS[name], document))


def test_the_committed_schema_files_compile_to_the_same_checks() -> None:
    """What a start-up without pydantic reads: schemas/*.json (kept equal to the models by
    `schema --check`), each kind's body a definition of the resource document's schema."""
    resources = json.loads((REPO / "schemas" / "resources.schema.json").read_text(encoding="utf-8"))
    environment = json.loads((REPO / "schemas" / "environment.schema.json").read_text(encoding="utf-8"))
    from_files = {"environment": compile_schema(environment), "resources": compile_schema(resources)}
    for section, spec in resources["properties"].items():
        from_files[section] = compile_schema(resources, spec["additionalProperties"]["anyOf"][0]["$ref"])
    for _, name, document in EXAMPLES:
        accepted = from_files[name].check(document)
        assert accepted is not None and exact(accepted) == exact(FAST[name].check(document))


@pytest.mark.parametrize(("where", "name", "document"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_each_single_change_to_an_example_document_is_refused_or_accepted_as_pydantic_dumps_it(
    where: str, name: str, document: Any
) -> None:
    for changed in single_changes(copy.deepcopy(document), vocabulary(SCHEMAS[name])):
        assert_agrees(name, changed)


def test_importing_the_fast_check_imports_no_pydantic() -> None:
    code = (
        "import sys, cloudinary_state.config.fastschema; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_probe_for_pydantic_sees_it_where_it_is_imported() -> None:
    code = "import sys, cloudinary_state.config.models; print('pydantic' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def test_compiling_a_definition_checks_documents_of_it() -> None:
    schema = SCHEMAS["resources"]
    preset = next(name for name in schema["$defs"] if name.startswith("UploadPreset"))
    fast = compile_schema(schema, f"#/$defs/{preset}")
    assert fast.check({"unsigned": True}) == {"unsigned": True}
    assert fast.check({"unsigned": 1}) is None
    assert compile_schema(schema, "#/$defs/Missing").check({}) is None


def test_a_document_nested_deeper_than_python_recurses_is_not_accepted() -> None:
    deep: Any = "x"
    for _ in range(sys.getrecursionlimit() + 100):
        deep = [deep]
    fast = compile_schema({"type": "object", "additionalProperties": True})
    assert fast.check({"k": deep}) is None

"""Each point of pydantic's strict semantics that the fast schema check mirrors (see the
docstring of config/fastschema.py), shown on a model of one field: what pydantic does with the
value, and whether the fast check accepts it (with pydantic's dump) or leaves it to pydantic.
Then the schema keywords and forms it leaves undecided."""

from __future__ import annotations

import datetime
import enum
import json
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    create_model,
)
from pydantic_core import SchemaError
from support.schema_documents import StrSubclass

from cloudinary_state.config.fastschema import compile_schema
from cloudinary_state.config.models import Model
from cloudinary_state.config.schema import schema_generator

REFUSED = "refused"


class Pair(Model):
    a: int
    b: int | None = None


class Loose(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    a: int | None = None


class Colour(enum.Enum):
    RED = "red"


class KindA(Model):
    kind: Literal["a"]
    x: int | None = None


class KindB(Model):
    kind: Literal["b"]
    y: int | None = None


class Small(Model):
    x: int


class Large(Model):
    x: int
    y: int | None = None


class Tree(Model):
    name: str
    children: list[Tree] | None = None


def _larger_when_y(value: Any) -> str:
    return "large" if ("y" in value if isinstance(value, dict) else isinstance(value, Large)) else "small"


Called = Annotated[
    Annotated[Small, Tag("small")] | Annotated[Large, Tag("large")], Discriminator(_larger_when_y)
]
FLAGS_SCHEMA = {
    "properties": {"a": {"type": "boolean"}, "b": {"type": "boolean"}},
    "additionalProperties": False,
}
Flags = Annotated[dict[str, bool], Field(json_schema_extra=FLAGS_SCHEMA)]  # as config/models.py's add-ons
Name = Annotated[str, Field(pattern=r"^[a-z]+$")]

# (type of the field, its Field options, the value, pydantic's dump of it or REFUSED, whether the
# fast check accepts it: with the same dump when pydantic accepts, never when pydantic refuses)
# fmt: off
CASES = [
    (int, {}, True, REFUSED, False),
    (int, {}, 1.0, REFUSED, False),
    (int, {}, 2**70, 2**70, True),
    (int, {"gt": 0, "lt": 10}, 0, REFUSED, False),
    (int, {"gt": 0, "lt": 10}, 10, REFUSED, False),
    (int, {"ge": 0, "le": 10}, 10, 10, True),
    (float, {}, 3, 3.0, True),
    (float, {}, True, REFUSED, False),
    (float, {}, float("inf"), float("inf"), False),
    (float, {}, 2**1024, REFUSED, False),
    (float, {"ge": 0, "le": 100}, 100, 100.0, True),
    (float, {"ge": 0, "le": 100}, 100.5, REFUSED, False),
    (bool, {}, 1, REFUSED, False),
    (bool, {}, False, False, True),
    (str, {}, 1, REFUSED, False),
    (str, {}, StrSubclass("x"), "x", False),
    (str, {}, "\ud800", "\ud800", True),
    (str, {"min_length": 1}, "\ud800", REFUSED, False),
    (str, {"max_length": 2}, "😀😀", "😀😀", True),
    (str, {"max_length": 2}, "e\u0301e", REFUSED, False),
    (str, {"pattern": "b"}, "abc", "abc", True),
    (str, {"pattern": "^a$"}, "a\n", REFUSED, False),
    (str, {"pattern": "^[a-z]+$"}, "ab", "ab", True),
    (str, {"pattern": "^[a-z_-]+$"}, "a-", "a-", True),
    (str, {"pattern": "^[[a-z]]+$"}, "a]", REFUSED, False),  # Rust: a class in a class
    (str, {"pattern": "^[a-z--b]$"}, "-", REFUSED, False),  # Rust: a-z less b
    (str, {"pattern": "^a*+a$"}, "aa", "aa", False),  # Python: a possessive a*
    (str, {"pattern": r"^\d+$"}, "12", "12", False),
    (Literal["a", "b"], {}, "c", REFUSED, False),
    (Literal["a", "b"], {}, "b", "b", True),
    (Literal[1], {}, True, 1, False),
    (Literal[True], {}, 1, True, False),
    (Literal[True], {}, True, True, True),
    (int | float, {}, 3, 3, True),
    (float | int, {}, 3, 3, True),
    (float | int, {}, 3.0, 3.0, True),
    (int | str, {}, True, REFUSED, False),
    (list[int], {"min_length": 1, "max_length": 2}, [], REFUSED, False),
    (list[int], {"min_length": 1, "max_length": 2}, [1, 2, 3], REFUSED, False),
    (list[int], {"min_length": 1, "max_length": 2}, [1], [1], True),
    (list[int], {}, (1,), REFUSED, False),
    (dict[str, int], {}, {"b": 1, "a": 2}, {"b": 1, "a": 2}, True),
    (dict[str, int], {}, {1: 1}, REFUSED, False),
    (dict[Name, int], {}, {"A": 1}, REFUSED, False),
    (dict[Literal["a"], int], {}, {"b": 1}, REFUSED, False),
    (dict[str, Any], {}, {"k": [1, {"x": 2.5}]}, {"k": [1, {"x": 2.5}]}, True),
    (dict[str, Any], {}, {"k": datetime.date(2026, 1, 31)}, {"k": "2026-01-31"}, False),
    (Flags, {}, {"b": True, "a": False}, {"b": True, "a": False}, True),
    (Flags, {}, {"c": True}, {"c": True}, False),
    (Pair, {}, {"b": 1, "a": 2}, {"a": 2, "b": 1}, True),
    (Pair, {}, {"a": 1, "c": 2}, REFUSED, False),
    (Pair, {}, {"b": 1}, REFUSED, False),
    (Loose, {}, {"a": 1, "c": 2}, {"a": 1}, False),
    (Colour, {}, "red", REFUSED, False),
    (datetime.datetime, {}, "2026-01-31T00:00:00", REFUSED, False),
    (KindA | KindB, {"discriminator": "kind"}, {"y": 1, "kind": "b"}, {"kind": "b", "y": 1}, True),
    (KindA | KindB, {"discriminator": "kind"}, {"kind": "c"}, REFUSED, False),
    (KindA | KindB, {"discriminator": "kind"}, {"x": 1}, REFUSED, False),
    (Called, {}, {"x": 1, "y": 2}, {"x": 1, "y": 2}, True),
    (Called, {}, {"x": 1}, {"x": 1}, False),  # both branches take it: which one, the schema cannot say
    (
        Tree, {}, {"name": "a", "children": [{"children": [], "name": "b"}]},
        {"name": "a", "children": [{"name": "b", "children": []}]}, True,
    ),
]
# fmt: on


def _probe(annotation: Any, options: dict[str, Any]) -> type[BaseModel]:
    model: type[BaseModel] = create_model(
        "Probe", __base__=Model, v=(annotation | None, Field(default=None, **options))
    )
    return model


@pytest.mark.parametrize(("annotation", "options", "value", "dumped", "fast_accepts"), CASES)
def test_the_fast_check_mirrors_pydantic(
    annotation: Any, options: dict[str, Any], value: Any, dumped: Any, fast_accepts: bool
) -> None:
    model = _probe(annotation, options)
    pydantic: Any
    try:
        pydantic = model.model_validate({"v": value}).model_dump(mode="json", exclude_unset=True)
    except ValidationError:
        pydantic = REFUSED
    assert json.dumps(pydantic) == json.dumps(REFUSED if dumped == REFUSED else {"v": dumped})
    schema = model.model_json_schema(by_alias=True, schema_generator=schema_generator())
    fast = compile_schema(schema).check({"v": value})
    assert json.dumps(fast) == json.dumps(pydantic if fast_accepts else None)


VALID = {"a": "x"}
UNDECIDED_FIELDS: list[Any] = [
    {"type": "string", "format": "date-time"},
    {"type": "string", "contentEncoding": "base64"},
    {"type": ["string", "null"]},
    {"$ref": "#/definitions/A"},
    {"$ref": "#/$defs/Missing"},
    {"allOf": [{"type": "string"}, {"minLength": 1}]},
    {"oneOf": [{"$ref": "#/$defs/A"}], "discriminator": {"propertyName": "a"}},
    {"not": {"type": "integer"}},
    {"type": "string", "enum": ["x", 1]},
    {"type": "string", "minLength": -1},
    {"type": "string", "pattern": "(?i)^X$"},
    {"type": "string", "pattern": "^\\w$"},
    {"type": "string", "pattern": "^a**$"},
    {"type": "string", "pattern": "^*x$"},
    {"type": "string", "pattern": "(x"},
    {"anyOf": [{"type": "string"}, {"type": "string", "format": "date"}]},
]
UNDECIDED_OBJECTS: list[dict[str, Any]] = [
    *({"properties": {"a": field}, "additionalProperties": False} for field in UNDECIDED_FIELDS),
    {"properties": {"a": {"type": "string"}}, "additionalProperties": True},
    {"properties": {"a": {"type": "string"}}, "additionalProperties": False, "minProperties": 1},
    {"patternProperties": {"^a$": {"type": "string"}, "^b$": {"type": "string"}}},
    {"additionalProperties": False},
    {},
]
DECIDED_OBJECTS: list[dict[str, Any]] = [
    {"properties": {"a": {"type": "string", "title": "A", "examples": ["e"]}}, "additionalProperties": False},
    {"properties": {"a": {"allOf": [{"$ref": "#/$defs/A"}]}}, "$defs": {"A": {"type": "string"}}},
    {"properties": {"a": {"type": "string", "pattern": "^x$", "minLength": 1, "maxLength": 1}}},
    {"properties": {"a": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}},
    {"patternProperties": {"^a$": {"type": "string"}}},
    {"additionalProperties": {"type": "string"}, "propertyNames": {"minLength": 1}},
]


@pytest.mark.parametrize("schema", UNDECIDED_OBJECTS, ids=[json.dumps(s)[:70] for s in UNDECIDED_OBJECTS])
def test_a_keyword_or_form_it_does_not_decide_is_never_accepted(schema: dict[str, Any]) -> None:
    assert compile_schema({"type": "object", **schema}).check(VALID) is None


@pytest.mark.parametrize("schema", DECIDED_OBJECTS, ids=[json.dumps(s)[:70] for s in DECIDED_OBJECTS])
def test_the_same_document_is_accepted_where_each_is_decided(schema: dict[str, Any]) -> None:
    """The counterpart of the test above: its document is valid where nothing is undecided."""
    assert compile_schema({"type": "object", **schema}).check(VALID) == VALID


# Patterns of the pieces whose reading differs between the engines, mostly well formed.
_PIECES = ["a", "b", "_", ".", "-", "^", "$", "*", "+", "?", "(", ")", "|", "[", "]", "[a", "a-b", "\\."]
_PATTERNS = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)


@settings(max_examples=300)
@given(
    pattern=_PATTERNS,
    values=st.lists(st.text(alphabet="ab_.-[]^$*+?()|", max_size=5), max_size=8),
)
def test_a_pattern_the_fast_check_decides_matches_as_in_pydantic(pattern: str, values: list[str]) -> None:
    """Python's `re` and pydantic's Rust regex read some patterns otherwise (a class in a
    class, `a*+`, `a**`): the fast check decides only those both read alike."""
    try:
        adapter: TypeAdapter[str] = TypeAdapter(Annotated[str, Field(pattern=pattern)])
    except SchemaError:  # a pattern pydantic cannot compile makes no model
        return
    fast = compile_schema({"type": "object", "properties": {"v": {"type": "string", "pattern": pattern}}})
    for value in values:
        try:
            adapter.validate_python(value, strict=True)
            pydantic: Any = {"v": value}
        except ValidationError:
            pydantic = None
        assert fast.check({"v": value}) in (pydantic, None), (pattern, value)

"""A fast check of config documents against the JSON Schemas of their pydantic models.

Why it exists: `validate` must start in a fraction of a second, and importing pydantic and
building the models costs more than the rest of the command. So the loader first checks each
document here, with the JSON Schema the model generates (stdlib only), and imports pydantic
only for a document this module does not accept. Pydantic stays the authority: its errors are
the diagnostics, and what it would answer is what this module must answer.

The contract. `compile_schema(schema)` compiles a schema once into closures;
`FastSchema.check(document)` then gives one of two answers:

- the document exactly as pydantic dumps it, `Model.model_validate(document).model_dump(
  mode="json", exclude_unset=True, by_alias=True)` (keys in the model's field order, an int
  given to a float field as a float), when pydantic surely accepts it;
- None, "not accepted": the document is invalid, or uses something this module does not
  decide. It never raises and gives no reason: the caller validates with pydantic.

It never accepts what pydantic refuses; being stricter only costs speed. The schemas are those
our generator writes (config/schema.py: an optional field is "leave the key out", never null),
and a document holds no None (the loader refuses nulls first). What the JSON Schema does not
say and pydantic does, for models that are strict and forbid unknown keys, is mirrored here
(tests/test_fastschema.py checks each point against pydantic):

- types are exact: an int is no bool and no 1.0; a float field takes an int (dumped as a
  float) but no bool; a non-finite float, a subclass, or a type YAML does not produce plainly
  (a date) is left undecided;
- `pattern` is searched, and `$` ends the text (pydantic's Rust regex), where Python's `$` also
  matches before a final newline: a string with a newline is left undecided, and so is a
  pattern outside a small syntax both engines read alike; pydantic refuses a lone surrogate in
  a constrained string, and such a string is left undecided;
- a model (the root, or a `$defs` entry) dumps its keys in field order. An object written
  inline is a dict to pydantic, whose `properties` may come from `json_schema_extra`: it keeps
  its order, and anything its schema refuses is undecided rather than refused. An enum in
  `$defs` is an Enum class, of which a strict pydantic takes members, not values: undecided;
- `enum` and `const` match type and value exactly, where pydantic's `Literal` is looser (1 and
  1.0 equal True there): a value of another type than a non-string member's is undecided;
- `anyOf` is pydantic's smart union: the one branch that accepts or, of several, the one whose
  dump keeps the value's type (an int given to `int | float` stays an int). `oneOf` with a
  `discriminator` picks the branch by the tag; without one, pydantic used a callable
  discriminator, which the schema cannot show: decided when exactly one branch accepts.

Any other keyword or form (a `format`, `prefixItems`, `$ref` outside `#/$defs`...) makes its
part of the schema undecided: a document that reaches it is not accepted. Annotations (title,
description, default, examples, $comment, deprecated) do not validate and are skipped.

Inside, a check answers REJECT when pydantic surely refuses a value and UNSURE when it might
not (fastschema_scalars.py). The difference matters in unions: a branch that might accept
makes the union unsure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from cloudinary_state.config.fastschema_scalars import (
    REJECT,
    UNSURE,
    Check,
    Miss,
    any_value,
    boolean_check,
    enum_check,
    integer_check,
    number_check,
    other,
    string_check,
    undecided,
)

__all__ = ["FastSchema", "compile_schema"]

_SKIPPED: Final = frozenset(
    {"title", "description", "default", "examples", "$comment", "deprecated", "$defs", "$schema"}
)
_OBJECT_KEYWORDS: Final = (
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
)
_KEYWORDS: Final = {
    "string": {"type", "minLength", "maxLength", "pattern", "enum", "const"},
    "integer": {"type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum", "const"},
    "number": {"type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "boolean": {"type", "enum", "const"},
    "array": {"type", "items", "minItems", "maxItems"},
    "object": {"type", *_OBJECT_KEYWORDS},
}
_SCALARS: Final = {
    "string": string_check,
    "integer": integer_check,
    "number": number_check,
    "boolean": boolean_check,
}
_ABSENT: Final = object()


class FastSchema:
    """A compiled schema; `check` is the fast path's answer for one document (see the module)."""

    __slots__ = ("_check",)

    def __init__(self, check: Check) -> None:
        self._check = check

    def check(self, document: object) -> dict[str, Any] | None:
        """The document as pydantic dumps it, or None: not accepted (invalid, or undecided)."""
        try:
            result = self._check(document)
        except RecursionError:  # nested deeper than Python recurses: pydantic decides
            return None
        return result if type(result) is dict else None


def compile_schema(schema: Mapping[str, Any], at: str = "#") -> FastSchema:
    """Compile `schema` (whose `$defs` its references name) or, with `at` = `#/$defs/Name`, that
    definition of it."""
    return FastSchema(_Compiler(schema).ref(at))


def _pick(branches: Sequence[Check], value: Any, keep_type: bool) -> Any:
    """A union's answer: the one branch that accepts; with `keep_type` (a smart union), of
    several, the one whose dump has the value's type. A branch that is unsure, or several
    branches still, make it unsure."""
    accepted = []
    for branch in branches:
        result = branch(value)
        if result is UNSURE:
            return UNSURE
        if result is not REJECT:
            accepted.append(result)
    if len(accepted) == 1:
        return accepted[0]
    if not accepted:
        return REJECT
    if keep_type:
        kept = [result for result in accepted if type(result) is type(value)]
        if len(kept) == 1:
            return kept[0]
    return UNSURE


def _unsure_when_missed(check: Check) -> Check:
    """For a schema that may say less than pydantic checks: its refusals are only unsure."""

    def unsure(value: Any) -> Any:
        result = check(value)
        return UNSURE if result.__class__ is Miss else result

    return unsure


class _Compiler:
    """Compiles the parts of one schema; each `$defs` entry once (recursive ones included)."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.cells: dict[str, list[Check]] = {}  # pointer -> [its check], filled once compiled
        self.compiled: set[str] = set()

    def resolve(self, pointer: str) -> Any:
        if pointer == "#":
            return self.root
        name = pointer.removeprefix("#/$defs/")
        defs = self.root.get("$defs")
        if name == pointer or "/" in name or "~" in name or not isinstance(defs, Mapping):
            return _ABSENT
        return defs.get(name, _ABSENT)

    def ref(self, pointer: Any) -> Check:
        """The check of a definition: compiled on first use, as a model (its keys in field
        order); a reference met while compiling it (recursion) reads the check at each call."""
        if type(pointer) is not str:
            return undecided
        cell = self.cells.get(pointer)
        if cell is None:
            target = self.resolve(pointer)
            if target is _ABSENT:
                return undecided
            cell = self.cells[pointer] = [undecided]
            cell[0] = self.compile(target, model=True)
            self.compiled.add(pointer)
        if pointer in self.compiled:
            return cell[0]

        def recursive(value: Any) -> Any:
            return cell[0](value)

        return recursive

    def compile(self, schema: Any, model: bool = False) -> Check:
        if schema is True:
            return any_value
        if not isinstance(schema, Mapping):
            return undecided
        keys = schema.keys() - _SKIPPED
        if not keys:
            return any_value
        if model and ("enum" in keys or "const" in keys):
            return undecided  # an Enum class (a Literal is written inline): strict, it takes members only
        if keys == {"$ref"}:
            return self.ref(schema["$ref"])
        if keys == {"allOf"} and isinstance(schema["allOf"], list) and len(schema["allOf"]) == 1:
            return self.compile(schema["allOf"][0], model)
        if keys == {"anyOf"} or keys == {"oneOf"}:
            return self.union(schema.get("anyOf", schema.get("oneOf")), keep_type="anyOf" in keys)
        if keys == {"oneOf", "discriminator"}:
            return self.tagged(schema["oneOf"], schema["discriminator"])
        kind = schema.get("type")
        if type(kind) is str and kind in _KEYWORDS and keys <= _KEYWORDS[kind]:
            if kind == "array":
                return self.array(schema)
            if kind == "object":
                return self.object(schema, model)
            return _SCALARS[kind](schema) or undecided
        if keys == {"enum"} or keys == {"const"}:
            return enum_check(schema) or undecided
        return undecided

    def union(self, schemas: Any, keep_type: bool) -> Check:
        if not isinstance(schemas, list) or not schemas:
            return undecided
        branches = tuple(self.compile(schema) for schema in schemas)
        if len(branches) == 1:
            return branches[0]

        def union(value: Any) -> Any:
            return _pick(branches, value, keep_type)

        return union

    def tagged(self, schemas: Any, discriminator: Any) -> Check:
        """A discriminated union: the tag (a string) names the branch in `mapping`."""
        if not isinstance(discriminator, Mapping) or discriminator.keys() != {"propertyName", "mapping"}:
            return undecided
        name, mapping = discriminator["propertyName"], discriminator["mapping"]
        if type(name) is not str or not isinstance(mapping, Mapping) or not isinstance(schemas, list):
            return undecided
        listed = {s.get("$ref") if isinstance(s, Mapping) and s.keys() == {"$ref"} else None for s in schemas}
        if None in listed or listed != set(mapping.values()):
            return undecided  # the mapping does not name exactly the branches listed
        branches = {tag: self.ref(pointer) for tag, pointer in mapping.items() if type(tag) is str}

        def tagged(value: Any) -> Any:
            if type(value) is not dict:
                return other(value)
            tag = value.get(name, _ABSENT)
            if tag is _ABSENT:
                return REJECT
            if type(tag) is not str:
                return UNSURE
            branch = branches.get(tag)
            return REJECT if branch is None else branch(value)

        return tagged

    def array(self, schema: Mapping[str, Any]) -> Check:
        low, high = schema.get("minItems", 0), schema.get("maxItems")
        if not all(type(n) is int and n >= 0 for n in (low, high) if n is not None):
            return undecided
        items = self.compile(schema["items"]) if "items" in schema else any_value

        def array(value: Any) -> Any:
            if type(value) is not list:
                return other(value)
            if len(value) < low or (high is not None and len(value) > high):
                return REJECT
            dumped = []
            for item in value:
                result = items(item)
                if result.__class__ is Miss:
                    return result
                dumped.append(result)
            return dumped

        return array

    def object(self, schema: Mapping[str, Any], model: bool) -> Check:
        extra = schema.get("additionalProperties", _ABSENT)
        if "properties" in schema:
            if schema.keys() & {"patternProperties", "propertyNames"} or extra not in (False, _ABSENT):
                return undecided  # a model that takes unknown keys: not ours
            fields = self.fields(schema["properties"], schema.get("required", []), model, extra is False)
            return fields if model else _unsure_when_missed(fields)
        if "required" in schema:
            return undecided
        if "patternProperties" in schema:
            patterns = schema["patternProperties"]
            if extra is not _ABSENT or "propertyNames" in schema or not isinstance(patterns, Mapping):
                return undecided
            if len(patterns) != 1:
                return undecided
            ((pattern, values),) = patterns.items()
            return self.mapping({"type": "string", "pattern": pattern}, values)
        if extra is _ABSENT or extra is False:
            return undecided
        return self.mapping(schema.get("propertyNames"), extra)

    def mapping(self, key_schema: Any, value_schema: Any) -> Check:
        """A dict whose keys are strings (checked by `key_schema` when given), in their order."""
        if isinstance(key_schema, Mapping) and "type" not in key_schema:  # a name is a string
            key_schema = {"type": "string", **key_schema}
        keys = None if key_schema is None else self.compile(key_schema)
        values = self.compile(value_schema)

        def mapping(value: Any) -> Any:
            if type(value) is not dict:
                return other(value)
            dumped = {}
            for key, item in value.items():
                if type(key) is not str:
                    return UNSURE
                if keys is not None and (name := keys(key)).__class__ is Miss:
                    return name
                result = values(item)
                if result.__class__ is Miss:
                    return result
                dumped[key] = result
            return dumped

        return mapping

    def fields(self, properties: Any, required: Any, model: bool, closed: bool) -> Check:
        """A model's fields: a key it does not know is refused when `closed` (extra="forbid"),
        unsure otherwise; a model dumps in field order, an inline object in the document's."""
        if not isinstance(properties, Mapping) or not isinstance(required, list):
            return undecided
        if not all(type(name) is str and name in properties for name in required):
            return undecided
        entries = {name: (i, name, self.compile(sub)) for i, (name, sub) in enumerate(properties.items())}
        needed, order = tuple(required), tuple(properties)
        unknown = REJECT if closed else UNSURE

        def fields(value: Any) -> Any:
            if type(value) is not dict:
                return other(value)
            dumped = {}
            last, ordered = -1, True
            for key, item in value.items():
                entry = entries.get(key)
                if entry is None:
                    return unknown
                index, name, field = entry
                result = field(item)
                if result.__class__ is Miss:
                    return result
                if index < last:
                    ordered = False
                last = index
                dumped[name] = result
            for name in needed:
                if name not in dumped:
                    return REJECT
            if ordered or not model:
                return dumped
            return {name: dumped[name] for name in order if name in dumped}

        return fields

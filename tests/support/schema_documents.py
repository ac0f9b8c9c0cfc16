"""Documents drawn from a JSON Schema of the kind our generator writes (config/schema.py), for
the tests of the fast schema check: valid ones (`documents`), and valid ones with a few
mutations (`mutated_documents`): a value of a wrong type, a bool or 1.0 for an int, a key added,
removed or renamed, a name or tag from elsewhere in the schema, a string emptied, made too long
or given a newline, a value of a type YAML does not produce plainly...

Valid means valid to the schema. Pydantic may still refuse such a document where it checks what
the schema cannot show (a model validator).
"""

from __future__ import annotations

import copy
import datetime
import math
from collections.abc import Iterator, Mapping
from typing import Any

from hypothesis import strategies as st

DEPTH = 3  # recursive definitions (conditions, validation rules) nest at most this deep


class StrSubclass(str):
    """A string pydantic takes and the fast check leaves to it."""


_JSON_SCALARS = st.one_of(
    st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=6)
)
JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
ODD_VALUES: list[Any] = [
    True, False, 0, 1, -1, 1.0, 0.5, -0.0, 2**70, 2**1100, float("inf"), float("nan"),
    "", " ", "x", "a\n", "\n", "é", "\ud800", "😀" * 3, "x" * 300, [], {}, ["x"], [1], {"x": 1},
    datetime.date(2026, 1, 31), b"bytes", (1, 2), StrSubclass("x"),
]  # fmt: skip


def _refs(schema: Any) -> Iterator[str]:
    if isinstance(schema, Mapping):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _refs(item)


def recursive_definitions(root: Mapping[str, Any]) -> set[str]:
    """The `#/$defs/...` pointers whose definition reaches itself."""
    defs = root.get("$defs", {})
    reach = {f"#/$defs/{name}": set(_refs(schema)) for name, schema in defs.items()}
    found = set()
    for start in reach:
        seen, todo = set(), list(reach[start])
        while todo:
            pointer = todo.pop()
            if pointer not in seen:
                seen.add(pointer)
                todo.extend(reach.get(pointer, ()))
        if start in seen:
            found.add(start)
    return found


def vocabulary(root: Mapping[str, Any]) -> list[str]:
    """Every name and string value the schema mentions, and each name with an underscore (the
    Python name of an aliased field): keys and values that are wrong elsewhere."""
    words: set[str] = set()

    def walk(schema: Any) -> None:
        if isinstance(schema, Mapping):
            for key in ("properties", "$defs", "mapping"):
                if isinstance(schema.get(key), Mapping):
                    words.update(schema[key])
            words.update(v for v in [*schema.get("enum", []), schema.get("const")] if isinstance(v, str))
            for value in schema.values():
                walk(value)
        elif isinstance(schema, list):
            for item in schema:
                walk(item)

    walk(root)
    return sorted(words | {f"{word}_" for word in words})


class _Drawer:
    def __init__(self, draw: st.DrawFn, root: Mapping[str, Any]) -> None:
        self.draw = draw
        self.root = root
        self.recursive = recursive_definitions(root)

    def value(self, schema: Any, depth: int) -> Any:
        if schema is True or not (schema.keys() - {"title", "description", "default", "$defs", "$schema"}):
            return self.draw(JSON_VALUES)
        if "$ref" in schema:
            pointer = schema["$ref"]
            target = self.root if pointer == "#" else self.root["$defs"][pointer.removeprefix("#/$defs/")]
            return self.value(target, depth - 1 if pointer in self.recursive else depth)
        if "allOf" in schema:
            return self.value(schema["allOf"][0], depth)
        if "anyOf" in schema or "oneOf" in schema:
            branches = schema.get("anyOf") or schema["oneOf"]
            finite = [b for b in branches if b.get("$ref") not in self.recursive]
            chosen = self.draw(st.sampled_from(finite if depth <= 0 and finite else branches))
            return self.value(chosen, depth)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self.draw(st.sampled_from(schema["enum"]))
        return getattr(self, f"_{schema['type']}")(schema, depth)

    def _string(self, schema: Mapping[str, Any], depth: int) -> Any:
        low, high = schema.get("minLength", 0), schema.get("maxLength", 1000)
        if "pattern" in schema:
            texts = st.from_regex(schema["pattern"], fullmatch=True).filter(lambda t: low <= len(t) <= high)
        else:
            texts = st.text(min_size=low, max_size=min(high, low + 8))
        if "maxLength" in schema:  # as long as it may be, in characters of several bytes
            texts |= st.text(st.sampled_from("é😀\u0301"), min_size=high, max_size=high)
        return self.draw(texts)

    def _integer(self, schema: Mapping[str, Any], depth: int) -> int:
        return self.draw(st.integers(schema.get("minimum"), schema.get("maximum")))

    def _number(self, schema: Mapping[str, Any], depth: int) -> float:
        low, high = schema.get("minimum"), schema.get("maximum")
        floats = st.floats(low, high, allow_nan=False, allow_infinity=False)
        ints = st.integers(None if low is None else int(low), None if high is None else int(high))
        return self.draw(st.one_of(floats, ints))

    def _boolean(self, schema: Mapping[str, Any], depth: int) -> bool:
        return self.draw(st.booleans())

    def _array(self, schema: Mapping[str, Any], depth: int) -> list[Any]:
        low = schema.get("minItems", 0)
        size = self.draw(st.integers(low, schema.get("maxItems", low + 3)))
        return [self.value(schema.get("items", True), depth) for _ in range(size)]

    def _object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        if "properties" in schema:
            properties = schema["properties"]
            required = schema.get("required", [])
            chosen = [n for n in properties if n in required or self.draw(st.booleans())]
            order = self.draw(st.permutations(chosen))
            return {name: self.value(properties[name], depth) for name in order}
        if "patternProperties" in schema:
            ((pattern, values),) = schema["patternProperties"].items()
            keys = st.from_regex(pattern, fullmatch=True)
        else:
            values = schema["additionalProperties"]
            keys = self._keys(schema.get("propertyNames", {}))
        names = self.draw(st.lists(keys, max_size=3, unique=True))
        return {name: self.value(values, depth) for name in names}

    def _keys(self, schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        return st.text(min_size=schema.get("minLength", 0), max_size=8)


@st.composite
def documents(draw: st.DrawFn, root: Mapping[str, Any]) -> Any:
    """A document valid to the schema `root`."""
    return _Drawer(draw, root).value(root, DEPTH)


def _places(document: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key or index) of every value inside the document."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield document, key
            yield from _places(value)
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield document, index
            yield from _places(value)


def _changed(draw: st.DrawFn, value: Any, words: list[str]) -> Any:
    """A value near `value` that is often wrong for its place."""
    kind = type(value)
    near: list[Any] = [[value], {draw(st.sampled_from(words)): value}]
    if kind is str:
        near += [value + "\n", value * 50 + "x" * 300, "", value + "\ud800", StrSubclass(value), value[:1]]
    elif kind is int:
        near += [float(value) if abs(value) < 2**1000 else 1.0, -value - 1, value + 2**64, value == 1, 0]
    elif kind is float:
        near += [int(value) if math.isfinite(value) else 1, -value, float("inf")]
    elif kind is bool:
        near += [int(value), str(value).lower()]
    elif kind is list:
        near += [[], value + value, value[:1], tuple(value)]
    elif kind is dict:
        near += [{}, list(value.values())]
    options = st.sampled_from(near) | st.sampled_from(ODD_VALUES) | st.sampled_from(words)
    return copy.deepcopy(draw(options))  # the odd values are shared: a later mutation must not edit them


def _mutate(draw: st.DrawFn, document: Any, words: list[str]) -> Any:
    places = list(_places(document))
    if not places or draw(st.integers(0, 9)) == 0:
        return _changed(draw, document, words)
    parent, key = draw(st.sampled_from(places))
    how = draw(st.sampled_from(["change", "change", "remove", "add", "rename"]))
    if how == "change" or not isinstance(parent, dict):
        parent[key] = _changed(draw, parent[key], words)
    elif how == "remove":
        del parent[key]
    elif how == "add":
        value = copy.deepcopy(draw(st.sampled_from([*ODD_VALUES, parent[key]])))
        parent[draw(st.sampled_from(words) | st.sampled_from([1, True, "", StrSubclass(key)]))] = value
    else:
        parent[draw(st.sampled_from(words))] = parent.pop(key)
    return document


@st.composite
def mutated_documents(draw: st.DrawFn, root: Mapping[str, Any]) -> Any:
    """A valid document with one to three mutations."""
    document = copy.deepcopy(draw(documents(root)))
    words = vocabulary(root)
    for _ in range(draw(st.integers(1, 3))):
        document = _mutate(draw, document, words)
    return document


def _replacements(value: Any) -> list[Any]:
    """Values to put in the place of `value`: of other types, and of its type but wrong."""
    kind = type(value)
    near: list[Any] = [[value], (value,)]
    if kind is str:
        near += [value + "\n", "\n" + value, value + "\ud800", StrSubclass(value), value * 2, value[:1]]
    elif kind is int:
        near += [float(value) if abs(value) < 2**1000 else 1.0, value == 1, -value - 1, value + 1, 2**64]
    elif kind is float:
        near += [int(value) if math.isfinite(value) else 1, -value, value + 1]
    elif kind is bool:
        near += [int(value), not value, str(value).lower()]
    elif kind is list:
        near += [value + value, value[:1], [*value, value]]
    elif kind is dict:
        near += [list(value.values()), [value]]
    return near + ODD_VALUES


def single_changes(document: Any, words: list[str]) -> Iterator[Any]:
    """`document` with one change at a time, made in place and undone after each yield: each
    value replaced (`_replacements`, and `words`), each key removed, a key added (`words`, and
    keys that are no strings or the Python name of a field), and each key renamed."""
    for parent, key in list(_places(document)):
        original = parent[key]
        for replacement in [*_replacements(original), *words]:
            parent[key] = replacement
            yield document
        parent[key] = original
    for parent in [document] + [p[k] for p, k in _places(document)]:
        if not isinstance(parent, dict):
            continue
        items = list(parent.items())
        for key, _ in items:
            for change in ("remove", *words[:2]):
                parent.clear()
                parent.update(
                    (change if k == key else k, v) for k, v in items if (change, k) != ("remove", key)
                )
                yield document
        extras = [*words, 1, True, "", *(StrSubclass(k) for k, _ in items[:1]), *(f"{k}_" for k, _ in items)]
        for extra in extras:
            parent.clear()
            parent.update([*items, (extra, items[0][1] if items else "x")])
            yield document
        parent.clear()
        parent.update(items)

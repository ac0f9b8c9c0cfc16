"""The shapes of what the emulator's stores hold, so that a state file can be checked on load.

Each resource module states, beside the handlers that write its objects, what they read back
(a `Record`: the fields and their JSON types), and registers a check of one stored object with
`state.stored`; `CloudState.restore` runs them before it takes any store. A state file that
fails one (hand-edited, damaged) is refused at start, naming the store and the key, instead of
loading and answering 500 on every request that reads the object.

What is checked, and what is not:
- a field a handler reads (indexes, orders by, parses, computes with) is present, of its type;
- the field that identifies an object equals its key in the store: the handlers address an
  object by its key and name it by the field, so a mismatch is an object no request reaches;
- a field the handlers only answer as stored (a preset's settings' values, a metadata field's
  `mandatory`) may hold any value, or be missing: the live service answers odd values too, the
  engine must cope with them, and the state file is how a test stages one;
- a field no handler knows is kept as it is (a newer emulator's file): an answer that passes
  the object on carries it, as a live answer carries a field the service added.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cloudinary_state.emulator import txparse


class ShapeError(ValueError):
    """A stored value not of its shape; the message says where, from the stored object down."""


def describe(value: Any) -> str:
    """A JSON value's type, as a message names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _subject(where: str) -> str:
    return f"{where} " if where else ""


class JsonType:
    """A JSON type: `name` for a message ("an integer"), `short` for a shape's summary."""

    def __init__(self, name: str, short: str, accepts: Callable[[Any], bool]) -> None:
        self.name = name
        self.short = short
        self.accepts = accepts

    def check(self, value: Any, where: str) -> None:
        """Raise ShapeError unless `value` (found at `where`, "" for the object) is of this type."""
        if not self.accepts(value):
            raise ShapeError(f"{_subject(where)}must be {self.name}, not {describe(value)}")


ANY = JsonType("any value", "any value", lambda value: True)
STRING = JsonType("a string", "string", lambda value: isinstance(value, str))
BOOLEAN = JsonType("a boolean", "boolean", lambda value: isinstance(value, bool))
INTEGER = JsonType(
    "an integer", "integer", lambda value: isinstance(value, int) and not isinstance(value, bool)
)
NUMBER = JsonType(
    "a number", "number", lambda value: isinstance(value, int | float) and not isinstance(value, bool)
)
OBJECT = JsonType("an object", "object", lambda value: isinstance(value, dict))
ARRAY = JsonType("an array", "array", lambda value: isinstance(value, list))


class ArrayOf(JsonType):
    """An array whose every item is of `item`."""

    def __init__(self, item: JsonType) -> None:
        super().__init__(f"an array of {item.short}s", f"array of {item.short}s", ARRAY.accepts)
        self.item = item

    def check(self, value: Any, where: str) -> None:
        super().check(value, where)
        for index, item in enumerate(value):
            self.item.check(item, f"{where}[{index}]")


class Transformation(JsonType):
    """A transformation string the emulator's parser reads (every handler that answers one
    parses it, and the emulator stores none it could not parse)."""

    def __init__(self) -> None:
        super().__init__("a transformation string", "transformation string", STRING.accepts)

    def check(self, value: Any, where: str) -> None:
        super().check(value, where)
        try:
            txparse.parse(value)
        except ValueError as e:  # TransformationSyntaxError; int() of an absurdly long number
            raise ShapeError(f"{_subject(where)}is no transformation: {e}") from None


TRANSFORMATION = Transformation()


class Record(JsonType):
    """An object with its `required` fields (each present, of its type) and its `optional`
    ones (of their type when present); any other field is not looked at (see the docstring)."""

    def __init__(
        self, required: Mapping[str, JsonType], optional: Mapping[str, JsonType] | None = None
    ) -> None:
        self.required = dict(required)
        self.optional = dict(optional or {})
        fields = [f"{key}: {kind.short}" for key, kind in self.required.items()]
        fields += [f"{key}: {kind.short} (optional)" for key, kind in self.optional.items()]
        super().__init__(f"an object with {', '.join(fields)}", "object", OBJECT.accepts)

    def check(self, value: Any, where: str) -> None:
        if not self.accepts(value):  # its fields first, what it is after them
            raise ShapeError(f"{_subject(where)}must be {self.name} (it is {describe(value)})")
        inner = f"{where}." if where else ""
        for key, kind in self.required.items():
            if key not in value:
                raise ShapeError(f"{inner}{key} is missing ({_subject(where)}must be {self.name})")
            kind.check(value[key], inner + key)
        for key, kind in self.optional.items():
            if key in value:
                kind.check(value[key], inner + key)


def check_identity(stored: dict[str, Any], field: str, key: str) -> None:
    """The object's identifying `field` (checked present) is its key in the store."""
    if stored[field] != key:
        raise ShapeError(f"{field} {stored[field]!r} is not the object's key")

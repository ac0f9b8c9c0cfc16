"""The answers of `fastschema` checks, and its checks of scalar values (strings, numbers,
booleans, members of an enum) and of `Any`. See `fastschema` for the contract.

A check takes a value and returns it as pydantic dumps it, or one of two misses: REJECT when
pydantic surely refuses the value, UNSURE when it may not. A builder returns None for a schema
it does not decide; the caller then makes that part of the schema undecided.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from math import isfinite
from typing import Any, Final


class Miss:
    """What a check returns when it does not accept a value (REJECT or UNSURE)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


REJECT: Final = Miss("REJECT")  # pydantic refuses the value too
UNSURE: Final = Miss("UNSURE")  # pydantic might accept it

Check = Callable[[Any], Any]  # the value as pydantic dumps it, or a Miss

PLAIN: Final = frozenset({str, int, float, bool, list, dict})  # what YAML gives, untagged

# The syntax both regex engines read alike, on text without a newline: ASCII literals, escaped
# punctuation, `.`, classes of ASCII literals and ranges (a `-` of its own last), groups,
# alternation, ^ and $, and one of the quantifiers * + ? after each of those. Nothing else: no
# \d \w \s \b, whose classes differ; no {n,m}; no (?...); no quantifier after a quantifier
# (Python reads `a*+` as possessive, Rust as (a*)+) or after nothing; no class inside a class
# and no `--` in one (Rust reads nested classes and a class difference there, Python literals).
_ESCAPE = r"\\[.\-_^$()\[\]*+?|\\]"
_CLASS = rf"\[\^?(?:[A-Za-z0-9]-[A-Za-z0-9]|[A-Za-z0-9_ .]|{_ESCAPE})+-?\]"
_ATOM = rf"(?:[A-Za-z0-9_ \-.)]|{_ESCAPE}|{_CLASS})"
_PORTABLE_PATTERN = re.compile(rf"(?:{_ATOM}[*+?]?|[(|^$])*")


def other(value: Any) -> Miss:
    """A check's answer for a value of a type it does not take: a strict pydantic refuses any
    other plain type; of a type YAML does not produce plainly (a date, a subclass) it is unsure."""
    return REJECT if type(value) in PLAIN else UNSURE


def undecided(value: Any) -> Miss:
    return UNSURE


def has_surrogate(text: str) -> bool:
    """Pydantic reads a constrained string as Unicode, which a lone surrogate is not."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def any_value(value: Any) -> Any:
    """A value pydantic takes as `Any`: dumped as it is, when made of plain JSON types."""
    kind = type(value)
    if kind is str:
        return value if value.isascii() or not has_surrogate(value) else UNSURE
    if kind is int or kind is bool:
        return value
    if kind is float:
        return value if isfinite(value) else UNSURE
    if kind is list:
        items = [any_value(item) for item in value]
        return UNSURE if any(item.__class__ is Miss for item in items) else items
    if kind is dict:
        if not all(type(key) is str for key in value):
            return UNSURE
        entries = {key: any_value(item) for key, item in value.items()}
        return UNSURE if any(item.__class__ is Miss for item in entries.values()) else entries
    return UNSURE


def _plain_string(value: Any) -> Any:
    return value if type(value) is str else other(value)


def _plain_integer(value: Any) -> Any:
    return value if type(value) is int else other(value)


def _plain_boolean(value: Any) -> Any:
    return value if value is True or value is False else other(value)


def _members(schema: Mapping[str, Any]) -> list[Any] | None:
    if "enum" in schema and "const" in schema:
        return None
    if "const" in schema:
        return [schema["const"]]
    members = schema.get("enum")
    return list(members) if isinstance(members, list) and members else None


def _lengths_valid(schema: Mapping[str, Any], *keywords: str) -> bool:
    return all(type(schema[k]) is int and schema[k] >= 0 for k in keywords if k in schema)


def _enumerated(schema: Mapping[str, Any]) -> bool:
    return "enum" in schema or "const" in schema


def string_check(schema: Mapping[str, Any]) -> Check | None:
    """`type: string` with minLength, maxLength, pattern, enum/const (of strings)."""
    members = _members(schema) if _enumerated(schema) else []
    text = schema.get("pattern")
    if members is None or not all(type(m) is str for m in members):
        return None
    if not _lengths_valid(schema, "minLength", "maxLength"):
        return None
    pattern = None if text is None else _portable_pattern(text)
    if text is not None and pattern is None:
        return None
    allowed = frozenset(members) if members else None
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if pattern is None and allowed is None and not low and high is None:
        return _plain_string
    return _constrained_string(low, high, pattern, allowed)


def _portable_pattern(text: Any) -> re.Pattern[str] | None:
    """The pattern compiled, when both engines read it alike (see _PORTABLE_PATTERN)."""
    if type(text) is not str or not _PORTABLE_PATTERN.fullmatch(text):
        return None
    try:
        return re.compile(text)
    except re.error:  # unbalanced parentheses, a range backwards: pydantic refused the model
        return None


def _constrained_string(
    low: int, high: int | None, pattern: re.Pattern[str] | None, allowed: frozenset[str] | None
) -> Check:
    def check(value: Any) -> Any:
        if type(value) is not str:
            return other(value)
        if allowed is not None and value not in allowed:
            return REJECT
        if not value.isascii() and has_surrogate(value):
            return UNSURE
        if len(value) < low or (high is not None and len(value) > high):
            return REJECT
        if pattern is not None:
            if "\n" in value:  # Python's $ matches before a final newline, pydantic's does not
                return UNSURE
            if pattern.search(value) is None:
                return REJECT
        return value

    return check


_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _bounds(schema: Mapping[str, Any]) -> Callable[[float], bool] | None:
    """minimum, maximum, exclusiveMinimum, exclusiveMaximum as one test; None when malformed."""
    given = {k: schema[k] for k in _BOUNDS if k in schema}
    if not all(type(v) in (int, float) and isfinite(v) for v in given.values()):
        return None
    low, high = given.get("minimum"), given.get("maximum")
    above, below = given.get("exclusiveMinimum"), given.get("exclusiveMaximum")

    def within(number: float) -> bool:
        return (
            (low is None or number >= low)
            and (high is None or number <= high)
            and (above is None or number > above)
            and (below is None or number < below)
        )

    return within


def integer_check(schema: Mapping[str, Any]) -> Check | None:
    """`type: integer` with bounds, or with enum/const (of ints) and no bounds."""
    if _enumerated(schema):
        members = _members(schema)
        bounded = any(k in schema for k in _BOUNDS)
        return None if members is None or bounded else _member_check(members, int)
    within = _bounds(schema)
    if within is None:
        return None
    if not any(k in schema for k in _BOUNDS):
        return _plain_integer

    def check(value: Any) -> Any:
        if type(value) is not int:
            return other(value)
        return value if within(value) else REJECT

    return check


def number_check(schema: Mapping[str, Any]) -> Check | None:
    """`type: number`: an int or a float, dumped as a float (an int is converted, as pydantic
    does, before the bounds)."""
    within = _bounds(schema)
    if within is None:
        return None

    def check(value: Any) -> Any:
        kind = type(value)
        if kind is float:
            number = value
        elif kind is int:
            try:
                number = float(value)
            except OverflowError:
                return UNSURE
        else:
            return other(value)
        if not isfinite(number):
            return UNSURE
        return number if within(number) else REJECT

    return check


def boolean_check(schema: Mapping[str, Any]) -> Check | None:
    """`type: boolean`, or with enum/const (of booleans)."""
    if _enumerated(schema):
        members = _members(schema)
        return None if members is None else _member_check(members, bool)
    return _plain_boolean


def enum_check(schema: Mapping[str, Any]) -> Check | None:
    """enum or const without a type: decided for strings only."""
    members = _members(schema)
    if members is None or not all(type(m) is str for m in members):
        return None
    allowed = frozenset(members)

    def check(value: Any) -> Any:
        if type(value) is not str:
            return other(value)
        return value if value in allowed else REJECT

    return check


def _member_check(members: list[Any], kind: type) -> Check | None:
    """Members of a non-string enum, matched by type and value. Pydantic's Literal is looser
    (1 and 1.0 equal True there), so a value of another type is unsure, not refused."""
    if not all(type(m) is kind for m in members):
        return None
    allowed = frozenset(members)

    def check(value: Any) -> Any:
        if type(value) is not kind:
            return UNSURE
        return value if value in allowed else REJECT

    return check

"""Parsing: a transformation string into the validated ``Transformation`` model.

Splits the chain into components and parameters, validates each value through the table in
``values``, checks the nesting of conditional blocks (``if_``/``if_else``/``if_end``), and
reads the parts other modules need: eager lists split on ``|`` and the named transformations a
string refers to. Error positions are 0-based offsets into the whole string.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from cloudinary_state.transformation.model import (
    Component,
    Param,
    Transformation,
    TransformationSyntaxError,
    _Problem,
)
from cloudinary_state.transformation.shared_checks import _hint_for, _known
from cloudinary_state.transformation.values import _VALIDATORS, _check_variable_value
from cloudinary_state.transformation.vocabulary import (
    _LONG_ALIASES,
    _VARIABLE_RE,
    FORMATS,
    LONG_TO_SHORT,
    SHORT_TO_LONG,
)


def parse(text: str) -> Transformation:
    """Parse and validate one chained transformation string."""
    return _parse_at(text, 0)


T = TypeVar("T")
_FORBIDDEN = re.compile(r"\|")
_WHITESPACE = re.compile(r"\s")  # exactly str.isspace
# A text layer's value (`l_text:Open Sans_40:Hello World`): its own check judges its spaces.
_TEXT_LAYER = re.compile(r"(?<![A-Za-z0-9_])[lu]_text:[^,/]*")


def _whitespace_warning(text: str, base: int) -> TransformationSyntaxError | None:
    """Whitespace outside a text layer, as a warning: Cloudinary's docs ask for %20 in URLs,
    and what the Admin API does with a literal one in a stored transformation is undocumented,
    so it is never a refusal. (Inside a text layer, `values._check_text_layer` judges it.)"""
    layered = {i for m in _TEXT_LAYER.finditer(text) for i in range(m.start(), m.end())}
    for found in _WHITESPACE.finditer(text):
        if found.start() not in layered:
            return TransformationSyntaxError(
                "whitespace in a transformation",
                base + found.start(),
                "remove it, or URL-encode it (%20) as Cloudinary's docs ask in URLs; what the "
                "Admin API does with a literal one is undocumented",
            )
    return None


# Parsing is pure and its result immutable: the loader checks a string and then reads its
# references, and `comparable` re-parses the canonical string it renders, which is most often
# the string it was given; each of those is a second parse of the same text. The caches hold
# a large config whole: a plan after the load parses every string again, in the same order,
# and an LRU cache smaller than that cycle evicts each entry just before it recurs.
@functools.lru_cache(maxsize=16384)
def _parse_at(text: str, base: int) -> Transformation:
    def fail(message: str, at: int, hint: str = "") -> TransformationSyntaxError:
        return TransformationSyntaxError(message, base + at, hint)

    if not text:
        raise fail("empty transformation", 0, "write at least one parameter, e.g. c_fill,w_100")
    forbidden = _FORBIDDEN.search(text)
    if forbidden:
        raise fail(
            "'|' separates eager transformations, it cannot appear inside one",
            forbidden.start(),
            "list eager transformations separately, or split them with '|' only in an eager setting",
        )
    pieces: list[tuple[int, str]] = []
    start = 0
    for piece in text.split("/"):
        pieces.append((start, piece))
        start += len(piece) + 1

    components: list[Component] = []
    warnings: list[TransformationSyntaxError] = []
    last = len(pieces) - 1
    for index, (at, piece) in enumerate(pieces):
        if piece == "":
            if index == last and components:
                components[-1] = replace(components[-1], extension="")
                continue
            where = "starts with '/'" if index == 0 else "has an empty component ('//')"
            raise fail(f"transformation {where}", at, "remove the extra '/'")
        if index == last and components and "_" not in piece and "," not in piece:
            if piece not in FORMATS:
                raise fail(
                    f"unknown format '{piece}' as the last component",
                    at,
                    (f"formats are lowercase: write '{piece.lower()}'; " if piece.lower() in FORMATS else "")
                    + _hint_for(piece, FORMATS, "formats")
                    + "; a '/' inside layer text or a URL must be encoded (%252F, or base64url for URLs)",
                )
            components[-1] = replace(components[-1], extension=piece)
            continue
        params, noticed = _moved(_parse_component, piece, base + at)
        components.append(Component(params))
        warnings.extend(_moved_warning(w, base + at) for w in noticed)
    _check_conditional_blocks(components, text, base)
    spaced = _whitespace_warning(text, base)
    # the whitespace first: it is what the other warnings of its parameter come from
    return Transformation(tuple(components), (*((spaced,) if spaced else ()), *warnings))


def _moved(parse: Callable[[str], T], text: str, offset: int) -> T:
    """`parse(text)`, which reports positions within `text`, with an error moved by `offset`."""
    try:
        return parse(text)
    except TransformationSyntaxError as e:
        raise _moved_warning(e, offset) from None


def _moved_warning(problem: TransformationSyntaxError, offset: int) -> TransformationSyntaxError:
    return TransformationSyntaxError(problem.message, offset + problem.position, problem.hint)


# Flags given twice in one component are one set: Cloudinary's own URL-generation SDKs emit
# `fl_keep_attribution,fl_keep_iptc`, so that repetition is known, not a warning.
_REPEATABLE = frozenset({"fl"})


# Components and parameters recur across a config (`f_auto,q_auto`, `c_scale`, `w_320`) far
# more than whole strings do: each is parsed once, positions relative to itself, and `_moved`
# puts an error where it occurs.
@functools.lru_cache(maxsize=16384)
def _parse_component(piece: str) -> tuple[tuple[Param, ...], tuple[TransformationSyntaxError, ...]]:
    """The parameters of one component and the warnings about them (positions within `piece`)."""
    params: list[Param] = []
    warnings: list[TransformationSyntaxError] = []
    seen: dict[str, int] = {}
    at = 0
    for raw in piece.split(","):
        param, noticed = _moved(_parse_param, raw, at)
        warnings.extend(_moved_warning(w, at) for w in noticed)
        if param.key in seen and param.key not in _REPEATABLE:
            # What the API does with a repeated parameter is undocumented: warn, never refuse.
            warnings.append(
                TransformationSyntaxError(
                    f"parameter '{param.key}' appears twice in one component",
                    at,
                    "keep one, or chain a second component with '/'",
                )
            )
        seen.setdefault(param.key, at)
        params.append(param)
        at += len(raw) + 1
    condition = next((p.value for p in params if p.key == "if"), None)
    if "t" in seen and condition not in (None, "end", "else"):
        # Cloudinary's docs: "if_w_eq_h,t_trans is not supported".
        raise TransformationSyntaxError(
            "a named transformation cannot share a component with its condition",
            seen["t"],
            f"write if_{condition}/t_.../if_end",
        )
    return tuple(params), tuple(warnings)


@functools.lru_cache(maxsize=16384)
def _parse_param(raw: str) -> tuple[Param, tuple[TransformationSyntaxError, ...]]:
    """One parameter and what was not recognised in it. The shape (`key_value`, a variable's
    name) is an error; an unknown key or a value the vocabulary does not know is a warning,
    since the API may know it (positions within `raw`)."""
    at = 0
    if raw == "":
        raise TransformationSyntaxError("empty parameter", at, "remove the extra ','")
    if raw.startswith("$"):
        match = re.match(r"\$[A-Za-z][A-Za-z0-9]*", raw)
        if not match:
            raise TransformationSyntaxError(
                f"invalid variable name in '{raw}'",
                at,
                "variable names start with a letter and use only letters and digits",
            )
        key = match.group(0)
        rest = raw[match.end() :]
        if not rest.startswith("_") or len(rest) == 1:
            raise TransformationSyntaxError(
                f"variable '{key}' has no value"
                if not rest or rest == "_"
                else f"invalid variable name in '{raw}'",
                at + match.end(),
                f"assign it as {key}_<value>, e.g. {key}_100; names use only letters and digits",
            )
        value = rest[1:]
        return Param(key, value), _noticed(_check_variable_value(value), match.end() + 1)

    key, sep, value = raw.partition("_")
    if not sep:
        if raw in FORMATS:
            raise TransformationSyntaxError(
                f"bare format '{raw}' must be the last component", at, f"move it to the end, or write f_{raw}"
            )
        raise TransformationSyntaxError(
            f"parameter '{raw}' has no value",
            at,
            "parameters are written key_value, e.g. w_100"
            " (a ',' or '/' inside layer text must be encoded as %252C or %252F)",
        )
    if not value:
        raise TransformationSyntaxError(
            f"parameter '{key}' has an empty value", at + len(key) + 1, f"write {key}_<value>"
        )
    if key not in SHORT_TO_LONG:
        unknown = TransformationSyntaxError(f"unknown parameter '{key}'", at, _unknown_key_hint(raw, key))
        return Param(key, value), (unknown,)
    if _VARIABLE_RE.fullmatch(value):  # any value may come from a variable (c_$mode)
        return Param(key, value), ()
    return Param(key, value), _noticed(_VALIDATORS[key](value), len(key) + 1)


def _noticed(problem: _Problem | None, value_at: int) -> tuple[TransformationSyntaxError, ...]:
    """A value-level problem as a warning, at its position within the parameter."""
    if problem is None:
        return ()
    return (TransformationSyntaxError(problem.message, value_at + problem.offset, problem.hint),)


def _unknown_key_hint(raw: str, key: str) -> str:
    if key.lower() in SHORT_TO_LONG:
        return f"parameter keys are lowercase: did you mean '{key.lower()}_'?"
    for long in sorted({*LONG_TO_SHORT, *_LONG_ALIASES}, key=len, reverse=True):
        if raw.startswith(long + "_"):
            short = LONG_TO_SHORT.get(long) or _LONG_ALIASES[long]
            return f"URLs use short keys: write '{short}_{raw[len(long) + 1 :]}' for {long}"
    import difflib  # here, not at the top: only a mistake needs it, and start-up is measured

    close_short = difflib.get_close_matches(key, sorted(SHORT_TO_LONG), n=3, cutoff=0.6)
    suggestion = "did you mean " + " or ".join(f"'{c}_'" for c in close_short) + "?" if close_short else ""
    if not suggestion:
        close_long = difflib.get_close_matches(key, sorted(LONG_TO_SHORT), n=1, cutoff=0.6)
        if close_long:
            suggestion = f"did you mean '{LONG_TO_SHORT[close_long[0]]}_' ({close_long[0]})?"
    known = _known("parameters", SHORT_TO_LONG, limit=64)
    return f"{suggestion} {known}" if suggestion else known


def _check_conditional_blocks(components: list[Component], text: str, base: int) -> None:
    """Check the nesting of conditional blocks.

    A component holding only ``if_<cond>`` opens a block that ``if_end`` closes; ``if_<cond>``
    with other parameters is an inline conditional for that component alone. ``if_else`` needs a
    preceding condition; per Cloudinary's docs it also ends the ``if`` branch, so a block whose
    else branch runs to the end of the chain is accepted without ``if_end``.
    """
    if "if_" not in text:  # no condition, no block (most strings)
        return
    blocks: list[str] = []  # "if" or "else", innermost last
    previous_inline_if = False
    offsets = _component_offsets(text)
    for index, component in enumerate(components):
        condition = next((p.value for p in component.params if p.key == "if"), None)
        at = base + offsets[index]
        alone = len(component.params) == 1
        if condition == "end":
            if not blocks:
                raise TransformationSyntaxError(
                    "if_end without an open if_ block", at, "remove it, or open the block with if_<condition>"
                )
            blocks.pop()
        elif condition == "else":
            if blocks and blocks[-1] == "else":
                raise TransformationSyntaxError(
                    "second if_else in one conditional block", at, "close the block with if_end first"
                )
            if blocks:
                blocks[-1] = "else"
            elif not previous_inline_if:
                raise TransformationSyntaxError(
                    "if_else without a preceding if_ condition",
                    at,
                    "write if_<condition>/.../if_else/.../if_end",
                )
            elif alone:
                blocks.append("else")  # the else branch of an inline if, up to if_end or the end
        elif condition is not None and alone:
            blocks.append("if")
        previous_inline_if = condition not in (None, "end", "else") and not alone
    if "if" in blocks:
        raise TransformationSyntaxError(
            "conditional block is not closed",
            base + len(text),
            "add '/if_end' after the conditional components",
        )


def _component_offsets(text: str) -> list[int]:
    """Start offsets of the non-extension components (same walk as _parse_at)."""
    offsets: list[int] = []
    start = 0
    for piece in text.split("/"):
        if piece:
            offsets.append(start)
        start += len(piece) + 1
    return offsets


# --------------------------------------------------------------------------------------------
# References and eager lists
# --------------------------------------------------------------------------------------------


def split_eager(text: str) -> list[str]:
    """``"c_fill,w_320|c_fill,w_768"`` -> the transformation strings, in order."""
    pieces: list[str] = []
    at = 0
    for piece in text.split("|"):
        if not piece:
            raise TransformationSyntaxError("empty eager transformation", at, "remove the extra '|'")
        pieces.append(piece)
        at += len(piece) + 1
    return pieces


def named_references(text: str) -> list[str]:
    """Names of the named transformations ``text`` uses (``t_NAME``, chained ``t_a.b``), no ``t_``,
    URL-decoded: a reference is matched by its decoded name (``t_my%20name`` is ``my name``).

    Accepts an eager list joined by ``|`` as well. Raises TransformationSyntaxError on bad syntax.
    """
    names: list[str] = []
    at = 0
    for piece in split_eager(text):
        for component in _parse_at(piece, at).components:
            for param in component.params:
                if param.key != "t":
                    continue
                for name in map(urllib.parse.unquote, param.value.split(".")):
                    if name not in names:
                        names.append(name)
        at += len(piece) + 1
    return names

"""Canonicalisation: the one comparable form of a transformation, from a string or a live ``info``.

``canonical_value`` is the per-value normalisation that both sides share (what it unifies is
described in the package docstring); ``to_info`` and ``canonical_info`` build the structural form,
``info_to_string`` renders it back, and ``comparable`` is the form plans compare and show.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from cloudinary_state.transformation.grammar import parse
from cloudinary_state.transformation.media_values import _OFFSET_RE
from cloudinary_state.transformation.model import Param, TransformationSyntaxError, _Problem
from cloudinary_state.transformation.shared_checks import _full, _hint_for, _split_quoted
from cloudinary_state.transformation.values import _BORDER_RE
from cloudinary_state.transformation.vocabulary import (
    _LONG_ALIASES,
    _NUMBER_RE,
    LONG_TO_SHORT,
    NAMED_COLORS,
    RELATIVE_NUMBER_KEYS,
    SHORT_TO_LONG,
)

# --------------------------------------------------------------------------------------------
# Canonical values
# --------------------------------------------------------------------------------------------


def _canonical_number(text: str, *, keep_decimal: bool) -> str:
    """``"0.50"`` -> ``"0.5"``, ``"100.0"`` -> ``"100"`` (``"100.0"`` where decimals are relative)."""
    if len(text) <= 18 and text.isascii() and text.isdigit() and (text[0] != "0" or text == "0"):
        # a plain integer (most numbers) spells itself; beyond 28 digits normalize() would round
        return text
    number = Decimal(text)
    rendered = "0" if number == 0 else format(number.normalize(), "f")
    if keep_decimal and "." in text and "." not in rendered:
        rendered += ".0"
    return rendered


def _canonical_numeric_tokens(value: str, sep: str) -> str:
    """Normalise every plain-number token of a separated value, leaving the rest as written."""
    pieces = _split_quoted(value, sep)
    if isinstance(pieces, _Problem):
        return value
    return sep.join(
        _canonical_number(token, keep_decimal=False) if _full(_NUMBER_RE, token) else token
        for _, token in pieces
    )


def _canonical_color(value: str) -> str:
    if value.startswith("#"):
        return "rgb:" + value[1:].lower()
    if value.startswith("rgb:"):
        return value.lower()
    if value.lower() in NAMED_COLORS:
        return value.lower()
    return value


_EXPRESSION_KEYS = frozenset({"w", "h", "x", "y", "o", "z", "dpr", "ar", "du", "so", "eo"})


# Pure, and the same few values recur throughout a config (c_fill, f_auto, w_320).
@functools.lru_cache(maxsize=8192)
def canonical_value(key: str, value: str) -> str:
    """The canonical spelling of one parameter value (``key`` is the short key or ``$name``)."""
    if _full(_NUMBER_RE, value):
        return _canonical_number(value, keep_decimal=key in RELATIVE_NUMBER_KEYS)
    if key == "fl":
        return ".".join(sorted(set(value.split("."))))
    if key in {"b", "co"}:
        return _canonical_color(value)
    if key == "bo":
        match = _BORDER_RE.fullmatch(value)
        return f"{match.group(1)}px_solid_{_canonical_color(match.group(2))}" if match else value
    if key in {"so", "eo", "du"} and _full(_OFFSET_RE, value):
        return _canonical_number(value[:-1], keep_decimal=False) + "p"  # 35% / 35P / 35.0p -> 35p
    if key in {"e", "q", "r", "ar", "fps"}:
        return _canonical_numeric_tokens(value, ":")
    if key == "a":
        return ".".join(
            _canonical_number(part, keep_decimal=False)
            if _full(_NUMBER_RE, part)
            else _canonical_numeric_tokens(part, "_")
            for part in value.split(".")
        )
    if key == "if" or key.startswith("$") or key in _EXPRESSION_KEYS:
        return _canonical_numeric_tokens(value, "_")
    return value


def _ordered(params: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Canonical order within a component: ``if`` first, variables as written, the rest by key.

    Order matters only for the condition and for variables (a later one may use an earlier one);
    everything else in a component applies together, as the SDK's sorted output shows.
    """
    items = list(params)
    if all(key != "if" and not key.startswith("$") for key, _ in items):
        return sorted(items)  # the usual component: no condition, no variable
    conditions = [item for item in items if item[0] == "if"]
    variables = [item for item in items if item[0].startswith("$")]
    others = sorted(item for item in items if item[0] != "if" and not item[0].startswith("$"))
    return conditions + variables + others


def canonical_string(text: str) -> str:
    """A stable spelling of ``text``: equal results mean the same transformation."""
    transformation = parse(text)
    rendered: list[str] = []
    for component in transformation.components:
        pairs = _ordered((p.key, canonical_value(p.key, p.value)) for p in component.params)
        rendered.append(",".join(f"{key}_{value}" for key, value in pairs))
        if component.extension is not None:
            rendered.append(component.extension)
    return "/".join(rendered)


# --------------------------------------------------------------------------------------------
# The comparable structural form
# --------------------------------------------------------------------------------------------


def to_info(text: str) -> list[dict[str, str]]:
    """One dict per component: long names, canonical string values, ``extension`` as the API puts it."""
    return [dict(_step_info(c.params, c.extension)) for c in parse(text).components]


# Pure; a component recurs across a config's strings (`f_auto,q_auto`, `c_scale,w_320`) and
# the parser hands out one `params` tuple per distinct component text. Callers get copies.
@functools.lru_cache(maxsize=16384)
def _step_info(params: tuple[Param, ...], extension: str | None) -> dict[str, str]:
    entry = {_long_name(key): canonical_value(key, value) for key, value in _merged(params)}
    if extension is not None:
        entry["extension"] = extension or "none"
    return _info_order(entry)


def _info_order(entry: Mapping[str, str]) -> dict[str, str]:
    """Variables first, in the order written (a later one may use an earlier one, so the order
    is part of the meaning), then the other entries sorted by name."""
    if not any(name.startswith("$") for name in entry):  # the usual step: no variable
        return dict(sorted(entry.items()))
    variables = {name: value for name, value in entry.items() if name.startswith("$")}
    return variables | dict(
        sorted((name, value) for name, value in entry.items() if not name.startswith("$"))
    )


def _merged(params: Iterable[Param]) -> list[tuple[str, str]]:
    """Flags given twice in one component joined into one set (as the emulator answers them);
    any other repeated key keeps its last value, as the emulator's `info` does: what the live
    API does with it is undocumented, and the validator warns about it."""
    merged: dict[str, str] = {}
    for param in params:
        if param.key == "fl" and "fl" in merged:
            merged["fl"] += "." + param.value
        else:
            merged[param.key] = param.value
    return list(merged.items())


def _long_name(short: str) -> str:
    """The long name of a short key; a key the vocabulary does not know stays as written."""
    return short if short.startswith("$") else SHORT_TO_LONG.get(short, short)


def _short_name(name: str) -> str | None:
    """The short key for a long name (or a short key, or a ``$variable``); None when unknown."""
    if name.startswith("$"):
        return name
    if name in LONG_TO_SHORT:
        return LONG_TO_SHORT[name]
    if name in _LONG_ALIASES:
        return _LONG_ALIASES[name]
    if name in SHORT_TO_LONG:
        return name
    return None


def _live_value_text(short: str | None, value: object) -> str:
    """A live JSON value as the text it was written as in the transformation string."""
    if type(value) is str:  # the common case (and every value of a string's own info)
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        try:
            return format(Decimal(repr(value)), "f")
        except InvalidOperation:  # inf / nan: nothing a transformation holds; keep visible
            return repr(value)
    if isinstance(value, list | tuple):
        joiner = "." if short in {"fl", "a", "t"} else ":"
        return joiner.join(_live_value_text(short, item) for item in value)
    if value is None:
        return ""
    return str(value)


def canonical_info(info: list[dict[str, object]]) -> list[dict[str, str]]:
    """Normalise a live ``info`` (GET transformation) into the same form as :func:`to_info`."""
    result: list[dict[str, str]] = []
    for component in info:
        entry: dict[str, str] = {}
        for name, value in component.items():
            if name == "extension":
                text = _live_value_text(None, value)
                entry["extension"] = text.lower() if text else "none"
                continue
            if name == "variables" and isinstance(value, list):
                for pair in value:
                    if isinstance(pair, list | tuple) and len(pair) == 2:
                        var_name = str(pair[0])
                        entry[var_name] = canonical_value(var_name, _live_value_text(var_name, pair[1]))
                continue
            short = _short_name(name)
            text = _live_value_text(short, value)
            if short is None:  # unknown to us: compared as written, normalised like the string side
                entry[name] = canonical_value(name, text)
            else:
                entry[_long_name(short)] = canonical_value(short, text)
        result.append(_info_order(entry))
    # Tolerate the extension as a step of its own: it belongs to the step before it.
    if len(result) >= 2 and set(result[-1]) == {"extension"} and "extension" not in result[-2]:
        extension = result.pop()
        result[-1] = _info_order({**result[-1], **extension})
    return result


def info_to_string(info: list[dict[str, object]]) -> str:
    """Render a parsed info list (long names) back into a transformation string.

    Raises TransformationSyntaxError for a parameter name we do not know, and for a result that
    does not parse (the string must be valid, since it is sent back to the API).
    """
    rendered: list[str] = []
    for index, component in enumerate(info):
        pairs: list[tuple[str, str]] = []
        extension: str | None = None
        for name, value in component.items():
            if name == "extension":
                extension = _live_value_text(None, value)
                continue
            if name == "variables" and isinstance(value, list):  # the SDK's ordered form
                pairs.extend(
                    (str(pair[0]), _live_value_text(str(pair[0]), pair[1]))
                    for pair in value
                    if isinstance(pair, list | tuple) and len(pair) == 2
                )
                continue
            short = _short_name(name)
            if short is None and "_" not in name:
                short = name  # a key the vocabulary does not know, as the string wrote it
            if short is None:
                raise TransformationSyntaxError(
                    f"unknown transformation parameter '{name}' in step {index + 1}",
                    0,
                    _hint_for(name, LONG_TO_SHORT, "parameter names"),
                )
            text = _live_value_text(short, value)
            if text != "":
                pairs.append((short, text))
        # Keep the caller's order for if/variables; sort the rest like the SDK does.
        if pairs or extension is None or not rendered:
            rendered.append(",".join(f"{key}_{value}" for key, value in _ordered(pairs)))
        if extension is not None:
            if index != len(info) - 1:
                raise TransformationSyntaxError(
                    f"'extension' is only allowed on the last step (found on step {index + 1})", 0
                )
            rendered.append("" if extension in {"", "none"} else extension)
    text = "/".join(rendered)
    parse(text)
    return text


def comparable(definition: str | Sequence[Mapping[str, object]]) -> str:
    """The form in which plans compare and show a transformation definition.

    `definition` is a string as the user writes it or an `info` list as the server returns it.
    Both go through the structural form (`to_info` / `canonical_info`), so equal results mean
    the same transformation; rendering that back as a string keeps plans readable for the
    people who wrote strings. A live parameter this grammar does not know yet still compares
    exactly, as sorted JSON of the structure, instead of failing the whole read.
    """
    if isinstance(definition, str):
        return _comparable_text(definition)
    return _rendered(canonical_info([dict(step) for step in definition]))


# Pure, and a config repeats its strings (a streaming profile's ladder, a preset's eager
# list): each distinct one is canonicalised once. A string that does not parse raises, and
# lru_cache keeps no exception, so it raises again each time, as before.
@functools.lru_cache(maxsize=16384)
def _comparable_text(text: str) -> str:
    return _rendered(to_info(text))


def _rendered(info: list[dict[str, str]]) -> str:
    """The structural form as a string, or as sorted JSON where it does not render."""
    steps: list[dict[str, object]] = [dict(step) for step in info]
    try:
        return info_to_string(steps)
    except TransformationSyntaxError:
        return json.dumps(steps, sort_keys=True)

"""Upload-preset settings read one way by `validate` (config/checks.py) and by the writer (kinds).

What validate checks must be what apply sends: the metadata keys validate resolves are the keys
the server stores, and the `t_NAME` references validate resolves are the ones apply orders its
writes by (and import trusts). So both read the settings with these functions; they sit in the
bottom layer because the config layer is below the kinds.

`context` and `metadata` travel as `k=v|k2=v2` (reference §6.3): pycloudinary escapes `=` and
`|` inside values with a backslash and JSON-encodes list values, and escapes nothing else (not
the keys, not the backslash). So `\\=` and `\\|` are the only escapes, any other backslash is
literal, and a key is what stands before the first unescaped `=`, as written: the server
stores `" sku"` for `" sku=1"`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from cloudinary_state.transformation import named_references, split_eager

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_UNESCAPED_EQUALS = re.compile(r"(?<!\\)=")

# A place inside a preset's settings: keys and list indexes, e.g. ("eager", 1).
SettingsPath = tuple[str | int, ...]


# --- k=v|k2=v2 --------------------------------------------------------------------------------


def parse_pipe_map(value: Any) -> dict[str, Any]:
    """`k=v|k2=v2` (value escapes undone, list values JSON-decoded) -> dict; a mapping passes."""
    if isinstance(value, Mapping):
        return {str(k): _map_value(v) for k, v in value.items()}
    result: dict[str, Any] = {}
    for pair in _UNESCAPED_PIPE.split(str(value)):
        if not pair:
            continue
        key, _, value_text = _split_at_equals(pair)
        result[key] = _map_value(_unescape(value_text), decode_json=True)
    return result


def pipe_map_keys(value: Any) -> list[str]:
    """The keys the server stores for a `context`/`metadata` value: what is sent, read back."""
    return list(parse_pipe_map(encode_pipe_map(value)))


def encode_pipe_map(value: Any) -> str:
    """A mapping -> the `k=v|...` string pycloudinary would build; a string is sent as written."""
    if isinstance(value, str):
        return value
    parts = []
    for key, item in dict(value).items():
        text = json.dumps(list(item), separators=(",", ":")) if isinstance(item, list | tuple) else str(item)
        parts.append(f"{key}={_escape(text)}")
    return "|".join(parts)


def _split_at_equals(pair: str) -> tuple[str, str, str]:
    found = _UNESCAPED_EQUALS.search(pair)
    if found is None:
        return pair, "", ""
    return pair[: found.start()], "=", pair[found.end() :]


def _escape(text: str) -> str:
    return text.replace("=", "\\=").replace("|", "\\|")


def _unescape(text: str) -> str:
    return text.replace("\\=", "=").replace("\\|", "|")


def _map_value(value: Any, *, decode_json: bool = False) -> Any:
    """A context/metadata value: lists (a set field's values) stay lists, scalars are text."""
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    text = str(value)
    if decode_json and text.startswith("["):
        try:
            decoded = json.loads(text)
        except json.JSONDecodeError:
            return text
        if isinstance(decoded, list):
            return [str(item) for item in decoded]
    return text


# --- transformation strings and their t_ references -------------------------------------------


def transformation_strings(settings: Mapping[str, Any]) -> Iterator[tuple[SettingsPath, str, int]]:
    """(path in the settings, transformation string, offset of the string in the value at path).

    The incoming `transformation`, every `eager` variant (a list, or one pipe-separated string
    whose variants start at their offsets) and every `responsive_breakpoints` transformation.
    """
    incoming = settings.get("transformation")
    if isinstance(incoming, str):
        yield ("transformation",), incoming, 0
    eager = settings.get("eager")
    if isinstance(eager, str):
        cursor = 0
        for part in split_eager(eager):
            found = eager.find(part, cursor)
            start = found if found >= 0 else cursor
            cursor = start + len(part)
            yield ("eager",), part, start
    elif isinstance(eager, list | tuple):
        for i, text in enumerate(eager):
            if isinstance(text, str):
                yield ("eager", i), text, 0
    breakpoints = settings.get("responsive_breakpoints")
    rules = breakpoints if isinstance(breakpoints, list | tuple) else [breakpoints]
    for i, rule in enumerate(rules):
        if isinstance(rule, Mapping) and isinstance(rule.get("transformation"), str):
            index: SettingsPath = (i,) if isinstance(breakpoints, list | tuple) else ()
            yield ("responsive_breakpoints", *index, "transformation"), rule["transformation"], 0


def transformation_references(settings: Mapping[str, Any]) -> list[str]:
    """The named transformations (`t_NAME` -> NAME) a preset's settings use, first use first."""
    names = (name for _, text, _ in transformation_strings(settings) for name in named_references(text))
    return list(dict.fromkeys(names))

"""Small value helpers shared by the emulator's resource modules: wire coercion, cursors."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any, TypeVar

from cloudinary_state.emulator.routing import ApiError

T = TypeVar("T")

MAX_RESULTS_DEFAULT = 10
MAX_RESULTS_LIMIT = 500


def coerce_bool(value: Any, name: str) -> bool:
    """Reference §13.2: booleans arrive as true/false, "true"/"false", "1"/"0", 1/0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "false", "0"):
        return value.strip().lower() in ("true", "1")
    raise ApiError(400, f"Invalid value {value!r} for parameter {name}: expected a boolean")


def max_results(params: dict[str, Any]) -> int:
    raw = params.get("max_results", MAX_RESULTS_DEFAULT)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ApiError(400, f"Invalid value {raw!r} for parameter max_results") from None
    if not 1 <= value <= MAX_RESULTS_LIMIT:
        raise ApiError(400, f"max_results must be between 1 and {MAX_RESULTS_LIMIT}")
    return value


def encode_cursor(position: str) -> str:
    return base64.urlsafe_b64encode(f"emu:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: Any) -> str:
    if not isinstance(cursor, str) or not cursor:
        raise ApiError(400, "Invalid next_cursor")
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "Invalid next_cursor") from None
    if not text.startswith("emu:"):
        raise ApiError(400, "Invalid next_cursor")
    return text[4:]


def paginate(
    items: Sequence[T], keys: Sequence[str], params: dict[str, Any], descending: bool = False
) -> tuple[list[T], str | None]:
    """One page of `items` (sorted by the parallel, unique `keys`), resuming after the cursor's key.

    Cursors carry the last key served rather than an offset, so deletes between pages never
    skip entries.
    """
    limit = max_results(params)
    start = 0
    if params.get("next_cursor"):
        after = decode_cursor(params["next_cursor"])
        start = next(
            (i for i, key in enumerate(keys) if (key < after if descending else key > after)), len(keys)
        )
    page = list(items[start : start + limit])
    more = start + limit < len(items)
    return page, encode_cursor(keys[start + limit - 1]) if more else None

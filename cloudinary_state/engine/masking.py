"""Masking of sensitive values, shared by the plan, the plan file and every renderer.

Two lines of defence:
1. `mask_value`: a value at a sensitive path (one that came from `${env.*}`) is replaced by a
   marker when the plan is built, so the plan never holds it.
2. `scrub_text` / `scrub_value` (cloudinary_state/scrubbing.py, re-exported here): every
   secret string of the environment (the values of `DesiredState.secrets`, the api_secret) is
   cut out of any text or JSON about to leave the process, whatever path it hides under.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from cloudinary_state.scrubbing import is_sensitive, scrub_text, scrub_value

__all__ = ["SENSITIVE", "SENSITIVE_CHANGED", "is_sensitive", "mask_value", "scrub_text", "scrub_value"]

SENSITIVE = "(sensitive)"
SENSITIVE_CHANGED = "(sensitive, changed)"


def _mask_nested(value: Any, path: str, sensitive_paths: Collection[str], marker: str) -> tuple[Any, bool]:
    if is_sensitive(path, sensitive_paths):
        return (marker if value is not None else None), value is not None
    if isinstance(value, Mapping):
        found = False
        out: dict[str, Any] = {}
        for k, v in value.items():
            out[k], hit = _mask_nested(v, f"{path}.{k}" if path else str(k), sensitive_paths, marker)
            found = found or hit
        return out, found
    if isinstance(value, list):
        items, found = [], False
        for i, v in enumerate(value):
            masked, hit = _mask_nested(v, f"{path}[{i}]", sensitive_paths, marker)
            items.append(masked)
            found = found or hit
        return items, found
    return value, False


def mask_value(path: str, value: Any, sensitive_paths: Collection[str], *, changed: bool) -> tuple[Any, bool]:
    """-> (value with every sensitive part replaced by a marker, whether anything was masked).

    `changed` picks the marker: "(sensitive, changed)" for the new value of an update,
    "(sensitive)" otherwise.
    """
    if not sensitive_paths:
        return value, False
    return _mask_nested(value, path, sensitive_paths, SENSITIVE_CHANGED if changed else SENSITIVE)

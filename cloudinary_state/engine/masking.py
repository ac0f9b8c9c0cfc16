"""Masking of sensitive values, shared by the plan, the plan file and every renderer.

Two lines of defence:
1. `mask_value`: a value at a sensitive path (one that came from `${env.*}`) is replaced by a
   marker when the plan is built, so the plan never holds it.
2. `scrub_text` / `scrub_value`: every secret string of the environment (the values of
   `DesiredState.secrets`, the api_secret) is cut out of any text or JSON about to leave the
   process, whatever path it hides under.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

SENSITIVE = "(sensitive)"
SENSITIVE_CHANGED = "(sensitive, changed)"
SCRUBBED = "(sensitive)"

# Secrets shorter than this are not scrubbed from free text: replacing every "1" or "on" in a
# plan would make it unreadable and protect nothing. Paths still mask them.
MIN_SCRUB_LENGTH = 4


def _within(path: str, prefix: str) -> bool:
    """True when `path` is `prefix` or lies inside it."""
    return path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")


def _mask_nested(value: Any, path: str, sensitive_paths: Collection[str], marker: str) -> tuple[Any, bool]:
    if any(_within(path, s) for s in sensitive_paths):
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


def _scrubbable(secrets: Collection[str]) -> list[str]:
    # Longest first, so a secret that contains another is cut out whole.
    return sorted({s for s in secrets if len(s) >= MIN_SCRUB_LENGTH}, key=len, reverse=True)


def scrub_text(text: str, secrets: Collection[str]) -> str:
    for secret in _scrubbable(secrets):
        text = text.replace(secret, SCRUBBED)
    return text


def scrub_value(value: Any, secrets: Collection[str]) -> Any:
    """A deep copy of a JSON-like value with every secret cut out of every string."""
    ordered = _scrubbable(secrets)
    if not ordered:
        return value

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            for secret in ordered:
                v = v.replace(secret, SCRUBBED)
            return v
        if isinstance(v, Mapping):
            return {walk(k): walk(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [walk(x) for x in v]
        return v

    return walk(value)

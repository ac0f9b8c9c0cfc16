"""Cutting secret strings out of text and JSON about to leave the process.

The secrets are the values that came from `${env.*}` (and the api_secret). The config's
diagnostics, the plan file and every renderer scrub with these functions, so one rule holds
everywhere. `is_sensitive` is the one answer to "does this path hold a value from
`${env.*}`?" for masking by path. It sits in the bottom layer because the config and the
engine both use it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

SCRUBBED = "(sensitive)"

# Secrets shorter than this are not scrubbed from free text: replacing every "1" or "on" in a
# message would make it unreadable and protect nothing. Where a value's path is known it is
# masked by path instead, however short (engine/masking.py).
MIN_SCRUB_LENGTH = 4


def is_sensitive(path: str, sensitive_paths: Collection[str]) -> bool:
    """True when the dotted `path` is one of `sensitive_paths` or lies inside one.

    A key boundary is `.` and a list boundary `[`: `settings.eager` covers `settings.eager[1]`
    and `settings.eager.x`, never the sibling `settings.eager_async`. Every place that masks by
    path asks here, so a value hidden in one output is hidden in all of them.
    """
    return any(path == p or path.startswith((p + ".", p + "[")) for p in sensitive_paths)


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

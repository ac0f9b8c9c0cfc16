"""The one detector of values that look secret by their shape, whoever wrote them.

`${env.*}` values are secrets the config knows about (scrubbing.py cuts them out). A secret
made in the console never passed through the config: a preset's `eval` code, a
`notification_url` carrying `?api_token=...`. This module recognizes those by the field's name
and the value's shape, so the importer writes them as `${env.NAME}` placeholders and the plan,
drift report and environment diff show them as a marker. It sits in the bottom layer because
the engine (plan diffs) and the importer above it both use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

# Whole values that are code or credentials: never shown, never written.
SECRET_FIELDS = frozenset({"eval", "on_success"})
SECRET_NAME = re.compile(
    r"(?i)(token|secret|signature|\bsig\b|password|passw|pwd|api[_-]?key|access[_-]?key|"
    r"auth|credential|^key$|_key$|^code$)"
)
_URL_PASSWORD = re.compile(
    r"^(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^/:@?#]*:)(?P<secret>[^/@?#]+)(?P<tail>@.*)$"
)
_QUERY_PARAM = re.compile(r"(?P<lead>[?&;])(?P<key>[^=&#;]+)=(?P<value>[^&#;]*)")

# A secret found in a string: (what names it in a placeholder variable, what it is for the user).
SecretHit = tuple[str, str]


def replace_secrets(
    text: str, path: str, secret: Callable[[SecretHit], str]
) -> list[tuple[str, bool]] | None:
    """`text` at dotted `path` cut into pieces, each secret part replaced by `secret(hit)`
    -> [(text, is_replacement)]; None when nothing in it looks secret. Secrets are the whole
    value of code fields (`eval`, `on_success`) and of secret-named fields; a URL's password
    and its secret-named query parameters."""
    leaf = path.rsplit(".", 1)[-1].split("[", 1)[0]
    if not text:
        return None
    if leaf in SECRET_FIELDS or SECRET_NAME.search(leaf):
        return [(secret(("", "the whole value")), True)]
    if "://" not in text:
        return None
    pieces: list[tuple[str, bool]] = []
    rest = text
    password = _URL_PASSWORD.match(rest)
    if password:
        pieces += [(password["head"], False), (secret(("password", "the URL password")), True)]
        rest = password["tail"]
    position = 0
    for match in _QUERY_PARAM.finditer(rest):
        if not match["value"] or not SECRET_NAME.search(match["key"]):
            continue
        pieces.append((rest[position : match.start("value")], False))
        pieces.append((secret((match["key"], f"query parameter {match['key']}")), True))
        position = match.end("value")
    if not pieces:
        return None
    pieces.append((rest[position:], False))
    return pieces


def redact_secrets(value: Any, path: str, marker: str) -> Any:
    """`value` (at dotted `path`) with every part `replace_secrets` finds replaced by `marker`."""
    if isinstance(value, Mapping):
        return {k: redact_secrets(v, f"{path}.{k}" if path else str(k), marker) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_secrets(v, f"{path}[{i}]", marker) for i, v in enumerate(value)]
    if isinstance(value, str):
        pieces = replace_secrets(value, path, lambda hit: marker)
        return value if pieces is None else "".join(p for p, _ in pieces)
    return value


def looks_secret(value: Any, path: str) -> bool:
    """True when some part of `value` (at dotted `path`) is one `replace_secrets` finds."""
    if isinstance(value, Mapping):
        return any(looks_secret(v, f"{path}.{k}" if path else str(k)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(looks_secret(v, f"{path}[{i}]") for i, v in enumerate(value))
    return isinstance(value, str) and replace_secrets(value, path, lambda hit: "") is not None

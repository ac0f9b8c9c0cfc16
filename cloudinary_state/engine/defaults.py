"""Which fields of a create the config sets, and which are the server's defaults.

A kind's canonical desired form fills in every server default, so that a body giving only the
required fields compares equal to what the server answers; a create's diff therefore lists
the defaults beside the fields the config sets. Renderers fold the defaults into one line
("and 9 defaults") so a reviewer sees what the config says.

The kind already knows where each body value lands in its canonical form: that is the
contract of `Kind.sensitive_canonical_paths` (which masking relies on), so the fields the
config sets are the canonical paths of all its body's leaves. A kind's mapping may be coarse
(a top-level field whole): then a default beside a set field shows as set, never the reverse.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from cloudinary_state.kinds.base import Kind
from cloudinary_state.scrubbing import is_sensitive


def body_leaf_paths(body: Mapping[str, Any], prefix: str = "") -> set[str]:
    """Every dotted key path of `body` that holds a value, up to the first list (the form of
    `DesiredObject.sensitive_paths`, which a kind's path mapping takes)."""
    paths: set[str] = set()
    for key, value in body.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            paths |= body_leaf_paths(value, path)
        else:
            paths.add(path)
    return paths


def config_set_paths(kind: Kind, body: Mapping[str, Any]) -> frozenset[str]:
    """The canonical-form paths that hold a value the config's `body` sets."""
    return kind.sensitive_canonical_paths(body_leaf_paths(body))


def is_server_default(path: str, set_by_config: Collection[str]) -> bool:
    """True when the canonical field at `path` holds no value the config set: neither inside
    a set path nor holding one."""
    if is_sensitive(path, set_by_config):
        return False
    return not any(p.startswith((path + ".", path + "[")) for p in set_by_config)

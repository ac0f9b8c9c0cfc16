"""The kind registry: the one place, outside each kind's own package, that names a kind.

Every kind is one package under `kinds/` behind the contract of `kinds.base.Kind`. Everything
that depends on which kinds exist derives from `REGISTRY` (see `kinds/registry.py`): to add a
kind, add its package and one line here.
"""

from __future__ import annotations

from cloudinary_state.kinds.base import Kind
from cloudinary_state.kinds.metadata_fields import METADATA_FIELDS
from cloudinary_state.kinds.metadata_rules import METADATA_RULES
from cloudinary_state.kinds.registry import Registry, UnknownKindError
from cloudinary_state.kinds.streaming_profiles import STREAMING_PROFILES
from cloudinary_state.kinds.transformations import TRANSFORMATIONS
from cloudinary_state.kinds.triggers import TRIGGERS
from cloudinary_state.kinds.upload_mappings import UPLOAD_MAPPINGS
from cloudinary_state.kinds.upload_presets import UPLOAD_PRESETS

REGISTRY = Registry(
    (
        METADATA_FIELDS,
        TRANSFORMATIONS,
        METADATA_RULES,
        STREAMING_PROFILES,
        UPLOAD_PRESETS,
        UPLOAD_MAPPINGS,
        TRIGGERS,
    )
)


def get_kind(kind_name: str) -> Kind:
    """The registered kind of that name (UnknownKindError, a ValueError, names the others)."""
    return REGISTRY.get(kind_name)


__all__ = ["REGISTRY", "Kind", "Registry", "UnknownKindError", "get_kind"]

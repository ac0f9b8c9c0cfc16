"""The kinds cloudinary-state manages, one module each, behind `kinds.base.Kind`."""

from __future__ import annotations

from cloudinary_state.desired import KindName
from cloudinary_state.kinds.base import Kind
from cloudinary_state.kinds.metadata_fields import METADATA_FIELDS
from cloudinary_state.kinds.transformations import TRANSFORMATIONS
from cloudinary_state.kinds.upload_mappings import UPLOAD_MAPPINGS
from cloudinary_state.kinds.upload_presets import UPLOAD_PRESETS

# Creates and updates run in this order (ascending rank), deletes in reverse.
ALL_KINDS: tuple[Kind, ...] = tuple(
    sorted((METADATA_FIELDS, TRANSFORMATIONS, UPLOAD_PRESETS, UPLOAD_MAPPINGS), key=lambda k: k.rank)
)
_BY_NAME: dict[str, Kind] = {kind.kind: kind for kind in ALL_KINDS}


def get_kind(kind_name: KindName | str) -> Kind:
    try:
        return _BY_NAME[kind_name]
    except KeyError:
        raise ValueError(f"unknown kind {kind_name!r}: one of {', '.join(_BY_NAME)}") from None


__all__ = ["ALL_KINDS", "Kind", "get_kind"]

"""Structured metadata fields: model, checks, canonical forms, reads and writes (reference §8)."""

from cloudinary_state.kinds.metadata_fields.kind import MetadataFieldKind

METADATA_FIELDS = MetadataFieldKind()

__all__ = ["METADATA_FIELDS", "MetadataFieldKind"]

"""Named transformations: model, checks, canonical forms, reads and writes (reference §5)."""

from cloudinary_state.kinds.transformations.kind import TransformationKind, bare_name

TRANSFORMATIONS = TransformationKind()

__all__ = ["TRANSFORMATIONS", "TransformationKind", "bare_name"]

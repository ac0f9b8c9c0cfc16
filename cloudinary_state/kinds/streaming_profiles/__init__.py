"""Adaptive streaming profiles: model, checks, built-ins, canonical forms, reads and writes
(reference §11)."""

from cloudinary_state.kinds.streaming_profiles.kind import StreamingProfileKind

STREAMING_PROFILES = StreamingProfileKind()

__all__ = ["STREAMING_PROFILES", "StreamingProfileKind"]

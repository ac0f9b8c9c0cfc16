"""Upload presets: model, settings, add-on options, checks, canonical forms, reads and writes
(reference §6)."""

from cloudinary_state.kinds.upload_presets.kind import UploadPresetKind

UPLOAD_PRESETS = UploadPresetKind()

__all__ = ["UPLOAD_PRESETS", "UploadPresetKind"]

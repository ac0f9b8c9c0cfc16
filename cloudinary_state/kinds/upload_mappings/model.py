"""The config body of an upload mapping (reference §7); its folder is the key it is declared
under."""

from __future__ import annotations

from pydantic import Field

from cloudinary_state.config.models import Model, NonEmpty


class UploadMappingModel(Model):
    """An upload mapping; its folder is the key it is declared under."""

    template: NonEmpty = Field(description="URL prefix, e.g. https://media.example.com/uploads/")
    upload_preset_name: NonEmpty | None = Field(
        default=None,
        description="the upload preset associated with the mapping: a preset declared here (or "
        "listed under policy.ignore.upload_presets); omitted, the mapping has none",
    )

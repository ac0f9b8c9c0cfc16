"""The config body of an upload preset: upload options (reference §6.4) plus the preset-level
flags that the detail GET returns inside `settings`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from cloudinary_state.config.models import Model, NonEmpty

# Upload-preset settings of the API's catalogue that pycloudinary's create/update_upload_preset
# cannot send: `access_mode`, `clear_invalid` and `parameter_whitelist` are silently dropped
# (they are not in its upload-parameter lists) and `headers` collides with the SDK's own HTTP
# headers argument. The config refuses them (validate) and the writer refuses them again, so a
# plan never promises a setting that no apply could make.
UNSENDABLE_SETTINGS: frozenset[str] = frozenset(
    {"access_mode", "clear_invalid", "parameter_whitelist", "headers"}
)


def _iso8601(value: str, field: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field} must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z") from None


class AccessControlRule(Model):
    access_type: Literal["token", "anonymous"]
    key: str | None = Field(default=None, min_length=1, description="token access: the key that signs tokens")
    start: str | None = Field(default=None, description="ISO 8601 date-time; anonymous access starts here")
    end: str | None = Field(default=None, description="ISO 8601 date-time; anonymous access ends here")

    @model_validator(mode="after")
    def _consistent(self) -> AccessControlRule:
        if self.access_type == "token" and (self.start or self.end):
            raise ValueError("start/end apply to access_type anonymous; token access is limited by its key")
        if self.access_type == "anonymous" and self.key:
            raise ValueError("key applies to access_type token only")
        start = _iso8601(self.start, "start") if self.start else None
        end = _iso8601(self.end, "end") if self.end else None
        if start and end:
            if (start.tzinfo is None) != (end.tzinfo is None):
                raise ValueError("give start and end both with or both without a time zone")
            if start >= end:
                raise ValueError("start must be before end")
        return self


class ResponsiveBreakpoint(Model):
    create_derived: bool
    format: str | None = None
    transformation: str | None = None
    max_width: int | None = Field(default=None, ge=1)
    min_width: int | None = Field(default=None, ge=1)
    bytes_step: int | None = Field(default=None, ge=1)
    max_images: int | None = Field(default=None, ge=1)


class AutoTranscription(Model):
    translate: list[NonEmpty] = Field(min_length=1)


Box = Annotated[list[int], Field(min_length=4, max_length=4, description="x, y, width, height")]
StringList = list[NonEmpty] | str
MetadataValue = str | int | list[str]


class PresetSettings(Model):
    """Upload options (cloudinary-admin-api.md section 6.4) plus the preset-level flags that the
    detail GET returns inside `settings`."""

    # preset-level flags
    disallow_public_id: bool | None = None
    live: bool | None = None
    parameter_whitelist: StringList | None = Field(
        default=None, description='upload parameters a client may set, or "none"'
    )
    # naming and placement
    public_id: str | None = None
    public_id_prefix: str | None = None
    folder: str | None = None
    asset_folder: str | None = None
    use_asset_folder_as_public_id_prefix: bool | None = None
    use_filename: bool | None = None
    unique_filename: bool | None = None
    use_filename_as_display_name: bool | None = None
    display_name: str | None = None
    unique_display_name: bool | None = None
    filename_override: str | None = None
    discard_original_filename: bool | None = None
    type: Literal["upload", "private", "authenticated", "asset"] | None = None
    format: str | None = None
    overwrite: bool | None = None
    invalidate: bool | None = None
    backup: bool | None = None
    async_: bool | None = Field(default=None, alias="async")
    proxy: str | None = None
    return_delete_token: bool | None = None
    callback: str | None = Field(default=None, description="deprecated")
    access_mode: Literal["public", "authenticated"] | None = Field(default=None, description="deprecated")
    # tagging and metadata
    tags: StringList | None = Field(default=None, description="a list, or a comma-separated string")
    context: dict[str, str] | str | None = Field(
        default=None, description="a mapping, or key=value|key=value"
    )
    metadata: dict[str, MetadataValue] | str | None = Field(
        default=None, description="structured metadata by field external_id, or key=value|key=value"
    )
    clear_invalid: bool | None = None
    # transformations
    transformation: NonEmpty | None = Field(default=None, description="incoming transformation string")
    eager: list[NonEmpty] | NonEmpty | None = Field(
        default=None, description="transformation strings, or one pipe-separated string"
    )
    eager_async: bool | None = None
    eager_notification_url: str | None = None
    responsive_breakpoints: list[ResponsiveBreakpoint] | ResponsiveBreakpoint | None = None
    allowed_formats: StringList | None = None
    headers: dict[str, str] | str | None = None
    face_coordinates: list[Box] | str | None = None
    custom_coordinates: list[Box] | str | None = None
    regions: dict[str, list[Annotated[list[int], Field(min_length=2, max_length=2)]]] | str | None = None
    # analysis and AI (options that need an add-on are listed in cloudinary_state/addons.py)
    categorization: NonEmpty | None = Field(
        default=None,
        description="comma list: google_tagging, google_video_tagging, imagga_tagging, aws_rek_tagging "
        "(each needs its add-on; optional :LANG)",
    )
    auto_tagging: float | None = Field(
        default=None, ge=0, le=1, description="confidence 0..1 above which detected tags are added"
    )
    detection: NonEmpty | None = Field(
        default=None,
        description="comma list: captioning, iqa, watermark-detection, content-analysis models "
        "(coco_v2, lvis, cld_fashion, ...) need captioning; adv_face; aws_rek_face",
    )
    moderation: NonEmpty | None = Field(
        default=None,
        description="pipe list: aws_rek, webpurify, perception_point, duplicate:<0..1>, aws_rek_video, "
        "google_video_moderation, manual (last; needs no add-on)",
    )
    ocr: NonEmpty | None = Field(default=None, description="adv_ocr or adv_ocr:document (add-on adv_ocr)")
    background_removal: NonEmpty | None = Field(
        default=None, description="cloudinary_ai, cloudinary_ai:fine_edges or pixelz (add-on of that name)"
    )
    raw_convert: NonEmpty | None = Field(
        default=None,
        description="aspose, google_speech[:vtt|:srt][:LANG], azure_video_indexer[:...] (add-ons), "
        "or extract_text",
    )
    colors: bool | None = None
    faces: bool | None = None
    phash: bool | None = None
    quality_analysis: bool | None = None
    accessibility_analysis: bool | None = None
    cinemagraph_analysis: bool | None = None
    media_metadata: bool | None = None
    visual_search: bool | None = None
    auto_transcription: bool | AutoTranscription | None = None
    auto_chaptering: bool | None = None
    # hooks and access
    notification_url: str | None = None
    eval: str | None = None
    on_success: str | None = None
    access_control: list[AccessControlRule] | None = Field(default=None, min_length=1)


class UploadPresetModel(Model):
    unsigned: bool | None = None
    settings: PresetSettings = Field(default=PresetSettings())

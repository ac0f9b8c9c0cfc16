"""Pydantic models of the config language: environment files and resource documents.

The models check shape and types (frozen, unknown keys forbidden, strict: YAML already
types its scalars, so `unsigned: "yes"` is an error, not a truthy string). Field names
are the Admin API's own (cloudinary-admin-api.md sections 5-8), so Cloudinary's docs carry
over. Rules that span fields or documents (references, datasources, add-ons, transformation
syntax) live in `checks.py`; the JSON Schemas of `schemas/` are generated from these classes.

Optional fields default to None and are never written as null: the loader rejects null
values and dumps bodies with `exclude_unset`, so a body holds only what the user set.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cloudinary_state.addons import ADDONS


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, populate_by_name=False)


Section = Literal["metadata_fields", "transformations", "upload_presets", "upload_mappings"]
ENV_VAR_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
NonEmpty = Annotated[str, Field(min_length=1)]
Glob = Annotated[str, Field(min_length=1, description="fnmatch glob, e.g. sample_*")]


# --- environment files --------------------------------------------------------------------


class SafetyModel(Model):
    """Refuse an apply whose deletes+replaces exceed this share of the existing objects."""

    max_delete_percent: float = Field(default=30.0, ge=0, le=100)
    min_existing: int = Field(
        default=10, ge=0, description="below this many managed objects the threshold is off"
    )


class PolicyModel(Model):
    prune: list[Section] = Field(
        default_factory=list, description="sections whose undeclared live objects are deleted"
    )
    ignore: dict[Section, list[Glob]] = Field(
        default_factory=dict, description="objects never read and never touched (trusted to exist)"
    )
    protect: dict[Section, list[Glob]] = Field(
        default_factory=dict, description="objects never deleted or replaced"
    )
    safety: SafetyModel = Field(default=SafetyModel())


class EnvironmentModel(Model):
    """environments/<env>.yaml"""

    cloud_name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_-]+$")
    credentials: str = Field(
        pattern=ENV_VAR_NAME, description="name of the env var holding cloudinary://key:secret@cloud"
    )
    include: list[NonEmpty] = Field(
        default_factory=list, description="globs of resource documents, relative to this file"
    )
    variables: dict[Annotated[str, Field(pattern=ENV_VAR_NAME)], str | int | float] = Field(
        default_factory=dict, description="values for ${var.NAME}"
    )
    addons: Annotated[
        dict[str, bool],
        Field(
            json_schema_extra={
                "properties": {k: {"type": "boolean", "description": v} for k, v in sorted(ADDONS.items())},
                "additionalProperties": False,
            }
        ),
    ] = Field(default_factory=dict, description="add-on toggles; unlisted add-ons are off")
    overrides: dict[Section, dict[str, dict[str, Any]]] = Field(
        default_factory=dict, description="deep-merged over the included resources, by section and name"
    )
    policy: PolicyModel = Field(default_factory=PolicyModel)


# --- resources: named transformations ---------------------------------------------------


class Tombstone(Model):
    """`absent: true` deletes the object explicitly; nothing else may be set."""

    absent: Literal[True]


class TransformationModel(Model):
    transformation: NonEmpty = Field(description="chained transformation string, e.g. c_fill,w_100/f_auto")
    allowed_for_strict: bool | None = None


# --- resources: structured metadata fields -----------------------------------------------


class StrlenRule(Model):
    type: Literal["strlen"]
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=1)


class ComparisonRule(Model):
    type: Literal["greater_than", "less_than"]
    value: int | str = Field(description="an integer, or YYYY-MM-DD for date fields")
    equals: bool | None = None


class AndRule(Model):
    type: Literal["and"]
    rules: list[ValidationRule] = Field(min_length=1)


ValidationRule = Annotated[StrlenRule | ComparisonRule | AndRule, Field(discriminator="type")]


class Restrictions(Model):
    readonly_ui: bool | None = None
    hidden_ui: bool | None = None
    excluded_from_search: bool | None = None


class DatasourceValue(Model):
    external_id: str = Field(min_length=1, max_length=255)
    value: NonEmpty


class Datasource(Model):
    values: list[DatasourceValue] = Field(min_length=1)


class MetadataFieldModel(Model):
    """A structured metadata field; its external_id is the key it is declared under."""

    type: Literal["string", "integer", "date", "enum", "set"]
    label: str = Field(min_length=1, max_length=255)
    mandatory: bool | None = None
    default_value: str | int | list[str] | None = Field(
        default=None,
        description="string, integer, YYYY-MM-DD, an option external_id (enum) or a list of them (set)",
    )
    default_disabled: bool | None = None
    validation: ValidationRule | None = None
    restrictions: Restrictions | None = None
    datasource: Datasource | None = None
    allow_dynamic_list_values: bool | None = None


# --- resources: upload presets ------------------------------------------------------------


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


# --- resources: upload mappings -----------------------------------------------------------


class UploadMappingModel(Model):
    """An upload mapping; its folder is the key it is declared under."""

    template: NonEmpty = Field(description="URL prefix, e.g. https://media.example.com/uploads/")


KIND_MODELS: dict[str, type[Model]] = {
    "transformation": TransformationModel,
    "metadata_field": MetadataFieldModel,
    "upload_preset": UploadPresetModel,
    "upload_mapping": UploadMappingModel,
}


class ResourcesModel(Model):
    """A resource document (the files an environment includes)."""

    transformations: dict[str, TransformationModel | Tombstone] = Field(
        default_factory=dict, description="named transformations, by name without the t_ prefix"
    )
    metadata_fields: dict[str, MetadataFieldModel | Tombstone] = Field(
        default_factory=dict, description="structured metadata fields, by external_id"
    )
    upload_presets: dict[str, UploadPresetModel | Tombstone] = Field(
        default_factory=dict, description="upload presets, by name"
    )
    upload_mappings: dict[str, UploadMappingModel | Tombstone] = Field(
        default_factory=dict, description="upload mappings, by folder"
    )


AndRule.model_rebuild()

"""The upload-preset settings catalogue: each setting once (reference §6.2 to §6.5).

For every setting: its config type, its `shape` (how a value is compared and sent: both read
endpoints' forms and what a user writes normalise by it), how each read endpoint returns it,
whether pycloudinary's create/update_upload_preset helpers send it (the kind sends the others
through the SDK's lower-level JSON call), and whether its value may need an add-on. The config
model, the checks, the canonical forms, the writer, add-on stripping, import and the docs all
read this table; nothing else lists preset settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# How a value is compared and sent (kind.py normalises and serialises by it).
Shape = Literal[
    "string",
    "boolean",
    "number",
    "list",
    "pipe_map",
    "transformation",
    "eager",
    "json",
    "coordinates",
    "headers",
]
Group = Literal["preset", "naming", "tagging", "transformations", "analysis", "hooks"]

# What each read endpoint returns, by shape: the reference §6.2, and for the list the schemas'
# changelog (api 0.5.0: every listed value is a string or a boolean), which settles the number
# and JSON settings the reference leaves open as strings. The engine reads the list (kind.py).
_LISTED: dict[Shape, str] = {
    "string": "string",
    "boolean": "string or boolean",
    "number": "string",
    "list": "comma string",
    "pipe_map": "pipe string",
    "transformation": "string",
    "eager": "pipe string",
    "json": "JSON string",
    "coordinates": "string",
    "headers": "string",
}
_DETAIL: dict[Shape, str] = {
    "string": "string",
    "boolean": "boolean",
    "number": "number",
    "list": "array",
    "pipe_map": "object",
    "transformation": "array of steps",
    "eager": "array of step arrays",
    "json": "parsed JSON",
    "coordinates": "arrays of numbers",
    "headers": "object",
}


@dataclass(frozen=True)
class Setting:
    name: str  # as sent and as returned
    shape: Shape
    # The config model's type, as an annotation in `values.py`'s namespace: a string, so that
    # reading the catalogue imports no pydantic (model.py builds the model from it).
    config_type: str
    group: Group
    description: str = ""
    helper_sends: bool = True  # pycloudinary's create/update_upload_preset helpers send it
    preset_flag: bool = False  # sent beside the upload parameters; false is the default
    addon_separator: str | None = None  # its value's elements may need an add-on (§6.5)
    constraints: dict[str, Any] = field(default_factory=dict)  # pydantic Field arguments

    @property
    def needs_addon(self) -> bool:
        return self.addon_separator is not None

    @property
    def listed_as(self) -> str:
        """How `GET upload_presets` (the list) returns it."""
        return _LISTED[self.shape]

    @property
    def detail_as(self) -> str:
        """How `GET upload_presets/NAME` returns it."""
        return _DETAIL[self.shape]


def _s(name: str, shape: Shape, config_type: str, group: Group, description: str = "", **kw: Any) -> Setting:
    return Setting(name, shape, config_type, group, description, **kw)


_TAG_LIST = "a list, or a comma-separated string"
# Dropped by pycloudinary's preset helpers (`headers` collides with the helper's own argument
# of that name): the kind sends a preset that has one through the SDK's lower-level JSON call.
_NOT_BY_HELPER: dict[str, Any] = {"helper_sends": False}
_CATEGORIZATION = (
    "comma list: google_tagging, google_video_tagging, imagga_tagging, aws_rek_tagging "
    "(each needs its add-on; optional :LANG)"
)
_DETECTION = (
    "comma list: captioning, iqa, watermark-detection, content-analysis models "
    "(coco_v2, lvis, cld_fashion, ...) need captioning; adv_face; aws_rek_face"
)
_MODERATION = (
    "pipe list: aws_rek, webpurify, perception_point, duplicate:<0..1>, aws_rek_video, "
    "google_video_moderation, manual (last; needs no add-on)"
)
_RAW_CONVERT = "aspose, google_speech[:vtt|:srt][:LANG], azure_video_indexer[:...] (add-ons), or extract_text"
_METADATA = "structured metadata by field external_id, or key=value|key=value"

# fmt: off
CATALOGUE: tuple[Setting, ...] = (
    # preset-level flags (the detail GET returns them inside `settings`)
    _s("disallow_public_id", "boolean", "bool", "preset", preset_flag=True),
    _s("live", "boolean", "bool", "preset", preset_flag=True),
    _s("parameter_whitelist", "list", "StringList", "preset",
       'upload parameters a client may set, or "none"', **_NOT_BY_HELPER),
    # naming and placement
    _s("public_id", "string", "str", "naming"),
    _s("public_id_prefix", "string", "str", "naming"),
    _s("folder", "string", "str", "naming"),
    _s("asset_folder", "string", "str", "naming"),
    _s("use_asset_folder_as_public_id_prefix", "boolean", "bool", "naming"),
    _s("use_filename", "boolean", "bool", "naming"),
    _s("unique_filename", "boolean", "bool", "naming"),
    _s("use_filename_as_display_name", "boolean", "bool", "naming"),
    _s("display_name", "string", "str", "naming"),
    _s("unique_display_name", "boolean", "bool", "naming"),
    _s("filename_override", "string", "str", "naming"),
    _s("discard_original_filename", "boolean", "bool", "naming"),
    _s("type", "string", "Literal['upload', 'private', 'authenticated', 'asset']", "naming"),
    _s("format", "string", "str", "naming"),
    _s("overwrite", "boolean", "bool", "naming"),
    _s("invalidate", "boolean", "bool", "naming"),
    _s("backup", "boolean", "bool", "naming"),
    _s("async", "boolean", "bool", "naming"),
    _s("proxy", "string", "str", "naming"),
    _s("return_delete_token", "boolean", "bool", "naming"),
    _s("callback", "string", "str", "naming", "deprecated"),
    _s("access_mode", "string", "Literal['public', 'authenticated']", "naming", "deprecated",
       **_NOT_BY_HELPER),
    # tagging and metadata
    _s("tags", "list", "StringList", "tagging", _TAG_LIST),
    _s("context", "pipe_map", "dict[str, str] | str", "tagging", "a mapping, or key=value|key=value"),
    _s("metadata", "pipe_map", "dict[str, MetadataValue] | str", "tagging", _METADATA),
    _s("clear_invalid", "boolean", "bool", "tagging", **_NOT_BY_HELPER),
    # transformations
    _s("transformation", "transformation", "NonEmpty", "transformations", "incoming transformation string"),
    _s("eager", "eager", "list[NonEmpty] | NonEmpty", "transformations",
       "transformation strings, or one pipe-separated string"),
    _s("eager_async", "boolean", "bool", "transformations"),
    _s("eager_notification_url", "string", "str", "transformations"),
    _s("responsive_breakpoints", "json", "list[ResponsiveBreakpoint] | ResponsiveBreakpoint",
       "transformations"),
    _s("allowed_formats", "list", "StringList", "transformations", _TAG_LIST),
    _s("headers", "headers", "dict[str, str] | str", "transformations",
       "HTTP headers for delivered assets", **_NOT_BY_HELPER),
    _s("face_coordinates", "coordinates", "list[Box] | str", "transformations"),
    _s("custom_coordinates", "coordinates", "list[Box] | str", "transformations"),
    _s("regions", "json", "dict[str, list[Region]] | str", "transformations"),
    _s("quality_override", "string", "str", "transformations"),
    # analysis and AI
    _s("categorization", "string", "NonEmpty", "analysis", _CATEGORIZATION, addon_separator=","),
    _s("auto_tagging", "number", "float", "analysis", "confidence 0..1 above which detected tags are added",
       constraints={"ge": 0, "le": 1}),
    _s("detection", "string", "NonEmpty", "analysis", _DETECTION, addon_separator=","),
    _s("moderation", "string", "NonEmpty", "analysis", _MODERATION, addon_separator="|"),
    _s("background_removal", "string", "NonEmpty", "analysis",
       "cloudinary_ai, cloudinary_ai:fine_edges or pixelz (add-on of that name)", addon_separator=""),
    _s("raw_convert", "string", "NonEmpty", "analysis", _RAW_CONVERT, addon_separator=""),
    _s("ocr", "string", "NonEmpty", "analysis", "adv_ocr or adv_ocr:document (add-on adv_ocr)",
       addon_separator=""),
    _s("colors", "boolean", "bool", "analysis"),
    _s("faces", "boolean", "bool", "analysis"),
    _s("phash", "boolean", "bool", "analysis"),
    _s("quality_analysis", "boolean", "bool", "analysis"),
    _s("accessibility_analysis", "boolean", "bool", "analysis"),
    _s("cinemagraph_analysis", "boolean", "bool", "analysis"),
    _s("media_metadata", "boolean", "bool", "analysis"),
    _s("image_metadata", "boolean", "bool", "analysis", "deprecated: media_metadata"),
    _s("exif", "boolean", "bool", "analysis", "deprecated: media_metadata"),
    _s("visual_search", "boolean", "bool", "analysis"),
    _s("similarity_search", "boolean", "bool", "analysis", "deprecated: visual_search"),
    _s("auto_transcription", "json", "bool | AutoTranscription", "analysis"),
    _s("auto_chaptering", "boolean", "bool", "analysis"),
    # hooks and access
    _s("notification_url", "string", "str", "hooks"),
    _s("eval", "string", "str", "hooks"),
    _s("on_success", "string", "str", "hooks"),
    _s("access_control", "json", "list[AccessControlRule]", "hooks", constraints={"min_length": 1}),
)
# fmt: on

BY_NAME: dict[str, Setting] = {s.name: s for s in CATALOGUE}
# pycloudinary adds these to every preset call; they are not settings.
INJECTED = frozenset({"timestamp", "upload_preset"})


def names(*, shape: Shape | None = None, helper_sends: bool | None = None) -> frozenset[str]:
    """Setting names, optionally of one shape, or sent by the SDK's preset helpers (or not)."""
    return frozenset(
        s.name
        for s in CATALOGUE
        if (shape is None or s.shape == shape) and (helper_sends is None or s.helper_sends == helper_sends)
    )


def shape_of(name: str) -> Shape:
    """A setting's shape; a key the catalogue does not know (a newer setting the server returns)
    compares as written."""
    setting = BY_NAME.get(name)
    return setting.shape if setting is not None else "string"


NOT_BY_HELPER: frozenset[str] = names(helper_sends=False)
PRESET_FLAGS: tuple[str, ...] = tuple(s.name for s in CATALOGUE if s.preset_flag)
ADDON_OPTIONS: tuple[str, ...] = tuple(s.name for s in CATALOGUE if s.needs_addon)
LIST_SEPARATORS: dict[str, str] = {s.name: s.addon_separator for s in CATALOGUE if s.addon_separator}

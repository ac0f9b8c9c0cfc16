"""Upload presets (reference §6). Identity is the preset name.

The server answers settings in two shapes: the list endpoint as the raw wire strings
(`"true"`, `"a,b"`, `"k=v|k2=v2"`, transformation strings), the detail GET parsed (booleans,
arrays, objects, transformation steps). `canonical_live` accepts both; `canonical_desired`
accepts what a user writes (tags as a list or a comma string, eager as a list or a pipe
string...). Both normalise each known setting by its type, so only meaning is compared.

Writes always send the full settings (an update replaces the preset's whole settings set) and
serialise each value so that pycloudinary sends it verbatim: in particular the incoming
transformation goes as `raw_transformation`, because a plain `transformation=` string would be
sent as a named reference `t_<string>`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection, Mapping
from typing import Any

from cloudinary_state.config.checks import CheckedObject, Report, Universe
from cloudinary_state.desired import DesiredObject, KindName, StrippedOption
from cloudinary_state.errors import ApplyError
from cloudinary_state.kinds._common import (
    as_read,
    call_create,
    call_delete,
    live_definition,
    to_bool,
)
from cloudinary_state.kinds.base import AdminApi, Kind, LiveObject
from cloudinary_state.kinds.upload_presets.addon_options import addons_needed, strip_settings
from cloudinary_state.kinds.upload_presets.checks import check_upload_preset
from cloudinary_state.kinds.upload_presets.model import UNSENDABLE_SETTINGS, UploadPresetModel
from cloudinary_state.kinds.upload_presets.settings import (
    encode_pipe_map,
    parse_pipe_map,
    pipe_map_keys,
    transformation_references,
)
from cloudinary_state.transformation import comparable, info_to_string, split_eager

BOOLEAN_SETTINGS = frozenset(
    {
        "use_filename",
        "unique_filename",
        "use_filename_as_display_name",
        "unique_display_name",
        "use_asset_folder_as_public_id_prefix",
        "discard_original_filename",
        "overwrite",
        "invalidate",
        "backup",
        "async",
        "return_delete_token",
        "eager_async",
        "colors",
        "faces",
        "phash",
        "image_metadata",
        "media_metadata",
        "exif",
        "quality_analysis",
        "accessibility_analysis",
        "cinemagraph_analysis",
        "visual_search",
        "similarity_search",
        "auto_chaptering",
        "disallow_public_id",
        "live",
    }
)
# Preset-level flags the SDK sends as JSON booleans outside the upload parameters; false is
# the server default, so false and absent mean the same.
PRESET_FLAGS = ("disallow_public_id", "live")
NUMBER_SETTINGS = frozenset({"auto_tagging"})
LIST_SETTINGS = frozenset({"tags", "allowed_formats"})
PIPE_MAP_SETTINGS = frozenset({"context", "metadata"})
JSON_SETTINGS = frozenset({"access_control", "regions", "responsive_breakpoints", "auto_transcription"})
COORDINATE_SETTINGS = frozenset({"face_coordinates", "custom_coordinates"})
# pycloudinary adds these to every preset call; they are not settings.
INJECTED = frozenset({"timestamp", "upload_preset"})


# --- value parsing (context/metadata: cloudinary_state/preset_settings.py) -----------------


def _steps(value: Any) -> str:
    """An incoming transformation: a string, or the detail GET's parsed step list."""
    return comparable(value if isinstance(value, str) else list(value))


def _eager(value: Any) -> list[str]:
    """Eager: a pipe string, a list of strings, or the detail GET's list of step lists."""
    items = split_eager(value) if isinstance(value, str) else list(value)
    return [_steps(item) for item in items if item != ""]


def _as_list(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def _json_value(key: str, value: Any) -> Any:
    if isinstance(value, str):
        if value.strip().lower() in ("true", "false", "1", "0"):
            return to_bool(value)
        value = json.loads(value)
    if key == "access_control" and isinstance(value, Mapping):
        value = [value]
    if key == "access_control":
        return [dict(item) for item in value]
    return value


def _coordinates(value: Any) -> list[list[float]]:
    boxes = value if isinstance(value, list | tuple) else [b for b in str(value).split("|") if b]
    return [
        [float(n) for n in (box if isinstance(box, list | tuple) else str(box).split(","))] for box in boxes
    ]


def _headers(value: Any) -> dict[str, str]:
    if isinstance(value, Mapping):
        return {str(k).strip(): str(v).strip() for k, v in value.items()}
    lines = value if isinstance(value, list | tuple) else str(value).split("\n")
    pairs = [str(line).split(":", 1) for line in lines if ":" in str(line)]
    return {name.strip(): text.strip() for name, text in pairs}


def normalise_setting(key: str, value: Any) -> Any:
    """One setting, as written or as either read endpoint returns it -> comparable form."""
    if key in BOOLEAN_SETTINGS:
        return to_bool(value)
    if key in NUMBER_SETTINGS:
        return float(value)
    if key in LIST_SETTINGS:
        return _as_list(value)
    if key in PIPE_MAP_SETTINGS:
        return parse_pipe_map(value)
    if key == "transformation":
        return _steps(value)
    if key == "eager":
        return _eager(value)
    if key in JSON_SETTINGS:
        return _json_value(key, value)
    if key in COORDINATE_SETTINGS:
        return _coordinates(value)
    if key == "headers":
        return _headers(value)
    return value


def _live_setting(key: str, value: Any) -> Any:
    """`normalise_setting` for a live value; a definition the grammar cannot read is kept as
    answered (`live_definition`), each eager item on its own."""
    if key == "transformation":
        return live_definition(value)
    if key == "eager":
        items = split_eager(value) if isinstance(value, str) else list(value)
        return [live_definition(item) for item in items if item != ""]
    return normalise_setting(key, value)


def canonical_settings(settings: Mapping[str, Any], *, live: bool = False) -> dict[str, Any]:
    """The comparable settings. A `live` value that does not parse as its setting's type is
    kept as the API returned it (see `as_read`); the config check rejects such desired values."""
    result: dict[str, Any] = {}
    for key, value in settings.items():
        if key in INJECTED or value is None or value == "":
            continue  # the SDK drops None and "" before sending: they cannot be stored
        if live:
            normalised = as_read(functools.partial(_live_setting, key), value)
        else:
            normalised = normalise_setting(key, value)
        if key in PRESET_FLAGS and normalised is False:
            continue
        result[key] = normalised
    return result


# --- value serialisation (what pycloudinary sends verbatim) -------------------------------


def _transformation_string(value: Any) -> str:
    return value if isinstance(value, str) else info_to_string(list(value))


def serialise_settings(name: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments for create/update_upload_preset that send `settings` unchanged."""
    # The config refuses these already (desired.py); refused again for bodies that did not
    # come through the config.
    refused = sorted(UNSENDABLE_SETTINGS & set(settings))
    if refused:
        raise ApplyError(
            f"upload preset {name}: {', '.join(refused)} cannot be written through the cloudinary "
            "SDK (it drops them); remove them from the config"
        )
    params: dict[str, Any] = {}
    for key, value in settings.items():
        if key in INJECTED or value is None or value == "":
            continue
        if key == "transformation":
            params["raw_transformation"] = _transformation_string(value)
        elif key == "eager":
            items = [value] if isinstance(value, str) else [_transformation_string(v) for v in value]
            params["eager"] = "|".join(items)
        elif key in LIST_SETTINGS:
            params[key] = ",".join(_as_list(value))
        elif key in PIPE_MAP_SETTINGS:
            params[key] = encode_pipe_map(value)
        elif key in BOOLEAN_SETTINGS:
            params[key] = to_bool(value)
        elif key in NUMBER_SETTINGS:
            params[key] = float(value)
        elif key in JSON_SETTINGS:
            # parsed first: the SDK JSON-encodes these itself (a string would be encoded twice)
            params[key] = _json_value(key, value)
        else:
            params[key] = value
    return params


# --- the kind --------------------------------------------------------------------------------


def _settings(body: Mapping[str, Any]) -> Mapping[str, Any]:
    return body.get("settings") or {}


class UploadPresetKind(Kind):
    kind = "upload_preset"
    section = "upload_presets"
    rank = 40
    model = UploadPresetModel
    description = "upload presets, by name"
    list_call = "upload_presets"  # the list carries the settings (raw strings): no per-preset GET
    list_items_key = "presets"
    identity_field = "name"
    detail_call = "upload_preset"

    def check(self, report: Report, universe: Universe, obj: CheckedObject) -> None:
        check_upload_preset(report, universe, obj)

    def strip_addon_options(
        self, body: dict[str, Any], enabled: Callable[[str], bool]
    ) -> tuple[dict[str, Any], tuple[StrippedOption, ...]]:
        result = strip_settings(body.get("settings", {}), enabled)
        return {**body, "settings": result.settings}, result.stripped

    def addons_needed(self, body: Mapping[str, Any], path: str) -> tuple[str, ...]:
        if not path.startswith("settings."):
            return ()
        option = path.split(".", 1)[1].split("[", 1)[0].split(".", 1)[0]
        return addons_needed(_settings(body), option)

    def read_back_hint(self, desired: Mapping[str, Any], path: str) -> str | None:
        if path.split(".")[-1].split("[")[0] == "auto_tagging":
            return "auto_tagging only sticks with a categorization or detection add-on that the account has"
        return None

    def references(self, obj: DesiredObject) -> list[tuple[KindName, str]]:
        # read exactly as validate reads them (config/checks.py), so apply orders by what it checked
        settings = _settings(obj.body)
        refs: list[tuple[KindName, str]] = [
            ("transformation", name) for name in transformation_references(settings)
        ]
        if settings.get("metadata") not in (None, ""):
            refs.extend(("metadata_field", key) for key in pipe_map_keys(settings["metadata"]))
        return list(dict.fromkeys(refs))

    def canonical_desired(self, obj: DesiredObject) -> dict[str, Any]:
        return {
            "unsigned": to_bool(obj.body.get("unsigned", False)),
            "settings": canonical_settings(_settings(obj.body)),
        }

    def canonical_live(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "unsigned": as_read(to_bool, raw.get("unsigned", False)),
            "settings": canonical_settings(raw.get("settings") or {}, live=True),
        }

    def sensitive_canonical_paths(self, body_paths: Collection[str]) -> frozenset[str]:
        # Canonical settings keep the body's setting names but reshape values (a pipe string
        # becomes a mapping, eager a list of step strings): each setting is sensitive whole.
        return frozenset(
            ".".join(path.split(".")[:2] if path.startswith("settings.") else path.split(".")[:1])
            for path in body_paths
        )

    def export(self, live: LiveObject) -> dict[str, Any]:
        # transformation and eager are comparable strings already
        body: dict[str, Any] = {"settings": dict(live.canonical["settings"])}
        if live.canonical["unsigned"]:
            body = {"unsigned": True, **body}
        return body

    def _params(self, name: str, desired: Mapping[str, Any]) -> dict[str, Any]:
        params = serialise_settings(name, _settings(desired))
        params["unsigned"] = to_bool(desired.get("unsigned", False))
        return params

    def create(self, api: AdminApi, name: str, desired: Mapping[str, Any]) -> None:
        want = self.canonical_desired(DesiredObject(kind=self.kind, name=name, body=desired))

        def made_already() -> bool:
            live = self.read_one(api, name)
            return live is not None and dict(live.canonical) == want

        call_create(api, made_already, "create_upload_preset", name=name, **self._params(name, desired))

    def update(self, api: AdminApi, name: str, desired: Mapping[str, Any], live: LiveObject) -> None:
        # full settings every time: the server replaces the whole settings set
        api.call("update_upload_preset", name, **self._params(name, desired))

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
        call_delete(api, "delete_upload_preset", name)

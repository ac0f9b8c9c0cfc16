"""Upload presets (reference §6). Identity is the preset name.

The server answers settings in two shapes: the list endpoint as the raw wire strings
(`"true"`, `"a,b"`, `"k=v|k2=v2"`, transformation strings), the detail GET parsed (booleans,
arrays, objects, transformation steps). `canonical_live` accepts both; `canonical_desired`
accepts what a user writes (tags as a list or a comma string, eager as a list or a pipe
string...). Both normalise each known setting by its type, so only meaning is compared.

Writes always send the full settings (an update replaces the preset's whole settings set) and
serialise each value so that pycloudinary sends it verbatim: in particular the incoming
transformation goes as `raw_transformation`, because a plain `transformation=` string would be
sent as a named reference `t_<string>`. pycloudinary's create/update_upload_preset helpers drop
some settings (`access_mode`, `clear_invalid`, `parameter_whitelist`; `headers` collides with the
helper's own argument of that name): a preset with one of them is written through the SDK's
lower-level JSON call instead, with the body the helpers would build (`wire_body`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection, Mapping
from typing import Any

from cloudinary_state.config.checks import CheckedObject, Report, Universe
from cloudinary_state.desired import DesiredObject, KindName, StrippedOption
from cloudinary_state.kinds._common import (
    as_read,
    call_create,
    call_delete,
    live_definition,
    to_bool,
)
from cloudinary_state.kinds.base import AdminApi, Kind, LiveObject, ModelRef, TriedUpload, UploadEffect
from cloudinary_state.kinds.upload_presets import catalogue
from cloudinary_state.kinds.upload_presets.addon_options import addons_needed, strip_settings
from cloudinary_state.kinds.upload_presets.catalogue import INJECTED, NOT_BY_HELPER, PRESET_FLAGS
from cloudinary_state.kinds.upload_presets.checks import check_upload_preset
from cloudinary_state.kinds.upload_presets.settings import (
    encode_pipe_map,
    parse_pipe_map,
    pipe_map_keys,
    transformation_references,
)
from cloudinary_state.kinds.upload_presets.tried import preset_effects
from cloudinary_state.transformation import comparable, info_to_string, split_eager

# --- value parsing (context/metadata: settings.py) ------------------------------------------


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


_NORMALISE: dict[catalogue.Shape, Callable[[str, Any], Any]] = {
    "string": lambda key, value: value,
    "boolean": lambda key, value: to_bool(value),
    "number": lambda key, value: float(value),
    "list": lambda key, value: _as_list(value),
    "pipe_map": lambda key, value: parse_pipe_map(value),
    "transformation": lambda key, value: _steps(value),
    "eager": lambda key, value: _eager(value),
    "json": _json_value,
    "coordinates": lambda key, value: _coordinates(value),
    "headers": lambda key, value: _headers(value),
}


def normalise_setting(key: str, value: Any) -> Any:
    """One setting, as written or as either read endpoint returns it -> comparable form."""
    return _NORMALISE[catalogue.shape_of(key)](key, value)


def _live_setting(key: str, value: Any) -> Any:
    """`normalise_setting` for a live value; a definition the grammar cannot read is kept as
    answered (`live_definition`), each eager item on its own."""
    shape = catalogue.shape_of(key)
    if shape == "transformation":
        return live_definition(value)
    if shape == "eager":
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
    params: dict[str, Any] = {}
    for key, value in settings.items():
        if key in INJECTED or value is None or value == "":
            continue
        shape = catalogue.shape_of(key)
        if shape == "transformation":
            params["raw_transformation"] = _transformation_string(value)
        elif shape == "eager":
            items = [value] if isinstance(value, str) else [_transformation_string(v) for v in value]
            params["eager"] = "|".join(items)
        elif shape == "list":
            params[key] = ",".join(_as_list(value))
        elif shape == "pipe_map":
            params[key] = encode_pipe_map(value)
        elif shape == "boolean":
            params[key] = to_bool(value)
        elif shape == "number":
            params[key] = float(value)
        elif shape == "json":
            # parsed first: the SDK JSON-encodes these itself (a string would be encoded twice)
            params[key] = _json_value(key, value)
        else:
            params[key] = value
    return params


def _coordinates_wire(value: Any) -> Any:
    if isinstance(value, str):
        return value
    return "|".join(",".join(str(n) for n in box) for box in value)


def _headers_wire(value: Any) -> Any:
    if isinstance(value, Mapping):
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    return "\n".join(value) if isinstance(value, list | tuple) else value


def _wire_value(key: str, value: Any) -> Any:
    """One keyword argument of `serialise_settings` as pycloudinary's preset helpers put it in
    the JSON body (utils.build_upload_params, then cleanup_params), for the settings they drop."""
    shape = catalogue.shape_of(key)
    if key == "parameter_whitelist":
        # reference §6.4 [S]: an array of parameter names, or the string "none"
        items = value.split(",")
        return "none" if items == ["none"] else items
    if key in PRESET_FLAGS:
        return value  # the helpers send these as JSON booleans
    if isinstance(value, bool):
        return "1" if value else "0"
    if shape == "number":
        return str(value)
    if shape == "json":
        return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    if shape == "coordinates":
        return _coordinates_wire(value)
    if shape == "headers":
        return _headers_wire(value)
    return value


def wire_body(name: str, desired: Mapping[str, Any], *, with_name: bool) -> dict[str, Any]:
    """The JSON body of a preset create (`with_name`) or update, as pycloudinary's helpers build
    it, but holding every setting: for `call_json_api`, when the helpers would drop one."""
    params = serialise_settings(name, _settings(desired))
    body = {
        "transformation" if key == "raw_transformation" else key: _wire_value(key, value)
        for key, value in params.items()
    }
    body["unsigned"] = to_bool(desired.get("unsigned", False))
    if with_name:
        body["name"] = name
    return body


# --- the kind --------------------------------------------------------------------------------


def _settings(body: Mapping[str, Any]) -> Mapping[str, Any]:
    return body.get("settings") or {}


class UploadPresetKind(Kind):
    kind = "upload_preset"
    section = "upload_presets"
    rank = 40
    model = ModelRef("cloudinary_state.kinds.upload_presets.model", "UploadPresetModel")
    description = "upload presets, by name"
    guide = """
An update sends the full settings: a setting removed from the config is removed from the
preset. A setting whose value needs an add-on is stripped, with a warning, in an environment
that turns that add-on off (`validate --strict` refuses it instead).
"""
    list_call = "upload_presets"  # the list carries the settings (raw strings): no per-preset GET
    list_items_key = "presets"
    identity_field = "name"
    detail_call = "upload_preset"
    try_target = True  # try-preset uploads a file through a preset

    def check(self, report: Report, universe: Universe, obj: CheckedObject) -> None:
        check_upload_preset(report, universe, obj)

    def strip_addon_options(
        self, body: dict[str, Any], enabled: Callable[[str], bool]
    ) -> tuple[dict[str, Any], tuple[StrippedOption, ...]]:
        result = strip_settings(body.get("settings", {}), enabled)
        return {**body, "settings": result.settings}, result.stripped

    def reference(self) -> str:
        # docs only: both build pydantic schemas, which validating a config does not need
        from cloudinary_state.config.reference import fields_table
        from cloudinary_state.kinds.upload_presets.model import settings_reference

        tables = fields_table(self.model, skip=frozenset({"PresetSettings"})) + "\n" + settings_reference()
        return f"{tables}\n{self.guide.strip()}\n"

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

    def upload_params(self, name: str) -> dict[str, Any]:
        return {"upload_preset": name}

    def upload_effects(self, obj: DesiredObject, upload: TriedUpload) -> list[UploadEffect]:
        if obj.name != upload.through.name or upload.through.kind != self.kind:
            return []  # another preset: only the one the file went through acts on the upload
        return preset_effects(self.kind, obj, upload)

    def _params(self, name: str, desired: Mapping[str, Any]) -> dict[str, Any]:
        params = serialise_settings(name, _settings(desired))
        params["unsigned"] = to_bool(desired.get("unsigned", False))
        return params

    def create(self, api: AdminApi, name: str, desired: Mapping[str, Any]) -> None:
        want = self.canonical_desired(DesiredObject(kind=self.kind, name=name, body=desired))

        def made_already() -> bool:
            live = self.read_one(api, name)
            return live is not None and dict(live.canonical) == want

        if NOT_BY_HELPER & set(_settings(desired)):
            body = wire_body(name, desired, with_name=True)
            call_create(api, made_already, "call_json_api", "post", ["upload_presets"], body)
        else:
            call_create(api, made_already, "create_upload_preset", name=name, **self._params(name, desired))

    def update(self, api: AdminApi, name: str, desired: Mapping[str, Any], live: LiveObject) -> None:
        # full settings every time: the server replaces the whole settings set
        if NOT_BY_HELPER & set(_settings(desired)):
            body = wire_body(name, desired, with_name=False)
            api.call("call_json_api", "put", ["upload_presets", name], body)
        else:
            api.call("update_upload_preset", name, **self._params(name, desired))

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
        call_delete(api, "delete_upload_preset", name)

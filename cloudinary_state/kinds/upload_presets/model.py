"""The config body of an upload preset: `unsigned` and the `settings` of the catalogue (upload
options, reference §6.4, plus the preset-level flags that the detail GET returns inside
`settings`). The settings model is built from `catalogue.CATALOGUE`: one field per setting."""

from __future__ import annotations

import keyword
from typing import TYPE_CHECKING, Any

from pydantic import Field, create_model

from cloudinary_state.config.models import Model
from cloudinary_state.config.reference import describe_type
from cloudinary_state.config.schema import schema_generator
from cloudinary_state.kinds.upload_presets import values
from cloudinary_state.kinds.upload_presets.catalogue import CATALOGUE, Setting


def _field_name(setting: Setting) -> str:
    # a setting named like a Python keyword (`async`) is the field `async_`, read and written
    # under its own name
    return f"{setting.name}_" if keyword.iskeyword(setting.name) else setting.name


def _field(setting: Setting) -> tuple[Any, Any]:
    options: dict[str, Any] = dict(setting.constraints)
    if _field_name(setting) != setting.name:
        options["alias"] = setting.name
    if setting.description:
        options["description"] = setting.description
    return (f"{setting.config_type} | None", Field(default=None, **options))


def _settings_model() -> type[Model]:
    fields: dict[str, Any] = {_field_name(s): _field(s) for s in CATALOGUE}
    doc = "Upload options (reference §6.4) plus the preset-level flags the detail GET returns in settings."
    # the catalogue's types are annotations in values.py's namespace, where pydantic resolves them
    return create_model("PresetSettings", __base__=Model, __doc__=doc, __module__=values.__name__, **fields)


if TYPE_CHECKING:
    PresetSettings = Any  # a pydantic model with one optional field per catalogue setting
else:
    PresetSettings = _settings_model()


class UploadPresetModel(Model):
    unsigned: bool | None = None
    settings: PresetSettings = Field(default=PresetSettings())


def settings_reference() -> str:
    """The catalogue as a Markdown table for the config reference (docs/config.md)."""
    schema = PresetSettings.model_json_schema(by_alias=True, schema_generator=schema_generator())
    properties = schema["properties"]
    rows = [
        "`settings` (the catalogue: `GET upload_presets` is the list endpoint, `GET upload_presets/NAME`"
        " the detail GET; every setting can be managed: a preset with a setting that pycloudinary's"
        " preset helpers drop is written through the SDK's lower-level JSON call):",
        "",
        "| setting | type | list endpoint | detail GET | sent by the SDK's preset helpers"
        " | value may need an add-on | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in CATALOGUE:
        described = describe_type(properties[s.name]).replace("|", "\\|")
        rows.append(
            f"| `{s.name}` | {described} | {s.listed_as} | {s.detail_as} | "
            f"{'yes' if s.helper_sends else 'no'} | {'yes' if s.needs_addon else ''} | "
            f"{s.description.replace('|', chr(92) + '|')} |"
        )
    return "\n".join(rows) + "\n"

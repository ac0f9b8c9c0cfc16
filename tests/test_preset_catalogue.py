"""The upload-preset settings catalogue is the one list of preset settings (issue 9): the config
model, the unsendable refusals, the add-on options and the canonical shapes all derive from it,
and what it says the SDK can send is what pycloudinary sends."""

from __future__ import annotations

import inspect

import cloudinary.api
import cloudinary.utils

from cloudinary_state.kinds.upload_presets import catalogue
from cloudinary_state.kinds.upload_presets.addon_options import addon_for
from cloudinary_state.kinds.upload_presets.kind import normalise_setting, serialise_settings
from cloudinary_state.kinds.upload_presets.model import PresetSettings, UploadPresetModel

SDK_UPLOAD_PARAMS = set(cloudinary.utils.upload_params)


def test_the_config_model_has_one_field_per_setting_under_its_api_name() -> None:
    names = {info.alias or name for name, info in PresetSettings.model_fields.items()}
    assert names == {s.name for s in catalogue.CATALOGUE}


def test_helper_sends_is_what_pycloudinary_s_preset_helpers_send() -> None:
    preset_arguments = inspect.signature(cloudinary.api.create_upload_preset).parameters
    flags = {s.name for s in catalogue.CATALOGUE if s.preset_flag}
    # the preset-level flags go beside the upload parameters (reference §6.3)
    assert flags <= {"disallow_public_id", "live", "unsigned"} and flags
    for setting in catalogue.CATALOGUE:
        sent = setting.name in SDK_UPLOAD_PARAMS or setting.preset_flag
        assert sent == setting.helper_sends or setting.name == "headers", setting.name
    # `headers` is an upload parameter by name, but create_upload_preset's own argument of
    # that name is the HTTP headers of the call, so the setting never reaches the server
    assert "headers" in SDK_UPLOAD_PARAMS and not catalogue.BY_NAME["headers"].helper_sends
    assert {"access_mode", "clear_invalid", "parameter_whitelist", "headers"} == catalogue.NOT_BY_HELPER
    # everything else reaches the call as keyword arguments (its **options)
    assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in preset_arguments.values())


def test_add_on_options_are_the_settings_whose_values_name_add_ons() -> None:
    assert catalogue.ADDON_OPTIONS == (
        "categorization", "detection", "moderation", "background_removal", "raw_convert", "ocr"
    )  # fmt: skip
    assert addon_for("categorization", "google_tagging") == "google_tagging"
    assert all(not s.needs_addon for s in catalogue.CATALOGUE if s.shape != "string")


def test_a_deprecated_setting_the_sdk_still_sends_is_accepted_and_compared_by_its_shape() -> None:
    model = UploadPresetModel.model_validate({"settings": {"exif": True, "quality_override": "auto:best"}})
    assert model.settings.model_dump(exclude_unset=True) == {"exif": True, "quality_override": "auto:best"}
    assert normalise_setting("image_metadata", "1") is True
    assert serialise_settings("p", {"similarity_search": True}) == {"similarity_search": True}


def test_a_setting_the_catalogue_does_not_know_compares_as_the_server_wrote_it() -> None:
    assert catalogue.shape_of("some_future_setting") == "string"
    assert normalise_setting("some_future_setting", {"a": 1}) == {"a": 1}


def test_every_setting_says_how_each_read_endpoint_returns_it() -> None:
    for setting in catalogue.CATALOGUE:
        assert setting.listed_as and setting.detail_as, setting.name
    assert catalogue.BY_NAME["tags"].detail_as == "array"
    assert catalogue.BY_NAME["context"].listed_as == "pipe string"

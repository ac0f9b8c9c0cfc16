"""Semantic checks, one rule at a time (through check_environment, offline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudinary_state.config import check_environment
from cloudinary_state.kinds import REGISTRY

ENV = (
    "cloud_name: demo\ncredentials: C\ninclude: [res.yaml]\n"
    "addons: {google_tagging: true, captioning: true}\n"
)


def errors(tmp_path: Path, resources: str, env: str = ENV, *, strict: bool = False) -> list[str]:
    (tmp_path / "environments").mkdir(exist_ok=True)
    (tmp_path / "environments" / "demo.yaml").write_text(env)
    (tmp_path / "environments" / "res.yaml").write_text(resources)
    result = check_environment(tmp_path, "demo", REGISTRY, strict=strict, environ={})
    assert (result.state is None) == bool(result.errors)
    return [f"{d.message} {d.hint}".strip() for d in result.errors]


def field(body: str) -> str:
    return "metadata_fields:\n  f: " + body + "\n"


@pytest.mark.parametrize(
    "body",
    [
        "{type: integer, label: F, default_value: 5,"
        " validation: {type: greater_than, value: 1, equals: true}}",
        "{type: date, label: F, default_value: '2026-02-01',"
        " validation: {type: less_than, value: '2027-01-01'}}",
        "{type: string, label: F, default_value: abc,"
        " validation: {type: and, rules: [{type: strlen, min: 2}, {type: strlen, max: 5}]}}",
        "{type: set, label: F, default_value: [a, b], datasource: {values: [{external_id: a, value: A}, "
        "{external_id: b, value: B}]}, allow_dynamic_list_values: true}",
        "{type: string, label: F, mandatory: true, default_value: x, default_disabled: false, "
        "restrictions: {readonly_ui: true, hidden_ui: false, excluded_from_search: true}}",
    ],
)
def test_valid_metadata_fields(tmp_path: Path, body: str) -> None:
    assert errors(tmp_path, field(body)) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "{type: integer, label: F, default_value: 1, validation: {type: greater_than, value: 1}}",
            "fails the",
        ),
        ("{type: integer, label: F, default_value: '5'}", "an integer field needs an integer"),
        (
            "{type: string, label: F, default_value: abcdef, validation: {type: strlen, max: 5}}",
            "strlen validation",
        ),
        (
            "{type: string, label: F, validation: {type: strlen, min: 5, max: 2}}",
            "min 5 is greater than max 2",
        ),
        ("{type: string, label: F, validation: {type: strlen}}", "needs min, max or both"),
        ("{type: date, label: F, validation: {type: less_than, value: 5}}", "needs a YYYY-MM-DD value"),
        (
            "{type: integer, label: F, validation: {type: less_than, value: '2026-01-01'}}",
            "needs an integer value",
        ),
        (
            "{type: set, label: F, default_value: [a, z],"
            " datasource: {values: [{external_id: a, value: A}]}}",
            "'z'",
        ),
        (
            "{type: set, label: F, default_value: a, datasource: {values: [{external_id: a, value: A}]}}",
            "a list",
        ),
        (
            "{type: string, label: F, datasource: {values: [{external_id: a, value: A}]}}",
            "datasource applies",
        ),
        ("{type: enum, label: F, datasource: {values: []}}", "at least 1 item"),
        ("{type: strings, label: F}", "'strings' is not allowed"),
    ],
)
def test_invalid_metadata_fields(tmp_path: Path, body: str, message: str) -> None:
    found = errors(tmp_path, field(body))
    assert any(message in m for m in found), found


def test_metadata_string_form_keys_are_checked(tmp_path: Path) -> None:
    resources = (
        field("{type: string, label: F}") + "upload_presets:\n  p: {settings: {metadata: 'f=1|g=2'}}\n"
    )
    (found,) = errors(tmp_path, resources)
    assert found.startswith("upload_preset 'p': settings.metadata: field 'g' is not declared")


def test_ignored_metadata_fields_and_transformations_may_be_referenced(tmp_path: Path) -> None:
    env = ENV + "policy: {ignore: {metadata_fields: [legacy_*], transformations: [ext]}}\n"
    resources = (
        "upload_presets:\n"
        "  p: {settings: {metadata: {legacy_id: x}, transformation: t_ext, eager: 't_ext|w_10'}}\n"
    )
    assert errors(tmp_path, resources, env) == []


def test_references_inside_named_transformations(tmp_path: Path) -> None:
    resources = "transformations:\n  a: {transformation: t_b/w_10}\n  b: {transformation: t_c}\n"
    assert errors(tmp_path, resources) == []  # the API takes it: a warning
    (found,) = errors(tmp_path, resources, strict=True)
    assert found.startswith(
        "transformation 'b': transformation: t_c names a transformation that is not declared"
    )
    (found,) = errors(tmp_path, "transformations:\n  a: {transformation: t_a/w_10}\n")
    assert found.startswith("transformation 'a': circular reference t_a -> t_a")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("{overwrite: true}", "unsigned preset cannot force overwrite"),
        ("{auto_tagging: 0.5}", "needs categorization or detection"),
        ("{moderation: 'manual|aws_rekk'}", "unknown moderation value 'aws_rekk'"),
        ("{access_control: [{access_type: token, start: '2026-01-01T00:00:00Z'}]}", "start/end apply to"),
        ("{access_control: [{access_type: anonymous, key: k}]}", "key applies to access_type token"),
        ("{access_control: [{access_type: anonymous, start: 'soon'}]}", "ISO 8601"),
        ("{access_control: [{access_type: public}]}", "'public' is not allowed"),
        ("{access_control: []}", "at least 1 item"),
        ("{type: uploaded}", "did you mean"),
        ("{face_coordinates: [[1, 2, 3]]}", "at least 4 items"),
        ("{notification_url: 'ftp://x'}", "is not an http(s) URL"),
        ("{eager: 'w_100|c_fill,w_'}", "invalid transformation"),
        ("{async: yes}", None),
    ],
)
def test_upload_preset_rules(tmp_path: Path, settings: str, message: str | None) -> None:
    found = errors(tmp_path, f"upload_presets:\n  p:\n    unsigned: true\n    settings: {settings}\n")
    if message is None:
        assert found == []
    else:
        assert any(message in m for m in found), found


def test_every_documented_upload_option_is_accepted(tmp_path: Path) -> None:
    # all of reference §6.4 except the four the SDK cannot send (next test)
    settings = """
      disallow_public_id: true
      live: false
      public_id: p
      public_id_prefix: pre
      folder: f
      asset_folder: af
      use_asset_folder_as_public_id_prefix: true
      use_filename: true
      unique_filename: false
      use_filename_as_display_name: true
      display_name: d
      unique_display_name: true
      filename_override: o
      discard_original_filename: true
      type: private
      format: jpg
      overwrite: true
      invalidate: true
      backup: true
      async: false
      proxy: http://proxy.example.com
      return_delete_token: true
      callback: https://example.com/cb
      tags: a,b
      context: {alt: text}
      metadata: 'f=1'
      transformation: c_limit,w_2000
      eager: [w_100]
      eager_async: true
      eager_notification_url: https://example.com/eager
      responsive_breakpoints:
        {create_derived: true, max_width: 1000, min_width: 100, bytes_step: 20000, max_images: 5}
      allowed_formats: [jpg, png]
      face_coordinates: [[10, 20, 30, 40]]
      custom_coordinates: '1,2,3,4'
      regions: {box: [[1, 2], [3, 4]]}
      categorization: google_tagging:fr
      auto_tagging: 1
      detection: coco_v2,captioning
      moderation: manual
      ocr: adv_ocr
      background_removal: cloudinary_ai
      raw_convert: extract_text
      colors: true
      faces: true
      phash: true
      quality_analysis: true
      accessibility_analysis: true
      cinemagraph_analysis: true
      media_metadata: true
      visual_search: true
      auto_transcription: {translate: [fr, de]}
      auto_chaptering: true
      notification_url: https://example.com/n
      eval: upload_options['tags'] = 'x'
      on_success: "current_asset.update({tags: ['y']})"
      access_control: [{access_type: token, key: k1}]
"""
    resources = field("{type: string, label: F}") + "upload_presets:\n  p:\n    settings:" + settings
    assert (
        errors(tmp_path, resources, ENV.replace("captioning: true", "captioning: true, adv_ocr: true")) == []
    )


@pytest.mark.parametrize(
    "setting",
    [
        "parameter_whitelist: [tags, context]",
        "access_mode: public",
        "clear_invalid: true",
        "headers: {X-Robots-Tag: noindex}",
    ],
)
def test_settings_the_sdk_helpers_drop_are_accepted(tmp_path: Path, setting: str) -> None:
    # documented by the API; pycloudinary's preset helpers drop them, so the kind sends them
    # through the SDK's lower-level call (test_preset_settings_beyond_the_helpers.py)
    assert errors(tmp_path, f"upload_presets:\n  p:\n    settings:\n      {setting}\n") == []


@pytest.mark.parametrize("name", ["t_x", "a/b", "a,b", ""])
def test_bad_transformation_names(tmp_path: Path, name: str) -> None:
    assert errors(tmp_path, f"transformations:\n  '{name}': {{transformation: w_10}}\n")


def test_a_name_a_t_reference_must_encode_is_no_error(tmp_path: Path) -> None:
    # Cloudinary documents no naming rule: a reference carries the name URL-encoded
    resources = (
        "transformations:\n  'my name': {transformation: w_10}\n  uses: {transformation: 't_my%20name'}\n"
    )
    assert errors(tmp_path, resources) == []


def test_a_quoted_number_gets_a_hint(tmp_path: Path) -> None:
    env = ENV + "variables: {threshold: 0.5}\n"
    resources = (
        "upload_presets:\n"
        "  p: {settings: {categorization: google_tagging, auto_tagging: '${var.threshold}'}}\n"
    )
    (found,) = errors(tmp_path, resources, env)
    assert "settings.auto_tagging: expected a number, got a string" in found
    assert "write the value without quotes" in found


@pytest.mark.parametrize(
    "resources",
    [
        # a preset with an error of its own, named by a mapping
        "upload_presets:\n  p: {settings: {tags: 5}}\n"
        "upload_mappings:\n  m: {template: 'https://a.example/', upload_preset_name: p}\n",
        # a transformation with an error of its own, named by a preset
        "transformations:\n  t: {transformation: 5}\nupload_presets:\n  p: {settings: {eager: [t_t]}}\n",
        # a field with an error of its own, named by a preset's metadata and by a rule
        "metadata_fields:\n  f: {type: string}\n  g: {type: string, label: G}\n"
        "upload_presets:\n  p: {settings: {metadata: {f: x}}}\n"
        "metadata_rules:\n  r: {metadata_field_id: g, condition: {metadata_field_id: f, populated: true},"
        " result: {enable: true}}\n",
    ],
)
def test_a_reference_to_an_invalid_object_is_not_called_undeclared(tmp_path: Path, resources: str) -> None:
    # the object's own error is the one to fix; "not declared" would send the reader looking for it
    found = errors(tmp_path, resources)
    assert len(found) == 1, found
    assert "not declared" not in found[0]

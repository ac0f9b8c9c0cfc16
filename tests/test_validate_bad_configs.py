"""One broken config per class of bad input, run through the real CLI (`validate`).

Each case under tests/bad_configs/<case>/ is a complete config directory with one mistake;
the test asserts the message, the `file:line` it points at, and exit 1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli_runner import Result, run_cli

BAD = Path(__file__).parent / "bad_configs"
RES = "environments/common/res.yaml"
ENV = "environments/test.yaml"

# case -> (file, line, message fragment, extra validate args)
CASES: dict[str, tuple[str, int, str, tuple[str, ...]]] = {
    "yaml_syntax": (RES, 5, "YAML syntax error", ()),
    "duplicate_key": (RES, 9, "duplicate key 'uploads' (first defined at line 5)", ()),
    "unknown_key": (RES, 7, "settings.foldr: unknown key 'foldr'", ()),
    "unknown_env_key": (ENV, 5, "unknown key 'addon'", ()),
    "wrong_type": (RES, 6, "unsigned: expected a boolean (true/false), got a string", ()),
    "wrong_type_in_union": (RES, 8, "settings.tags: expected a list or a string, got a number", ()),
    "include_escapes": (ENV, 5, "include '../../outside.yaml' leaves the config directory", ()),
    "missing_include": (ENV, 5, "include 'shared/presets.yaml' matches no file", ()),
    "undefined_variable": (RES, 11, "undefined variable 'var.source_domain'", ()),
    "invalid_placeholder": (RES, 7, "invalid placeholder '${domain}'", ()),
    "bad_transformation_syntax": (RES, 3, "invalid transformation: parameter 'w' has an empty value", ()),
    # unrecognised is a warning (the API may know it); --strict refuses it, at its column
    "unknown_transformation_param": (
        RES,
        3,
        "unrecognised in transformation: unknown parameter 'zz'",
        ("--strict",),
    ),
    # the API takes a preset naming a missing transformation (an upload through it fails):
    # a warning, which --strict refuses
    "dangling_reference": (RES, 8, "t_thumbnail names a transformation that is not declared", ("--strict",)),
    "dangling_reference_in_eager": (
        RES,
        8,
        "t_thum names a transformation that is not declared",
        ("--strict",),
    ),
    "reference_to_tombstone": (RES, 8, "t_thumb refers to a transformation this environment deletes", ()),
    "undeclared_metadata_key": (RES, 7, "settings.metadata: field 'skuu' is not declared", ()),
    "metadata_value_not_an_option": (RES, 11, "'finished' is not an option external_id", ()),
    "enum_without_datasource": (RES, 2, "an enum field needs a datasource", ()),
    "duplicate_datasource_ids": (RES, 9, "external_id 'done' is used twice", ()),
    "bad_default_value": (RES, 5, "default_value: a date field needs a YYYY-MM-DD date", ()),
    "default_value_not_an_option": (RES, 5, "default_value: 'finished' is not an option external_id", ()),
    "bad_validation_rule": (RES, 5, "a greater_than rule applies to integer and date fields, not string", ()),
    "unknown_validation_type": (RES, 5, "unknown rule type", ()),
    "missing_required_key": (RES, 2, "missing required key 'label'", ()),
    "credentials_not_a_name": (ENV, 2, "credentials: must be the name of an environment variable", ()),
    "missing_credentials": (ENV, 1, "missing required key 'credentials'", ()),
    "env_file_not_a_mapping": (ENV, 1, "an environment file must be a mapping", ()),
    "unknown_addon": (ENV, 4, "unknown add-on 'google_taging'", ()),
    "unknown_addon_option_value": (RES, 8, "unknown categorization value 'google_taging'", ()),
    "strict_stripped_option": (
        RES,
        8,
        "'captioning' needs the captioning add-on, which is off in test",
        ("--strict",),
    ),
    "auto_tagging_without_tagging": (RES, 8, "settings.auto_tagging: needs categorization or detection", ()),
    "auto_tagging_out_of_range": (
        RES,
        9,
        "settings.auto_tagging: Input should be less than or equal to 1",
        (),
    ),
    "bad_access_control": (RES, 5, "settings.access_control[0]: start must be before end", ()),
    "tombstone_extra_keys": (RES, 4, "a tombstone (absent: true) must carry no other keys", ()),
    "tombstone_absent_false": (RES, 3, "absent must be true", ()),
    "duplicate_object_across_files": (
        "environments/common/b.yaml",
        2,
        "upload_preset 'uploads' is defined twice",
        (),
    ),
    "bad_policy_kind": (ENV, 6, "'upload_preset' is not allowed", ()),
    "declared_but_ignored": (RES, 5, "policy.ignore matches it", ()),
    "override_of_undeclared_object": (ENV, 7, "override of upload_preset 'uplods'", ()),
    "circular_reference": (RES, 3, "circular reference t_border -> t_frame -> t_border", ()),
    "bad_responsive_breakpoint": (
        RES,
        5,
        "responsive_breakpoints[0].transformation: invalid transformation",
        (),
    ),
    "t_prefixed_name": (RES, 2, "transformation name 't_thumb' carries the t_ prefix", ()),
    "name_equals_definition": (RES, 5, "transformation 'a_0' is named exactly like its own definition", ()),
    "bad_coordinates": (RES, 5, "settings.face_coordinates: '10,20,150,130|1,2,3,abc' is not a list of", ()),
    "unknown_section": (RES, 1, "unknown section 'upload_preset'", ()),
    "null_value": (RES, 7, "settings.folder is null", ()),
    "bad_template_url": (RES, 3, "'media.example.com/uploads/' is not an http(s) URL", ()),
}

HINTS = {  # cases whose fix hint is part of the contract
    "unknown_key": "did you mean 'folder'?",
    "unknown_addon": "did you mean 'google_tagging'?",
    "bad_policy_kind": "did you mean 'upload_presets'?",
    "dangling_reference": "did you mean 'thumb'?",
    "undefined_variable": "did you mean 'source_domian'?",
    "t_prefixed_name": "declare it as 'thumb'",
    "duplicate_object_across_files": "environments/common/a.yaml:5:3",
}


def run_validate(capsys: pytest.CaptureFixture[str], config_dir: Path, *args: str) -> Result:
    """`validate` through the console entry point; a traceback fails the test."""
    return run_cli(config_dir, capsys, "validate", *args)


def test_every_fixture_has_a_case() -> None:
    fixtures = {p.name for p in BAD.iterdir() if p.is_dir()}
    assert fixtures == set(CASES)
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_config(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    file, line, fragment, extra = CASES[case]
    code, out, err = run_validate(capsys, BAD / case, "--env", "test", *extra)
    assert code == 1, out + err
    errors = [row for row in err.splitlines() if row.startswith("error: ")]
    located = [row for row in errors if f"{case}/{file}:{line}:" in row]
    assert any(fragment in row for row in located), err
    assert "abcdef" not in out + err  # the pasted secret of credentials_not_a_name
    if case in HINTS:
        assert HINTS[case] in err


def test_strict_option_is_only_a_warning_without_strict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_validate(capsys, BAD / "strict_stripped_option", "--env", "test")
    assert code == 0, out + err
    assert any(row.startswith("warning: ") and "(stripped)" in row for row in err.splitlines()), err
    assert "1 add-on option(s) stripped" in out


def test_unknown_environment(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_validate(capsys, BAD / "unknown_key", "--env", "prodution")
    assert code == 1, out + err
    assert "environments/prodution.yaml:1:1: unknown environment 'prodution'" in err
    assert "known environments: test" in err


def test_all_errors_of_a_run_are_reported_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = tmp_path / "environments"
    (env / "common").mkdir(parents=True)
    (env / "test.yaml").write_text(
        "cloud_name: demo\ncredentials: CLOUDINARY_URL\ninclude: [common/*.yaml]\n"
        "addons: {gogle_tagging: true}\n"
    )
    (env / "common" / "a.yaml").write_text(
        "transformations:\n  thumb: {transformation: 'c_fill,zz_1'}\n"
        "upload_presets:\n  p: {settings: {transformation: t_nope, foldr: x}}\n"
    )
    (env / "common" / "b.yaml").write_text("metadata_fields:\n  status: {type: enum, label: S}\n")
    code, out, err = run_validate(capsys, tmp_path, "--env", "test")
    assert code == 1, out + err
    assert "unknown add-on 'gogle_tagging'" in err
    assert "unknown parameter 'zz'" in err  # a warning: the API may know it
    assert "unknown key 'foldr'" in err
    assert "an enum field needs a datasource" in err
    assert "3 error(s)" in err


def test_all_reports_a_shared_file_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = tmp_path / "environments"
    (env / "common").mkdir(parents=True)
    for name in ("one", "two"):
        (env / f"{name}.yaml").write_text(f"cloud_name: {name}\ncredentials: C\ninclude: [common/*.yaml]\n")
    (env / "common" / "a.yaml").write_text("upload_mappings:\n  m: {template: nope}\n")
    code, out, err = run_validate(capsys, tmp_path, "--all")
    assert code == 1, out + err
    assert (out + err).count("is not an http(s) URL") == 1
    assert "one: invalid" in out and "two: invalid" in out


def test_an_invalid_environment_file_does_not_hide_resource_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = tmp_path / "environments"
    (env / "common").mkdir(parents=True)
    (env / "test.yaml").write_text("cloud_name: demo\ncredentials: C\ninclude: [common/*.yaml]\naddon: {}\n")
    (env / "common" / "a.yaml").write_text("upload_mappings:\n  m: {template: nope}\n")
    code, out, err = run_validate(capsys, tmp_path, "--env", "test")
    assert code == 1, out + err
    assert "test.yaml:4:1: addon: unknown key 'addon'" in err
    assert "a.yaml:2:17: upload_mapping 'm': template: 'nope' is not an http(s) URL" in err

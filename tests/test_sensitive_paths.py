"""One rule for "is this path inside a sensitive path?" (`scrubbing.is_sensitive`), and config
checks that never quote a value from `${env.*}`: free-text scrubbing skips secrets shorter than
four characters, so only the path can hide them."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli_runner import Result, run_cli

from cloudinary_state.scrubbing import MIN_SCRUB_LENGTH, is_sensitive

SECRET = "Qz"  # two characters: below the free-text scrubbing minimum


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("settings.eager", True),
        ("settings.eager[1]", True),
        ("settings.eager.x", True),
        ("settings.eager[1].width", True),
        ("settings.eager_async", False),
        ("settings.eage", False),
        ("settings", False),  # the parent holds the sensitive value but is not inside it
        ("other.eager", False),
    ],
)
def test_a_path_is_sensitive_at_or_below_a_sensitive_path_only(path: str, expected: bool) -> None:
    assert is_sensitive(path, {"settings.eager"}) is expected


def test_no_sensitive_paths_means_nothing_is_sensitive() -> None:
    assert not is_sensitive("settings.eager", ())


def _validate(tmp_path: Path, capsys: pytest.CaptureFixture[str], resources: str) -> Result:
    """`validate` of one environment that includes `resources`, through the console entry point."""
    env = tmp_path / "environments"
    env.mkdir()
    (env / "x.yaml").write_text("cloud_name: x\ncredentials: C\ninclude: [r.yaml]\n")
    (env / "r.yaml").write_text(resources)
    return run_cli(tmp_path, capsys, "validate", "--env", "x")


RESOURCES = """\
metadata_fields:
  status:
    type: enum
    label: Status
    datasource: {values: [{external_id: todo, value: Todo}, {external_id: done, value: Done}]}
    default_value: "${env.T}"
  colours:
    type: set
    label: Colours
    datasource: {values: [{external_id: red, value: Red}]}
    default_value: ["red", "${env.T}"]
upload_presets:
  p:
    settings:
      metadata: {status: "${env.T}"}
"""


def test_a_short_env_value_that_is_no_option_is_not_quoted_by_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("T", SECRET)
    assert len(SECRET) < MIN_SCRUB_LENGTH
    code, out, err = _validate(tmp_path, capsys, RESOURCES)
    assert code == 1
    assert SECRET not in out + err
    assert (
        "default_value: the value (sensitive) is not an option external_id of the datasource (todo, done)"
        in err
    )
    assert "default_value: the value (sensitive) holds ids that are not option external_ids" in err
    assert "settings.metadata.status: the value (sensitive) is not an option external_id" in err


def test_the_same_value_written_literally_is_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the masking above is due to ${env.*}: a literal value is named, so the user can find it
    code, _, err = _validate(tmp_path, capsys, RESOURCES.replace("${env.T}", SECRET))
    assert code == 1
    assert f"default_value: '{SECRET}' is not an option external_id" in err
    assert f"settings.metadata.status: '{SECRET}' is not an option external_id" in err


def test_datasource_options_from_env_are_not_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("T", SECRET)
    resources = """\
metadata_fields:
  status:
    type: enum
    label: Status
    datasource: {values: [{external_id: "${env.T}", value: Todo}, {external_id: done, value: Done}]}
    default_value: nope
upload_presets:
  p:
    settings:
      metadata: {status: other}
"""
    code, out, err = _validate(tmp_path, capsys, resources)
    assert code == 1
    assert SECRET not in out + err
    assert (
        "default_value: 'nope' is not an option external_id of the datasource (its options are sensitive)"
        in err
    )
    assert (
        "settings.metadata.status: 'other' is not an option external_id of the datasource (its options" in err
    )


def test_an_invalid_url_from_env_is_not_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("T", SECRET)
    resources = 'upload_mappings:\n  m: {template: "${env.T}"}\n'
    code, out, err = _validate(tmp_path, capsys, resources)
    assert code == 1
    assert SECRET not in out + err
    assert "template: the value is not an http(s) URL" in err

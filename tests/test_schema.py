"""The committed JSON Schemas match the models, and they accept the examples."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from support.cli_runner import run_cli

REPO = Path(__file__).resolve().parent.parent


def test_schema_check_passes_on_the_committed_files(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(REPO, capsys, "schema", "--check")
    assert result.code == 0, result.out + result.err
    assert "schemas are current" in result.out


def test_schema_check_fails_when_stale_and_schema_rewrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    stale = tmp_path / "schemas" / "resources.schema.json"
    stale.write_text(stale.read_text().replace('"upload_mappings"', '"upload_mapping"', 1))
    result = run_cli(tmp_path, capsys, "schema", "--check")
    assert result.code == 1, result.out + result.err
    assert "resources.schema.json is stale" in result.err
    assert run_cli(tmp_path, capsys, "schema").code == 0
    assert run_cli(tmp_path, capsys, "schema", "--check").code == 0
    assert stale.read_text() == (REPO / "schemas" / "resources.schema.json").read_text()


def _schema(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((REPO / "schemas" / name).read_text())
    return loaded


def test_examples_validate_against_the_schemas() -> None:
    envs = sorted((REPO / "environments").glob("*.yaml"))
    resources = sorted((REPO / "environments" / "common").glob("*.yaml"))
    assert envs and resources
    for path in envs:
        jsonschema.validate(yaml.safe_load(path.read_text()), _schema("environment.schema.json"))
    for path in resources:
        jsonschema.validate(yaml.safe_load(path.read_text()), _schema("resources.schema.json"))


def test_schema_rejects_unknown_keys_and_offers_addon_names() -> None:
    schema = _schema("resources.schema.json")
    bad = {"upload_presets": {"p": {"settings": {"foldr": "x"}}}}
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(bad))
    env_schema = json.dumps(_schema("environment.schema.json"))
    assert "google_tagging" in env_schema and "aws_rek_tagging" in env_schema


def test_every_example_file_carries_the_modeline() -> None:
    for path in (REPO / "environments").rglob("*.yaml"):
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert target.is_file(), path

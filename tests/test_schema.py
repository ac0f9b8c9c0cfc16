"""The committed JSON Schemas match the models, and they accept the examples."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

from cloudinary_state.cli import cli

REPO = Path(__file__).resolve().parent.parent


def test_schema_check_passes_on_the_committed_files() -> None:
    result = CliRunner().invoke(cli, ["--config-dir", str(REPO), "schema", "--check"])
    assert result.exit_code == 0, result.output


def test_schema_check_fails_when_stale_and_schema_rewrites(tmp_path: Path) -> None:
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    stale = tmp_path / "schemas" / "resources.schema.json"
    stale.write_text(stale.read_text().replace('"upload_mappings"', '"upload_mapping"', 1))
    runner = CliRunner()
    result = runner.invoke(cli, ["--config-dir", str(tmp_path), "schema", "--check"])
    assert result.exit_code == 1
    assert "resources.schema.json is stale" in result.output
    assert runner.invoke(cli, ["--config-dir", str(tmp_path), "schema"]).exit_code == 0
    assert runner.invoke(cli, ["--config-dir", str(tmp_path), "schema", "--check"]).exit_code == 0
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

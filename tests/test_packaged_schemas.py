"""The packaged JSON Schemas (config/packaged_schemas.py): current with the models, and never
trusted once their sources change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloudinary_state.config import packaged_schemas
from cloudinary_state.config.packaged_schemas import body_schema, environment_schema, stale_files
from cloudinary_state.config.schema import schema_generator
from cloudinary_state.kinds import REGISTRY, Kind


def test_packaged_schemas_are_current() -> None:
    stale = stale_files(REGISTRY)
    assert not stale, f"stale: {stale}; run python -m cloudinary_state.kinds.reference --write"


@pytest.mark.parametrize("kind", list(REGISTRY), ids=lambda k: k.kind)
def test_a_kind_body_schema_is_its_model_schema(kind: Kind) -> None:
    expected = kind.model.model_json_schema(by_alias=True, schema_generator=schema_generator())
    assert body_schema(kind) == expected


def test_a_stale_file_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose fingerprint no longer matches is ignored: the schema comes from the model."""
    kind = REGISTRY[0]
    packaged_schemas._cached_body_schema.cache_clear()
    directory = packaged_schemas.kind_directory(kind)
    assert directory is not None
    stored = directory / packaged_schemas.BODY_FILE
    forged = tmp_path / kind.section
    forged.mkdir()
    text = json.loads(stored.read_text(encoding="utf-8"))
    (forged / packaged_schemas.BODY_FILE).write_text(
        json.dumps({"fingerprint": "crc32:00000000", "schema": {"type": "object"}}), encoding="utf-8"
    )
    monkeypatch.setattr(packaged_schemas, "kind_directory", lambda _kind: forged)
    try:
        assert body_schema(kind) == text["schema"]
    finally:
        packaged_schemas._cached_body_schema.cache_clear()


def test_the_environment_schema_follows_the_registered_sections() -> None:
    schema = environment_schema(REGISTRY)
    prune = schema["$defs"]["PolicyModel"]["properties"]["prune"]["items"]
    assert sorted(prune["enum"]) == sorted(REGISTRY.sections())

"""Hostile documents through the real entry points, for validation's fast path (issue 9,
config/fastschema.py): whatever a document holds, `validate` gives what the models alone give
(the same diagnostics, the same desired state), and a clear error rather than a traceback. Each
case here once failed one of those."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import AfterValidator, Field, PlainSerializer, StringConstraints
from support.cli_runner import Result, run_cli

from cloudinary_state.config import loader, packaged_schemas
from cloudinary_state.config.models import Model
from cloudinary_state.config.schema import schema_generator
from cloudinary_state.kinds import REGISTRY, Kind

ENV = "environments/e.yaml"
RES = "environments/common/r.yaml"


def _project(root: Path, environment: str, resources: str) -> Path:
    """A config directory of one environment `e` (whose credentials are `X`) and one resource
    document it includes."""
    (root / "environments" / "common").mkdir(parents=True)
    (root / ENV).write_text("credentials: X\ninclude: [common/r.yaml]\n" + environment, encoding="utf-8")
    (root / RES).write_text(resources, encoding="utf-8")
    return root


class _NeverAccepts:
    """A fast check that accepts nothing: every document goes to its model."""

    def check(self, document: object) -> None:
        return None


def _validate_both(
    config_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[Result, Result]:
    """`validate --all` with the fast check, then with the models alone."""
    fast = run_cli(config_dir, capsys, "validate", "--all")
    never: Any = lambda *_: _NeverAccepts()  # noqa: E731
    with monkeypatch.context() as patched:
        patched.setattr(loader, "_body_check", never)
        patched.setattr(loader, "_environment_check", never)
        by_models = run_cli(config_dir, capsys, "validate", "--all")
    return fast, by_models


RESOURCES = "transformations:\n  t:\n    transformation: c_fill,w_100\n"

# YAML values that are no JSON value: what a tag makes of them, or a float JSON cannot spell.
# Under `overrides:` (a mapping of anything) the model's JSON dump once crashed on bytes that are
# no UTF-8, turned other bytes and dates into strings and infinities into nulls.
NOT_JSON = {
    "binary": ("!!binary /w==", "!!binary"),
    "binary_text": ("!!binary YWJj", "!!binary"),
    "timestamp": ("!!timestamp 2026-01-31", "!!timestamp"),
    "infinity": (".inf", "finite"),
    "nan": (".NaN", "finite"),
}
# (environment, resources, line and column of the value: 3 and 4 are the lines after the two
# the environment always has)
PLACES = {
    "override": ("overrides:\n  transformations:\n    t: {transformation: VALUE}\n", RESOURCES, "5:25"),
    "variable": ("variables: {v: VALUE}\n", RESOURCES, "3:16"),
    "body": ("", RESOURCES.replace("c_fill,w_100", "VALUE"), "3:21"),
}


@pytest.mark.parametrize("case", NOT_JSON)
@pytest.mark.parametrize("place", PLACES)
def test_a_yaml_value_that_is_no_json_value_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, place: str
) -> None:
    value, said = NOT_JSON[case]
    environment, resources, at = PLACES[place]
    config_dir = _project(tmp_path, environment.replace("VALUE", value), resources.replace("VALUE", value))
    result = run_cli(config_dir, capsys, "validate", "--env", "e")  # a traceback fails here
    assert result.code == 1, result.out + result.err
    file = RES if place == "body" else ENV
    assert f"{file}:{at}: YAML error:" in result.err and said in result.err, result.err


# --- a kind registered at run time, whose schema is generated from its model on the spot ---------


class _BadgeKind(Kind):
    """A kind of the test's (validated only): a badge with a code, checked by a pattern."""

    kind = "badge"
    section = "badges"
    rank = 70
    description = "badges, by name"


def _badge_model(pattern: str) -> type[Model]:
    fields = {"__annotations__": {"code": str}, "code": Field(pattern=pattern)}
    return type("BadgeModel", (Model,), fields)


def _badge_kind(pattern: str) -> Kind:
    kind: type[Kind] = type("BadgeKind", (_BadgeKind,), {"model": _badge_model(pattern)})
    return kind()  # a new class each time: the schemas and checks are cached per kind


# Patterns both engines compile, that Python's `re` (the fast check) reads otherwise than the Rust
# regex of pydantic-core: a class in a class, a class difference, a repeated repetition, a
# possessive one (Python 3.11), a repetition of nothing. (pattern, value, valid to pydantic)
PATTERNS = [
    ("^[[a-z]]+$", "a]", False),  # Rust: a nested class; Python: '[' or a-z, then ']'s
    ("^[a-z--b]$", "-", False),  # Rust: a-z less b; Python: a-z, then the range '-' to 'b'
    ("^a*+a$", "aa", True),  # Rust: (a*)+a; Python: a possessive a*, which leaves no a
    ("^a**$", "aa", True),  # Rust: (a*)*; Python: "multiple repeat", a crash
    ("^*a$", "a", True),  # Rust: * of the start; Python: "nothing to repeat", a crash
]


@pytest.mark.parametrize(("pattern", "value", "valid"), PATTERNS)
def test_a_pattern_the_two_regex_engines_read_otherwise_is_left_to_the_model(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    pattern: str,
    value: str,
    valid: bool,
) -> None:
    config_dir = _project(tmp_path, "", f"badges:\n  b:\n    code: '{value}'\n")
    with REGISTRY.registered(_badge_kind(pattern)):
        fast, by_models = _validate_both(config_dir, capsys, monkeypatch)
    assert fast == by_models
    assert fast.code == (0 if valid else 1), fast.err


# --- the packaged schemas: a file that cannot be trusted is generated anew from the model -------


def _nested_too_deep(good: str) -> str:
    return good.replace('"schema": {', '"schema": ' + "[" * 100_000, 1)


def _schema_no_object(good: str) -> str:
    return good.replace('"schema": {', '"schema": [{', 1).rstrip()[:-1] + "]}\n"


CORRUPT: dict[str, Callable[[str], str]] = {
    "truncated": lambda good: good[: len(good) // 2],
    "empty": lambda good: "",
    "a list": lambda good: f"[{good}]",
    "a schema that is no object": _schema_no_object,
    "nested deeper than json reads": _nested_too_deep,
    "not UTF-8": lambda good: good.replace("title", "ti\udcfftle"),
}


@pytest.fixture
def fresh_schema_caches() -> Iterator[None]:
    """The packaged schemas and the checks compiled from them, read anew before and after."""
    caches = [packaged_schemas._cached_body_schema, loader._body_check]
    for cache in caches:
        cache.cache_clear()
    yield
    for cache in caches:
        cache.cache_clear()


@pytest.mark.parametrize("corruption", CORRUPT)
def test_a_corrupt_packaged_schema_is_generated_from_the_model(
    config_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fresh_schema_caches: None,
    corruption: str,
) -> None:
    """Each kind's file, with the fingerprint of the sources it is read beside, made corrupt."""
    forged = tmp_path / "forged"
    forged.mkdir()
    monkeypatch.setattr(packaged_schemas, "kind_directory", lambda _kind: forged)
    for kind in REGISTRY:
        fingerprint = packaged_schemas._fingerprint([forged], kind.section)
        good = packaged_schemas._stored_text(fingerprint, packaged_schemas.body_schema(kind))
        text = CORRUPT[corruption](good)
        (forged / packaged_schemas.BODY_FILE).write_bytes(text.encode("utf-8", "surrogateescape"))
        packaged_schemas._cached_body_schema.cache_clear()
        assert packaged_schemas.body_schema(kind) == kind.model.model_json_schema(
            by_alias=True, schema_generator=schema_generator()
        )
    packaged_schemas._cached_body_schema.cache_clear()
    result = run_cli(config_dir, capsys, "validate", "--all")
    assert result.code == 0, result.err


def test_a_kind_defined_where_no_file_is_has_its_schema_from_its_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kind defined in a notebook or in `python -c` (a module without a file)."""
    module = types.ModuleType("kinds_of_a_notebook")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    kind_class: type[Kind] = type("BadgeKind", (_BadgeKind,), {"model": _badge_model("^[a-z]+$")})
    kind_class.__module__ = module.__name__
    config_dir = _project(tmp_path, "", "badges:\n  b:\n    code: abc\n  c:\n    code: ABC\n")
    with REGISTRY.registered(kind_class()):
        fast, by_models = _validate_both(config_dir, capsys, monkeypatch)
    assert fast == by_models
    assert fast.code == 1 and f"{RES}:5:11: badge 'c': code: " in fast.err


# --- a run-time kind whose model checks or changes what its JSON Schema does not show ------------


def _only_round(value: str) -> str:
    if value == "square":
        raise ValueError("not a round badge")
    return value


HIDDEN: dict[str, tuple[Any, str]] = {
    "a validator": (Annotated[str, AfterValidator(_only_round)], "square"),
    "a string constraint that rewrites": (Annotated[str, StringConstraints(to_lower=True)], "ABC"),
    "a serializer": (Annotated[str, PlainSerializer(lambda value: value.upper())], "abc"),
    "an alias for the dump only": (Annotated[str, Field(serialization_alias="CODE")], "abc"),
}


@pytest.mark.parametrize("hidden", HIDDEN)
def test_a_run_time_kind_whose_model_does_more_than_its_schema_shows_is_left_to_its_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hidden: str
) -> None:
    """The kind contract says a model checks nothing beyond its JSON Schema (tests hold the
    registry's models to it); a kind registered at run time may not keep it."""
    annotation, value = HIDDEN[hidden]
    model: Any = type("BadgeModel", (Model,), {"__annotations__": {"code": annotation}})
    kind_class: type[Kind] = type("BadgeKind", (_BadgeKind,), {"model": model})
    config_dir = _project(tmp_path, "", f"badges:\n  b:\n    code: {value}\n")
    kinds = [*REGISTRY, kind_class()]
    fast = loader.check_environment(config_dir, "e", kinds, environ={}, require_env=False)
    never: Any = lambda *_: _NeverAccepts()  # noqa: E731
    monkeypatch.setattr(loader, "_body_check", never)
    by_model = loader.check_environment(config_dir, "e", kinds, environ={}, require_env=False)
    assert [str(e) for e in fast.errors] == [str(e) for e in by_model.errors]
    assert (fast.state and fast.state.objects) == (by_model.state and by_model.state.objects)


def test_sources_that_cannot_be_read_make_the_packaged_schemas_untrusted(
    config_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installation without the modules' sources (compiled only, or inside an archive) cannot
    fingerprint them: the schemas come from the models."""
    caches = [
        packaged_schemas._cached_body_schema,
        packaged_schemas._cached_environment_schema,
        loader._body_check,
        loader._environment_check,
    ]
    missing = (*packaged_schemas._SHARED_SOURCES, "config/not_installed.py")
    monkeypatch.setattr(packaged_schemas, "_SHARED_SOURCES", missing)
    try:
        for cache in caches:
            cache.cache_clear()
        result = run_cli(config_dir, capsys, "validate", "--all")  # a traceback fails here
        assert result.code == 0, result.err
        assert not any(packaged_schemas.body_schema_is_packaged(kind) for kind in REGISTRY)
    finally:
        for cache in caches:
            cache.cache_clear()

"""preset_settings: validate and the upload-preset writer read a preset's settings one way.

The keys validate checks are compared with the keys the server stores for what apply sends
(the kind's serialisation, then pycloudinary's own `build_upload_params`, then the emulator's
independent parser); the `t_NAME` references validate resolves are compared with the ones
the kind orders its writes by.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from cloudinary.utils import build_upload_params
from hypothesis import given
from hypothesis import strategies as st

from cloudinary_state.config import check_environment
from cloudinary_state.desired import DesiredObject
from cloudinary_state.emulator.upload_presets import parse_pipe_map as server_parse_pipe_map
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.upload_presets import UPLOAD_PRESETS
from cloudinary_state.kinds.upload_presets.kind import serialise_settings
from cloudinary_state.kinds.upload_presets.settings import (
    encode_pipe_map,
    parse_pipe_map,
    pipe_map_keys,
    transformation_references,
    transformation_strings,
)


def stored_keys(metadata: Any) -> list[str]:
    """The metadata keys the server keeps for a preset written with `metadata`."""
    sent = build_upload_params(**serialise_settings("p", {"metadata": metadata}))["metadata"]
    return list(server_parse_pipe_map(sent))


# Keys and values with the characters that matter: separators, escapes, spaces.
TRICKY = st.text(alphabet="ab =|\\[]", min_size=1, max_size=12)
KEYS = st.text(alphabet="ab _-", min_size=1, max_size=6)  # a mapping's keys go unescaped
# What the wire can carry: pycloudinary escapes no backslash, so a value cannot end in one, and
# it JSON-decodes a value that starts with "[" (a set field's list of values).
SENDABLE = TRICKY.filter(lambda s: not s.endswith("\\") and not s.startswith("["))


@given(TRICKY)
def test_keys_of_a_metadata_string_are_the_keys_stored(text: str) -> None:
    assert pipe_map_keys(text) == stored_keys(text)


@given(st.dictionaries(KEYS, TRICKY | st.lists(TRICKY, max_size=3), min_size=1))
def test_keys_of_a_metadata_mapping_are_the_keys_stored(mapping: dict[str, Any]) -> None:
    assert pipe_map_keys(mapping) == stored_keys(mapping)


@given(st.dictionaries(KEYS, SENDABLE | st.lists(TRICKY, max_size=3), min_size=1))
def test_a_mapping_survives_the_wire(mapping: dict[str, Any]) -> None:
    assert parse_pipe_map(encode_pipe_map(mapping)) == mapping
    assert pipe_map_keys(mapping) == list(mapping)


def test_keys_keep_their_spaces_and_values_their_escapes() -> None:
    assert parse_pipe_map(' sku=1|color=a\\|b\\=c|tags=["x","y"]') == {
        " sku": "1",
        "color": "a|b=c",
        "tags": ["x", "y"],
    }
    assert parse_pipe_map("path=C:\\dir|x=1") == {"path": "C:\\dir", "x": "1"}  # a lone backslash stays
    assert encode_pipe_map({"tags": ["x", "y|z"]}) == 'tags=["x","y\\|z"]'  # pycloudinary's JSON spelling


def _write(tmp_path: Path, resources: str) -> None:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "demo.yaml").write_text(
        "cloud_name: demo\ncredentials: C\ninclude: [res.yaml]\n"
    )
    (tmp_path / "environments" / "res.yaml").write_text(resources)


def test_validate_checks_a_spaced_metadata_key_as_it_is_sent(tmp_path: Path) -> None:
    resources = (
        "metadata_fields:\n  sku: {type: string, label: SKU}\n"
        "upload_presets:\n  p: {settings: {metadata: ' sku=1'}}\n"
    )
    _write(tmp_path, resources)
    [error] = check_environment(tmp_path, "demo", REGISTRY, environ={}).errors
    assert "field ' sku' is not declared" in error.message
    assert "remove the spaces around 'sku'" in error.hint
    body = yaml.safe_load(resources)["upload_presets"]["p"]
    assert stored_keys(body["settings"]["metadata"]) == [" sku"]
    assert ("metadata_field", " sku") in UPLOAD_PRESETS.references(DesiredObject("upload_preset", "p", body))


PRESETS = """\
upload_presets:
  p:
    settings:
      transformation: t_a/c_fill,w_10
      eager: 't_b|w_10/t_c'
      responsive_breakpoints: [{create_derived: true, max_width: 900, transformation: t_d}]
  q:
    settings:
      eager: [t_e, 'c_fill,w_10']
      responsive_breakpoints: {create_derived: true, transformation: t_f}
"""


def test_validate_resolves_the_references_apply_orders_by(tmp_path: Path) -> None:
    _write(tmp_path, PRESETS)
    checked: dict[str, set[str]] = {"p": set(), "q": set()}
    for error in check_environment(tmp_path, "demo", REGISTRY, strict=True, environ={}).errors:
        found = re.match(
            r"upload_preset '(\w+)'.*: t_(\w+) names a transformation that is not declared", error.message
        )
        assert found, error.message
        checked[found[1]].add(found[2])
    presets = yaml.safe_load(PRESETS)["upload_presets"]
    ordered = {
        name: {
            n
            for k, n in UPLOAD_PRESETS.references(DesiredObject("upload_preset", name, body))
            if k == "transformation"
        }
        for name, body in presets.items()
    }
    assert checked == ordered == {"p": {"a", "b", "c", "d"}, "q": {"e", "f"}}


def test_transformation_strings_point_into_the_value() -> None:
    settings = yaml.safe_load(PRESETS)["upload_presets"]["p"]["settings"]
    found = list(transformation_strings(settings))
    assert found == [
        (("transformation",), "t_a/c_fill,w_10", 0),
        (("eager",), "t_b", 0),
        (("eager",), "w_10/t_c", 4),
        (("responsive_breakpoints", 0, "transformation"), "t_d", 0),
    ]
    assert transformation_references(settings) == ["a", "b", "c", "d"]

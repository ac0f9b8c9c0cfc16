"""The plan's field paths: its own comparison of mappings and scalars reports exactly what
deepdiff reported when it compared whole objects (deepdiff is the oracle here)."""

from __future__ import annotations

import json
import math
from typing import Any

from deepdiff import DeepDiff
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudinary_state.canonical_json import canonical_json
from cloudinary_state.engine.plan import (
    _deepdiff_paths,
    _diff_paths,
    _expand_emptied,
    _leaf_paths,
    _strictly_equal,
    field_diffs,
)


def _deepdiff_diff_paths(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str | int, ...]]:
    """`_diff_paths` as it was written over one DeepDiff of the whole objects."""
    if not before or not after:
        return _leaf_paths(before or after, ())
    # deepdiff over the whole objects (the native walk is what is under test)
    paths: list[tuple[str | int, ...]] = _deepdiff_paths(dict(before), dict(after))
    paths = [q for p in paths for q in _expand_emptied(before, after, p)]
    unique = sorted(set(paths), key=lambda p: [str(x) for x in p])
    return [p for p in unique if not any(len(q) < len(p) and p[: len(q)] == q for q in unique)]


# Few keys and few values, so that generated pairs share most of their structure.
KEYS = st.sampled_from(["a", "b", "c", "d", "__p", "tags", "values"])
SCALARS = st.one_of(
    st.sampled_from(["x", "y", "", "1"]),
    st.sampled_from([0, 1, 2, -1]),
    st.booleans(),
    st.sampled_from([0.0, -0.0, 1.0, 0.5, math.nan]),
    st.none(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(KEYS, inner, max_size=4),
    ),
    max_leaves=12,
)
OBJECTS = st.dictionaries(KEYS, VALUES, max_size=5)


def _mutated(value: Any, data: st.DataObject) -> Any:
    """`value` with a few random edits, so that most pairs differ a little."""
    if isinstance(value, dict) and value and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(value)))
        return {**value, key: _mutated(value[key], data)}
    if isinstance(value, list) and value and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(value) - 1))
        return [*value[:index], _mutated(value[index], data), *value[index + 1 :]]
    return data.draw(VALUES) if data.draw(st.booleans()) else value


@settings(max_examples=400, deadline=None)
@given(OBJECTS, st.data())
def test_paths_match_a_whole_object_deepdiff(before: dict[str, Any], data: st.DataObject) -> None:
    mutated = _mutated(before, data)
    after = mutated if isinstance(mutated, dict) and data.draw(st.booleans()) else data.draw(OBJECTS)
    assert _diff_paths(before, after) == _deepdiff_diff_paths(before, after)


@settings(max_examples=400, deadline=None)
@given(VALUES, VALUES)
def test_strictly_equal_values_spell_the_same_json(a: Any, b: Any) -> None:
    if _strictly_equal(a, b):
        assert canonical_json(a) == canonical_json(b)
        assert not DeepDiff(a, b)
    copy = json.loads(json.dumps(a))
    if _strictly_equal(a, copy):
        assert canonical_json(a) == canonical_json(copy)


def test_strictly_equal_keeps_apart_what_json_keeps_apart() -> None:
    assert _strictly_equal({"a": [1, {"b": "x"}]}, {"a": [1, {"b": "x"}]})
    assert not _strictly_equal(1, True)
    assert not _strictly_equal(1, 1.0)
    assert not _strictly_equal(0.0, -0.0)
    assert not _strictly_equal([1], (1,))
    assert not _strictly_equal({1: "a"}, {True: "a"})
    assert not _strictly_equal(float("nan"), float("nan"))  # not known to be equal: JSON decides


def test_a_mapping_that_shares_few_keys_is_diffed_field_by_field() -> None:
    # a preset whose settings were replaced in the console: the plan names each field
    live = {"settings": {"tags": ["a", "b"]}}
    config = {"settings": {"tags": ["product"], "folder": "x", "eager": ["t_a"], "use_filename": True}}
    paths = [d.path for d in field_diffs(live, config)]
    assert paths == ["settings.eager", "settings.folder", "settings.tags", "settings.use_filename"]

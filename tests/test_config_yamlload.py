"""YAML loading: marks for every path, duplicate keys refused, dates kept as strings."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudinary_state.config.yamlload import (
    MAX_ALIASED_VALUES,
    MAX_DEPTH,
    YamlLoadError,
    dotted,
    load_yaml_text,
)
from cloudinary_state.desired import SourceRef


def test_marks_point_at_keys_and_values() -> None:
    doc = load_yaml_text("a:\n  b: 1\n  c:\n    - x\n    - 'y'\n", "f.yaml")
    assert doc.data == {"a": {"b": 1, "c": ["x", "y"]}}
    assert doc.marks.at(("a", "b"), key=True) == SourceRef("f.yaml", 2, 3)
    assert doc.marks.at(("a", "b")) == SourceRef("f.yaml", 2, 6)
    assert doc.marks.at(("a", "c", 1)) == SourceRef("f.yaml", 5, 8)  # inside the quotes
    assert doc.marks.at(("a", "missing", 3)) == doc.marks.at(("a",))  # nearest recorded ancestor


def test_offset_into_an_inline_scalar() -> None:
    doc = load_yaml_text("t: c_fill,w_100\nblock: |\n  c_fill\n", "f.yaml")
    assert doc.marks.offset(("t",), 7) == SourceRef("f.yaml", 1, 11)
    assert doc.marks.offset(("block",), 3) == doc.marks.at(("block",))  # not inline: no offset


def test_duplicate_keys_are_errors_at_the_second() -> None:
    with pytest.raises(YamlLoadError) as e:
        load_yaml_text("a: 1\nb:\n  x: 1\n  x: 2\na: 3\n", "f.yaml")
    found = [(d.line, d.column, d.message) for d in e.value.diagnostics]
    assert found == [
        (4, 3, "duplicate key 'x' (first defined at line 3)"),
        (5, 1, "duplicate key 'a' (first defined at line 1)"),
    ]


def test_dates_stay_strings_and_numbers_stay_numbers() -> None:
    doc = load_yaml_text("d: 2026-01-31\nt: 2026-01-01T00:00:00Z\nn: 0.7\ni: 1600\nb: true\n", "f")
    assert doc.data == {"d": "2026-01-31", "t": "2026-01-01T00:00:00Z", "n": 0.7, "i": 1600, "b": True}


def test_syntax_error_has_line_and_column() -> None:
    with pytest.raises(YamlLoadError) as e:
        load_yaml_text("a: [1, 2\nb: 3\n", "f.yaml")
    (d,) = e.value.diagnostics
    assert (d.file, d.line) == ("f.yaml", 2)
    assert d.message.startswith("YAML syntax error")


def test_a_tab_that_indents_says_to_use_spaces() -> None:
    with pytest.raises(YamlLoadError) as e:
        load_yaml_text("upload_presets:\n\tp: {}\n", "f.yaml")
    (d,) = e.value.diagnostics
    assert (d.line, d.column) == (2, 1)
    assert "tab" in d.hint and "spaces" in d.hint


def test_merge_keys_and_recursive_aliases_are_refused() -> None:
    with pytest.raises(YamlLoadError) as e:
        load_yaml_text("base: &b {x: 1}\nother:\n  <<: *b\n", "f")
    assert "merge keys" in e.value.diagnostics[0].message
    with pytest.raises(YamlLoadError) as e:
        load_yaml_text("a: &a [1, *a]\n", "f")
    assert "recursive YAML alias" in e.value.diagnostics[0].message


def test_aliases_are_copied_with_marks_of_the_anchor() -> None:
    doc = load_yaml_text("a: &x {k: v}\nb: *x\n", "f")
    assert doc.data == {"a": {"k": "v"}, "b": {"k": "v"}}
    assert doc.marks.at(("b", "k")).line == 1


def test_empty_document_is_an_empty_mapping() -> None:
    assert load_yaml_text("# only a comment\n", "f").data == {}


def test_multiple_documents_are_refused() -> None:
    with pytest.raises(YamlLoadError):
        load_yaml_text("a: 1\n---\nb: 2\n", "f")


def test_dotted() -> None:
    assert dotted(("settings", "eager", 0)) == "settings.eager[0]"
    assert dotted(()) == ""


def test_keys_are_names_as_written() -> None:
    assert load_yaml_text("200: a\non: b\nnull: c\n", "f").data == {"200": "a", "on": "b", "null": "c"}


# Control and line-separator characters are left out: YAML counts some of them as line breaks.
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=12)
keys = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=8)
scalars = st.one_of(
    texts,
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)
documents = st.recursive(
    st.dictionaries(keys, scalars, max_size=4),
    lambda inner: st.dictionaries(keys, st.one_of(inner, st.lists(inner | scalars, max_size=3)), max_size=4),
    max_leaves=20,
)


def _paths(value: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*path, i))
    return found


@settings(max_examples=150, deadline=None)
@given(documents, st.sampled_from([False, True]))
def test_same_data_as_pyyaml_and_a_mark_for_every_path(data: dict[str, object], flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    doc = load_yaml_text(text, "f.yaml")
    assert doc.data == data
    lines = text.count("\n") + 1
    for path in _paths(doc.data):
        assert doc.marks.recorded(path)
        assert 1 <= doc.marks.at(path).line <= lines


def test_a_value_its_tag_cannot_read_is_an_error_not_a_traceback() -> None:
    with pytest.raises(YamlLoadError) as e:
        load_yaml_text("a: !!int x\nb: 0b_\n", "f.yaml")
    found = [(d.line, d.column, d.message) for d in e.value.diagnostics]
    assert found == [
        (1, 4, "YAML error: 'x' cannot be read as !!int"),
        (2, 4, "YAML error: '0b_' cannot be read as !!int"),
    ]


def test_nesting_deeper_than_the_limit_is_an_error_not_a_traceback() -> None:
    deep = load_yaml_text("a: " + "[" * 90 + "]" * 90, "f").data["a"]
    for _ in range(89):
        (deep,) = deep
    assert deep == []
    with pytest.raises(YamlLoadError) as e:
        load_yaml_text("a: " + "[" * 500 + "]" * 500, "f")
    assert "nested deeper than" in e.value.diagnostics[0].message


def test_a_duplicate_inside_an_anchor_is_reported_once() -> None:
    with pytest.raises(YamlLoadError) as e:
        load_yaml_text("a: &x {k: 1, k: 2}\nb: *x\nc: *x\n", "f")
    assert [(d.line, d.column) for d in e.value.diagnostics] == [(1, 14)]


def test_replacing_marks_leaves_other_views_of_the_tree_alone() -> None:
    doc = load_yaml_text("a: &x {k: v}\nb: *x\n", "f")
    a = doc.marks.subtree(("a",))
    patch = load_yaml_text("\n\nk: w\n", "g").marks
    a.replace(("k",), patch.subtree(("k",)))
    assert a.at(("k",)) == SourceRef("g", 3, 4)
    assert a.at(("k",), key=True) == SourceRef("g", 3, 1)
    assert doc.marks.at(("a", "k")) == SourceRef("f", 1, 11)  # the document keeps its own
    assert doc.marks.at(("b", "k")) == SourceRef("f", 1, 11)  # and so does the alias


def test_an_alias_counts_the_depth_of_what_it_repeats() -> None:
    anchored = "a: &a " + "[" * 60 + "]" * 60 + "\n"
    assert load_yaml_text(anchored + "b: " + "[" * 39 + "*a" + "]" * 39, "f").data["b"]  # 100 levels
    with pytest.raises(YamlLoadError) as e:
        load_yaml_text(anchored + "b: " + "[" * 41 + "*a" + "]" * 41, "f")
    (d,) = e.value.diagnostics
    assert (d.line, d.column) == (2, 45)
    assert d.message == f"this alias nests YAML deeper than {MAX_DEPTH} levels"


def test_aliases_repeat_at_most_the_limit_of_values_per_file() -> None:
    """Each alias adds the values of its anchor, aliases in it expanded: a list of n scalars is
    n + 1 values."""
    n = MAX_ALIASED_VALUES // 10 - 1
    text = f"a: &a [{', '.join(['x'] * n)}]\n" + "".join(f"b{i}: *a\n" for i in range(10))
    assert len(load_yaml_text(text, "f").data) == 11  # exactly the limit
    with pytest.raises(YamlLoadError) as e:
        load_yaml_text(text + "c: [*a]\n", "f")
    (d,) = e.value.diagnostics
    assert (d.line, d.column) == (12, 5)
    assert "aliases repeat more than" in d.message and "alias bomb" in d.hint


def test_a_character_yaml_refuses_is_reported_where_it_is() -> None:
    with pytest.raises(YamlLoadError) as e:
        load_yaml_text("a: é\nbb: 'éé\x07'\n", "f")
    (d,) = e.value.diagnostics
    assert (d.line, d.column) == (2, 8)
    assert "control characters are not allowed" in d.message

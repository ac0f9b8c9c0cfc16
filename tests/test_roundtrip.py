"""roundtrip.py, the edits `import` makes to files a person wrote: what was there stays byte for
byte (only lines are added), the result loads as the data with the additions, and a file an
edit would reformat is refused. And import_merge.patch_towards, the override it writes."""

from __future__ import annotations

import difflib
import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from cloudinary_state.config.yamlload import load_yaml_text
from cloudinary_state.import_merge import _merged, patch_towards
from cloudinary_state.roundtrip import RoundTripError, open_document

NAMES = st.text("abcdefghij_", min_size=1, max_size=6)
SCALARS = st.one_of(st.booleans(), st.integers(-5, 500), NAMES, st.just("${env.WEBHOOK_URL}"))
BODIES = st.recursive(
    st.dictionaries(NAMES, SCALARS, min_size=1, max_size=3),
    lambda inner: st.dictionaries(
        NAMES, st.one_of(inner, st.lists(NAMES, min_size=1, max_size=3)), min_size=1, max_size=3
    ),
    max_leaves=8,
)
SECTIONS = st.dictionaries(
    st.sampled_from(["transformations", "upload_presets", "upload_mappings"]),
    st.dictionaries(NAMES, BODIES, min_size=1, max_size=3),
    min_size=1,
)


def only_lines_added(before: str, after: str) -> bool:
    matcher = difflib.SequenceMatcher(a=before.splitlines(keepends=True), b=after.splitlines(keepends=True))
    return all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())


def hand_written(data: dict[str, Any], mapping: int, offset: int, comments: list[int]) -> str:
    """`data` as a person might write it: an indentation, and whole-line comments before some
    lines (indented as the line they precede), blank lines between sections."""
    writer = YAML()
    writer.indent(mapping=mapping, sequence=mapping + offset, offset=offset)
    out = io.StringIO()
    writer.dump(data, out)
    lines = []
    for i, line in enumerate(out.getvalue().splitlines(keepends=True)):
        indent = len(line) - len(line.lstrip(" "))
        if i and indent == 0:
            lines.append("\n")
        if i in comments:
            lines.append(" " * indent + f"# note {i}\n")
        lines.append(line)
    return "# a hand-written file\n" + "".join(lines) + "\n# the end\n"


@settings(max_examples=40, deadline=None)  # each example writes and parses a file
@given(
    data=SECTIONS,
    mapping=st.sampled_from([2, 4]),
    offset=st.sampled_from([0, 2]),
    comments=st.lists(st.integers(0, 30), max_size=6),
    section=st.sampled_from(["transformations", "upload_presets", "triggers"]),
    added=st.dictionaries(NAMES.map(lambda n: f"new_{n}"), BODIES, min_size=1, max_size=2),
)
def test_adding_entries_keeps_every_line_as_written(
    tmp_path_factory: pytest.TempPathFactory,
    data: dict[str, Any],
    mapping: int,
    offset: int,
    comments: list[int],
    section: str,
    added: dict[str, Any],
) -> None:
    text = hand_written(data, mapping, offset, comments)
    path = tmp_path_factory.mktemp("rt") / "resources.yaml"
    path.write_text(text)
    document = open_document(path, force=False)
    document.add((section,), added)
    after = document.text()
    assert only_lines_added(text, after), after
    assert yaml.safe_load(after) == {**data, section: {**data.get(section, {}), **added}}
    assert after.endswith("\n# the end\n")


def test_a_file_an_edit_would_reformat_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_text("a:\n  b: 1\nc:\n      d: 2\n")
    with pytest.raises(RoundTripError, match="formatting would change"):
        open_document(path, force=False)
    document = open_document(path, force=True)
    document.add(("c",), {"e": 3})
    assert yaml.safe_load(document.text()) == {"a": {"b": 1}, "c": {"d": 2, "e": 3}}


def test_a_file_of_comments_only_keeps_them_and_adds_after(tmp_path: Path) -> None:
    path = tmp_path / "presets.yaml"
    path.write_text("# presets go here\n")
    document = open_document(path, force=False)
    document.add(("upload_presets",), {"p": {"unsigned": True}})
    assert document.text() == "# presets go here\nupload_presets:\n  p:\n    unsigned: true\n"


JSON = st.recursive(
    st.one_of(st.booleans(), st.integers(), NAMES),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(NAMES, inner, max_size=3)),
    max_leaves=10,
)


@given(want=st.dictionaries(NAMES, JSON, max_size=4), have=st.dictionaries(NAMES, JSON, max_size=4))
def test_the_override_merges_into_what_the_account_has(want: dict[str, Any], have: dict[str, Any]) -> None:
    """Merged over `want` by the loader's rule, the patch gives every value `have` holds; what
    is left of `want` is only keys `have` lacks, which a merge cannot unset."""
    merged = _merged(want, patch_towards(want, have))

    def covers(result: Any, expected: Any) -> bool:
        if isinstance(expected, dict) and isinstance(result, dict):
            return all(k in result and covers(result[k], v) for k, v in expected.items())
        return bool(result == expected) and type(result) is type(expected)

    assert covers(merged, have)
    if all(k in have for k in want) and not any(isinstance(v, dict) for v in have.values()):
        assert merged == have


AMBIGUOUS = ["Yes", "No", "on", "OFF", "y", "~", "null", "017", "1:20", "0x1F", "1_000", "1.5", "=", ".inf"]


def test_added_strings_load_back_as_the_same_strings(tmp_path: Path) -> None:
    """ruamel writes YAML 1.2 and leaves `Yes` or `1:20` plain; the loader reads YAML 1.1, where
    they are a boolean and a number: what an edit adds is quoted where it must be."""
    path = tmp_path / "resources.yaml"
    path.write_text("# hand-written\nupload_presets: {}\n")
    body = {"settings": {"tags": AMBIGUOUS, "context": {text: text for text in AMBIGUOUS}}}
    document = open_document(path, force=True)
    document.add(("upload_presets",), {text: body for text in AMBIGUOUS})
    loaded = load_yaml_text(document.text(), "resources.yaml").data
    assert loaded == {"upload_presets": {text: body for text in AMBIGUOUS}}

"""Reading a user's text file: bounded before parsing, a bad byte reported where it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudinary_state.textfiles import UnreadableText, position_of, read_text


def test_a_file_at_the_limit_is_read_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert read_text(path, 100, "smaller") == "x" * 100
    path.write_bytes(b"x" * 101)
    with pytest.raises(UnreadableText) as e:
        read_text(path, 100, "smaller")
    assert e.value.hint == "smaller"


def test_a_directory_and_a_missing_file_are_reasons_not_tracebacks(tmp_path: Path) -> None:
    with pytest.raises(UnreadableText, match="is a directory"):
        read_text(tmp_path, 100, "")
    with pytest.raises(UnreadableText, match="No such file"):
        read_text(tmp_path / "missing", 100, "")


@given(st.text(), st.text(), st.text(alphabet="\n", max_size=3))
def test_the_position_of_a_bad_byte_counts_characters_and_lines(before: str, after: str, nl: str) -> None:
    data = (before + nl).encode() + b"\xff" + after.encode()
    line = before.count("\n") + len(nl) + 1
    column = 1 if nl else len(before) - (before.rfind("\n") + 1) + 1
    assert position_of(data, len((before + nl).encode())) == (line, column)

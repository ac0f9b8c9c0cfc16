"""Reading a user's text file (a config document, a saved plan) without trusting it.

A file is read at most `limit` bytes: one larger is refused before any parser sees it, so
its size bounds the memory and time of everything after. A byte that is not UTF-8 is
reported where it is (line and column), not at the start of the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024


@dataclass
class UnreadableText(Exception):
    """Why a file cannot be read as text, and where (1-based; line 1, column 1 for the whole file)."""

    reason: str
    hint: str = ""
    line: int = 1
    column: int = 1


def read_text(path: Path, limit: int, too_large_hint: str) -> str:
    """The UTF-8 text of `path`, refusing a file above `limit` bytes before reading it whole."""
    try:
        with path.open("rb") as f:
            data = f.read(limit + 1)  # bounded even when the size changes, or stat lies (a pipe)
    except IsADirectoryError:
        raise UnreadableText("is a directory, not a file", "give the path of a file") from None
    except OSError as e:
        raise UnreadableText(e.strerror or str(e)) from None
    if len(data) > limit:
        raise UnreadableText(f"the file is larger than the limit of {limit // MIB} MiB", too_large_hint)
    return decode_utf8(data)


def decode_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, column = position_of(data, e.start)
        raise UnreadableText(
            f"byte 0x{data[e.start]:02x} is not valid UTF-8", "save the file as UTF-8", line, column
        ) from None


def position_of(data: bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of byte `offset` of UTF-8 `data`."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column

"""Edit YAML files a person maintains, keeping what they wrote: comments, key order, quoting and
indentation (`import` into an existing project adds objects, includes, add-ons and overrides).

ruamel.yaml's round-trip mode does the editing. It keeps comments and key order but writes
with one indentation per document, so the indentation of each file is measured first; a file
that does not come back byte for byte when loaded and dumped unchanged (a mix of indentations,
unusual flow styles) would be reformatted by any edit, and `open_document` says so instead
of editing it, unless forced.

Blank lines and comments that follow a block are kept by ruamel as a comment token on its
innermost last item; `put` moves them to the new last item, so that what is added goes
before them (before a section's closing comment, not after it). That token is ruamel's own
representation, which is why pyproject.toml pins ruamel.yaml below its next minor version.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import ScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from cloudinary_state.config.yamlload import YamlLoadError, load_yaml_text, read_yaml_text, reads_as_text
from cloudinary_state.errors import CloudinaryStateError

# Wide enough that no line a person wrote is folded by the dump.
_WIDTH = 4096


class RoundTripError(CloudinaryStateError):
    """A file cannot be edited without changing what a person wrote in it."""


@dataclass(frozen=True)
class _Indentation:
    mapping: int = 2
    sequence: int = 2  # from the parent key's column to an item's content
    offset: int = 0  # from the parent key's column to the dash


def _strip_comment(line: str) -> str:
    return line.split(" #", 1)[0].rstrip()


def _measure(text: str) -> _Indentation:
    """The indentation a file uses: of the first nested mapping key and the first block
    sequence item (relative to the key above them). Defaults where the file has none."""
    mapping: int | None = None
    sequence: tuple[int, int] | None = None
    parent = 0  # column of the last key that opened a block
    for line in text.splitlines():
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        column = len(line) - len(content)
        if content.startswith("- ") and sequence is None:
            item = column + 1 + len(content[1:]) - len(content[1:].lstrip(" "))
            sequence = (item - parent, column - parent)
        elif not content.startswith("-") and mapping is None and column > parent:
            mapping = column - parent
        if _strip_comment(content).endswith(":"):
            parent = column
    mapping = mapping or _Indentation().mapping
    # no block sequence yet: items under their key as far in as a nested key, dash before them
    seq, offset = sequence or (mapping, max(mapping - 2, 0))
    return _Indentation(mapping, seq, offset)


def _yaml(indentation: _Indentation) -> YAML:
    yaml = YAML()  # round-trip
    yaml.preserve_quotes = True
    yaml.width = _WIDTH
    yaml.indent(mapping=indentation.mapping, sequence=indentation.sequence, offset=indentation.offset)
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


Container = CommentedMap | CommentedSeq


def _commented(value: Any) -> Any:
    """`value` with its mappings and lists as ruamel's, so comments can attach to them, and its
    strings quoted where the loader would read them plain as something else (ruamel writes
    YAML 1.2, which leaves `Yes` plain: YAML 1.1, as the loader reads, makes it a boolean)."""
    if isinstance(value, Mapping):
        return CommentedMap((_text(k), _commented(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return CommentedSeq(_commented(v) for v in value)
    return _text(value)


def _text(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, ScalarString) and not reads_as_text(value):
        return SingleQuotedScalarString(value)
    return value


def _deepest_last(node: Container) -> tuple[Container, Any] | None:
    """The innermost block container ending `node`, and the key or index of its last item:
    where ruamel keeps the comments and blank lines that follow `node`."""
    while node:
        last: Any = next(reversed(node)) if isinstance(node, CommentedMap) else len(node) - 1
        value = node[last]
        if not isinstance(value, CommentedMap | CommentedSeq) or not value or value.fa.flow_style():
            return node, last
        node = value
    return None


def _slot(node: Container) -> int:
    return 2 if isinstance(node, CommentedMap) else 0  # ruamel: a comment after the value


def _detach_trailing(node: Container) -> str:
    """The lines after `node`'s last line (blank lines, comments), taken off it; the comment
    on its last line stays."""
    found = _deepest_last(node)
    if found is None:
        return ""
    inner, last = found
    entry = inner.ca.items.get(last)
    token = entry[_slot(inner)] if entry else None
    if token is None or "\n" not in token.value:
        return ""
    head, tail = token.value.split("\n", 1)
    if head.strip():
        token.value = head + "\n"
    else:
        entry[_slot(inner)] = None
    return str(tail)


def _attach_trailing(node: Container, tail: str) -> None:
    found = _deepest_last(node)
    if not tail or found is None:
        return
    inner, last = found
    entry = inner.ca.items.setdefault(last, [None, None, None, None])
    entry[_slot(inner)] = CommentToken("\n" + tail, CommentMark(0), None)


def put(node: Container, entries: Mapping[str, Any] | list[Any]) -> None:
    """Add (or replace) `entries` in `node`, after its last item: the blank lines and comments
    that followed `node` follow the new items."""
    tail = _detach_trailing(node)
    if isinstance(node, CommentedMap):
        assert isinstance(entries, Mapping)
        for key, value in entries.items():
            node[_text(key)] = _commented(value)
    else:
        node.extend(_commented(v) for v in entries)
    _attach_trailing(node, tail)


@dataclass
class Document:
    """One YAML mapping document, loaded for editing; `text()` gives it back with the edits.

    A file holding only comments (or nothing) keeps its text, and what is added follows it."""

    path: Path
    original: str | None  # None: a new file
    data: CommentedMap
    _yaml: YAML
    _prefix: str = ""

    def get(self, *keys: str) -> Any:
        node: Any = self.data
        for key in keys:
            node = node.get(key) if isinstance(node, CommentedMap) else None
        return node

    def add(self, keys: tuple[str, ...], entries: Mapping[str, Any]) -> None:
        """Add `entries` to the mapping at `keys`, making the mappings that are missing (or
        empty) at the end of their parent, in one edit so that what followed the parent's last
        item follows the new one."""
        node = self.data
        for i, key in enumerate(keys):
            child = node.get(key)
            if not isinstance(child, CommentedMap) or not child:
                nested: Mapping[str, Any] = entries
                for inner in reversed(keys[i + 1 :]):
                    nested = {inner: nested}
                put(node, {key: nested})
                return
            node = child
        put(node, entries)

    def extend(self, keys: tuple[str, ...], items: list[Any]) -> None:
        """Append `items` to the sequence at `keys` (in its style), made where it is missing."""
        existing = self.get(*keys)
        if isinstance(existing, CommentedSeq) and existing:
            put(existing, items)
        else:
            self.add(keys[:-1], {keys[-1]: items})

    def text(self) -> str:
        return self._prefix + (_dump(self._yaml, self.data) if self.data else "")

    @property
    def changed(self) -> bool:
        return self.text() != (self.original or "")


def new_document(path: Path, *, comment: str = "") -> Document:
    """A file to be made; `comment` becomes its first line."""
    return Document(path, None, CommentedMap(), _yaml(_Indentation()), f"# {comment}\n" if comment else "")


def open_document(path: Path, *, force: bool) -> Document:
    """`path` loaded for editing. Raises RoundTripError for a file that is not a YAML mapping,
    or (unless `force`) one that an edit would reformat; and, at the place, for one the config
    loader would refuse (its size, encoding, nesting and aliases are checked first: ruamel has
    no such limits, and recurses past Python's on deep nesting)."""
    try:
        text = read_yaml_text(path, str(path))
        load_yaml_text(text, str(path))
    except YamlLoadError as e:
        raise RoundTripError("\n".join(map(str, e.diagnostics))) from None
    yaml = _yaml(_measure(text))
    try:
        data = yaml.load(text)
    except YAMLError as e:
        raise RoundTripError(f"{path}: not valid YAML, so it cannot be edited: {e}") from e
    if data is None:  # nothing but comments: keep them as they are, add after them
        prefix = text if not text or text.endswith("\n") else text + "\n"
        return Document(path, text, CommentedMap(), yaml, prefix)
    if not isinstance(data, CommentedMap):
        raise RoundTripError(f"{path}: not a YAML mapping, so it cannot be edited")
    if not force and _dump(yaml, data) != text:
        raise RoundTripError(
            f"{path}: its formatting would change if it were edited (mixed indentation or "
            "styles the YAML library writes differently); edit it by hand, or use --force "
            "to let import rewrite its layout (comments and key order are kept)"
        )
    return Document(path, text, data, yaml)

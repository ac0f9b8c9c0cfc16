"""YAML loading that remembers where every value came from and refuses duplicate keys.

PyYAML's own loaders forget positions once they build Python objects, and silently let a
later duplicate key win. We compose the node graph ourselves (which keeps marks), then
build plain Python values while recording, for every path into the document, where the
key and the value sit. Later stages (pydantic validation, semantic checks) report errors
by path; `Marks` turns a path back into `file:line:column`.

Timestamps are not resolved: `2026-01-31` stays the string the Admin API expects, instead
of becoming a `datetime.date` that no field accepts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cloudinary_state.desired import SourceRef
from cloudinary_state.errors import Diagnostic

PathKey = str | int
DocPath = tuple[PathKey, ...]


# libyaml's parser when PyYAML was built with it (several times faster); same nodes and marks.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader without the implicit timestamp resolver (dates stay strings)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Marks:
    """Positions of keys and values by document path (the path of a mapping entry is its key)."""

    keys: dict[DocPath, SourceRef] = field(default_factory=dict)
    values: dict[DocPath, SourceRef] = field(default_factory=dict)
    # Scalars written on one line: a character offset into their value is a column offset.
    inline: set[DocPath] = field(default_factory=set)

    def offset(self, path: DocPath, position: int) -> SourceRef:
        """The mark of character `position` of the string at `path` (its start if not inline)."""
        ref = self.at(path)
        if path in self.inline and path in self.values:
            return SourceRef(ref.file, ref.line, ref.column + position)
        return ref

    def at(self, path: DocPath, *, key: bool = False) -> SourceRef:
        """The mark of `path`, or of its nearest recorded ancestor."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            ref = table.get(prefix) or self.keys.get(prefix) or self.values.get(prefix)
            if ref is not None:
                return ref
        raise KeyError(path)  # the root is always recorded, so this means a foreign path

    def subtree(self, root: DocPath, value: Any) -> Marks:
        """The marks of `value`, the data found at `root`, re-rooted so that `root` becomes `()`.

        Walks the data rather than the whole table: cost is the size of the subtree.
        """
        out = Marks()
        n = len(root)
        for path in _paths(value, root):
            if path in self.keys:
                out.keys[path[n:]] = self.keys[path]
            if path in self.values:
                out.values[path[n:]] = self.values[path]
            if path in self.inline:
                out.inline.add(path[n:])
        return out

    def drop_below(self, root: DocPath) -> None:
        """Forget every mark strictly below `root` (its value is being replaced)."""
        n = len(root)
        for table in (self.keys, self.values):
            for p in [p for p in table if len(p) > n and p[:n] == root]:
                del table[p]
        self.inline = {p for p in self.inline if not (len(p) > n and p[:n] == root)}

    def graft(self, root: DocPath, other: Marks) -> None:
        """Record `other`'s marks under `root` (they win over existing ones)."""
        self.keys.update({root + p: r for p, r in other.keys.items()})
        self.values.update({root + p: r for p, r in other.values.items()})
        self.inline |= {root + p for p in other.inline}


def _paths(value: Any, path: DocPath) -> Iterator[DocPath]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


@dataclass
class LoadedDocument:
    file: str  # as shown in messages
    data: Any
    marks: Marks


class YamlLoadError(Exception):
    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(map(str, diagnostics)))


def _ref(file: str, mark: yaml.Mark) -> SourceRef:
    return SourceRef(file, mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, file: str, loader: _Loader) -> None:
        self.file = file
        self.loader = loader
        self.marks = Marks()
        self.problems: list[Diagnostic] = []
        self._open: set[int] = set()  # collections being built: an alias to one is a cycle

    def build(self, node: yaml.Node, path: DocPath) -> Any:
        where = _ref(self.file, node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            quoted = node.style in ("'", '"')
            if quoted:  # point at the first character of the string, not at the quote
                where = SourceRef(where.file, where.line, where.column + 1)
            if node.start_mark.line == node.end_mark.line and node.style in (None, "", "'", '"'):
                self.marks.inline.add(path)
            self.marks.values.setdefault(path, where)
            return self.loader.construct_object(node, deep=True)
        self.marks.values.setdefault(path, where)
        if id(node) in self._open:
            self.problems.append(
                Diagnostic(where.file, where.line, where.column, "recursive YAML alias", "remove the cycle")
            )
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: DocPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, SourceRef] = {}
        for key_node, value_node in node.value:
            where = _ref(self.file, key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(
                    Diagnostic(where.file, where.line, where.column, "a mapping key must be a plain scalar")
                )
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(
                    Diagnostic(
                        where.file,
                        where.line,
                        where.column,
                        "YAML merge keys (<<) are not supported",
                        "write the keys out, or use `overrides:` in the environment file",
                    )
                )
                continue
            # Keys are names, taken as written: `200: x` is "200", `on: x` is "on" (not True).
            key = str(key_node.value)
            if key in first_seen:
                before = first_seen[key]
                self.problems.append(
                    Diagnostic(
                        where.file,
                        where.line,
                        where.column,
                        f"duplicate key '{key}' (first defined at line {before.line})",
                        "remove one of the two entries; YAML would silently keep only the last",
                    )
                )
                continue
            first_seen[key] = where
            self.marks.keys[(*path, key)] = where
            result[key] = self.build(value_node, (*path, key))
        return result


def load_yaml_text(text: str, file: str) -> LoadedDocument:
    """Parse one YAML document. An empty document is an empty mapping."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadedDocument(file, {}, Marks(values={(): SourceRef(file, 1, 1)}))
        builder = _Builder(file, loader)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(part for part in (e.context, e.problem) if part) or "invalid YAML"
        raise YamlLoadError(
            [Diagnostic(file, line, column, f"YAML syntax error: {message}", "fix the YAML syntax")]
        ) from None
    except yaml.YAMLError as e:
        raise YamlLoadError([Diagnostic(file, 1, 1, f"YAML error: {e}")]) from None
    finally:
        loader.dispose()
    if builder.problems:
        raise YamlLoadError(builder.problems)
    return LoadedDocument(file, data, builder.marks)


def load_yaml_file(path: Path, shown_as: str) -> LoadedDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise YamlLoadError([Diagnostic(shown_as, 1, 1, f"cannot read file: {reason}")]) from None
    return load_yaml_text(text, shown_as)


def dotted(path: Iterable[PathKey]) -> str:
    """`("settings", "eager", 0)` -> `settings.eager[0]`, for messages."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out

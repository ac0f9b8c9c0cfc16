"""YAML loading that remembers where every value came from and refuses duplicate keys.

PyYAML's own loaders forget positions once they build Python objects, and silently let a
later duplicate key win. We read libyaml's event stream ourselves and build, in one pass,
the plain Python values and a *mark tree* that mirrors them: for every value the place it
was written (and for every mapping entry the place of its key). Later stages (pydantic
validation, semantic checks) report errors by path; `Marks` turns a path back into
`file:line:column` by walking the tree. Nothing is made per value beyond one small tuple:
no node graph (as `compose` would build), no path, no `SourceRef` until a message asks.

Timestamps are not resolved: `2026-01-31` stays the string the Admin API expects, instead
of becoming a `datetime.date` that no field accepts. Every value is a JSON value: a scalar
that would read as anything else (`!!binary`, `!!timestamp`, `.inf`, `.nan`) is an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from math import isfinite
from pathlib import Path
from typing import Any, Final

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    StreamEndEvent,
)

from cloudinary_state.desired import SourceRef
from cloudinary_state.errors import Diagnostic
from cloudinary_state.textfiles import MIB, UnreadableText, position_of, read_text

PathKey = str | int
DocPath = tuple[PathKey, ...]


# libyaml's parser when PyYAML was built with it (several times faster); same events and marks.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader without the implicit timestamp resolver (dates stay strings)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_STR = "tag:yaml.org,2002:str"


class _Resolver(yaml.resolver.BaseResolver):
    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


_RESOLVER = _Resolver()


def reads_as_text(text: str) -> bool:
    """Whether `text`, written as a plain scalar, loads back as that string here (YAML 1.1:
    `yes`, `on`, `1:20`, `017` are no strings); a writer that follows YAML 1.2 quotes only
    what 1.2 reads otherwise, so it must quote these too."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag == _STR)


_JSON_SCALARS: Final = frozenset({str, int, float, bool, type(None)})  # what a scalar may read as
_MERGE = "tag:yaml.org,2002:merge"
# A plain scalar whose first character no implicit resolver knows is a string: most of a
# config (names, URLs, transformation strings) is decided by one set lookup, not by regexes.
# The shortcut needs every resolver to be keyed by a first character (None would be a wildcard).
_IMPLICIT_FIRST = frozenset(_Loader.yaml_implicit_resolvers)
assert None not in _IMPLICIT_FIRST and not _Loader.yaml_path_resolvers
MAX_DEPTH = 100  # nesting levels: far beyond any config, far below Python's recursion limit
# Values that aliases may repeat in one file, counted as expanded (each alias adds the number of
# values its anchor holds, aliases inside it included): a "billion laughs" document of a few
# hundred bytes would expand to billions. Far beyond any config's use of anchors; copying this
# many values takes a small fraction of a second.
MAX_ALIASED_VALUES = 100_000
MAX_FILE_BYTES = 8 * MIB  # about 4x the largest benchmarked config (10,000 objects)

# --- the mark tree --------------------------------------------------------------------------
#
# One tuple per value, made while parsing (a tuple of strings and numbers is the cheapest thing
# to make, and the garbage collector soon stops scanning it; libyaml's mark objects are not kept):
#   (file, line, column, flags, children, key_line, key_column)
# `children` is None for a scalar, {key: tree} for a mapping, [tree, ...] for a sequence; the key
# position is that of the key the value sits under (-1 when there is none: a list item, the
# root). Lines and columns are 0-based, as libyaml counts. A key is always in the same file as
# its value.
Tree = tuple[str, int, int, int, Any, int, int]
_FILE: Final = 0
_LINE: Final = 1
_COLUMN: Final = 2
_FLAGS: Final = 3
_CHILDREN: Final = 4
_KEY_LINE: Final = 5
_KEY_COLUMN: Final = 6
_QUOTED = 1  # the value's position is its quote: its first character is one column on
_INLINE = 2  # a scalar on one line: a character offset into its value is a column offset
_NO_KEY = -1
# libyaml's events, typed Any: their stubs allow marks that a parser never leaves out.
_Event = Any


def _value_ref(tree: Tree) -> SourceRef:
    return SourceRef(tree[_FILE], tree[_LINE] + 1, tree[_COLUMN] + 1 + (tree[_FLAGS] & _QUOTED))


def _with_key(tree: Tree, line: int, column: int) -> Tree:
    return (*tree[:_KEY_LINE], line, column)


def _child(tree: Tree, step: PathKey) -> Tree | None:
    """The tree one step below `tree`; None when there is none."""
    children = tree[_CHILDREN]
    if isinstance(children, dict):
        found: Tree | None = children.get(step) if isinstance(step, str) else None
        return found
    if children is not None and isinstance(step, int) and 0 <= step < len(children):
        item: Tree = children[step]
        return item
    return None


class Marks:
    """Positions of values and keys by document path (the path of a mapping entry is its key).

    A view on a mark tree, rooted at some value of a document.
    """

    __slots__ = ("_tree",)

    def __init__(self, tree: Tree) -> None:
        self._tree = tree

    def _walk(self, path: DocPath) -> tuple[Tree, bool]:
        """The deepest tree along `path`, and whether it is the tree of all of `path`."""
        tree = self._tree
        for step in path:
            child = _child(tree, step)
            if child is None:
                return tree, False
            tree = child
        return tree, True

    def at(self, path: DocPath, *, key: bool = False) -> SourceRef:
        """The mark of `path`, or of its nearest recorded ancestor (of its key with `key`)."""
        tree, _ = self._walk(path)
        if key and tree[_KEY_LINE] != _NO_KEY:
            return SourceRef(tree[_FILE], tree[_KEY_LINE] + 1, tree[_KEY_COLUMN] + 1)
        return _value_ref(tree)

    def offset(self, path: DocPath, position: int) -> SourceRef:
        """The mark of character `position` of the string at `path` (its start if not inline)."""
        tree, whole = self._walk(path)
        ref = _value_ref(tree)
        if whole and tree[_FLAGS] & _INLINE:
            return SourceRef(ref.file, ref.line, ref.column + position)
        return ref

    def recorded(self, path: DocPath) -> bool:
        """Whether `path` itself (not only an ancestor) has a mark."""
        return self._walk(path)[1]

    def subtree(self, root: DocPath, value: Any = None) -> Marks:
        """The marks of the value at `root`, re-rooted so that `root` becomes `()`.

        `value` (the data at `root`) is not needed: the tree mirrors the data. Costs the depth
        of `root`, not the size of the subtree.
        """
        return Marks(self._walk(root)[0])

    def replace(self, root: DocPath, other: Marks) -> None:
        """Make `other` the marks of the value at `root` (its value is being replaced).

        Copies the collections along the path instead of changing them: trees are shared (by
        the document and its objects' views, by aliases), and only this view may change.
        """
        self._tree = _replaced(self._tree, root, other._tree)


def _replaced(tree: Tree, path: DocPath, new: Tree) -> Tree:
    if not path:  # without a key of its own, the new value keeps the key of the old one
        return new if new[_KEY_LINE] != _NO_KEY else _with_key(new, tree[_KEY_LINE], tree[_KEY_COLUMN])
    step, rest = path[0], path[1:]
    child = _child(tree, step)
    if child is None:
        if rest or isinstance(step, int):  # the data had this path, so the tree has it too
            raise KeyError(path)
        child = new  # a new key
    children = tree[_CHILDREN]
    if isinstance(step, int):
        children = list(children)
    else:
        children = dict(children) if isinstance(children, dict) else {}
    children[step] = _replaced(child, rest, new)
    return (*tree[:_CHILDREN], children, tree[_KEY_LINE], tree[_KEY_COLUMN])


@dataclass
class LoadedDocument:
    file: str  # as shown in messages
    data: Any
    marks: Marks


class YamlLoadError(Exception):
    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(map(str, diagnostics)))


@dataclass(frozen=True)
class _Anchored:
    """What an alias repeats: the anchored value and its marks (`open` while it is being built)."""

    value: Any
    tree: Tree
    text: str | None = None  # a scalar's text as written: an alias to it can be a mapping key
    merge: bool = False  # a scalar that means the merge key `<<`
    open: bool = False
    size: int = 1  # values in it, aliases expanded: what an alias to it adds
    height: int = 0  # nesting levels in it (0 for a scalar): what an alias to it adds to the depth


class _Unreadable(Exception):
    """A scalar its tag's constructor cannot read (`!!int x`)."""


class _NotJson(Exception):
    """A scalar that reads as no JSON value: bytes (`!!binary`), a date (`!!timestamp`), an
    infinity or NaN (`.inf`). No field takes one, the API could not be sent one, and validation
    would turn it into another value where any value goes (a date into its text, an infinity
    into null) or fail there (bytes that are no UTF-8)."""


def _copy(value: Any) -> Any:
    """A fresh copy of an anchored value for each alias (no two places share a mutable value)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


class _Builder:
    """Plain values and their mark tree from libyaml's events, in one recursive pass.

    Each node is built knowing the position of the key it sits under (`key_line`, `key_column`;
    -1 for none), so its tree is made once, whole.
    """

    def __init__(self, file: str, loader: _Loader) -> None:
        self.file = file
        self.loader = loader
        self.next_event = loader.get_event
        self.problems: list[Diagnostic] = []
        self.anchors: dict[str, _Anchored] = {}
        self.resolved: dict[str, Any] = {}  # plain scalars that are no string (true, 30, 0.7)
        self.muted = 0  # > 0 inside a refused key or value: its problems are not reported
        self.depth = 0
        self.deepest = 0  # the deepest level reached inside the collection being built
        self.built = 0  # values built so far, aliases expanded
        self.aliased = 0  # of those, values repeated by aliases (bounded: MAX_ALIASED_VALUES)

    def problem(self, line: int, column: int, message: str, hint: str = "") -> None:
        if not self.muted:
            self.problems.append(Diagnostic(self.file, line + 1, column + 1, message, hint))

    def document(self) -> tuple[Any, Tree] | None:
        """The single document of the stream; None when there is none."""
        self.next_event()  # the stream start
        if isinstance(self.next_event(), StreamEndEvent):
            return None
        start = self.next_event()
        built = self.node(start, _NO_KEY, _NO_KEY)
        self.next_event()  # the document end
        event = self.next_event()
        if not isinstance(event, StreamEndEvent):
            raise ComposerError(
                "expected a single document in the stream",
                start.start_mark,
                "but found another document",
                event.start_mark,
            )
        return built

    def node(self, event: _Event, key_line: int, key_column: int) -> tuple[Any, Tree]:
        cls = event.__class__
        if cls is ScalarEvent:
            self.built += 1
            return self.scalar(event, key_line, key_column)
        if cls is AliasEvent:
            return self.alias(event, key_line, key_column)
        start = event.start_mark
        anchor: str | None = event.anchor
        if anchor is not None:
            where = (self.file, start.line, start.column, 0, None, _NO_KEY, _NO_KEY)
            self.anchor(anchor, event, _Anchored(None, where, open=True))
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.too_deep(start, f"YAML nested deeper than {MAX_DEPTH} levels")
        built_before, deepest_outside, self.deepest = self.built, self.deepest, self.depth
        self.built += 1
        children: dict[str, Tree] | list[Tree]
        value, children = self.mapping() if cls is MappingStartEvent else self.sequence()
        height = self.deepest - self.depth + 1
        self.deepest = max(deepest_outside, self.deepest)
        self.depth -= 1
        tree = (self.file, start.line, start.column, 0, children, key_line, key_column)
        if anchor is not None:
            self.anchors[anchor] = _Anchored(value, tree, size=self.built - built_before, height=height)
        return value, tree

    def too_deep(self, mark: Any, message: str) -> None:
        at = Diagnostic(self.file, mark.line + 1, mark.column + 1, message, "flatten the structure")
        raise YamlLoadError([at])

    def anchor(self, name: str, event: _Event, anchored: _Anchored) -> None:
        first = self.anchors.get(name)
        if first is not None:
            first_mark = yaml.Mark(self.file, 0, first.tree[_LINE], first.tree[_COLUMN], None, 0)
            message = "found duplicate anchor; first occurrence"
            raise ComposerError(message, first_mark, "second occurrence", event.start_mark)
        self.anchors[name] = anchored

    def alias(self, event: _Event, key_line: int, key_column: int) -> tuple[Any, Tree]:
        anchored = self.anchors.get(event.anchor)
        if anchored is None:
            raise ComposerError(None, None, "found undefined alias", event.start_mark)
        tree = _with_key(anchored.tree, key_line, key_column)
        if anchored.open:
            self.problem(tree[_LINE], tree[_COLUMN], "recursive YAML alias", "remove the cycle")
            return None, tree
        # counted before copying: a refused alias costs nothing
        if self.depth + anchored.height > MAX_DEPTH:
            self.too_deep(event.start_mark, f"this alias nests YAML deeper than {MAX_DEPTH} levels")
        self.deepest = max(self.deepest, self.depth + anchored.height)
        self.aliased += anchored.size
        if self.aliased > MAX_ALIASED_VALUES:
            mark = event.start_mark
            message = f"YAML aliases repeat more than {MAX_ALIASED_VALUES:,} values in this file"
            hint = "write the repeated values out, or alias smaller parts (an alias bomb is refused)"
            raise YamlLoadError([Diagnostic(self.file, mark.line + 1, mark.column + 1, message, hint)])
        self.built += anchored.size
        return _copy(anchored.value), tree

    def sequence(self) -> tuple[list[Any], list[Tree]]:
        items: list[Any] = []
        trees: list[Tree] = []
        event = self.next_event()
        while event.__class__ is not SequenceEndEvent:
            value, tree = self.node(event, _NO_KEY, _NO_KEY)
            items.append(value)
            trees.append(tree)
            event = self.next_event()
        return items, trees

    def mapping(self) -> tuple[dict[str, Any], dict[str, Tree]]:
        data: dict[str, Any] = {}
        trees: dict[str, Tree] = {}
        event = self.next_event()
        while event.__class__ is not MappingEndEvent:
            key, line, column = self.key(event)
            if key is not None and key in data:
                self.problem(
                    line,
                    column,
                    f"duplicate key '{key}' (first defined at line {trees[key][_KEY_LINE] + 1})",
                    "remove one of the two entries; YAML would silently keep only the last",
                )
                key = None
            if key is None:  # a refused entry: its value is read (anchors in it count), not kept
                self.muted += 1
                self.node(self.next_event(), _NO_KEY, _NO_KEY)
                self.muted -= 1
            else:
                data[key], trees[key] = self.node(self.next_event(), line, column)
            event = self.next_event()
        return data, trees

    def key(self, event: _Event) -> tuple[str | None, int, int]:
        """A mapping key as written (`200: x` is "200", `on: x` is "on") and where it is; None
        for a key that is refused (and reported)."""
        cls, start = event.__class__, event.start_mark
        line, column = start.line, start.column
        text: str | None = None
        merge = False
        if cls is ScalarEvent:
            text = event.value
            if event.anchor is not None:
                self.scalar(event, _NO_KEY, _NO_KEY)
            merge = self.is_merge(event)
        elif cls is AliasEvent:
            anchored = self.anchors.get(event.anchor)
            if anchored is None:
                raise ComposerError(None, None, "found undefined alias", start)
            text, merge = anchored.text, anchored.merge
            line, column = anchored.tree[_LINE], anchored.tree[_COLUMN]
        else:  # read the collection (anchors in it count) before refusing it
            self.muted += 1
            self.node(event, _NO_KEY, _NO_KEY)
            self.muted -= 1
        if text is None:
            self.problem(line, column, "a mapping key must be a plain scalar")
        elif merge:
            self.problem(
                line,
                column,
                "YAML merge keys (<<) are not supported",
                "write the keys out, or use `overrides:` in the environment file",
            )
        return (None if merge else text), line, column

    def is_merge(self, event: _Event) -> bool:
        if event.tag == _MERGE:
            return True
        # only the plain text << resolves to the merge tag
        return (
            event.value == "<<"
            and event.tag in (None, "!")
            and self.loader.resolve(yaml.ScalarNode, event.value, event.implicit) == _MERGE
        )

    def scalar(self, event: _Event, key_line: int, key_column: int) -> tuple[Any, Tree]:
        text, style, start = event.value, event.style, event.start_mark
        try:
            if event.tag is None and style == "":  # plain and untagged: most of a config
                value = text if text[:1] not in _IMPLICIT_FIRST else self.plain(event)
            else:
                value = self.tagged(event)
        except _Unreadable as e:
            tag = str(e).replace("tag:yaml.org,2002:", "!!")
            message = f"YAML error: '{text}' cannot be read as {tag}"
            self.problem(start.line, start.column, message, "fix the value or its tag")
            value = None
        except _NotJson as e:
            reason, hint = e.args
            self.problem(start.line, start.column, f"YAML error: '{text}' {reason}", hint)
            value = None
        flags = 0
        if style in ("", "'", '"') and start.line == event.end_mark.line:
            flags = _INLINE | _QUOTED if style else _INLINE
        elif style in ("'", '"'):
            flags = _QUOTED
        tree = (self.file, start.line, start.column, flags, None, key_line, key_column)
        if event.anchor is not None:
            self.anchor(event.anchor, event, _Anchored(value, tree, text, self.is_merge(event)))
        return value, tree

    def plain(self, event: _Event) -> Any:
        """A plain scalar some implicit resolver may claim (true, 30, 0.7, ~): resolved once per text."""
        text = event.value
        if text in self.resolved:
            return self.resolved[text]
        tag = self.loader.resolve(yaml.ScalarNode, text, event.implicit)
        value = text if tag == _STR else self.construct(event, tag)
        self.resolved[text] = value
        return value

    def tagged(self, event: _Event) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        return event.value if tag == _STR else self.construct(event, tag)

    def construct(self, event: _Event, tag: str) -> Any:
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = self.loader.construct_object(node, deep=True)
        except (ValueError, TypeError, LookupError, OverflowError):
            raise _Unreadable(tag) from None
        kind = type(value)
        if kind is float and not isfinite(value):
            raise _NotJson("is not a finite number (JSON has none)", "give a number, or quote it for text")
        if kind not in _JSON_SCALARS:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            reason = f"tagged {shown} reads as {kind.__name__}, which no setting takes"
            raise _NotJson(reason, "remove the tag: a value is text, a number, a boolean, a list or a map")
        return value


def load_yaml_text(text: str, file: str) -> LoadedDocument:
    """Parse one YAML document. An empty document is an empty mapping."""
    loader = _Loader(text)
    builder = _Builder(file, loader)
    try:
        built = builder.document()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(part for part in (e.context, e.problem) if part) or "invalid YAML"
        at_tab = mark is not None and text[mark.index : mark.index + 1] == "\t"
        # YAML forbids tabs in indentation, and PyYAML's message does not say so
        hint = "YAML indents with spaces, never tabs: replace the tab with spaces" if at_tab else ""
        raise YamlLoadError(
            [Diagnostic(file, line, column, f"YAML syntax error: {message}", hint or "fix the YAML syntax")]
        ) from None
    except yaml.reader.ReaderError as e:  # a character YAML does not allow (a control character)
        line, column = _reader_position(text, e.position)
        message = f"YAML error: {e.reason} (#x{e.character:04x})" if isinstance(e.character, int) else str(e)
        raise YamlLoadError([Diagnostic(file, line, column, message, "remove the character")]) from None
    except yaml.YAMLError as e:
        raise YamlLoadError([Diagnostic(file, 1, 1, f"YAML error: {e}")]) from None
    finally:
        loader.dispose()
    if built is None:
        return LoadedDocument(file, {}, Marks((file, 0, 0, 0, None, _NO_KEY, _NO_KEY)))
    if builder.problems:
        raise YamlLoadError(builder.problems)
    return LoadedDocument(file, built[0], Marks(built[1]))


def _reader_position(text: str, position: int) -> tuple[int, int]:
    """Line and column of libyaml's `position`: a byte offset into the UTF-8 text for the C
    reader, a character offset for the pure-Python one."""
    if _BaseLoader is yaml.SafeLoader:
        before = text[:position].encode("utf-8")
        return position_of(before, len(before))
    return position_of(text.encode("utf-8"), position)


def load_yaml_file(path: Path, shown_as: str) -> LoadedDocument:
    """Load a file of at most MAX_FILE_BYTES (a larger one is refused unread)."""
    return load_yaml_text(read_yaml_text(path, shown_as), shown_as)


def read_yaml_text(path: Path, shown_as: str) -> str:
    """The text of a file of at most MAX_FILE_BYTES, UTF-8 (YamlLoadError, at the bad byte)."""
    try:
        return read_text(path, MAX_FILE_BYTES, "split it into several files (an environment includes many)")
    except UnreadableText as e:
        # a reason about the whole file (not found, too large) says what could not be done
        reason = e.reason if (e.line, e.column) != (1, 1) else f"cannot read file: {e.reason}"
        raise YamlLoadError([Diagnostic(shown_as, e.line, e.column, reason, e.hint)]) from None


def dotted(path: Iterable[PathKey]) -> str:
    """`("settings", "eager", 0)` -> `settings.eager[0]`, for messages."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out

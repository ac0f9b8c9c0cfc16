"""Set one `section: {name: body}` entry in a YAML resource document, keeping the rest of the
text as written.

`promote --write` records objects in files a person maintains, so the edit splices text: the
lines of the one entry are replaced (or new lines appended to the section), and every other
line, comments included, stays byte for byte. PyYAML's node marks locate the entry. What is
lost: comments inside the replaced entry and an inline comment on its last line. Where the
section is written in flow style (`transformations: {a: ...}`) or is not a mapping, the file
is loaded and dumped whole instead, which loses its comments and formatting; `set_entry` says
which of the two happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


def dump_entry(name: str, body: Mapping[str, Any], indent: int) -> str:
    text = yaml.safe_dump(
        {name: dict(body)}, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def _last_line(node: Node) -> int:
    """The index of the first line after `node`'s content (not its trailing comments)."""
    if isinstance(node, MappingNode | SequenceNode) and not node.flow_style:
        children = [n for pair in node.value for n in pair] if isinstance(node, MappingNode) else node.value
        if children:
            return max(_last_line(child) for child in children)
    end = node.end_mark
    return end.line + 1 if end.column > 0 else end.line


def _find(mapping: MappingNode, key: str) -> tuple[ScalarNode, Node] | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _rewrite(text: str, section: str, name: str, body: Mapping[str, Any]) -> str:
    data = yaml.safe_load(text) or {}
    if not isinstance(data.get(section), dict):
        data[section] = {}
    data[section][name] = dict(body)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def set_entry(text: str, section: str, name: str, body: Mapping[str, Any]) -> tuple[str, bool]:
    """-> (new text, whether the rest of the file was kept as written)."""
    root = yaml.compose(text) if text.strip() else None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if root is None or (isinstance(root, ScalarNode) and root.tag.endswith(":null")):
        return "".join(lines) + f"{section}:\n" + dump_entry(name, body, 2), True
    if not isinstance(root, MappingNode) or root.flow_style:
        return _rewrite(text, section, name, body), False
    found_section = _find(root, section)
    if found_section is None:
        at = _last_line(root)
        added = f"{section}:\n" + dump_entry(name, body, 2)
        return "".join(lines[:at]) + added + "".join(lines[at:]), True
    entries = found_section[1]
    if not isinstance(entries, MappingNode) or entries.flow_style or not entries.value:
        return _rewrite(text, section, name, body), False
    found_entry = _find(entries, name)
    if found_entry is not None:
        key_node, value_node = found_entry
        start, end = key_node.start_mark.line, _last_line(value_node)
        indent = key_node.start_mark.column
    else:
        start = end = _last_line(entries)
        indent = entries.value[0][0].start_mark.column
    return "".join(lines[:start]) + dump_entry(name, body, indent) + "".join(lines[end:]), True

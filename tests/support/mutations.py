"""Mutations for fuzzing hostile input (issue 13): byte edits biased towards YAML and JSON
syntax, and structure edits of a parsed document (a value replaced, shared, nested deep, or a key
removed). Used by the config, plan file and `show` fuzz tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# pieces of YAML and JSON syntax that make the interesting damage likelier than random bytes do
TOKENS = [
    b"&a ", b"*a", b"[", b"]", b"{", b"}", b"\n", b"  ", b"- ", b": ", b"? ", b"'", b'"', b"\\",
    b"!!int ", b"!!binary ", b"<<: ", b"---\n", b"%YAML 1.1\n", b"${env.X}", b"${var.", b"#",
    b"\xff", b"\xc3", b"\x00", b"\x07", b"\t", b"\xef\xbb\xbf", b"~", b"1e999", b"-0", b"null",
]  # fmt: skip
piece = st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=6))
# (where, as a fraction of the length; what: 0 replace, 1 insert, 2 delete; the bytes)
edit = st.tuples(st.floats(0, 1), st.integers(0, 2), piece)


def mutate_bytes(data: bytes, edits: list[tuple[float, int, bytes]]) -> bytes:
    for where, what, chunk in edits:
        at = int(where * len(data))
        if what == 0:
            data = data[:at] + chunk + data[at + len(chunk) :]
        elif what == 1:
            data = data[:at] + chunk + data[at:]
        else:
            data = data[:at] + data[at + len(chunk) :]
    return data


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def structure_edit(draw: st.DrawFn, document: Any) -> Any:
    """`document` with one place changed: a value replaced (by a new one; by a list of it twice,
    which a YAML dump writes as an anchor and an alias; or by itself nested a few hundred
    levels), or a key removed."""
    parent: Any = None
    key: Any = None
    node = document
    while isinstance(node, dict | list) and node and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(node, key=str) if isinstance(node, dict) else range(len(node))))
        parent, node = node, node[key]
    if parent is None:
        return draw(values)
    how = draw(st.sampled_from(["new", "shared", "deep", "remove"]))
    if how == "remove":
        del parent[key]
    elif how == "new":
        parent[key] = draw(values)
    else:
        parent[key] = [node, node] if how == "shared" else _deep(node)
    return document


def _deep(value: Any) -> Any:
    for _ in range(300):
        value = [value]
    return value

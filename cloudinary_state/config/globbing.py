"""`include:` globs, bounded on any directory tree.

`glob.glob(recursive=True)` follows symlinked directories under `**` with no memory of where
it has been: a link back up (`a -> .`) is walked until the system refuses the path (ELOOP,
about 40 links deep), and two such links make 2**40 paths, a run that never ends. Here `**`
still follows symlinked directories (a shared folder linked into the project is included), but
walks each real directory once. Everything else is `glob.glob`'s: hidden names are not
matched by `*` or walked by `**`, and a pattern without `**` goes to it unchanged.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator

_RECURSIVE = "**"


def include_glob(pattern: str) -> list[str]:
    """The paths `pattern` matches, as `glob.glob(pattern, recursive=True)` gives them (a path
    reached through a directory link twice is given once)."""
    parts = pattern.split(os.sep)
    if _RECURSIVE not in parts:
        return glob.glob(pattern)
    at = parts.index(_RECURSIVE)
    head, rest = os.sep.join(parts[:at]), parts[at + 1 :] or ["*"]
    found: list[str] = []
    for top in glob.glob(head) if glob.has_magic(head) else [head]:
        for directory in _directories(top or os.curdir):
            found.extend(include_glob(os.path.join(glob.escape(directory), *rest)))
    return found


def _directories(top: str) -> Iterator[str]:
    """`top` and the directories under it (hidden ones excepted), each real directory once."""
    seen: set[str] = set()
    pending = [top]
    while pending:
        directory = pending.pop()
        real = os.path.realpath(directory)
        if real in seen or not os.path.isdir(real):
            continue
        seen.add(real)
        yield directory
        try:
            with os.scandir(directory) as entries:
                names = [e.name for e in entries if not e.name.startswith(".")]
        except OSError:  # unreadable: it holds nothing that can be read either
            continue
        pending.extend(os.path.join(directory, name) for name in sorted(names, reverse=True))

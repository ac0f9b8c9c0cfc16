"""The ordered set of managed kinds, and the one way the rest of the package finds them.

Everything that depends on which kinds exist (the YAML sections the loader accepts, policy
section names, the `--kind` and `--target` choices, rank order, schema generation, the docs'
kind tables) asks a `Registry`, at the time it needs the answer: a kind registered at run time
(a plugin, or the toy kind of the registry test) is then as managed as a built-in one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import overload

from cloudinary_state.kinds.base import Kind


class UnknownKindError(ValueError):
    """A kind name or section that no registered kind has."""


class Registry(Sequence[Kind]):
    """Kinds in rank order (creates and updates run in this order, deletes in reverse)."""

    def __init__(self, kinds: Sequence[Kind]) -> None:
        self._kinds: list[Kind] = []
        for kind in kinds:
            self._add(kind)

    @overload
    def __getitem__(self, index: int) -> Kind: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Kind]: ...
    def __getitem__(self, index: int | slice) -> Kind | Sequence[Kind]:
        return self._kinds[index]

    def __len__(self) -> int:
        return len(self._kinds)

    def names(self) -> tuple[str, ...]:
        """Kind names in rank order: `transformation`-style singular names."""
        return tuple(kind.kind for kind in self._kinds)

    def sections(self) -> tuple[str, ...]:
        """Resource-document section names in rank order."""
        return tuple(kind.section for kind in self._kinds)

    def get(self, name: str) -> Kind:
        for kind in self._kinds:
            if kind.kind == name:
                return kind
        raise UnknownKindError(f"unknown kind {name!r}: one of {', '.join(self.names())}")

    def by_section(self, section: str) -> Kind:
        for kind in self._kinds:
            if kind.section == section:
                return kind
        raise UnknownKindError(f"unknown section {section!r}: one of {', '.join(self.sections())}")

    def section_of(self, name: str) -> str:
        return self.get(name).section

    def example_target(self) -> str:
        """A `KIND:NAME` example for help texts and messages, from the last-ranked kind."""
        return f"{self._kinds[-1].kind}:NAME" if self._kinds else "KIND:NAME"

    @contextmanager
    def registered(self, kind: Kind) -> Iterator[Kind]:
        """`kind` managed for the duration of the block (plugins, tests), then removed."""
        self._add(kind)
        try:
            yield kind
        finally:
            self._kinds.remove(kind)

    def _add(self, kind: Kind) -> None:
        clash = [k for k in self._kinds if k.kind == kind.kind or k.section == kind.section]
        if clash:
            raise ValueError(f"kind {kind.kind!r} (section {kind.section!r}) is registered already")
        self._kinds.append(kind)
        self._kinds.sort(key=lambda k: k.rank)

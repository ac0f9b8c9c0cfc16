"""What parsing produces and how it fails: the parsed dataclasses, the public syntax error and the
value-level ``_Problem`` that validators return before it gets an absolute position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple


class TransformationSyntaxError(ValueError):
    """An invalid transformation string: what is wrong, where (0-based offset), what to do."""

    def __init__(self, message: str, position: int, hint: str = "") -> None:
        self.message = message
        self.position = position
        self.hint = hint
        super().__init__(f"{message} (at position {position})" + (f"; {hint}" if hint else ""))


@dataclass(frozen=True)
class Param:
    """One ``key_value`` parameter: short key (``w``, ``$foo``, ``if``) and the raw value."""

    key: str
    value: str

    def __str__(self) -> str:
        return f"{self.key}_{self.value}"


@dataclass(frozen=True)
class Component:
    """One ``/``-separated step. ``extension`` is a bare trailing format, ``""`` for a trailing ``/``."""

    params: tuple[Param, ...]
    extension: str | None = None


@dataclass(frozen=True)
class Transformation:
    """The parsed chain. ``warnings`` name what the grammar or the vocabulary did not recognise
    (an unknown parameter, effect or flag, a value it cannot check, a parameter given twice):
    the API may accept them, so they never refuse the string (positions as for errors)."""

    components: tuple[Component, ...]
    warnings: tuple[TransformationSyntaxError, ...] = field(default=(), compare=False)


class _Problem(NamedTuple):
    """A value-level problem: offset is relative to the start of the value."""

    message: str
    offset: int = 0
    hint: str = ""


_Validator = Callable[[str], "_Problem | None"]

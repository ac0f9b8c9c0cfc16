"""The options several commands declare, each defined once: `@options.env`, `@options.online`..."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cloudinary_state.limits import MAX_PARALLELISM

Command = TypeVar("Command", bound=Callable[..., Any])


class KindChoice(click.Choice[str]):
    """A registered kind's name: the choices are read from the registry whenever the option is
    parsed or shown, so a kind registered at run time is a choice too."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from cloudinary_state.kinds import REGISTRY

        return REGISTRY.names()

    @choices.setter
    def choices(self, value: object) -> None:
        """click's constructor assigns the choices; the registry is their only source."""


env = click.option("--env", "env", required=True, metavar="ENV")
# Calls in flight at once, across kinds (DESIGN.md section 5): every command that reads or writes.
parallelism = click.option(
    "--parallelism",
    type=click.IntRange(1, MAX_PARALLELISM),
    default=8,
    show_default=True,
    help="Admin API calls in flight at once.",
)
emulator = click.option("--emulator", is_flag=True, help="Run against the embedded emulator.")


def online(command: Command) -> Command:
    """`--parallelism` and `--emulator`: what a command that talks to an account takes."""
    return parallelism(emulator(command))


def output_format(*formats: str, help: str | None = None) -> Callable[[Command], Command]:
    return click.option("--format", "fmt", type=click.Choice(formats), default="text", help=help)


def target(help: str | None = None) -> Callable[[Command], Command]:
    return click.option("--target", "targets", multiple=True, metavar="KIND:NAME", help=help)


def path(*names: str, help: str) -> Callable[[Command], Command]:
    """A file or directory the command writes."""
    return click.option(*names, type=click.Path(path_type=Path), help=help)

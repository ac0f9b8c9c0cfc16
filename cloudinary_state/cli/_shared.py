"""What the CLI's commands share: the group and its context, the options several commands
declare (each defined once), target parsing and the connection wrapper."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cloudinary_state.client import MAX_PARALLELISM  # the module imports nothing of the SDK
from cloudinary_state.runner import Connection, Project

if TYPE_CHECKING:
    from cloudinary_state.engine.plan import Target
    from cloudinary_state.render.console import Console
    from cloudinary_state.render.lines import Line

NOTES = logging.getLogger("cloudinary_state.cli")  # the CLI's own stderr lines (hidden by -q)
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


env_option = click.option("--env", "env", required=True, metavar="ENV")
# Calls in flight at once, across kinds (DESIGN.md section 5): every command that reads or writes.
parallelism_option = click.option(
    "--parallelism",
    type=click.IntRange(1, MAX_PARALLELISM),
    default=8,
    show_default=True,
    help="Admin API calls in flight at once.",
)
emulator_option = click.option("--emulator", is_flag=True, help="Run against the embedded emulator.")


def format_option(*formats: str, help: str | None = None) -> Callable[[Command], Command]:
    return click.option("--format", "fmt", type=click.Choice(formats), default="text", help=help)


def target_option(help: str | None = None) -> Callable[[Command], Command]:
    return click.option("--target", "targets", multiple=True, metavar="KIND:NAME", help=help)


def path_option(*names: str, help: str) -> Callable[[Command], Command]:
    """A file or directory the command writes."""
    return click.option(*names, type=click.Path(path_type=Path), help=help)


@dataclass
class Context:
    project: Project
    console: Console


def current() -> Context:
    obj = click.get_current_context().find_object(Context)
    assert obj is not None
    return obj


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory holding environments/.",
)
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv: every API call).")
@click.option("-q", "--quiet", is_flag=True, help="Only results and errors.")
@click.option("--no-color", is_flag=True, help="Never colour the output (as NO_COLOR does).")
@click.version_option(package_name="cloudinary-state")
@click.pass_context
def cli(ctx: click.Context, config_dir: Path, verbose: int, quiet: bool, no_color: bool) -> None:
    """Keep a Cloudinary account's configuration as code."""
    from cloudinary_state.render.console import Console

    console = Console.for_this_terminal(verbose=verbose, quiet=quiet, no_color=no_color)
    display = console.display
    project = Project.open(
        config_dir,
        on_progress=display.reading if display else None,
        on_change=display.changed if display else None,
    )
    ctx.obj = Context(project, console)
    ctx.with_resource(console.logging_to_stderr())


def echo_lines(lines: Iterable[Line]) -> None:
    for line in lines:
        click.echo(line.text, err=line.err)


@contextmanager
def connect(env: str, emulator: bool) -> Iterator[Connection]:
    """ENV's connection (config errors and credential errors before any), closed at the end;
    a run that fails after connecting still ends with its one-line summary."""
    from cloudinary_state.render.run import summary_on_error

    with current().project.connect(env, emulator=emulator) as conn, summary_on_error(conn):
        yield conn


@contextmanager
def targets_are_usage() -> Iterator[None]:
    """A target the config and the account do not have is a usage error (exit 64)."""
    from cloudinary_state.engine.plan import TargetError

    try:
        yield
    except TargetError as e:
        raise click.UsageError(str(e)) from None


def parse_targets(targets: tuple[str, ...]) -> list[Target]:
    from cloudinary_state.engine.plan import parse_target

    with targets_are_usage():
        return [parse_target(t) for t in targets]

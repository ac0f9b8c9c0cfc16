"""What the CLI's commands share: the group and its context, target parsing and the connection
wrapper (the options several commands declare are in `options`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cloudinary_state.runner import Connection, Project

if TYPE_CHECKING:
    from cloudinary_state.engine.plan import Target
    from cloudinary_state.render.console import Console
    from cloudinary_state.render.lines import Line

NOTES = logging.getLogger("cloudinary_state.cli")  # the CLI's own stderr lines (hidden by -q)


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
    project = Project.open(config_dir, on_progress=console.on_progress, on_change=console.on_change)
    ctx.obj = Context(project, console)
    ctx.with_resource(console.logging_to_stderr())


def echo_lines(lines: Iterable[Line]) -> None:
    for line in lines:
        click.echo(line.text, err=line.err)


@contextmanager
def connect(env: str, emulator: bool) -> Iterator[Connection]:
    """ENV's connection (config errors and credential errors before any), closed at the end;
    a run that fails after connecting still ends with its one-line summary, and a target that
    names nothing is a usage error."""
    from cloudinary_state.render.run import summary_on_error

    project = current().project
    with project.connect(env, emulator=emulator) as conn, summary_on_error(conn), targets_are_usage():
        for warning in conn.desired.warnings:  # validate's warnings: plan and apply go ahead
            NOTES.warning(f"warning: {warning}")
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

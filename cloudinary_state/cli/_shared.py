"""What the CLI's commands share: the group and its context, common options, exit codes, the
connection wrapper and target parsing."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cloudinary_state.client import MAX_PARALLELISM
from cloudinary_state.errors import CloudinaryStateError
from cloudinary_state.render.progress import TerminalProgress, ThroughDisplay
from cloudinary_state.runner import LOGGER, PROGRESS_LOGGER, TRACE, Connection, Project

if TYPE_CHECKING:
    from cloudinary_state.engine.plan import Target

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_REFUSED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 3, 64, 130
NOTES = logging.getLogger("cloudinary_state.cli")  # the CLI's own stderr lines (hidden by -q)


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


# Calls in flight at once, across kinds (DESIGN.md section 5): every command that reads or writes.
parallelism_option = click.option(
    "--parallelism",
    type=click.IntRange(1, MAX_PARALLELISM),
    default=8,
    show_default=True,
    help="Admin API calls in flight at once.",
)
emulator_option = click.option("--emulator", is_flag=True, help="Run against the embedded emulator.")


@dataclass
class Context:
    project: Project
    verbosity: int  # -1 quiet, 0 normal, 1+ verbose
    color: bool  # colour on stdout
    display: TerminalProgress | None = None  # progress on stderr, a terminal


def colour_allowed(no_color: bool) -> bool:
    """Colour is off with --no-color, with NO_COLOR set to anything but the empty string
    (no-color.org), and on a terminal that says it has no features (TERM=dumb)."""
    return not no_color and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def current() -> Context:
    obj = click.get_current_context().find_object(Context)
    assert obj is not None
    return obj


@contextmanager
def _logging_to_stderr(verbosity: int, display: TerminalProgress | None) -> Iterator[None]:
    """-q shows warnings only, -v debug records, -vv each Admin API call. Progress of long reads
    shows on a terminal (drawn by `display` when there is one, else as lines); in CI logs only
    with -v. The loggers are left as found."""
    level = {-1: logging.WARNING, 0: logging.INFO, 1: logging.DEBUG}.get(verbosity, TRACE)
    progress_lines = verbosity >= 1 or (verbosity == 0 and sys.stderr.isatty() and display is None)
    saved = LOGGER.level, PROGRESS_LOGGER.level
    # made per run: the stderr of this run (tests swap it)
    handler = logging.StreamHandler() if display is None else ThroughDisplay(display)
    LOGGER.addHandler(handler)
    LOGGER.setLevel(level)
    PROGRESS_LOGGER.setLevel(logging.INFO if progress_lines else logging.WARNING)
    try:
        yield
    finally:
        if display is not None:
            display.stop()
        LOGGER.removeHandler(handler)
        LOGGER.setLevel(saved[0])
        PROGRESS_LOGGER.setLevel(saved[1])


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
    colour = colour_allowed(no_color)
    verbosity = -1 if quiet else verbose
    display = TerminalProgress() if verbosity == 0 and colour and sys.stderr.isatty() else None
    project = Project.open(
        config_dir,
        on_progress=display.reading if display else None,
        on_change=display.changed if display else None,
    )
    ctx.obj = Context(project, verbosity, colour and sys.stdout.isatty(), display)
    ctx.with_resource(_logging_to_stderr(verbosity, display))


# --- connections, and what every online command shares ---------------------------------------


@contextmanager
def connect(env: str, emulator: bool) -> Iterator[Connection]:
    """ENV's connection (config errors and credential errors before any), closed at the end."""
    with current().project.connect(env, emulator=emulator) as conn, _summary_on_error(conn):
        yield conn


@contextmanager
def _summary_on_error(conn: Connection) -> Iterator[None]:
    """A run that fails after connecting still ends with its one-line summary."""
    try:
        yield
    except CloudinaryStateError as e:
        if e.run_summary is None and conn.connected:
            from cloudinary_state.render.run import usage_line

            e.run_summary = usage_line(conn)
        raise


@contextmanager
def calls_line_shown() -> Iterator[None]:
    """Around a check right after a text plan, which ends with the run's calls line: a refusal
    there does not print the same line again as its run summary."""
    try:
        yield
    except CloudinaryStateError as e:
        if e.run_summary is None:
            e.run_summary = ""  # shown already; `_summary_on_error` leaves a set summary alone
        raise


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

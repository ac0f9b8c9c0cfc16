"""The command line: parse options, call the facade (`cloudinary_state.runner`), render, exit.

Exit codes (DESIGN.md section 4): 0 ok, 1 error, 2 changes/drift, 3 refused by policy,
64 usage error (click's own 2 is remapped so that 2 keeps meaning "changes pending").
Results go to stdout; the package logger's records (progress, events), to stderr.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from cloudinary_state.cli_emulator import emulator
from cloudinary_state.client import MAX_PARALLELISM
from cloudinary_state.errors import CloudinaryStateError, ConfigError
from cloudinary_state.runner import LOGGER, PROGRESS_LOGGER, TRACE, Connection, Project

if TYPE_CHECKING:
    from cloudinary_state.engine.plan import Plan, Target

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
    color: bool


def _ctx() -> Context:
    obj = click.get_current_context().find_object(Context)
    assert obj is not None
    return obj


@contextmanager
def _logging_to_stderr(verbosity: int) -> Iterator[None]:
    """-q shows warnings only, -v debug records, -vv each Admin API call. Progress of long reads
    shows on a terminal; in CI logs only with -v. The loggers are left as found."""
    level = {-1: logging.WARNING, 0: logging.INFO, 1: logging.DEBUG}.get(verbosity, TRACE)
    show_progress = verbosity >= 1 or (verbosity == 0 and sys.stderr.isatty())
    saved = LOGGER.level, PROGRESS_LOGGER.level
    handler = logging.StreamHandler()  # made per run: the stderr of this run (tests swap it)
    LOGGER.addHandler(handler)
    LOGGER.setLevel(level)
    PROGRESS_LOGGER.setLevel(logging.INFO if show_progress else logging.WARNING)
    try:
        yield
    finally:
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
@click.option("--no-color", is_flag=True, help="Never colour the output.")
@click.version_option(package_name="cloudinary-state")
@click.pass_context
def cli(ctx: click.Context, config_dir: Path, verbose: int, quiet: bool, no_color: bool) -> None:
    """Keep a Cloudinary account's configuration as code."""
    color = not no_color and sys.stdout.isatty()
    verbosity = -1 if quiet else verbose
    ctx.obj = Context(Project.open(config_dir), verbosity, color)
    ctx.with_resource(_logging_to_stderr(verbosity))


# --- validate / schema -----------------------------------------------------------------------


@cli.command()
@click.option("--env", "env", metavar="ENV", help="Environment to validate (environments/ENV.yaml).")
@click.option("--all", "all_envs", is_flag=True, help="Validate every environment.")
@click.option("--strict", is_flag=True, help="A stripped add-on option is an error.")
def validate(env: str | None, all_envs: bool, strict: bool) -> None:
    """Check the config offline: syntax, types, references, transformations."""
    from cloudinary_state.render.run import validation_results

    if (env is None) == (not all_envs):
        raise click.UsageError("give exactly one of --env ENV or --all")
    run = _ctx().project.validate(None if all_envs else [env or ""], strict=strict)
    for warning in run.warnings if _ctx().verbosity >= 0 else []:
        click.echo(f"warning: {warning}", err=True)
    for error in run.errors:
        click.echo(f"error: {error}", err=True)
    for line in validation_results(run):
        click.echo(line)
    if run.errors:
        click.echo(f"{len(run.errors)} error(s); nothing was sent to the API.", err=True)
        raise click.exceptions.Exit(EXIT_ERROR)


@cli.command()
@click.option("--check", is_flag=True, help="Exit 1 when the committed schemas are stale.")
def schema(check: bool) -> None:
    """Write schemas/*.schema.json from the models (or check they are current)."""
    from cloudinary_state.config.schema import SCHEMA_DIR, stale_schemas, write_schemas
    from cloudinary_state.kinds import REGISTRY

    directory = _ctx().project.config_dir / SCHEMA_DIR
    if check:
        stale = stale_schemas(directory, REGISTRY)
        for path in stale:
            click.echo(f"error: {path} is stale or missing; run `cloudinary-state schema`", err=True)
        if stale:
            raise click.exceptions.Exit(EXIT_ERROR)
        click.echo("schemas are current")
        return
    written = write_schemas(directory, REGISTRY)
    for path in written:
        click.echo(f"wrote {path}")
    if not written:
        click.echo("schemas are current")


# --- connections, and what every online command shares ---------------------------------------


@contextmanager
def _connect(env: str, emulator: bool) -> Iterator[Connection]:
    """ENV's connection (config errors and credential errors before any), closed at the end."""
    with _ctx().project.connect(env, emulator=emulator) as conn, _summary_on_error(conn):
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
def _calls_line_shown() -> Iterator[None]:
    """Around a check right after a text plan, which ends with the run's calls line: a refusal
    there does not print the same line again as its run summary."""
    try:
        yield
    except CloudinaryStateError as e:
        if e.run_summary is None:
            e.run_summary = ""  # shown already; `_summary_on_error` leaves a set summary alone
        raise


@contextmanager
def _targets_are_usage() -> Iterator[None]:
    """A target the config and the account do not have is a usage error (exit 64)."""
    from cloudinary_state.engine.plan import TargetError

    try:
        yield
    except TargetError as e:
        raise click.UsageError(str(e)) from None


def _parse_targets(targets: tuple[str, ...]) -> list[Target]:
    from cloudinary_state.engine.plan import parse_target

    with _targets_are_usage():
        return [parse_target(t) for t in targets]


# --- plan / apply ----------------------------------------------------------------------------


@cli.command()
@click.option("--env", "env", required=True, metavar="ENV")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option("--target", "targets", multiple=True, metavar="KIND:NAME", help="Narrow the plan.")
@parallelism_option
@emulator_option
def plan(
    env: str,
    out: Path | None,
    fmt: str,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    parallelism: int,
    emulator: bool,
) -> None:
    """Show what apply would change."""
    from cloudinary_state.render.run import plan_as, usage_line

    parsed = _parse_targets(targets)
    with _connect(env, emulator) as conn, _targets_are_usage():
        result = conn.plan(parsed, parallelism=parallelism)
        click.echo(plan_as(fmt, result, conn, color=_ctx().color), nl=False)
        with _calls_line_shown() if fmt == "text" else nullcontext():
            conn.check_policy(result)
        if out is not None:
            conn.save_plan(result, out)
            NOTES.info(f"Saved the plan to {out}; apply it with: cloudinary-state apply --env {env} {out}")
        if fmt != "text":  # the text plan ends with this line already
            NOTES.info(usage_line(conn))
    if detailed_exitcode and result.has_changes:
        raise click.exceptions.Exit(EXIT_CHANGES)


@cli.command()
@click.option("--env", "env", required=True, metavar="ENV")
@click.argument("plan_file", required=False, type=click.Path(path_type=Path))
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--allow-delete", is_flag=True, help="Permit deletes and replaces.")
@click.option("--target", "targets", multiple=True, metavar="KIND:NAME", help="Narrow the apply.")
@parallelism_option
@emulator_option
def apply(
    env: str,
    plan_file: Path | None,
    auto_approve: bool,
    allow_delete: bool,
    targets: tuple[str, ...],
    parallelism: int,
    emulator: bool,
) -> None:
    """Apply the config (or a saved plan) to the account."""
    from cloudinary_state.render.run import apply_outcome, plan_as

    if plan_file is not None and targets:
        raise click.UsageError("--target narrows a new plan; a saved plan applies as it was reviewed")
    parsed = _parse_targets(targets)
    # an unreadable plan file is reported before any credential or connection is needed
    saved = _ctx().project.read_plan_file(plan_file) if plan_file is not None else None
    with _connect(env, emulator) as conn, _targets_are_usage():
        result = conn.apply(
            saved,
            targets=parsed,
            allow_delete=allow_delete,
            parallelism=parallelism,
            # a saved plan is shown before this run made any call: no calls line (the run ends with one)
            on_plan=lambda p: click.echo(
                plan_as("text", p, conn, color=_ctx().color, with_calls=saved is None), nl=False
            ),
            confirm=None if auto_approve else _ask_before_applying(env, conn.desired.cloud_name),
        )
        click.echo(apply_outcome(result, conn))
    if result.cancelled:
        raise click.exceptions.Exit(EXIT_ERROR)


def _ask_before_applying(env: str, cloud_name: str) -> Callable[[Plan], bool]:
    def confirm(_plan: Plan) -> bool:
        from cloudinary_state.errors import ApplyError

        if not sys.stdin.isatty():
            raise ApplyError(
                "refusing to apply without confirmation: there is no terminal to ask on. "
                "Review the plan above and pass --auto-approve, or apply a saved plan file."
            )
        return click.confirm(f"Apply these changes to {env} ({cloud_name})?", default=False)

    return confirm


# --- drift / import / diff / promote ---------------------------------------------------------


@cli.command()
@click.option("--env", "env", required=True, metavar="ENV")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "junit"]), default="text")
@parallelism_option
@emulator_option
def drift(env: str, fmt: str, parallelism: int, emulator: bool) -> None:
    """Report what changed outside the config (exit 2 on drift)."""
    from cloudinary_state.render.run import drift_as, usage_line

    with _connect(env, emulator) as conn:
        report = conn.drift(parallelism=parallelism)
        click.echo(drift_as(fmt, report, conn.secrets), nl=False)
        if fmt != "text":  # the text report ends with this line already
            NOTES.info(usage_line(conn))
    if report.has_drift:
        raise click.exceptions.Exit(EXIT_CHANGES)


@cli.command("import")
@click.option("--env", "env", required=True, metavar="ENV")
@click.option("--output", "output", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--kind", "kinds", multiple=True, type=KindChoice())
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@parallelism_option
@emulator_option
def import_(
    env: str, output: Path, kinds: tuple[str, ...], force: bool, parallelism: int, emulator: bool
) -> None:
    """Write the live account as config."""
    from cloudinary_state.render.run import import_lines, usage_line

    with _connect(env, emulator) as conn:
        run = conn.import_(output, kinds=kinds, force=force, parallelism=parallelism)
        for line in import_lines(run, env, conn.desired.cloud_name):
            click.echo(line)
        NOTES.info(usage_line(conn))


@cli.command()
@click.argument("env_a")
@click.argument("env_b")
@click.option("--live", is_flag=True, help="Compare the live accounts instead of the configs.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@parallelism_option
@click.option("--emulator", is_flag=True, help="With --live: use the embedded emulators.")
def diff(env_a: str, env_b: str, live: bool, fmt: str, parallelism: int, emulator: bool) -> None:
    """Compare two environments (exit 2 when they differ)."""
    from cloudinary_state.render.run import diff_as, usage_line

    project = _ctx().project
    if not live:
        if emulator:
            raise click.UsageError("--emulator compares live accounts: use it with --live")
        result = project.diff(env_a, env_b)
    else:
        with _connect(env_a, emulator) as a, _connect(env_b, emulator) as b:
            result = a.diff(b, parallelism=parallelism)
            NOTES.info(f"{env_a}: {usage_line(a)} {env_b}: {usage_line(b)}")
    # the secrets of both environments: the project's, which loaded them
    click.echo(diff_as(fmt, result, project.secrets), nl=False)
    if result.different:
        raise click.exceptions.Exit(EXIT_CHANGES)


@cli.command()
@click.option("--from", "from_env", required=True, metavar="ENV")
@click.option("--to", "to_env", required=True, metavar="ENV")
@click.option("--target", "targets", multiple=True, metavar="KIND:NAME")
@click.option("--write", is_flag=True, help="Record the promoted objects in the resource documents.")
@parallelism_option
@emulator_option
def promote(
    from_env: str, to_env: str, targets: tuple[str, ...], write: bool, parallelism: int, emulator: bool
) -> None:
    """Bring objects as they live in one environment to another."""
    from cloudinary_state.render.promote import render_promotion
    from cloudinary_state.render.run import usage_line

    parsed = _parse_targets(targets)
    with (
        _connect(from_env, emulator) as source,
        _connect(to_env, emulator) as target,
        _targets_are_usage(),
    ):
        result = source.promote(target, parsed, write=write, parallelism=parallelism)
        secrets = source.secrets | target.secrets
        click.echo(render_promotion(result, written=write, color=_ctx().color, secrets=secrets), nl=False)
        NOTES.info(f"{from_env}: {usage_line(source)} {to_env}: {usage_line(target)}")


# --- try-preset --------------------------------------------------------------------------------


@cli.command("try-preset")
@click.option("--env", "env", required=True, metavar="ENV")
@click.argument("preset")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--public-id", "public_id", metavar="ID", help="Give the upload this public ID, as a caller would."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def try_preset(env: str, preset: str, file: Path, public_id: str | None, fmt: str) -> None:
    """Upload FILE through PRESET on an emulated account and show what the asset got.

    The environment's config is applied to a fresh emulated account first: nothing is sent
    to Cloudinary and no credentials are read."""
    from cloudinary_state.render.trypreset import calls_line, render

    project = _ctx().project
    result = project.try_preset(env, preset, file, public_id=public_id)
    click.echo(render(fmt, result, secrets=project.secrets), nl=False)
    if fmt != "text":  # the text ends with this line already
        NOTES.info(calls_line(result))


cli.add_command(emulator)


# --- entry point ------------------------------------------------------------------------------


def _report(error: CloudinaryStateError) -> None:
    if isinstance(error, ConfigError):
        for d in error.diagnostics:
            click.echo(f"error: {d}", err=True)
        click.echo(f"{len(error.diagnostics)} error(s); nothing was sent to the API.", err=True)
    else:
        click.echo(f"error: {error}", err=True)
    if error.run_summary:
        click.echo(error.run_summary, err=True)


def main(argv: list[str] | None = None) -> NoReturn:
    """Console entry point: run the CLI and exit with DESIGN.md's codes, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="cloudinary-state", standalone_mode=False)
    except click.exceptions.Exit as e:
        code = e.exit_code
    except click.UsageError as e:
        e.show()
        code = EXIT_USAGE
    except click.Abort as e:
        # click turns Ctrl-C into Abort (even outside standalone mode): that is an interrupt
        interrupted = isinstance(e.__context__, KeyboardInterrupt)
        click.echo("Interrupted." if interrupted else "Aborted.", err=True)
        code = EXIT_INTERRUPTED if interrupted else EXIT_ERROR
    except click.ClickException as e:
        e.show()
        code = EXIT_ERROR
    except CloudinaryStateError as e:
        _report(e)
        code = e.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        code = EXIT_INTERRUPTED
    sys.exit(code if isinstance(code, int) else EXIT_OK)

"""plan and apply."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cloudinary_state.cli._shared import (
    EXIT_CHANGES,
    EXIT_ERROR,
    NOTES,
    calls_line_shown,
    cli,
    connect,
    current,
    emulator_option,
    parallelism_option,
    parse_targets,
    targets_are_usage,
)

if TYPE_CHECKING:
    from cloudinary_state.engine.plan import Plan
    from cloudinary_state.runner import ApplyResult, Connection


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

    parsed = parse_targets(targets)
    with connect(env, emulator) as conn, targets_are_usage():
        result = conn.plan(parsed, parallelism=parallelism)
        click.echo(plan_as(fmt, result, conn, color=current().color), nl=False)
        with calls_line_shown() if fmt == "text" else nullcontext():
            conn.check_policy(result)
        warning = result.forecast.warning() if result.forecast is not None else None
        if warning is not None:
            NOTES.warning(f"warning: {warning}")
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
@click.option(
    "--allow-partial",
    is_flag=True,
    help="When the hourly budget cannot finish the apply, apply whole dependency waves while it lasts.",
)
@click.option("--target", "targets", multiple=True, metavar="KIND:NAME", help="Narrow the apply.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    help="How stdout shows the outcome.",
)
@parallelism_option
@emulator_option
def apply(
    env: str,
    plan_file: Path | None,
    auto_approve: bool,
    allow_delete: bool,
    allow_partial: bool,
    targets: tuple[str, ...],
    fmt: str,
    parallelism: int,
    emulator: bool,
) -> None:
    """Apply the config (or a saved plan) to the account."""
    if plan_file is not None and targets:
        raise click.UsageError("--target narrows a new plan; a saved plan applies as it was reviewed")
    parsed = parse_targets(targets)
    # an unreadable plan file is reported before any credential or connection is needed
    saved = current().project.read_plan_file(plan_file) if plan_file is not None else None
    with connect(env, emulator) as conn, targets_are_usage():
        # a saved plan is shown before this run made any call: no calls line (the run ends with one)
        shown = _Shown(fmt, conn, with_calls=saved is None)
        with shown.outcome_on_failure():
            result = conn.apply(
                saved,
                targets=parsed,
                allow_delete=allow_delete,
                allow_partial=allow_partial,
                parallelism=parallelism,
                on_plan=shown.plan,
                confirm=None if auto_approve else _ask_before_applying(env, conn.desired.cloud_name),
            )
        shown.outcome(result)
    if result.cancelled:
        raise click.exceptions.Exit(EXIT_ERROR)


class _Shown:
    """What `apply` shows in `--format`: the text plan and its outcome line, or one JSON
    document of the outcome, which an apply that stopped part-way prints too."""

    def __init__(self, fmt: str, conn: Connection, *, with_calls: bool) -> None:
        self.fmt, self.conn, self.with_calls = fmt, conn, with_calls
        self.applying: Plan | None = None

    def plan(self, planned: Plan) -> None:
        from cloudinary_state.render.run import plan_as

        self.applying = planned
        if self.fmt == "text":
            text = plan_as("text", planned, self.conn, color=current().color, with_calls=self.with_calls)
            click.echo(text, nl=False)

    def outcome(self, result: ApplyResult) -> None:
        from cloudinary_state.render.run import apply_as_json, apply_outcome, usage_line

        if self.fmt == "text":
            click.echo(apply_outcome(result, self.conn))
            return
        click.echo(apply_as_json(result.plan, result.report, self.conn), nl=False)
        NOTES.info(usage_line(self.conn))

    @contextmanager
    def outcome_on_failure(self) -> Iterator[None]:
        from cloudinary_state.engine.apply import ApplyFailed
        from cloudinary_state.render.run import apply_as_json

        try:
            yield
        except ApplyFailed as failed:  # what it applied, and what it did not attempt
            if self.fmt == "json" and self.applying is not None:
                click.echo(apply_as_json(self.applying, failed.report, self.conn), nl=False)
            raise


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

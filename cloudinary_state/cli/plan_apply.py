"""plan and apply."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cloudinary_state.cli._interrupt import CtrlCStopsWrites
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
    parsed = parse_targets(targets)
    # an unreadable plan file is reported before any credential or connection is needed
    saved = current().project.read_plan_file(plan_file) if plan_file is not None else None
    display = current().display
    ctrl_c = CtrlCStopsWrites(display.print_line if display is not None else None)
    asked = not auto_approve and saved is None  # a saved plan was reviewed when it was made

    def show(p: Plan) -> None:
        # a saved plan is shown before this run made any call: no calls line (the run ends with one)
        click.echo(plan_as("text", p, conn, color=current().color, with_calls=saved is None), nl=False)
        if display is not None:
            display.expect(len(p.changes))
        if not asked:
            ctrl_c.arm()

    with connect(env, emulator) as conn, targets_are_usage(), ctrl_c.installed():
        result = conn.apply(
            saved,
            targets=parsed,
            allow_delete=allow_delete,
            parallelism=parallelism,
            on_plan=show,
            confirm=_ask_before_applying(env, conn.desired.cloud_name, ctrl_c) if asked else None,
            cancel=ctrl_c.requested,
        )
        click.echo(apply_outcome(result, conn))
    if result.cancelled:
        raise click.exceptions.Exit(EXIT_ERROR)


def _ask_before_applying(env: str, cloud_name: str, ctrl_c: CtrlCStopsWrites) -> Callable[[Plan], bool]:
    def confirm(_plan: Plan) -> bool:
        from cloudinary_state.errors import ApplyError

        if not sys.stdin.isatty():
            raise ApplyError(
                "refusing to apply without confirmation: there is no terminal to ask on. "
                "Review the plan above and pass --auto-approve, or apply a saved plan file."
            )
        approved = click.confirm(f"Apply these changes to {env} ({cloud_name})?", default=False)
        if approved:
            ctrl_c.arm()
        return approved

    return confirm

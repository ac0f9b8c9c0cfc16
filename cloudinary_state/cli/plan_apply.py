"""plan and apply."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cloudinary_state.cli._interrupt import CtrlCStopsWrites
from cloudinary_state.cli._shared import (
    EXIT_CHANGES,
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REFUSED,
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
    from cloudinary_state.errors import PolicyRefusal
    from cloudinary_state.runner import Connection


@cli.command()
@click.option("--env", "env", required=True, metavar="ENV")
@click.option("--out", "out", type=click.Path(path_type=Path), help="Save the plan for `apply FILE`.")
@click.option("--markdown", "markdown", type=click.Path(path_type=Path), help="Also write the Markdown plan.")
@click.option(
    "--json-summary",
    "json_summary",
    type=click.Path(path_type=Path),
    help="Also write counts and exit facts.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option("--allow-delete", is_flag=True, help="Approve the deletes and replaces (recorded in --out).")
@click.option("--target", "targets", multiple=True, metavar="KIND:NAME", help="Narrow the plan.")
@parallelism_option
@emulator_option
@click.option(
    "--rehearse",
    is_flag=True,
    help="Apply the plan to an emulated copy of the live account first (read-only on the account).",
)
def plan(
    env: str,
    out: Path | None,
    markdown: Path | None,
    json_summary: Path | None,
    fmt: str,
    detailed_exitcode: bool,
    allow_delete: bool,
    targets: tuple[str, ...],
    parallelism: int,
    emulator: bool,
    rehearse: bool,
) -> None:
    """Show what apply would change."""
    from cloudinary_state.render.outputs import OutputFiles, write_plan_outputs
    from cloudinary_state.render.run import plan_as, usage_line

    files = OutputFiles({"--out": out, "--markdown": markdown, "--json-summary": json_summary})
    files.check()  # before any connection: a directory given as a file is exit 1, not a wasted plan
    parsed = parse_targets(targets)
    verbose = current().verbosity >= 1
    with connect(env, emulator) as conn, targets_are_usage():
        result = conn.plan(parsed, parallelism=parallelism, allow_delete=allow_delete, rehearse=rehearse)
        refusal = _refusal(conn, result)  # shown with the plan (a PR comment says why), then raised
        refused = None if refusal is None else str(refusal)
        saved_to = out if refusal is None else None  # a refused plan is not saved
        shown = plan_as(
            fmt, result, conn, color=current().color, verbose=verbose, refused=refused, saved_to=saved_to
        )
        click.echo(shown, nl=False)
        if saved_to is not None:
            conn.save_plan(result, saved_to)
            NOTES.info(f"Saved the plan to {out}; apply it with: cloudinary-state apply --env {env} {out}")
        code = _exit_code(result, refusal, detailed_exitcode)
        write_plan_outputs(files, result, conn, refused=refused, exit_code=code, verbose=verbose)
        with calls_line_shown() if fmt == "text" else nullcontext():
            if refusal is not None:
                raise refusal
            conn.check_rehearsal(result)  # after the plan and its files: they carry the outcome
        if fmt != "text":  # the text plan ends with this line already
            NOTES.info(usage_line(conn))
    if code != EXIT_OK:
        raise click.exceptions.Exit(code)


def _exit_code(plan: Plan, refusal: PolicyRefusal | None, detailed_exitcode: bool) -> int:
    """The code the run ends with: a policy refusal, a rehearsal that did not converge, changes
    pending (with --detailed-exitcode), or success."""
    if refusal is not None:
        return EXIT_REFUSED
    if plan.rehearsal is not None and not plan.rehearsal.converged:
        return EXIT_ERROR
    return EXIT_CHANGES if detailed_exitcode and plan.has_changes else EXIT_OK


def _refusal(conn: Connection, plan: Plan) -> PolicyRefusal | None:
    """The refusal the environment's policy makes of `plan`, or None."""
    from cloudinary_state.errors import PolicyRefusal

    try:
        conn.check_policy(plan)
    except PolicyRefusal as e:
        return e
    return None


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
    verbose = current().verbosity >= 1
    display = current().display
    ctrl_c = CtrlCStopsWrites(display.print_line if display is not None else None)
    asked = not auto_approve and saved is None  # a saved plan was reviewed when it was made

    def show(p: Plan) -> None:
        shown = replace(p, approved_deletes=p.approved_deletes or allow_delete)  # as this apply sees it
        # a saved plan is shown before this run made any call: no calls line (the run ends with one)
        text = plan_as("text", shown, conn, color=current().color, with_calls=saved is None, verbose=verbose)
        click.echo(text, nl=False)
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
            confirm=_ask_before_applying(env, conn.desired.cloud, ctrl_c) if asked else None,
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

"""plan and apply."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
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
    from cloudinary_state.runner import ApplyResult, Connection


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
        warning = result.forecast.warning() if result.forecast is not None else None
        if warning is not None:  # the apply would be refused: say so before it is tried
            NOTES.warning(f"warning: {warning}")
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
@click.option(
    "--allow-partial",
    is_flag=True,
    help="When the hourly budget cannot finish the apply, apply whole dependency waves while it lasts.",
)
@click.option("--target", "targets", multiple=True, metavar="KIND:NAME", help="Narrow the apply.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="The outcome's form."
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
    display = current().display
    ctrl_c = CtrlCStopsWrites(display.print_line if display is not None else None)
    asked = not auto_approve and saved is None  # a saved plan was reviewed when it was made
    with connect(env, emulator) as conn, targets_are_usage(), ctrl_c.installed():
        # a saved plan is shown before this run made any call: no calls line (the run ends with one)
        # Ctrl-C stops writes from the plan on; when a question is asked, once it is answered yes
        shown = _Shown(
            fmt,
            conn,
            with_calls=saved is None,
            allow_delete=allow_delete,
            ctrl_c=ctrl_c,
            arm_at_plan=not asked,
        )
        with shown.outcome_on_failure():
            result = conn.apply(
                saved,
                targets=parsed,
                allow_delete=allow_delete,
                allow_partial=allow_partial,
                parallelism=parallelism,
                on_plan=shown.plan,
                confirm=_ask_before_applying(env, conn.desired.cloud, ctrl_c) if asked else None,
                cancel=ctrl_c.requested,
            )
        shown.outcome(result)
    if result.cancelled:
        raise click.exceptions.Exit(EXIT_ERROR)


class _Shown:
    """What `apply` shows in `--format`: the text plan and its outcome line, or one JSON
    document of the outcome, which an apply that stopped part-way prints too."""

    def __init__(
        self,
        fmt: str,
        conn: Connection,
        *,
        with_calls: bool,
        allow_delete: bool,
        ctrl_c: CtrlCStopsWrites,
        arm_at_plan: bool,
    ) -> None:
        self.fmt, self.conn, self.with_calls, self.allow_delete = fmt, conn, with_calls, allow_delete
        self.ctrl_c, self.arm_at_plan = ctrl_c, arm_at_plan
        self.applying: Plan | None = None

    def plan(self, planned: Plan) -> None:
        from cloudinary_state.render.run import plan_as

        self.applying = planned
        display = current().display
        if display is not None:
            display.expect(len(planned.changes))
        if self.arm_at_plan:
            self.ctrl_c.arm()
        if self.fmt != "text":
            return
        # as this apply sees it: approved by --allow-delete too
        approved = replace(planned, approved_deletes=planned.approved_deletes or self.allow_delete)
        verbose = current().verbosity >= 1
        text = plan_as(
            "text", approved, self.conn, color=current().color, with_calls=self.with_calls, verbose=verbose
        )
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

"""plan and apply."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import click

from cloudinary_state.cli import options
from cloudinary_state.cli._shared import NOTES, cli, connect, current, parse_targets
from cloudinary_state.errors import EXIT_ERROR, EXIT_OK


@cli.command()
@options.env
@options.path("--out", help="Save the plan for `apply FILE`.")
@options.path("--markdown", help="Also write the Markdown plan.")
@options.path("--json-summary", help="Also write counts and exit facts.")
@options.output_format("text", "json", "markdown")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option("--allow-delete", is_flag=True, help="Approve the deletes and replaces (recorded in --out).")
@options.target(help="Narrow the plan.")
@options.online
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
    from cloudinary_state.render.outputs import OutputFiles
    from cloudinary_state.render.run import calls_line_shown, usage_line
    from cloudinary_state.render.views import PlanView

    # checked before any connection: a directory given as a file is exit 1, not a wasted plan
    files = OutputFiles.checked({"--out": out, "--markdown": markdown, "--json-summary": json_summary})
    parsed = parse_targets(targets)
    with connect(env, emulator) as conn:
        result = conn.plan(parsed, parallelism=parallelism, allow_delete=allow_delete, rehearse=rehearse)
        view = PlanView(result, conn, conn.policy_refusal(result), out, current().console)
        click.echo(view.as_format(fmt), nl=False)
        for warning in view.warnings():  # before the apply is tried
            NOTES.warning(warning)
        if view.saved_to is not None:
            conn.save_plan(result, view.saved_to)
            NOTES.info(view.saved_note())
        code = view.exit_code(detailed_exitcode=detailed_exitcode)
        view.write_files(files, exit_code=code)
        with calls_line_shown() if fmt == "text" else nullcontext():
            if view.refusal is not None:  # shown with the plan and in its files, then raised
                raise view.refusal
            conn.check_rehearsal(result)  # after the plan and its files: they carry the outcome
        if fmt != "text":  # the text plan ends with this line already
            NOTES.info(usage_line(conn))
    if code != EXIT_OK:
        raise click.exceptions.Exit(code)


@cli.command()
@options.env
@click.argument("plan_file", required=False, type=click.Path(path_type=Path))
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--allow-delete", is_flag=True, help="Permit deletes and replaces.")
@click.option(
    "--allow-partial",
    is_flag=True,
    help="When the hourly budget cannot finish the apply, apply whole dependency waves while it lasts.",
)
@options.target(help="Narrow the apply.")
@options.output_format("text", "json", help="The outcome's form.")
@options.online
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
    from cloudinary_state.render.run import usage_line
    from cloudinary_state.render.views import ApplyView

    if plan_file is not None and targets:
        raise click.UsageError("--target narrows a new plan; a saved plan applies as it was reviewed")
    parsed = parse_targets(targets)
    # an unreadable plan file is reported before any credential or connection is needed
    saved = current().project.read_plan_file(plan_file) if plan_file is not None else None
    asks = not auto_approve and saved is None  # a saved plan was reviewed when it was made
    console = current().console
    with connect(env, emulator) as conn:
        view = ApplyView(fmt, conn, console, click.echo, saved=saved, asks=asks, allow_delete=allow_delete)
        with view.running():
            result = conn.apply(
                saved,
                targets=parsed,
                allow_delete=allow_delete,
                allow_partial=allow_partial,
                parallelism=parallelism,
                on_plan=view.plan,
                confirm=view.confirm(click.confirm) if asks else None,
                cancel=view.ctrl_c.requested,
            )
            click.echo(view.outcome(result), nl=False)
            if fmt != "text":  # the text outcome ends with this line already
                NOTES.info(usage_line(conn))
    if result.cancelled:
        raise click.exceptions.Exit(EXIT_ERROR)

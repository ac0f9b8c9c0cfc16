"""Commands that need no account: validate, schema, init and show."""

from __future__ import annotations

from pathlib import Path

import click

from cloudinary_state.cli import options
from cloudinary_state.cli._shared import NOTES, cli, current, echo_lines
from cloudinary_state.errors import EXIT_ERROR


@cli.command()
@click.option("--env", "env", metavar="ENV", help="Environment to validate (environments/ENV.yaml).")
@click.option("--all", "all_envs", is_flag=True, help="Validate every environment.")
@click.option(
    "--strict",
    is_flag=True,
    help="Warnings are errors (a stripped add-on option, an unrecognised transformation part).",
)
def validate(env: str | None, all_envs: bool, strict: bool) -> None:
    """Check the config offline: syntax, types, references, transformations."""
    from cloudinary_state.render.lines import validation_lines

    if (env is None) == (not all_envs):
        raise click.UsageError("give exactly one of --env ENV or --all")
    run = current().project.validate(None if all_envs else [env or ""], strict=strict)
    echo_lines(validation_lines(run, warnings=current().console.verbosity >= 0))
    if run.errors:
        raise click.exceptions.Exit(EXIT_ERROR)


@cli.command()
@click.option("--check", is_flag=True, help="Exit 1 when the committed schemas are stale.")
def schema(check: bool) -> None:
    """Write schemas/*.schema.json from the models (or check they are current)."""
    from cloudinary_state.render.lines import schema_lines

    project = current().project
    paths = project.stale_schemas() if check else project.write_schemas()
    echo_lines(schema_lines(paths, check=check))
    if check and paths:
        raise click.exceptions.Exit(EXIT_ERROR)


@cli.command()
@click.option(
    "--env",
    "envs",
    multiple=True,
    metavar="NAME[=CREDENTIALS_VAR]",
    help="An environment and the env var of its credentials (default CLOUDINARY_URL_<NAME>); "
    "repeat in promotion order. Default: staging, then production.",
)
@click.option("--cloud", "clouds", multiple=True, metavar="ENV=CLOUD", help="An environment's cloud name.")
@click.option(
    "--action",
    metavar="OWNER/REPO@REVISION",
    help="The cloudinary-state repository and commit the workflows and the pre-commit hook run.",
)
def init(envs: tuple[str, ...], clouds: tuple[str, ...], action: str | None) -> None:
    """Start a project: environments, schemas, GitHub workflows, a pre-commit config."""
    from cloudinary_state.render.lines import init_lines
    from cloudinary_state.scaffold import ActionReference, new_environments

    try:
        environments = new_environments(envs, clouds)
        reference = None if action is None else ActionReference.parse(action)
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    result = current().project.init(environments, action=reference)
    echo_lines(init_lines(result, environments[0], current().project.config_dir))


@cli.command()
@click.argument("plan_file", type=click.Path(path_type=Path))
@options.output_format("text", "json", "markdown")
@click.option("--env", "env", metavar="ENV", help="Verify the digest with ENV's key (nothing is sent).")
@click.option("--emulator", is_flag=True, help="With --env: verify with the embedded emulator's key.")
def show(plan_file: Path, fmt: str, env: str | None, emulator: bool) -> None:
    """Show a saved plan file, without credentials or any connection.

    Its digest is keyed by the account's api_secret: without --env it is not verified (and
    says so); with --env it is verified with that environment's key (exit 3 on a mismatch)."""
    from cloudinary_state.render.show import digest_notice, shown_plan_as

    if emulator and env is None:
        raise click.UsageError("--emulator verifies with the embedded emulator's key: use it with --env")
    shown = current().project.show_plan(plan_file, env=env, emulator=emulator)
    click.echo(shown_plan_as(fmt, shown, verbose=current().console.verbose), nl=False)
    if fmt == "json":  # the text and Markdown say it under their title
        NOTES.info(digest_notice(shown))

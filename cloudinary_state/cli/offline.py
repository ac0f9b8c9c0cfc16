"""Commands that need no account: validate, schema and show."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from cloudinary_state.cli._shared import EXIT_ERROR, NOTES, cli, current


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
    from cloudinary_state.render.run import validation_results

    if (env is None) == (not all_envs):
        raise click.UsageError("give exactly one of --env ENV or --all")
    run = current().project.validate(None if all_envs else [env or ""], strict=strict)
    for warning in run.warnings if current().verbosity >= 0 else []:
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

    directory = current().project.config_dir / SCHEMA_DIR
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
    from cloudinary_state.scaffold import ActionReference, new_environments

    try:
        environments = new_environments(envs, clouds)
        reference = None if action is None else ActionReference.parse(action)
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    result = current().project.init(environments, action=reference)
    for path in result.written:
        click.echo(f"wrote {path}")
    for path in result.kept:
        click.echo(f"kept {path}: it exists (init never overwrites a file)")
    for what in result.to_edit:
        click.echo(f"edit {what}")
    first = environments[0]
    config_dir = current().project.config_dir
    # the next steps run from here, so they name a config directory other than this one
    program = "cloudinary-state"
    if config_dir != Path("."):
        program += f" --config-dir {shlex.quote(str(config_dir))}"
    click.echo(
        f"next: `{program} validate --all`; set {first.credentials} and bring the account's objects "
        f"into the project with `{program} import --env {first.name}` (--emulator: try it first)"
    )


@cli.command()
@click.argument("plan_file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
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
    click.echo(shown_plan_as(fmt, shown, verbose=current().verbosity >= 1), nl=False)
    if fmt == "json":  # the text and Markdown say it under their title
        NOTES.info(digest_notice(shown))

"""Commands that read accounts and configs: drift, import, diff, promote, try-preset."""

from __future__ import annotations

from pathlib import Path

import click

from cloudinary_state.cli import options
from cloudinary_state.cli._shared import NOTES, cli, connect, current, parse_targets
from cloudinary_state.errors import EXIT_CHANGES


@cli.command()
@options.env
@options.output_format("text", "json", "markdown", "junit")
@options.path("--markdown", help="Also write the Markdown report.")
@options.path("--junit", help="Also write the JUnit XML report.")
@options.path("--json", "json_file", help="Also write the JSON report.")
@options.online
def drift(
    env: str,
    fmt: str,
    markdown: Path | None,
    junit: Path | None,
    json_file: Path | None,
    parallelism: int,
    emulator: bool,
) -> None:
    """Report what changed outside the config (exit 2 on drift)."""
    from cloudinary_state.render.outputs import OutputFiles, write_drift_outputs
    from cloudinary_state.render.run import drift_as, usage_line

    files = OutputFiles.checked({"--markdown": markdown, "--junit": junit, "--json": json_file})
    with connect(env, emulator) as conn:
        report = conn.drift(parallelism=parallelism)
        click.echo(drift_as(fmt, report, conn.secrets), nl=False)
        write_drift_outputs(files, report, conn.secrets)
        if fmt != "text":  # the text report ends with this line already
            NOTES.info(usage_line(conn))
    if report.has_drift:
        raise click.exceptions.Exit(EXIT_CHANGES)


@cli.command("import")
@options.env
@options.path("--output", help="Write a new config directory here instead of adding to the project's own.")
@click.option("--kind", "kinds", multiple=True, type=options.KindChoice())
@click.option("--force", is_flag=True, help="Overwrite existing files (see docs/cli.md#import).")
@options.online
def import_(
    env: str, output: Path | None, kinds: tuple[str, ...], force: bool, parallelism: int, emulator: bool
) -> None:
    """Write the live account as config: into the project, or a new directory with --output."""
    from cloudinary_state.importer import check_output_directory
    from cloudinary_state.render.run import import_lines, usage_line

    if output is not None:
        check_output_directory(output)
    with connect(env, emulator) as conn:
        if output is None:
            run = conn.import_into_config(kinds=kinds, force=force, parallelism=parallelism)
        else:
            run = conn.import_(output, kinds=kinds, force=force, parallelism=parallelism)
        for line in import_lines(run, env, conn.desired.cloud):
            click.echo(line)
        NOTES.info(usage_line(conn))


@cli.command()
@click.argument("env_a")
@click.argument("env_b")
@click.option("--live", is_flag=True, help="Compare the live accounts instead of the configs.")
@options.output_format("text", "json", "markdown")
@options.parallelism
@click.option("--emulator", is_flag=True, help="With --live: use the embedded emulators.")
def diff(env_a: str, env_b: str, live: bool, fmt: str, parallelism: int, emulator: bool) -> None:
    """Compare two environments (exit 2 when they differ)."""
    from cloudinary_state.render.run import diff_as, usage_line

    project = current().project
    if not live:
        if emulator:
            raise click.UsageError("--emulator compares live accounts: use it with --live")
        result = project.diff(env_a, env_b)
    else:
        with connect(env_a, emulator) as a, connect(env_b, emulator) as b:
            result = a.diff(b, parallelism=parallelism)
            NOTES.info(f"{env_a}: {usage_line(a)} {env_b}: {usage_line(b)}")
    # the secrets of both environments: the project's, which loaded them
    click.echo(diff_as(fmt, result, project.secrets), nl=False)
    if result.different:
        raise click.exceptions.Exit(EXIT_CHANGES)


@cli.command()
@click.option("--from", "from_env", required=True, metavar="ENV")
@click.option("--to", "to_env", required=True, metavar="ENV")
@options.target()
@click.option("--write", is_flag=True, help="Record the promoted objects in the resource documents.")
@options.online
def promote(
    from_env: str, to_env: str, targets: tuple[str, ...], write: bool, parallelism: int, emulator: bool
) -> None:
    """Bring objects as they live in one environment to another."""
    from cloudinary_state.render.promote import render_promotion
    from cloudinary_state.render.run import usage_line

    if from_env == to_env:
        raise click.UsageError("--from and --to name the same environment: promote between two")
    parsed = parse_targets(targets)
    with connect(from_env, emulator) as source, connect(to_env, emulator) as target:
        result = source.promote(target, parsed, write=write, parallelism=parallelism)
        secrets, color = source.secrets | target.secrets, current().console.color
        click.echo(render_promotion(result, written=write, color=color, secrets=secrets), nl=False)
        NOTES.info(f"{from_env}: {usage_line(source)} {to_env}: {usage_line(target)}")


@cli.command("try-preset")
@options.env
@click.argument("preset")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--public-id", "public_id", metavar="ID", help="Give the upload this public ID, as a caller would."
)
@options.output_format("text", "json")
def try_preset(env: str, preset: str, file: Path, public_id: str | None, fmt: str) -> None:
    """Upload FILE through PRESET on an emulated account and show what the asset got.

    The environment's config is applied to a fresh emulated account first: nothing is sent
    to Cloudinary and no credentials are read."""
    from cloudinary_state.render.trypreset import calls_line, render

    project = current().project
    result = project.try_preset(env, preset, file, public_id=public_id)
    click.echo(render(fmt, result, secrets=project.secrets), nl=False)
    if fmt != "text":  # the text ends with this line already
        NOTES.info(calls_line(result))

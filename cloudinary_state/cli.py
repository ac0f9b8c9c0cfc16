"""The command line: parse, call the library, render, exit. No logic lives here.

Exit codes (DESIGN.md section 4): 0 ok, 1 error, 2 changes/drift, 3 refused by policy,
64 usage error (click's own 2 is remapped so that 2 keeps meaning "changes pending").
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from cloudinary_state.errors import CloudinaryStateError, ConfigError

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2, 3, 64

KIND_CHOICES = ("transformation", "metadata_field", "upload_preset", "upload_mapping")


@dataclass
class Context:
    config_dir: Path
    verbosity: int  # -1 quiet, 0 normal, 1+ verbose
    color: bool


def _ctx() -> Context:
    obj = click.get_current_context().find_object(Context)
    assert obj is not None
    return obj


def _not_yet(command: str, issue: int) -> NoReturn:
    from cloudinary_state.errors import NotImplementedCommand

    raise NotImplementedCommand(f"`{command}` is not implemented yet (it lands with issue #{issue}).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory holding environments/.",
)
@click.option("-v", "--verbose", count=True, help="More log output on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="Only results and errors.")
@click.option("--no-color", is_flag=True, help="Never colour the output.")
@click.version_option(package_name="cloudinary-state")
@click.pass_context
def cli(ctx: click.Context, config_dir: Path, verbose: int, quiet: bool, no_color: bool) -> None:
    """Keep a Cloudinary account's configuration as code."""
    color = not no_color and sys.stdout.isatty()
    ctx.obj = Context(config_dir=config_dir, verbosity=-1 if quiet else verbose, color=color)


# --- validate / schema (issue 2) -------------------------------------------------------------


@cli.command()
@click.option("--env", "env", metavar="ENV", help="Environment to validate (environments/ENV.yaml).")
@click.option("--all", "all_envs", is_flag=True, help="Validate every environment.")
@click.option("--strict", is_flag=True, help="A stripped add-on option is an error.")
def validate(env: str | None, all_envs: bool, strict: bool) -> None:
    """Check the config offline: syntax, types, references, transformations."""
    _not_yet("validate", 2)


@cli.command()
@click.option("--check", is_flag=True, help="Exit 1 when the committed schemas are stale.")
def schema(check: bool) -> None:
    """Write schemas/*.schema.json from the models (or check they are current)."""
    _not_yet("schema", 2)


# --- plan / apply (issue 4) ------------------------------------------------------------------


@cli.command()
@click.option("--env", "env", required=True, metavar="ENV")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option("--target", "targets", multiple=True, metavar="KIND:NAME", help="Narrow the plan.")
@click.option("--parallelism", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--emulator", is_flag=True, help="Run against the embedded emulator.")
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
    _not_yet("plan", 4)


@cli.command()
@click.option("--env", "env", required=True, metavar="ENV")
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--allow-delete", is_flag=True, help="Permit deletes and replaces.")
@click.option("--target", "targets", multiple=True, metavar="KIND:NAME", help="Narrow the apply.")
@click.option("--parallelism", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--emulator", is_flag=True, help="Run against the embedded emulator.")
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
    _not_yet("apply", 4)


# --- drift / import / diff / promote (issue 5) -----------------------------------------------


@cli.command()
@click.option("--env", "env", required=True, metavar="ENV")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "junit"]), default="text")
@click.option("--emulator", is_flag=True, help="Run against the embedded emulator.")
def drift(env: str, fmt: str, emulator: bool) -> None:
    """Report what changed outside the config (exit 2 on drift)."""
    _not_yet("drift", 5)


@cli.command("import")
@click.option("--env", "env", required=True, metavar="ENV")
@click.option("--output", "output", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KIND_CHOICES))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option("--emulator", is_flag=True, help="Run against the embedded emulator.")
def import_(env: str, output: Path, kinds: tuple[str, ...], force: bool, emulator: bool) -> None:
    """Write the live account as config."""
    _not_yet("import", 5)


@cli.command()
@click.argument("env_a")
@click.argument("env_b")
@click.option("--live", is_flag=True, help="Compare the live accounts instead of the configs.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option("--emulator", is_flag=True, help="With --live: use the embedded emulators.")
def diff(env_a: str, env_b: str, live: bool, fmt: str, emulator: bool) -> None:
    """Compare two environments (exit 2 when they differ)."""
    _not_yet("diff", 5)


@cli.command()
@click.option("--from", "from_env", required=True, metavar="ENV")
@click.option("--to", "to_env", required=True, metavar="ENV")
@click.option("--target", "targets", multiple=True, metavar="KIND:NAME")
@click.option("--write", is_flag=True, help="Record the promoted objects in the resource documents.")
@click.option("--emulator", is_flag=True, help="Run against the embedded emulator.")
def promote(from_env: str, to_env: str, targets: tuple[str, ...], write: bool, emulator: bool) -> None:
    """Bring objects as they live in one environment to another."""
    _not_yet("promote", 5)


# --- emulator (issue 3) ----------------------------------------------------------------------


@cli.group()
def emulator() -> None:
    """The embedded Cloudinary Admin API emulator."""


@emulator.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=0, show_default=True, help="0 picks a free port.")
@click.option("--state", "state", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--cloud", "clouds", multiple=True, help="NAME or NAME:KEY:SECRET (repeatable).")
@click.option("--api-key", default="emulator-key", show_default=True)
@click.option("--api-secret", default="emulator-secret", show_default=True)
@click.option("--addons", default="", help="Comma-separated registered add-ons.")
@click.option("--latency-ms", type=int, default=0)
@click.option("--rate-limit", type=int, default=2000, show_default=True)
@click.option("--fault-rate", type=float, default=0.0)
@click.option("--fault-seed", type=int, default=0, show_default=True, help="Seed for replayable faults.")
@click.option("--allow-remote", is_flag=True, help="Permit binding a non-loopback host.")
@click.option(
    "--reserve-deleted-metadata-ids", is_flag=True, help="Deleted metadata external_ids stay taken."
)
def emulator_serve(**options: Any) -> None:
    """Serve the emulator until interrupted."""
    import signal
    import threading

    from cloudinary_state.emulator import CloudConfig, EmulatorServer, EmulatorStateError

    addons = frozenset(a.strip() for a in str(options["addons"]).split(",") if a.strip())
    clouds = []
    for spec in options["clouds"] or ("emulator",):
        name, *credentials = str(spec).split(":")
        if len(credentials) not in (0, 2) or not name:
            raise click.BadParameter(f"{spec!r}: expected NAME or NAME:KEY:SECRET", param_hint="--cloud")
        key, secret = credentials if credentials else (options["api_key"], options["api_secret"])
        clouds.append(
            CloudConfig(name, key, secret, addons, bool(options["reserve_deleted_metadata_ids"]))
        )
    try:
        server = EmulatorServer(
            clouds,
            state_file=options["state"],
            host=options["host"],
            port=options["port"],
            latency_ms=options["latency_ms"],
            rate_limit=options["rate_limit"],
            fault_rate=options["fault_rate"],
            fault_seed=options["fault_seed"],
            allow_remote=options["allow_remote"],
        )
        server.start()
    except (EmulatorStateError, ValueError, OSError) as e:
        raise click.ClickException(str(e)) from None
    click.echo(server.url)
    for cloud in server.clouds:
        key = server.state(cloud).api_key  # the secret never reaches a log
        url = f"cloudinary://{key}:***@{cloud}?upload_prefix={server.url}"
        click.echo(f"serving cloud {cloud}: {url}", err=True)
    sys.stdout.flush()

    def stop_on_sigterm(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop_on_sigterm)
    try:
        threading.Event().wait()
    finally:
        server.stop()


# --- entry point ------------------------------------------------------------------------------


def _report(error: CloudinaryStateError) -> None:
    if isinstance(error, ConfigError):
        for d in error.diagnostics:
            click.echo(f"error: {d}", err=True)
        click.echo(f"{len(error.diagnostics)} error(s); nothing was sent to the API.", err=True)
    else:
        click.echo(f"error: {error}", err=True)


def main(argv: list[str] | None = None) -> NoReturn:
    """Console entry point: run the CLI and exit with DESIGN.md's codes, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="cloudinary-state", standalone_mode=False)
    except click.exceptions.Exit as e:
        code = e.exit_code
    except click.UsageError as e:
        e.show()
        code = EXIT_USAGE
    except click.Abort:
        click.echo("Aborted.", err=True)
        code = EXIT_ERROR
    except click.ClickException as e:
        e.show()
        code = EXIT_ERROR
    except CloudinaryStateError as e:
        _report(e)
        code = e.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        code = 130
    sys.exit(code if isinstance(code, int) else EXIT_OK)

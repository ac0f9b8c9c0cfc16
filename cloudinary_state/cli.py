"""The command line: parse, call the library, render, exit. No logic lives here.

Exit codes (DESIGN.md section 4): 0 ok, 1 error, 2 changes/drift, 3 refused by policy,
64 usage error (click's own 2 is remapped so that 2 keeps meaning "changes pending").
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from cloudinary_state.client import MAX_PARALLELISM, AdminClient
from cloudinary_state.desired import KINDS, DesiredState
from cloudinary_state.errors import CloudinaryStateError, ConfigError

if TYPE_CHECKING:  # the engine and the kinds load with the commands that use them, not `validate`
    from cloudinary_state.engine.plan import Plan, Target
    from cloudinary_state.kinds.base import LiveObject

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2, 3, 64

# Calls in flight at once, across kinds (DESIGN.md section 5): every command that reads or writes.
parallelism_option = click.option(
    "--parallelism",
    type=click.IntRange(1, MAX_PARALLELISM),
    default=8,
    show_default=True,
    help="Admin API calls in flight at once.",
)


@dataclass
class Context:
    config_dir: Path
    verbosity: int  # -1 quiet, 0 normal, 1+ verbose
    color: bool


def _ctx() -> Context:
    obj = click.get_current_context().find_object(Context)
    assert obj is not None
    return obj


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
    from cloudinary_state.config import validate_environments

    if (env is None) == (not all_envs):
        raise click.UsageError("give exactly one of --env ENV or --all")
    run = validate_environments(_ctx().config_dir, None if all_envs else [env or ""], strict=strict)
    for warning in run.warnings if _ctx().verbosity >= 0 else []:
        click.echo(f"warning: {warning}", err=True)
    for error in run.errors:
        click.echo(f"error: {error}", err=True)
    for name, result in run.results.items():
        if result.state is not None:
            stripped = sum(len(o.stripped_options) for o in result.state.objects)
            note = f", {stripped} add-on option(s) stripped" if stripped else ""
            click.echo(f"{name}: ok ({len(result.state.objects)} objects{note})")
        else:
            click.echo(f"{name}: invalid")
    if run.errors:
        click.echo(f"{len(run.errors)} error(s); nothing was sent to the API.", err=True)
        raise click.exceptions.Exit(EXIT_ERROR)


@cli.command()
@click.option("--check", is_flag=True, help="Exit 1 when the committed schemas are stale.")
def schema(check: bool) -> None:
    """Write schemas/*.schema.json from the models (or check they are current)."""
    from cloudinary_state.config.schema import SCHEMA_DIR, stale_schemas, write_schemas

    directory = _ctx().config_dir / SCHEMA_DIR
    if check:
        stale = stale_schemas(directory)
        for path in stale:
            click.echo(f"error: {path} is stale or missing; run `cloudinary-state schema`", err=True)
        if stale:
            raise click.exceptions.Exit(EXIT_ERROR)
        click.echo("schemas are current")
        return
    written = write_schemas(directory)
    for path in written:
        click.echo(f"wrote {path}")
    if not written:
        click.echo("schemas are current")


# --- plan / apply (issue 4) ------------------------------------------------------------------


@dataclass
class OpenEnvironment:
    """A loaded environment and a client for its account (real, or the embedded emulator)."""

    desired: DesiredState
    client: AdminClient
    secrets: frozenset[str]  # everything to scrub from output: ${env.*} values, the api_secret

    @property
    def digest_key(self) -> bytes:
        """Keys the plan's hashes: the account's api_secret (the emulator's with --emulator),
        which a reader of a plan file does not have."""
        return self.client.credentials.api_secret.encode()


@contextmanager
def open_environment(
    env: str, *, emulator: bool, before_connect: Callable[[bytes], None] | None = None
) -> Iterator[OpenEnvironment]:
    """Load ENV's config (ConfigError before any API call) and connect to its account.

    With `emulator`, an in-process emulator serves the environment's cloud with the add-ons
    the environment turns on, its state under <config-dir>/.cloudinary-state/emulator/ENV.json;
    no credentials are read. `before_connect` is given the digest key (the api_secret) once it
    is known, before any connection (before the emulator starts): a saved plan is verified there.
    """
    from cloudinary_state.client import Credentials, CredentialsError
    from cloudinary_state.config import load_environment

    ctx = _ctx()
    desired = load_environment(ctx.config_dir, env)
    if not emulator:
        credentials = Credentials.from_env(desired.credentials_env, os.environ)
        if credentials.cloud_name != desired.cloud_name:
            raise CredentialsError(
                f"{desired.credentials_env} is for cloud {credentials.cloud_name!r}, but environment "
                f"{env!r} declares cloud_name {desired.cloud_name!r}"
            )
        if before_connect is not None:
            before_connect(credentials.api_secret.encode())
        with _summary_on_error(client := AdminClient(credentials)):
            yield OpenEnvironment(desired, client, desired.secrets | {credentials.api_secret})
        return

    from cloudinary_state.emulator import CloudConfig, EmulatorServer, EmulatorStateError

    state_file = ctx.config_dir / ".cloudinary-state" / "emulator" / f"{env}.json"
    addons = frozenset(name for name, on in desired.addons.items() if on)
    cloud = CloudConfig(name=desired.cloud_name, addons=addons)
    if before_connect is not None:
        before_connect(cloud.api_secret.encode())  # what the server's cloudinary_url will carry
    server = EmulatorServer([cloud], state_file=state_file)
    try:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        server.start()
    except (EmulatorStateError, OSError) as e:
        # the emulator knows nothing of the engine's errors: the CLI says what to do
        raise CloudinaryStateError(
            f"the embedded emulator cannot start for {env!r}: {e}. The file {state_file} holds the "
            "emulated account's state: fix it, or delete it to start from an empty emulated account"
        ) from None
    with server:
        _log(f"emulator: cloud {desired.cloud_name} at {server.url}, state {state_file}", level=1)
        credentials = Credentials.from_url(server.cloudinary_url(desired.cloud_name))
        with _summary_on_error(client := AdminClient(credentials)):
            yield OpenEnvironment(desired, client, desired.secrets | {credentials.api_secret})


@contextmanager
def _summary_on_error(client: AdminClient) -> Iterator[None]:
    """A run that fails after talking to the API still ends with its one-line summary."""
    try:
        yield
    except CloudinaryStateError as e:
        if e.run_summary is None:
            e.run_summary = _usage_line(client)
        raise


def _log(message: str, *, level: int = 0) -> None:
    """Progress and logs: stderr, shown unless -q (level 1 and up need -v)."""
    _logger()(message, level)


def _logger() -> Callable[[str, int], None]:
    """`_log` bound to this run's verbosity, for worker threads (click's context is per thread)."""
    verbosity = _ctx().verbosity

    def log(message: str, level: int = 0) -> None:
        if verbosity >= level:
            click.echo(message, err=True)

    return log


def _parse_targets(targets: tuple[str, ...]) -> list[Target]:
    from cloudinary_state.engine.plan import TargetError, parse_target

    try:
        return [parse_target(t) for t in targets]
    except TargetError as e:
        raise click.UsageError(str(e)) from None


@contextmanager
def _scrubbed_errors(secrets: frozenset[str]) -> Iterator[None]:
    """Second line of defence: no error message leaves with a secret in it."""
    from cloudinary_state.engine.masking import scrub_text

    try:
        yield
    except CloudinaryStateError as e:
        e.args = (scrub_text(str(e), secrets),)
        raise


def _usage_line(client: AdminClient) -> str:
    from cloudinary_state.render.text import api_line

    return api_line(client.calls, client.rate_limit_remaining)


def _with_run_counts(plan: Plan, client: AdminClient) -> Plan:
    """The plan with this run's Admin API calls and budget, for its summary line."""
    return replace(plan, api_calls=client.calls, rate_limit_remaining=client.rate_limit_remaining)


def _read_and_plan(
    opened: OpenEnvironment, targets: list[Target], parallelism: int
) -> tuple[Plan, dict[Target, LiveObject]]:
    """The plan, and the live objects it was made from (apply writes against those)."""
    from cloudinary_state.engine.live import read_and_plan
    from cloudinary_state.engine.plan import TargetError, default_kinds

    try:
        result, live = read_and_plan(
            opened.client,
            opened.desired,
            default_kinds(),
            digest_key=opened.digest_key,
            targets=targets,
            parallelism=parallelism,
            # progress shows on a terminal; in CI logs only with -v
            progress=lambda m: _log(m, level=0 if sys.stderr.isatty() else 1),
        )
    except TargetError as e:
        raise click.UsageError(str(e)) from None
    return _with_run_counts(result, opened.client), live


def _render(result: Plan, fmt: str, opened: OpenEnvironment, *, with_calls: bool = True) -> str:
    from cloudinary_state.render import json as render_json
    from cloudinary_state.render import markdown as render_markdown
    from cloudinary_state.render import text as render_text

    secrets = opened.secrets
    if fmt == "json":
        return render_json.render_plan(result, secrets=secrets, digest_key=opened.digest_key)
    if fmt == "markdown":
        return render_markdown.render_plan(result, secrets=secrets)
    return render_text.render_plan(result, color=_ctx().color, secrets=secrets, with_calls=with_calls)


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


@cli.command()
@click.option("--env", "env", required=True, metavar="ENV")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option("--target", "targets", multiple=True, metavar="KIND:NAME", help="Narrow the plan.")
@parallelism_option
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
    from cloudinary_state.engine.planfile import write_plan
    from cloudinary_state.engine.safety import check_plan

    parsed = _parse_targets(targets)
    with open_environment(env, emulator=emulator) as opened, _scrubbed_errors(opened.secrets):
        result, _ = _read_and_plan(opened, parsed, parallelism)
        click.echo(_render(result, fmt, opened), nl=False)
        with _calls_line_shown() if fmt == "text" else nullcontext():
            check_plan(result, opened.desired.policy)
        if out is not None:
            write_plan(out, result, opened.secrets, digest_key=opened.digest_key)
            _log(f"Saved the plan to {out}; apply it with: cloudinary-state apply --env {env} {out}")
        if fmt != "text":  # the text plan ends with this line already
            _log(_usage_line(opened.client))
    if detailed_exitcode and result.has_changes:
        raise click.exceptions.Exit(EXIT_CHANGES)


@cli.command()
@click.option("--env", "env", required=True, metavar="ENV")
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--allow-delete", is_flag=True, help="Permit deletes and replaces.")
@click.option("--target", "targets", multiple=True, metavar="KIND:NAME", help="Narrow the apply.")
@parallelism_option
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
    from cloudinary_state.engine.apply import apply_plan, read_planned
    from cloudinary_state.engine.masking import scrub_text
    from cloudinary_state.engine.plan import default_kinds
    from cloudinary_state.engine.planfile import (
        check_plan_matches,
        check_replanned,
        load_document,
        plan_from_document,
    )
    from cloudinary_state.engine.safety import check_apply
    from cloudinary_state.errors import ApplyError
    from cloudinary_state.render.text import SYMBOLS

    if plan_file is not None and targets:
        raise click.UsageError("--target narrows a new plan; a saved plan applies as it was reviewed")
    parsed = _parse_targets(targets)
    kinds = default_kinds()
    # an unreadable plan file is reported before any credential or connection is needed; its
    # digest is verified once the key (the api_secret) is known, before connecting
    document = load_document(plan_file) if plan_file is not None else None
    saved: Plan | None = None

    def verify_saved(digest_key: bytes) -> None:
        nonlocal saved
        assert plan_file is not None and document is not None
        saved = plan_from_document(plan_file, document, digest_key=digest_key, kinds=kinds)

    verify = verify_saved if document is not None else None
    with (
        open_environment(env, emulator=emulator, before_connect=verify) as opened,
        _scrubbed_errors(opened.secrets),
    ):
        desired, client = opened.desired, opened.client
        live: Mapping[Target, LiveObject | None]
        if plan_file is None:
            result, live = _read_and_plan(opened, parsed, parallelism)
        else:
            assert saved is not None  # verified before connecting
            result = saved
            check_plan_matches(result, desired, plan_file, opened.digest_key)
        # a saved plan is shown before this run made any call: no calls line (the run ends with one)
        click.echo(_render(result, "text", opened, with_calls=plan_file is None), nl=False)
        if not result.has_changes:
            click.echo(f"Apply complete: nothing to do. {_usage_line(client)}")
            return
        # refused before the re-read or the question (apply_plan checks again before writing)
        check_apply(result, desired.policy, allow_delete=allow_delete, kinds=kinds)

        if plan_file is not None:
            live = read_planned(client, result, kinds, digest_key=opened.digest_key, parallelism=parallelism)
            # the file never makes apply do what the config and the account do not call for
            check_replanned(result, desired, live, plan_file, digest_key=opened.digest_key, kinds=kinds)
        elif not auto_approve:
            if not sys.stdin.isatty():
                raise ApplyError(
                    "refusing to apply without confirmation: there is no terminal to ask on. "
                    "Review the plan above and pass --auto-approve, or apply a saved plan file."
                )
            if not click.confirm(f"Apply these changes to {env} ({desired.cloud_name})?", default=False):
                click.echo("Apply cancelled; nothing was changed.")
                raise click.exceptions.Exit(EXIT_ERROR)

        log = _logger()
        report = apply_plan(
            client,
            desired,
            result,
            live,
            allow_delete=allow_delete,
            kinds=kinds,
            parallelism=parallelism,
            # a failure's reason can quote a secret (an API error echoing a value from ${env.*})
            on_event=lambda c, what: log(
                scrub_text(f"  {SYMBOLS[c.action]} {c.key}: {what}", opened.secrets), 0
            ),
        )
        counts = ", ".join(f"{n} {action}d" for action, n in report.counts().items())
        click.echo(f"Apply complete: {counts}; every write verified by read-back. {_usage_line(client)}")


# --- drift / import / diff / promote (issue 5) -----------------------------------------------


@cli.command()
@click.option("--env", "env", required=True, metavar="ENV")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "junit"]), default="text")
@parallelism_option
@click.option("--emulator", is_flag=True, help="Run against the embedded emulator.")
def drift(env: str, fmt: str, parallelism: int, emulator: bool) -> None:
    """Report what changed outside the config (exit 2 on drift)."""
    from cloudinary_state.audit import report_from_plan
    from cloudinary_state.render import drift as render_drift
    from cloudinary_state.render.junit import render_junit

    renderers = {
        "text": render_drift.render_text,
        "json": render_drift.render_json,
        "markdown": render_drift.render_markdown,
        "junit": render_junit,
    }
    with open_environment(env, emulator=emulator) as opened, _scrubbed_errors(opened.secrets):
        result, _ = _read_and_plan(opened, [], parallelism)
        report = report_from_plan(result, opened.desired)
        click.echo(renderers[fmt](report, secrets=opened.secrets), nl=False)
        if fmt != "text":  # the text report ends with this line already
            _log(_usage_line(opened.client))
    if report.has_drift:
        raise click.exceptions.Exit(EXIT_CHANGES)


@cli.command("import")
@click.option("--env", "env", required=True, metavar="ENV")
@click.option("--output", "output", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@parallelism_option
@click.option("--emulator", is_flag=True, help="Run against the embedded emulator.")
def import_(
    env: str, output: Path, kinds: tuple[str, ...], force: bool, parallelism: int, emulator: bool
) -> None:
    """Write the live account as config."""
    from cloudinary_state.engine.live import read_live
    from cloudinary_state.engine.plan import default_kinds
    from cloudinary_state.importer import build_import, instructions, write_import

    all_kinds = default_kinds()
    with open_environment(env, emulator=emulator) as opened, _scrubbed_errors(opened.secrets):
        live = read_live(
            opened.client,
            all_kinds,
            parallelism=parallelism,
            policy=opened.desired.policy,
            only=set(kinds) or None,  # type: ignore[arg-type]  # click checked KINDS
            progress=lambda m: _log(m, level=1),
        )
        result = build_import(opened.desired, live, all_kinds, only=kinds)  # type: ignore[arg-type]
        for path in write_import(result, output, force=force):
            click.echo(f"wrote {path}")
        counts = ", ".join(f"{n} {kind}(s)" for kind, n in result.counts.items())
        click.echo(f"Imported {counts} from {env} ({opened.desired.cloud_name}).")
        for line in [*(f"note: {n}" for n in result.notes), *instructions(result.placeholders)]:
            click.echo(line)
        _log(_usage_line(opened.client))


@cli.command()
@click.argument("env_a")
@click.argument("env_b")
@click.option("--live", is_flag=True, help="Compare the live accounts instead of the configs.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@parallelism_option
@click.option("--emulator", is_flag=True, help="With --live: use the embedded emulators.")
def diff(env_a: str, env_b: str, live: bool, fmt: str, parallelism: int, emulator: bool) -> None:
    """Compare two environments (exit 2 when they differ)."""
    from cloudinary_state.config import load_environment
    from cloudinary_state.engine.live import read_live
    from cloudinary_state.engine.plan import default_kinds
    from cloudinary_state.envdiff import compare, side_from_desired, side_from_live
    from cloudinary_state.render import envdiff as render_envdiff

    kinds = default_kinds()
    if not live:
        if emulator:
            raise click.UsageError("--emulator compares live accounts: use it with --live")
        # Offline: a ${env.*} value is masked whatever it is, so unset ones need not be set.
        config_dir = _ctx().config_dir
        a = load_environment(config_dir, env_a, require_env=False)
        b = load_environment(config_dir, env_b, require_env=False)
        result = compare(side_from_desired(a, kinds), side_from_desired(b, kinds), "desired")
        secrets = a.secrets | b.secrets
    else:
        with (
            open_environment(env_a, emulator=emulator) as opened_a,
            open_environment(env_b, emulator=emulator) as opened_b,
            _scrubbed_errors(opened_a.secrets | opened_b.secrets),
        ):
            sides = []
            for opened in (opened_a, opened_b):
                objects = read_live(
                    opened.client, kinds, parallelism=parallelism, policy=opened.desired.policy
                )
                sides.append(side_from_live(opened.desired, objects, kinds))
            result = compare(sides[0], sides[1], "live")
            secrets = opened_a.secrets | opened_b.secrets
            _log(f"{env_a}: {_usage_line(opened_a.client)} {env_b}: {_usage_line(opened_b.client)}")
    renderers = {
        "text": render_envdiff.render_text,
        "json": render_envdiff.render_json,
        "markdown": render_envdiff.render_markdown,
    }
    click.echo(renderers[fmt](result, secrets=secrets), nl=False)
    if result.different:
        raise click.exceptions.Exit(EXIT_CHANGES)


@cli.command()
@click.option("--from", "from_env", required=True, metavar="ENV")
@click.option("--to", "to_env", required=True, metavar="ENV")
@click.option("--target", "targets", multiple=True, metavar="KIND:NAME")
@click.option("--write", is_flag=True, help="Record the promoted objects in the resource documents.")
@parallelism_option
@click.option("--emulator", is_flag=True, help="Run against the embedded emulator.")
def promote(
    from_env: str, to_env: str, targets: tuple[str, ...], write: bool, parallelism: int, emulator: bool
) -> None:
    """Bring objects as they live in one environment to another."""
    from cloudinary_state.engine.live import read_live
    from cloudinary_state.engine.plan import TargetError, default_kinds
    from cloudinary_state.promote import promote as promotion_of
    from cloudinary_state.promote import write as write_promotion
    from cloudinary_state.render.promote import render_promotion

    parsed = _parse_targets(targets)
    kinds = default_kinds()
    only = {kind for kind, _ in parsed} or None
    with (
        open_environment(from_env, emulator=emulator) as source,
        open_environment(to_env, emulator=emulator) as target,
        _scrubbed_errors(source.secrets | target.secrets),
    ):
        source_live = read_live(
            source.client, kinds, parallelism=parallelism, policy=source.desired.policy, only=only
        )
        target_live = read_live(
            target.client, kinds, parallelism=parallelism, policy=target.desired.policy, only=only
        )
        try:
            result = promotion_of(
                _ctx().config_dir,
                source.desired,
                source_live,
                target.desired,
                target_live,
                kinds,
                digest_key=target.digest_key,
                targets=parsed,
            )
        except TargetError as e:
            raise click.UsageError(str(e)) from None
        # the plan's summary line counts the target's reads
        result = replace(result, plan=_with_run_counts(result.plan, target.client))
        if write:
            write_promotion(result)
        secrets = source.secrets | target.secrets
        click.echo(render_promotion(result, written=write, color=_ctx().color, secrets=secrets), nl=False)
        _log(f"{from_env}: {_usage_line(source.client)} {to_env}: {_usage_line(target.client)}")


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
    "--reserve-deleted-metadata-ids/--release-deleted-metadata-ids",
    default=True,
    show_default=True,
    help="Whether a deleted metadata field's external_id stays taken (the live service keeps it).",
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
        clouds.append(CloudConfig(name, key, secret, addons, bool(options["reserve_deleted_metadata_ids"])))
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

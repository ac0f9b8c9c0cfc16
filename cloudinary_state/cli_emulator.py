"""`cloudinary-state emulator serve`: the standalone Admin API emulator (DESIGN.md section 6),
for tests, demos and CI without credentials. Parse options, start it, wait; the server itself
is started by the facade's emulator module, the only one that imports the emulator."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click


@click.group()
def emulator() -> None:
    """The embedded Cloudinary Admin API emulator."""


@emulator.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=0, show_default=True, help="0 picks a free port.")
@click.option("--state", "state_file", type=click.Path(dir_okay=False, path_type=Path))
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
@click.option(
    "--not-entitled",
    default="",
    help="Comma-separated entitlements the served clouds' plan lacks (transformations, "
    "metadata_fields, metadata_rules): their operations answer 403.",
)
@click.option(
    "--datasource-update-s",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="How long a metadata datasource update takes: another one of the field meanwhile answers 420.",
)
def emulator_serve(**options: Any) -> None:
    """Serve the emulator until interrupted."""
    from cloudinary_state.runner_emulator import CloudSpec, EmulatorStartError, ServeOptions, serve

    clouds = []
    for spec in options.pop("clouds") or ("emulator",):
        name, *credentials = str(spec).split(":")
        if len(credentials) not in (0, 2) or not name:
            raise click.BadParameter(f"{spec!r}: expected NAME or NAME:KEY:SECRET", param_hint="--cloud")
        clouds.append(CloudSpec(name, *(credentials or (options["api_key"], options["api_secret"]))))
    addons = {a.strip() for a in str(options.pop("addons")).split(",") if a.strip()}
    not_entitled = frozenset(e.strip() for e in str(options.pop("not_entitled")).split(",") if e.strip())
    settings = {k: v for k, v in options.items() if k not in ("api_key", "api_secret")}
    settings["not_entitled"] = not_entitled
    try:
        served = serve(clouds, addons, ServeOptions(**settings))
    except EmulatorStartError as e:
        raise click.ClickException(str(e)) from None
    click.echo(served.url)
    for cloud, url in served.masked_urls.items():
        click.echo(f"serving cloud {cloud}: {url}", err=True)
    sys.stdout.flush()
    try:
        _wait_for_termination()
    finally:
        served.stop()


def _wait_for_termination() -> None:
    """Until Ctrl-C (KeyboardInterrupt) or SIGTERM (a clean exit 0)."""
    import signal
    import threading

    def stop_on_sigterm(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop_on_sigterm)
    threading.Event().wait()

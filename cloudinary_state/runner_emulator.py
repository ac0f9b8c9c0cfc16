"""The embedded Admin API emulator, for the facade: the only module that imports
`cloudinary_state.emulator` (DESIGN.md sections 6 and 7).

The emulator is independent of the engine and knows none of its errors; this module turns
its failures into `EmulatorStartError` with what to do about them. Two uses:

- `EmbeddedEmulator`: one environment's cloud served in-process for a connection
  (`--emulator`), its state in `<config-dir>/.cloudinary-state/emulator/<env>.json`, with the
  add-ons the environment turns on and those it leaves unknown that its objects use. No
  credentials are read. `scratch_emulator` makes a fresh one in memory, for try-preset. A
  request it fails to handle (an emulator bug) is answered 500 and its traceback logged at
  TRACE (-vv): the terminal is the user's, the emulator an implementation detail of the run.
- `serve`: the standalone server of `cloudinary-state emulator serve`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloudinary_state.client import Credentials
from cloudinary_state.desired import DesiredState
from cloudinary_state.emulator import CloudConfig, EmulatorServer, EmulatorStateError
from cloudinary_state.emulator.addons import ADDON_NAMES
from cloudinary_state.errors import CloudinaryStateError
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.base import LiveObject
from cloudinary_state.runner import TRACE

LOGGER = logging.getLogger(__name__)


class EmulatorStartError(CloudinaryStateError):
    """The emulator cannot start: its state file is unreadable, or its address is not usable."""


def state_file(config_dir: Path, env: str) -> Path:
    """Where the embedded emulator keeps an environment's emulated account between runs."""
    return config_dir / ".cloudinary-state" / "emulator" / f"{env}.json"


class EmbeddedEmulator:
    """An emulated account for one environment, started on demand by its connection: kept in
    `state` between runs, or in memory only (`state=None`). It has the add-ons of
    `configured_addons`, or `addons` when given."""

    def __init__(
        self,
        desired: DesiredState,
        state: Path | None,
        *,
        addons: Collection[str] | None = None,
        rate_limit: int = 2000,
    ) -> None:
        registered = configured_addons(desired) if addons is None else addons
        self._cloud = CloudConfig(name=desired.cloud, addons=frozenset(registered))
        self._environment = desired.environment
        self._rate_limit = rate_limit
        self.state_file = state

    @property
    def addons(self) -> frozenset[str]:
        """The add-ons the emulated account has registered."""
        return self._cloud.addons

    @property
    def api_secret(self) -> str:
        """The secret the server's credentials will carry: a saved plan's digest key, known
        before the server starts."""
        return self._cloud.api_secret

    def start(self, stack: ExitStack) -> Credentials:
        """Start the server (stopped when `stack` closes); the credentials that reach it."""
        server = EmulatorServer(
            [self._cloud], state_file=self.state_file, rate_limit=self._rate_limit, internal_error_level=TRACE
        )
        try:
            if self.state_file is not None:
                self.state_file.parent.mkdir(parents=True, exist_ok=True)
            server.start()
        except (EmulatorStateError, OSError) as e:
            advice = (
                f". The file {self.state_file} holds the emulated account's state: fix it, or delete "
                "it to start from an empty emulated account"
                if self.state_file is not None
                else ""
            )
            raise EmulatorStartError(
                f"the embedded emulator cannot start for {self._environment!r}: {e}{advice}"
            ) from None
        stack.callback(server.stop)
        LOGGER.debug("emulator: cloud %s at %s, state %s", self._cloud.name, server.url, self.state_file)
        return Credentials.from_url(server.cloudinary_url(self._cloud.name))


def configured_addons(desired: DesiredState) -> frozenset[str]:
    """The add-ons the environment turns on, and those it leaves unknown that its objects use:
    the emulated account is the one the config describes, so an option kept because its add-on
    is unknown sticks there (on a real account the read-back tells whether it does)."""
    used = {
        addon
        for obj in desired.objects
        if not obj.absent
        for addon in REGISTRY.get(obj.kind).addons_used(obj.body)
    }
    on = {name for name, enabled in desired.addons.items() if enabled}
    return frozenset(on | {name for name in used if name not in desired.addons})


def scratch_emulator(desired: DesiredState) -> EmbeddedEmulator:
    """A fresh emulated account for `desired`, in memory (never the project's state file), with
    every add-on but those the environment turns off: an add-on it does not mention is
    assumed registered, so its options show what they would do (try-preset)."""
    off = {name for name, on in desired.addons.items() if not on}
    return EmbeddedEmulator(desired, None, addons=frozenset(ADDON_NAMES) - off)


# The copy a rehearsal loads is no account: its hourly budget is not the live one (the plan's
# forecast is), and loading a large account must not wait for a reset.
REHEARSAL_RATE_LIMIT = 1_000_000


def rehearsal_emulator(desired: DesiredState, live: Iterable[LiveObject]) -> EmbeddedEmulator:
    """A fresh emulated account, in memory, to load the live objects `live` into and rehearse
    `desired`'s plan on (`plan --rehearse`). It registers the add-ons of `configured_addons`
    and those the live objects use (they hold their options live, so the account has them:
    the API cannot list registrations)."""
    used = {addon for obj in live for addon in REGISTRY.get(obj.kind).addons_used(_exported(obj))}
    registered = (configured_addons(desired) | used) & ADDON_NAMES.keys()
    return EmbeddedEmulator(desired, None, addons=registered, rate_limit=REHEARSAL_RATE_LIMIT)


def _exported(obj: LiveObject) -> dict[str, Any]:
    return REGISTRY.get(obj.kind).export(obj)


@dataclass(frozen=True)
class CloudSpec:
    """One cloud `emulator serve` emulates, with the credentials it accepts."""

    name: str
    api_key: str
    api_secret: str


@dataclass(frozen=True)
class ServedEmulator:
    """A running standalone emulator: its URL, and each cloud's CLOUDINARY_URL with the
    secret masked (for logs)."""

    url: str
    masked_urls: dict[str, str]
    stop: Callable[[], None]


@dataclass(frozen=True)
class ServeOptions:
    """How `emulator serve` runs, beyond its clouds (see `EmulatorServer`)."""

    state_file: Path | None = None
    host: str = "127.0.0.1"
    port: int = 0
    latency_ms: int = 0
    rate_limit: int = 2000
    fault_rate: float = 0.0
    fault_seed: int = 0
    allow_remote: bool = False
    reserve_deleted_metadata_ids: bool = True  # as the reference says the live service does
    not_entitled: frozenset[str] = frozenset()  # entitlements the clouds' plan lacks (403s)
    datasource_update_s: float = 0.0  # how long a datasource update keeps its field busy (420s)


def serve(clouds: Sequence[CloudSpec], addons: Collection[str], options: ServeOptions) -> ServedEmulator:
    """Start a standalone emulator serving `clouds`, each with the registered `addons`."""
    configs = [
        CloudConfig(
            c.name,
            c.api_key,
            c.api_secret,
            addons=frozenset(addons),
            reserve_deleted_metadata_ids=options.reserve_deleted_metadata_ids,
            not_entitled=options.not_entitled,
            datasource_update_s=options.datasource_update_s,
        )
        for c in clouds
    ]
    try:
        server = EmulatorServer(
            configs,
            state_file=options.state_file,
            host=options.host,
            port=options.port,
            latency_ms=options.latency_ms,
            rate_limit=options.rate_limit,
            fault_rate=options.fault_rate,
            fault_seed=options.fault_seed,
            allow_remote=options.allow_remote,
        )
        server.start()
    except EmulatorStateError as e:
        raise EmulatorStartError(f"{e}; fix the file, or give --state a new path to start empty") from None
    except ValueError as e:
        raise EmulatorStartError(_serve_advice(e, options.host)) from None
    except OSError as e:
        raise EmulatorStartError(
            f"cannot listen on {options.host}:{options.port}: {e.strerror or e}; "
            "choose another --port (0 picks a free one)"
        ) from None
    masked = {
        # the secret never reaches a log
        cloud: f"cloudinary://{server.state(cloud).api_key}:***@{cloud}?upload_prefix={server.url}"
        for cloud in server.clouds
    }
    return ServedEmulator(server.url, masked, server.stop)


def _serve_advice(error: ValueError, host: str) -> str:
    """The emulator's refusal of a non-loopback host, with the CLI option that permits it (the
    emulator names its Python parameter): it serves anyone who can reach it, so such a host is
    an explicit choice. Other refusals (clouds, add-ons) say what they need already."""
    if not str(error).startswith("refusing to bind non-loopback host"):
        return str(error)
    return (
        f"refusing to serve on the non-loopback host {host!r}: anyone who can reach it could use "
        "the emulated accounts; pass --allow-remote to mean it"
    )

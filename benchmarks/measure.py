"""One benchmark run: a generated account of N objects per kind, an in-process emulator with
a given latency, and the engine driven through the same library calls the CLI makes
(`read_live` + `build_plan`, `read_objects` for a saved plan, `build_steps` + `apply_steps`).

Each phase records the Admin API traffic twice, from the client (`AdminClient.calls`, every
attempt) and from the server (`EmulatorServer.request_log`), plus the new HTTP connections
the SDK opened (urllib3 logs each one) and the wall time. Nothing here asserts on time.
"""

from __future__ import annotations

import logging
import math
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import accounts

from cloudinary_state.client import AdminClient, Credentials
from cloudinary_state.config import load_environment
from cloudinary_state.desired import DesiredState
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.engine.apply import apply_steps, build_steps
from cloudinary_state.engine.forecast import Forecast, forecast_apply
from cloudinary_state.engine.live import read_live, read_objects
from cloudinary_state.engine.plan import Plan, Target, build_plan, default_kinds
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.base import LiveObject

DEFAULT_HOURLY_BUDGET = 2000  # paid plans' Admin API limit (cloudinary-admin-api.md §3)
PAGE_SIZE = 500  # the list endpoints' max_results, which the kinds always ask for
BUILTIN_PROFILES = 7  # the predefined streaming profiles every account has (reference §11)
# Far above any run's traffic, so that no phase ever meets a 420; the budget a phase consumes
# is reported against DEFAULT_HOURLY_BUDGET instead.
EMULATOR_RATE_LIMIT = 10_000_000
# Writes one edited object of each kind costs (accounts._edited): a transformation's new
# definition is one unsafe_update; a field's new label is update_metadata_field and its added
# datasource value update_metadata_field_datasource; a streaming profile (its whole ladder), a
# preset and a mapping are one PUT each, and so is a trigger's new URL (update_trigger, in place).
UPDATE_WRITES_PER_EDIT = {
    "transformation": 1,
    "metadata_field": 2,
    "metadata_rule": 1,
    "streaming_profile": 1,
    "upload_preset": 1,
    "upload_mapping": 1,
    "trigger": 1,
}

T = TypeVar("T")


def list_pages(objects: int) -> int:
    """Calls to list `objects` items: one page of 500 each, and one page even when empty."""
    return max(1, math.ceil(objects / PAGE_SIZE))


def expected_plan_reads(n: int) -> int:
    """The read calls of a plan over an account with `n` objects per kind.

    Transformations: list pages + one GET per named transformation (the list lacks `info`);
    metadata fields and metadata rules: one unpaginated list each (rules have no get-by-id
    endpoint); streaming profiles: one unpaginated list + one GET per profile, the seven
    built-ins every account has included (the list lacks the representations); presets and
    mappings: list pages (the preset list carries the settings); triggers: one unpaginated list
    (the fewest the API allows: it has no other read).
    """
    return (
        list_pages(n) + n + 1 + 1 + (1 + n + BUILTIN_PROFILES) + list_pages(n) + list_pages(n) + 1
    )


PLAN_READ_FORMULA = (
    "pages(N) + N  +  1  +  1  +  1 + (N + 7)  +  pages(N)  +  pages(N)  +  1,"
    "  pages(N) = max(1, ceil(N/500))"
)


def expected_saved_plan_reread() -> int:
    """The reads of `read_objects` over the first plan's changes: all creates on an empty
    account, so each kind's `read_many` is one call that finds nothing (fields, rules and
    triggers: the list; presets and mappings: one empty list page; transformations and
    streaming profiles: one list (of profiles: the built-ins alone), or a 404 GET when there is
    a single name), whatever N."""
    return len(REGISTRY)


def expected_read_back(written: int, live: int) -> int:
    """The read-back of an apply whose waves (one per kind) each wrote `written` objects, in an
    account holding `live` objects per kind: one `read_many` per wave.

    Metadata fields, metadata rules and triggers: one list call each (the written triggers are
    found among all of them by pairing with the config). Presets and mappings: pages(live)
    (the pages stop once every name is found; the benchmark's written objects reach into the
    last page). Transformations: one GET when the wave wrote one, else pages(live) + one GET per
    written transformation (the list lacks the definition). Streaming profiles: likewise, one
    GET when the wave wrote one, else the (unpaginated) list + one GET per written profile.
    """
    transformations = 1 if written == 1 else list_pages(live) + written
    profiles = 1 if written == 1 else 1 + written
    return 1 + transformations + 1 + profiles + list_pages(live) + list_pages(live) + 1


READ_BACK_FORMULA = (
    "1  +  (1 if W == 1 else pages(N) + W)  +  1  +  (1 if W == 1 else 1 + W)  +  pages(N)"
    "  +  pages(N)  +  1,  W written per kind"
)


@dataclass
class Traffic:
    """The Admin API traffic and wall time of one phase."""

    seconds: float
    client_calls: int  # AdminClient.calls: every HTTP attempt, retries included
    server_requests: int  # what the emulator saw
    reads: int  # GET requests
    writes: int  # POST/PUT/DELETE requests
    reads_by_kind: dict[str, int]
    writes_by_kind: dict[str, int]
    connections_opened: int  # new TCP connections the SDK's urllib3 pool made
    rate_limit_used: int | None  # budget consumed, from the X-FeatureRateLimit-Remaining header

    @property
    def budget_fraction(self) -> float:
        return self.client_calls / DEFAULT_HOURLY_BUDGET


@dataclass
class RunResult:
    """Every phase of one (size, latency, parallelism) run."""

    size: int
    latency_ms: int
    parallelism: int
    edited_per_kind: int
    config_load_seconds: float = 0.0  # load_environment of the generated config (every CLI run pays it)
    phases: dict[str, Traffic] = field(default_factory=dict)
    plan_build_seconds: dict[str, float] = field(default_factory=dict)  # the pure build_plan part
    plan_changes: dict[str, int] = field(default_factory=dict)  # changes each plan found
    # each plan's call forecast for its apply (engine/forecast.py), checked against the phases
    forecasts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name, traffic in self.phases.items():
            data["phases"][name]["budget_fraction"] = round(traffic.budget_fraction, 4)
        return data


class _ConnectionCounter(logging.Handler):
    """Counts urllib3's "Starting new HTTP connection" records: one per TCP connection."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.opened = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Starting new HTTP"):
            self.opened += 1


@contextmanager
def counting_connections() -> Iterator[_ConnectionCounter]:
    logger = logging.getLogger("urllib3.connectionpool")
    counter = _ConnectionCounter()
    saved = (logger.level, logger.propagate)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # "pool is full" warnings are counted here, not printed
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


class Bench:
    """An emulator, a client for it and the connection counter: measures phases."""

    def __init__(self, emu: EmulatorServer, client: AdminClient, connections: _ConnectionCounter) -> None:
        self.emu = emu
        self.client = client
        self.connections = connections
        self.kinds = default_kinds()

    def phase(self, action: Callable[[], T]) -> tuple[T, Traffic]:
        """Run `action` with fresh counters and a fresh hourly budget."""
        self.emu.clear_log()
        self.emu.reset_budget()
        calls_before, connections_before = self.client.calls, self.connections.opened
        started = time.perf_counter()
        value = action()
        seconds = time.perf_counter() - started
        log = self.emu.request_log
        reads = Counter(r.path.split("/")[0] for r in log if r.method == "GET")
        writes = Counter(r.path.split("/")[0] for r in log if r.method != "GET")
        remaining = self.client.rate_limit_remaining
        calls = self.client.calls - calls_before
        traffic = Traffic(
            seconds=round(seconds, 4),
            client_calls=calls,
            server_requests=len(log),
            reads=sum(reads.values()),
            writes=sum(writes.values()),
            reads_by_kind=dict(sorted(reads.items())),
            writes_by_kind=dict(sorted(writes.items())),
            connections_opened=self.connections.opened - connections_before,
            rate_limit_used=EMULATOR_RATE_LIMIT - remaining if remaining is not None and calls else None,
        )
        return value, traffic

    def read_and_plan(
        self, desired: DesiredState, parallelism: int
    ) -> tuple[Plan, dict[Target, LiveObject], float]:
        """What `plan` does: read every kind (under the plan's names: paired with the config),
        then build the plan (its time returned apart) and forecast its apply's calls."""
        listed: dict[str, int] = {}
        live = read_live(self.client, self.kinds, parallelism=parallelism, desired=desired, listed=listed)
        started = time.perf_counter()
        plan = build_plan(
            desired,
            live,
            digest_key=self.client.credentials.api_secret.encode(),
            kinds=self.kinds,
            live_paired=True,
        )
        build_seconds = time.perf_counter() - started
        by_key = {(kind, name): obj for kind, objects in live.items() for name, obj in objects.items()}
        forecast = forecast_apply(plan, desired, by_key, listed, self.kinds)
        return replace(plan, forecast=forecast), by_key, build_seconds

    def apply(
        self, desired: DesiredState, plan: Plan, live: dict[Target, LiveObject], parallelism: int
    ) -> None:
        """What `apply` does after planning: the waves, each one read back in bulk."""
        declared = {(obj.kind, obj.name): obj for obj in desired.objects}
        apply_steps(
            self.client,
            build_steps(plan.changes, declared, live),
            self.kinds,
            parallelism=parallelism,
            desired=desired,
        )


def read_kinds_concurrently(bench: Bench, parallelism: int) -> None:
    """Every kind's `read_all` started at once, unbounded: the same calls as `read_live`, so
    only the wall time differs. The engine overlaps the kinds within --parallelism (at p=1 it
    reads them in turn); this measures what the unbounded overlap would give next to it."""
    with ThreadPoolExecutor(max_workers=len(bench.kinds)) as pool:
        for future in [
            pool.submit(kind.read_all, bench.client, parallelism) for kind in bench.kinds.values()
        ]:
            future.result()


def run_one(size: int, latency_ms: int, parallelism: int, *, repeat: int = 3) -> RunResult:
    """Plan an empty account, create it, plan it (`repeat` times, fastest kept), apply again,
    update 10% of it, and plan once more."""
    result = RunResult(size, latency_ms, parallelism, accounts.edited_count(size))
    with tempfile.TemporaryDirectory(prefix="cloudinary-state-bench-") as tmp:
        config_dir = Path(tmp)
        accounts.write_config(config_dir, size)
        loads = []
        for _ in range(max(1, repeat)):
            started = time.perf_counter()
            desired = load_environment(config_dir, accounts.ENV, REGISTRY, environ={})
            loads.append(time.perf_counter() - started)
        result.config_load_seconds = round(min(loads), 4)
        accounts.write_config(config_dir, size, edit=True)
        edited = load_environment(config_dir, accounts.ENV, REGISTRY, environ={})
        emulator = EmulatorServer(
            [CloudConfig(accounts.CLOUD)], latency_ms=latency_ms, rate_limit=EMULATOR_RATE_LIMIT
        )
        with emulator as emu, counting_connections() as connections:
            client = AdminClient(Credentials.from_url(emu.cloudinary_url(accounts.CLOUD)))
            bench = Bench(emu, client, connections)
            phases, builds, changes = result.phases, result.plan_build_seconds, result.plan_changes

            def plan_phase(name: str, state: DesiredState) -> tuple[Plan, dict[Target, LiveObject]]:
                (plan, live, build), phases[name] = bench.phase(
                    lambda: bench.read_and_plan(state, parallelism)
                )
                builds[name], changes[name] = round(build, 4), len(plan.changes)
                assert plan.forecast is not None
                result.forecasts[name] = plan.forecast.as_dict()
                return plan, live

            plan, live = plan_phase("plan_empty", desired)
            # `apply PLAN_FILE` first re-reads every object the saved plan touches
            touched = [(c.kind, c.name) for c in plan.changes]
            _, phases["saved_plan_reread"] = bench.phase(
                lambda: read_objects(client, bench.kinds, touched, parallelism=parallelism, desired=desired)
            )
            _, phases["apply_create"] = bench.phase(lambda: bench.apply(desired, plan, live, parallelism))

            fastest: tuple[Traffic, float] | None = None
            for _ in range(max(1, repeat)):
                plan_phase("plan", desired)
                if fastest is None or phases["plan"].seconds < fastest[0].seconds:
                    fastest = (phases["plan"], builds["plan"])
            assert fastest is not None
            phases["plan"], builds["plan"] = fastest
            # what-if for the engine: the same reads with the kinds overlapped instead of in turn
            phases["read_kinds_concurrently"] = min(
                (
                    bench.phase(lambda: read_kinds_concurrently(bench, parallelism))[1]
                    for _ in range(max(1, repeat))
                ),
                key=lambda traffic: traffic.seconds,
            )

            plan, live = plan_phase("plan_before_second_apply", desired)
            _, phases["apply_second"] = bench.phase(lambda: bench.apply(desired, plan, live, parallelism))

            plan, live = plan_phase("plan_update", edited)
            _, phases["apply_update"] = bench.phase(lambda: bench.apply(edited, plan, live, parallelism))
            plan_phase("plan_after_update", edited)
    return result


# Each apply phase and the plan whose apply it is: the forecast must be the calls measured.
FORECAST_CHECKS = (
    ("plan_empty", "apply_create"),
    ("plan_before_second_apply", "apply_second"),
    ("plan_update", "apply_update"),
)


def forecast_failures(result: RunResult) -> list[str]:
    """The call forecast of each plan (engine/forecast.py, the same function `plan` uses)
    against what its apply made: writes, read-backs, and a saved plan's re-read."""
    failures = []
    where = f"N={result.size} latency={result.latency_ms} p={result.parallelism}"
    for plan_phase, apply_phase in FORECAST_CHECKS:
        forecast = Forecast.from_dict(result.forecasts[plan_phase])
        traffic = result.phases[apply_phase]
        measured = (traffic.writes, traffic.reads)
        if measured != (forecast.writes, forecast.read_backs):
            failures.append(
                f"{where}: {apply_phase}: (writes, read-backs) measured {measured}, forecast by "
                f"{plan_phase} {(forecast.writes, forecast.read_backs)}"
            )
    reread = Forecast.from_dict(result.forecasts["plan_empty"]).reread
    if result.phases["saved_plan_reread"].reads != reread:
        failures.append(
            f"{where}: saved_plan_reread: measured {result.phases['saved_plan_reread'].reads}, "
            f"forecast {reread}"
        )
    return failures


def check_invariants(result: RunResult) -> list[str]:
    """The call-count invariants of one run; an empty list when all hold.

    Some are correctness (client and server agree, a plan writes nothing, a second apply
    writes nothing, the plan is empty after every apply); the others pin the current cost
    formulas, so that an engine change that alters them shows here and the README numbers
    get refreshed with it."""
    n, edits, p = result.size, result.edited_per_kind, result.phases
    kinds = len(REGISTRY)
    failures: list[str] = []

    def expect(what: str, measured: object, wanted: object) -> None:
        if measured != wanted:
            failures.append(
                f"N={n} latency={result.latency_ms} p={result.parallelism}: {what}: "
                f"measured {measured}, expected {wanted}"
            )

    for name, traffic in p.items():
        expect(f"{name}: client calls vs emulator requests", traffic.client_calls, traffic.server_requests)
    expect("changes planned for the empty account", result.plan_changes["plan_empty"], kinds * n)
    expect("plan reads", p["plan"].reads, expected_plan_reads(n))
    expect("plan writes", p["plan"].writes, 0)
    expect("reads with the kinds overlapped", p["read_kinds_concurrently"].reads, expected_plan_reads(n))
    expect("changes after the creates", result.plan_changes["plan"], 0)
    expect("saved-plan re-read calls", p["saved_plan_reread"].reads, expected_saved_plan_reread())
    expect("create writes", p["apply_create"].writes, kinds * n)
    expect("create read-backs", p["apply_create"].reads, expected_read_back(n, n))
    expect("second apply writes", p["apply_second"].writes, 0)
    expect("changes in the update plan", result.plan_changes["plan_update"], kinds * edits)
    expect("update writes", p["apply_update"].writes, sum(UPDATE_WRITES_PER_EDIT.values()) * edits)
    expect("update read-backs", p["apply_update"].reads, expected_read_back(edits, n))
    expect("changes after the update", result.plan_changes["plan_after_update"], 0)
    failures += forecast_failures(result)
    if result.parallelism == 1 and p["plan"].rate_limit_used is not None:
        # serial calls: the last header seen counts every call of the phase
        expect("hourly budget used by a plan (header)", p["plan"].rate_limit_used, p["plan"].client_calls)
    return failures

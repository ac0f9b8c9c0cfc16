"""The Python API (the facade the CLI itself uses): open a config directory, connect to an
environment's account, and run the jobs, each returning a value.

    from cloudinary_state import Project

    project = Project.open(".")
    run = project.validate()                            # offline: ValidationRun
    with project.connect("staging", emulator=True) as conn:
        plan = conn.plan()                              # Plan
        result = conn.apply(plan)                       # ApplyResult
        report = conn.drift()                           # DriftReport

A connection reaches the live account with the environment's credentials variable, or with
`emulator=True` an in-process emulator whose state persists in
`<config-dir>/.cloudinary-state/emulator/<env>.json` (as `--emulator` does). It connects on
first use: a saved plan's digest is verified before anything is started or sent.

Nothing here prints. Progress and events go to the callbacks given to `Project` and to the
stdlib logger `cloudinary_state` (this package installs no handler but a NullHandler):

- `cloudinary_state.progress`, INFO: progress of long reads ("reading upload_preset objects")
  and applies (each write that went through, "wrote upload_preset:x", before its read-back);
- `cloudinary_state`, INFO: each change an apply applied or failed; DEBUG: how the run is
  connected; TRACE (5): each Admin API call, by function name (never its parameters).

Every message, and every CloudinaryStateError leaving a connection, has the environment's
secrets (`${env.*}` values, the api_secret) cut out. Interactive confirmation is the caller's:
`apply` takes a `confirm` callback.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeAlias

from cloudinary_state.errors import CloudinaryStateError, PolicyRefusal
from cloudinary_state.scrubbing import scrub_text

if TYPE_CHECKING:
    from cloudinary_state.audit import DriftReport
    from cloudinary_state.client import AdminClient, Credentials
    from cloudinary_state.config import ValidationRun
    from cloudinary_state.desired import DesiredState, KindName
    from cloudinary_state.engine.apply import ApplyReport, WaveGate
    from cloudinary_state.engine.plan import Change, Plan, Target
    from cloudinary_state.engine.rehearsal_report import Rehearsal
    from cloudinary_state.engine.saved_plan import PlanFile
    from cloudinary_state.envdiff import EnvDiff
    from cloudinary_state.importer import ImportResult
    from cloudinary_state.kinds.base import Kind, LiveObject
    from cloudinary_state.promote import Promotion
    from cloudinary_state.scaffold import ActionReference, NewEnvironment, Scaffold
    from cloudinary_state.trypreset import TryPresetResult

TRACE = 5  # below DEBUG: one record per Admin API call (-vv)
LOGGER = logging.getLogger("cloudinary_state")
PROGRESS_LOGGER = logging.getLogger("cloudinary_state.progress")
# A library adds no handler but this one (logging HOWTO): without any handler configured,
# Python's last-resort handler would print warnings to stderr, and the library never prints.
if not any(isinstance(h, logging.NullHandler) for h in LOGGER.handlers):
    LOGGER.addHandler(logging.NullHandler())

Progress = Callable[[str], None]
ChangeEvent: TypeAlias = "Callable[[Change, str], None]"  # (change, "applied" | "failed: <why>")


def _parse_targets(targets: Iterable[Target | str]) -> list[Target]:
    """`("upload_preset", "x")` or `"upload_preset:x"` (TargetError, a ValueError, if malformed)."""
    from cloudinary_state.engine.plan import parse_target

    return [parse_target(t) if isinstance(t, str) else t for t in targets]


@dataclass(frozen=True)
class ApplyResult:
    """What `Connection.apply` did: the plan it applied (shown to `on_plan`), and the report of
    each change. `cancelled`: `confirm` said no, nothing was written."""

    plan: Plan
    report: ApplyReport
    cancelled: bool = False


@dataclass(frozen=True)
class ImportRun:
    """What `Connection.import_` read (the files it makes, their placeholders, notes), and the
    paths it wrote (none without `output`)."""

    result: ImportResult
    written: tuple[Path, ...] = ()


@dataclass(frozen=True)
class ShownPlan:
    """A saved plan read for showing (`Project.show_plan`): its document as written, the plan
    it holds, and whether its digest was verified (False: no key was at hand to verify it)."""

    path: Path
    document: Mapping[str, Any]
    plan: Plan
    verified: bool


@dataclass
class Project:
    """A config directory (the one holding `environments/`). Opening reads nothing: each job
    loads the environments it needs, and reports config errors as ConfigError.

    `environ` is where `${env.*}` values and credentials variables are read (the process
    environment by default). `on_progress` and `on_change` receive what the loggers receive,
    for progress bars and event streams.
    """

    config_dir: Path
    environ: Mapping[str, str] | None = None
    on_progress: Progress | None = None
    on_change: ChangeEvent | None = None
    _secrets: set[str] = field(default_factory=set, repr=False)

    @classmethod
    def open(
        cls,
        config_dir: str | os.PathLike[str] = ".",
        *,
        environ: Mapping[str, str] | None = None,
        on_progress: Progress | None = None,
        on_change: ChangeEvent | None = None,
    ) -> Project:
        return cls(Path(config_dir), environ, on_progress, on_change)

    @property
    def secrets(self) -> frozenset[str]:
        """Every value to keep out of output, of every environment loaded or connected so far."""
        return frozenset(self._secrets)

    def environments(self) -> list[str]:
        """The names of the environments (`environments/*.yaml`)."""
        from cloudinary_state.config import list_environments

        return list_environments(self.config_dir)

    def init(
        self, environments: Sequence[NewEnvironment] = (), *, action: ActionReference | None = None
    ) -> Scaffold:
        """Start a project here: the environments (staging and production by default), a shared
        resource document and the schemas in the config directory, the GitHub workflows and a
        pre-commit config at its git repository's root. Never overwrites a file."""
        from cloudinary_state.kinds import REGISTRY
        from cloudinary_state.scaffold import DEFAULT_ENVIRONMENTS, scaffold

        return scaffold(self.config_dir, environments or DEFAULT_ENVIRONMENTS, REGISTRY, action)

    def validate(self, envs: Iterable[str] | None = None, *, strict: bool = False) -> ValidationRun:
        """Check environments offline (all of them by default); unset `${env.*}` are warnings.
        `strict`: a stripped add-on option is an error."""
        from cloudinary_state.config import validate_environments
        from cloudinary_state.kinds import REGISTRY

        names = None if envs is None else list(envs)
        return validate_environments(self.config_dir, names, REGISTRY, strict=strict, environ=self.environ)

    def write_schemas(self) -> list[Path]:
        """Write `schemas/*.schema.json` from the kinds' models: the files whose text changed."""
        from cloudinary_state.config.schema import SCHEMA_DIR, write_schemas
        from cloudinary_state.kinds import REGISTRY

        return write_schemas(self.config_dir / SCHEMA_DIR, REGISTRY)

    def stale_schemas(self) -> list[Path]:
        """The schema files that are missing or differ from what the models generate."""
        from cloudinary_state.config.schema import SCHEMA_DIR, stale_schemas
        from cloudinary_state.kinds import REGISTRY

        return stale_schemas(self.config_dir / SCHEMA_DIR, REGISTRY)

    def load(self, env: str, *, require_env: bool = True) -> DesiredState:
        """An environment's desired state (ConfigError with every problem found)."""
        from cloudinary_state.config import load_environment
        from cloudinary_state.kinds import REGISTRY

        desired = load_environment(
            self.config_dir, env, REGISTRY, environ=self.environ, require_env=require_env
        )
        self.remember_secrets(desired.secrets)
        return desired

    def remember_secrets(self, secrets: Iterable[str]) -> None:
        """Add values to keep out of everything shown for this project."""
        self._secrets.update(secrets)

    def connect(self, env: str, *, emulator: bool = False) -> Connection:
        """Load `env` (ConfigError before any connection) and make a connection to its account:
        the one its credentials variable names (CredentialsError when unset, malformed or for
        another cloud), or with `emulator` the embedded emulator. Use it as a context manager."""
        desired = self.load(env)
        if emulator:
            from cloudinary_state.runner_emulator import EmbeddedEmulator, state_file

            desired = self._emulated(desired)
            embedded = EmbeddedEmulator(desired, state_file(self.config_dir, env))
            return Connection(self, desired, embedded.api_secret, embedded.start)
        credentials = self._credentials(desired)
        desired = replace(desired, cloud_name=credentials.cloud_name)  # the same, or left out
        return Connection(self, desired, credentials.api_secret, lambda _stack: credentials)

    def _emulated(self, desired: DesiredState) -> DesiredState:
        """`desired` for an emulated account: an environment that leaves `cloud_name` out gets
        the cloud of its credentials when they are set, else one named after it (the emulator
        needs no credentials)."""
        from cloudinary_state.client import CredentialsError

        if desired.cloud_name is not None:
            return desired
        try:
            return replace(desired, cloud_name=self._credentials(desired).cloud_name)
        except CredentialsError:
            return replace(desired, cloud_name=desired.environment)

    def _credentials(self, desired: DesiredState) -> Credentials:
        """The credentials `desired` names; an environment that declares `cloud_name` must
        name credentials of that cloud."""
        from cloudinary_state.client import Credentials, CredentialsError

        environ = os.environ if self.environ is None else self.environ
        credentials = Credentials.from_env(desired.credentials_env, environ)
        if desired.cloud_name is not None and credentials.cloud_name != desired.cloud_name:
            raise CredentialsError(
                f"{desired.credentials_env} is for cloud {credentials.cloud_name!r}, but environment "
                f"{desired.environment!r} declares cloud_name {desired.cloud_name!r}"
            )
        return credentials

    def read_plan_file(self, path: str | os.PathLike[str]) -> PlanFile:
        """A saved plan file, read but not trusted: `Connection.apply` verifies it. Raises
        PlanFileError for a file that cannot be read or is no plan (no credentials needed)."""
        from cloudinary_state.engine.saved_plan import PlanFile

        return PlanFile.read(Path(path))

    def show_plan(
        self, path: str | os.PathLike[str], *, env: str | None = None, emulator: bool = False
    ) -> ShownPlan:
        """A saved plan, for reading: without `env` no credentials are read and its digest
        (keyed by the account's api_secret) is not verified; with `env` it is verified with
        that environment's key (RefusedPlanError, exit 3, when it does not match), and still
        nothing is sent to the account."""
        from cloudinary_state.engine.plan import default_kinds
        from cloudinary_state.engine.saved_plan import PlanFile, printable

        saved = self.read_plan_file(path)
        if env is not None:
            with self.connect(env, emulator=emulator) as conn, conn._scrubbed():
                saved.verify(conn.digest_key, default_kinds(), env)  # connects to nothing
        # shown as printable text, verified or not: a file's strings can hold escape sequences
        shown = PlanFile(saved.path, printable(saved.document))
        return ShownPlan(saved.path, shown.document, shown.unverified(default_kinds()), env is not None)

    def diff(self, env_a: str, env_b: str) -> EnvDiff:
        """Compare two environments' configs, offline (`Connection.diff` compares the accounts).
        A `${env.*}` value is masked whatever it is, so unset ones need not be set."""
        from cloudinary_state.engine.plan import default_kinds
        from cloudinary_state.envdiff import compare, side_from_desired

        kinds = default_kinds()
        a, b = self.load(env_a, require_env=False), self.load(env_b, require_env=False)
        return compare(side_from_desired(a, kinds), side_from_desired(b, kinds), "desired")

    def try_preset(
        self, env: str, preset: str, file: str | os.PathLike[str], *, public_id: str | None = None
    ) -> TryPresetResult:
        """What the upload preset `preset` of `env` does to `file`: the environment's rendered
        config applied to a fresh emulated account (in memory, never the project's state file),
        then `file` uploaded through the preset with the SDK's upload call (signed). Nothing is
        sent to the account and no credentials are read; an unset `${env.*}` stays a visible
        placeholder. `public_id` is given to the upload beside the preset, as a caller would.

        Raises ConfigError, or TryPresetError for an unknown preset (with a did-you-mean), a
        file that cannot be read, or an upload the preset refuses (a format `allowed_formats`
        does not list), each before or instead of an upload."""
        from cloudinary_state import trypreset
        from cloudinary_state.client import AdminClient
        from cloudinary_state.engine.plan import default_kinds
        from cloudinary_state.runner_emulator import scratch_emulator

        desired = self._emulated(self.load(env, require_env=False))
        kinds = default_kinds()
        kind = trypreset.target_kind(kinds)
        trial = trypreset.Trial(
            desired,
            kind,
            trypreset.choose(desired, kind, preset),
            *trypreset.read_file(file),
            explicit={"public_id": public_id} if public_id else {},
        )
        emulator = scratch_emulator(desired)
        with ExitStack() as stack, _scrubbed(desired.secrets):
            self.progress(f"applying {env}'s config to a fresh emulated account, then uploading {file}")
            client = AdminClient(emulator.start(stack))
            stack.callback(client.close)
            digest_key = emulator.api_secret.encode()
            return trypreset.run(client, trial, kinds, digest_key=digest_key, calls=lambda: client.calls)

    def progress(self, message: str) -> None:
        PROGRESS_LOGGER.info(message)
        if self.on_progress is not None:
            self.on_progress(message)


@contextmanager
def _scrubbed(secrets: Collection[str]) -> Iterator[None]:
    """No error leaves with one of `secrets` in it."""
    try:
        yield
    except CloudinaryStateError as e:
        e.args = (scrub_text(str(e), secrets),)
        raise


class _Traced:
    """The client as the engine sees it: each call logged at TRACE by name (its parameters
    can hold secrets, so they are never logged)."""

    def __init__(self, client: AdminClient) -> None:
        self._client = client

    def call(self, function: str, /, *args: Any, **params: Any) -> dict[str, Any]:
        LOGGER.log(TRACE, "Admin API call: %s", function)
        return self._client.call(function, *args, **params)


class Connection:
    """One environment and its account. Made by `Project.connect`; connects (or starts the
    embedded emulator) on first use, and closes when its `with` block ends."""

    def __init__(
        self,
        project: Project,
        desired: DesiredState,
        api_secret: str,
        start: Callable[[ExitStack], Credentials],
    ) -> None:
        self.project = project
        self.desired = desired
        # everything to scrub from output: the ${env.*} values, the api_secret
        self.secrets: frozenset[str] = desired.secrets | {api_secret}
        # keys the plan's hashes: the account's api_secret, which a reader of a plan file lacks
        self.digest_key = api_secret.encode()
        project.remember_secrets(self.secrets)
        self._start = start
        self._stack = ExitStack()
        self._lock = threading.Lock()
        self._client: AdminClient | None = None
        self._closed = False
        self._latest_plan: tuple[Plan, dict[Target, LiveObject]] | None = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the embedded emulator, if this connection started one."""
        with self._lock:
            self._closed = True
            self._stack.close()

    @property
    def environment(self) -> str:
        return self.desired.environment

    @property
    def client(self) -> AdminClient:
        """The Admin API client, connected (the emulator started) on first use."""
        return self._connect()

    def _connect(self) -> AdminClient:
        from cloudinary_state.client import AdminClient

        with self._lock:
            if self._closed:
                raise RuntimeError(f"the connection to {self.environment!r} is closed")
            if self._client is None:
                self._client = AdminClient(self._start(self._stack))
            return self._client

    @property
    def connected(self) -> bool:
        """Whether this connection has connected (started its emulator) yet."""
        return self._client is not None

    @property
    def api_calls(self) -> int:
        """Admin API calls made so far (retries included); 0 before connecting."""
        return self._client.calls if self._client is not None else 0

    @property
    def rate_limit_remaining(self) -> int | None:
        """The hourly budget left, as the responses reported it (None when unknown): the
        lowest of the current window, since concurrent answers arrive out of order."""
        return self._client.budget_left if self._client is not None else None

    @property
    def budget_resets_at(self) -> float | None:
        """When the hourly budget resets (epoch seconds), when the server reported it."""
        return self._client.rate_limit_reset_at if self._client is not None else None

    def _api(self) -> _Traced:
        """The client, as the engine is given it (connecting on first use)."""
        return _Traced(self.client)

    @property
    def _kinds(self) -> Mapping[KindName, Kind]:
        from cloudinary_state.engine.plan import default_kinds

        return default_kinds()

    @contextmanager
    def _scrubbed(self, *others: Connection) -> Iterator[None]:
        """Second line of defence: no error leaves with a secret of these environments in it."""
        try:
            yield
        except CloudinaryStateError as e:
            secrets = self.secrets.union(*(o.secrets for o in others))
            e.args = (scrub_text(str(e), secrets),)
            raise

    # --- plan ----------------------------------------------------------------------------------

    def plan(
        self,
        targets: Iterable[Target | str] = (),
        *,
        parallelism: int = 8,
        allow_delete: bool = False,
        rehearse: bool = False,
    ) -> Plan:
        """Read the account and plan (narrowed to `targets`, KIND:NAME, when given). The plan
        carries this connection's Admin API calls so far, the impact of each destructive
        change, and with `allow_delete` the approval of its deletes and replaces (a saved plan
        then applies them without the flag). Raises TargetError (a ValueError) for a target
        the config and the account do not have.

        `rehearse`: then apply the plan to an emulated copy of the account, loaded with what
        was read (engine/rehearsal.py), and carry the outcome (`Plan.rehearsal`). Nothing is
        written to the account: a rehearsal needs only read access."""
        chosen = _parse_targets(targets)
        result, live = self._read_and_plan(chosen, parallelism, impact=True)
        result = replace(result, approved_deletes=allow_delete)
        self._latest_plan = (result, live)  # what `apply(result)` writes against
        if rehearse:
            result = replace(result, rehearsal=self._rehearse(result, live, chosen, parallelism))
            # a narrowed plan's rehearsal read the rest of the account: the run's counts include it
            result = self.with_run_counts(result)
            self._latest_plan = (result, live)
        return result

    def _read_and_plan(
        self, targets: Iterable[Target | str], parallelism: int, *, impact: bool = False
    ) -> tuple[Plan, dict[Target, LiveObject]]:
        from cloudinary_state.engine.impact import with_impacts
        from cloudinary_state.engine.live import read_and_plan

        with self._scrubbed():
            result, live = read_and_plan(
                self._api(),
                self.desired,
                self._kinds,
                digest_key=self.digest_key,
                targets=_parse_targets(targets),
                parallelism=parallelism,
                progress=self.project.progress,
            )
            if impact and result.has_changes:
                result = with_impacts(
                    self._api(), result, live, self.desired, self._kinds, parallelism=parallelism
                )
            return self.with_run_counts(result), live

    def _rehearse(
        self, plan: Plan, live: dict[Target, LiveObject], targets: list[Target], parallelism: int
    ) -> Rehearsal:
        """`plan` applied to a fresh emulated copy of this account (see `plan`)."""
        from cloudinary_state.client import AdminClient
        from cloudinary_state.engine.live import read_live
        from cloudinary_state.engine.rehearsal import assumptions, rehearse
        from cloudinary_state.runner_emulator import rehearsal_emulator

        with self._scrubbed(), ExitStack() as stack:
            if targets:  # a narrowed plan read only its kinds: the copy needs the whole account
                rest = set(self._kinds) - {kind for kind, _ in live}
                more = read_live(
                    self._api(), self._kinds, parallelism=parallelism, only=rest, desired=self.desired
                )
                live = live | {(k, n): o for k, objects in more.items() for n, o in objects.items()}
            emulator = rehearsal_emulator(self.desired, live.values())
            self.project.progress(
                f"rehearsing the plan on an emulated copy of {self.environment} ({len(live)} objects)"
            )
            client = AdminClient(emulator.start(stack))
            stack.callback(client.close)
            outcome = rehearse(
                _Traced(client),
                self.desired,
                plan,
                live,
                self._kinds,
                digest_key=emulator.api_secret.encode(),
                notes=assumptions(self.desired, emulator.addons),
                calls=lambda: client.calls,
                targets=targets,
                parallelism=parallelism,
            )
        # the reasons quote API errors, which can echo a value this run sent (from ${env.*})
        failed = tuple(replace(f, reason=scrub_text(f.reason, self.secrets)) for f in outcome.failed)
        return replace(outcome, failed=failed)

    def with_run_counts(self, plan: Plan) -> Plan:
        """`plan` carrying this connection's Admin API calls and budget, for its summary line,
        and its forecast beside the budget left."""
        forecast = plan.forecast
        if forecast is not None:
            forecast = forecast.with_budget(self.rate_limit_remaining, self.budget_resets_at)
        return replace(
            plan, api_calls=self.api_calls, rate_limit_remaining=self.rate_limit_remaining, forecast=forecast
        )

    def check_rehearsal(self, plan: Plan) -> None:
        """Raise RehearsalFailed (exit 1) when `plan` was rehearsed and did not converge,
        naming each object and the reason (secrets cut out)."""
        from cloudinary_state.engine.rehearsal_report import check_rehearsal

        with self._scrubbed():
            check_rehearsal(plan.rehearsal)

    def check_policy(self, plan: Plan) -> None:
        """Raise PolicyRefusal (exit 3) when the environment's policy refuses `plan`
        (protected objects, the delete threshold)."""
        from cloudinary_state.engine.safety import check_plan

        with self._scrubbed():
            check_plan(plan, self.desired.policy)

    def policy_refusal(self, plan: Plan) -> PolicyRefusal | None:
        """The PolicyRefusal `check_policy` would raise, as a value (None: allowed), for a
        caller that shows it with the plan before raising it."""
        try:
            self.check_policy(plan)
        except PolicyRefusal as e:
            return e
        return None

    def save_plan(self, plan: Plan, path: str | os.PathLike[str]) -> None:
        """Write `plan` as a plan file (`plan --out`), secrets scrubbed, signed for this account."""
        from cloudinary_state.engine.planfile import write_plan

        with self._scrubbed():
            write_plan(Path(path), plan, self.secrets, digest_key=self.digest_key)

    # --- apply ---------------------------------------------------------------------------------

    def apply(
        self,
        plan: Plan | PlanFile | str | os.PathLike[str] | None = None,
        *,
        targets: Iterable[Target | str] = (),
        allow_delete: bool = False,
        allow_partial: bool = False,
        parallelism: int = 8,
        on_plan: Callable[[Plan], None] | None = None,
        confirm: Callable[[Plan], bool] | None = None,
        cancel: threading.Event | None = None,
    ) -> ApplyResult:
        """Apply a plan: a new one (None, narrowed to `targets`), the latest this connection made
        with `plan()`, or a saved plan file (a path, or a `PlanFile` read earlier).

        `on_plan` is shown the plan before anything is checked or written. `confirm` is asked
        only about a plan made here (None: approved); a saved plan was reviewed when it was
        made, and is re-read and refused (exit 3) when its objects moved since. Deletes and
        replaces need `allow_delete`. Raises ApplyFailed, carrying the report, when a change
        did not converge; every write is read back. Setting `cancel` (from another thread or a
        signal handler) stops the apply between writes: those in flight finish and are read
        back, and ApplyInterrupted (exit 130) carries the report of what was and was not applied.

        The plan's call forecast must fit the hourly budget left once its objects are read
        (BudgetRefusal, exit 3, before the question and any write); with `allow_partial` it
        applies whole dependency waves while the budget lasts instead, and raises ApplyFailed
        saying when the budget resets once it stopped before a wave.
        """
        from cloudinary_state.engine.apply import ApplyReport
        from cloudinary_state.engine.safety import check_apply

        saved = self._plan_file(plan)
        targets = list(targets)
        if plan is not None and targets:
            raise ValueError("targets narrow a new plan; a saved plan applies as it was reviewed")
        with self._scrubbed():
            chosen, live = self._plan_to_apply(plan, saved, targets, parallelism)
            if on_plan is not None:
                on_plan(chosen)
            if not chosen.has_changes:
                return ApplyResult(chosen, ApplyReport())
            # refused before the re-read or the question (apply_plan checks again before writing)
            check_apply(chosen, self.desired.policy, allow_delete=allow_delete, kinds=self._kinds)
            if saved is not None:
                live = self._reread(saved, chosen, parallelism)
            gate = self._budget_gate(chosen, live, allow_partial)
            if saved is None and plan is None and confirm is not None and not confirm(chosen):
                return ApplyResult(chosen, ApplyReport(), cancelled=True)
            report = self._write(
                chosen, live, allow_delete=allow_delete, parallelism=parallelism, gate=gate, cancel=cancel
            )
        return ApplyResult(chosen, report)

    def _budget_gate(
        self, plan: Plan, live: Mapping[Target, LiveObject | None], allow_partial: bool
    ) -> WaveGate | None:
        """Refuse an apply the hourly budget left cannot finish (BudgetRefusal); with
        `allow_partial`, the check before each wave instead."""
        from cloudinary_state.engine.apply import plan_steps, waves
        from cloudinary_state.engine.forecast import check_budget, wave_gate

        if plan.forecast is None:
            return None
        if not allow_partial:
            check_budget(plan.forecast, self.rate_limit_remaining, self.budget_resets_at)
            return None
        count = len(waves(plan_steps(plan, self.desired, live, self._kinds), self._kinds))
        left, resets_at = (lambda: self.rate_limit_remaining), (lambda: self.budget_resets_at)
        return wave_gate(plan.forecast, count, left, resets_at)

    @staticmethod
    def _plan_file(plan: object) -> PlanFile | None:
        """The saved plan `plan` names, read (PlanFileError before credentials matter)."""
        from cloudinary_state.engine.saved_plan import PlanFile

        if isinstance(plan, PlanFile):
            return plan
        if isinstance(plan, str | os.PathLike):
            return PlanFile.read(Path(plan))
        return None

    def _plan_to_apply(
        self, plan: object, saved: PlanFile | None, targets: list[Target | str], parallelism: int
    ) -> tuple[Plan, Mapping[Target, LiveObject | None]]:
        if saved is not None:
            verified = saved.verify(self.digest_key, self._kinds, self.environment)  # before connecting
            self._connect()  # a refusal from here on ends a run that connected (the CLI's calls line)
            saved.check_matches(verified, self.desired, self.digest_key)
            return verified, {}  # the live objects come from `reread`, once the plan is allowed
        if plan is None:
            return self._read_and_plan(targets, parallelism, impact=True)
        if self._latest_plan is None or self._latest_plan[0] is not plan:
            raise ValueError("apply takes the latest plan this connection made, or a saved plan file")
        return self._latest_plan

    def _reread(self, saved: PlanFile, plan: Plan, parallelism: int) -> dict[Target, LiveObject | None]:
        """The objects a saved plan touches, as they are now: refused when they moved."""
        return saved.reread(
            self._api(),
            plan,
            self.desired,
            digest_key=self.digest_key,
            kinds=self._kinds,
            parallelism=parallelism,
        )

    def _write(
        self,
        plan: Plan,
        live: Mapping[Target, LiveObject | None],
        *,
        allow_delete: bool,
        parallelism: int,
        gate: WaveGate | None = None,
        cancel: threading.Event | None = None,
    ) -> ApplyReport:
        from cloudinary_state.engine.apply import ApplyFailed, apply_plan

        try:
            return apply_plan(
                self._api(),
                self.desired,
                plan,
                live,
                allow_delete=allow_delete,
                kinds=self._kinds,
                parallelism=parallelism,
                on_event=self._changed,
                before_wave=gate,
                cancel=cancel,
                on_written=lambda change: self.project.progress(f"wrote {change.key}"),
            )
        except ApplyFailed as failed:  # its message counts them by kind; -v lists them
            for change in failed.report.not_attempted:
                LOGGER.debug("  not attempted %s %s", change.action, change.key)
            raise

    def _changed(self, change: Change, outcome: str) -> None:
        """An apply event: logged and passed on, secrets cut out (a failure's reason can
        quote an API error echoing a value from ${env.*})."""
        from cloudinary_state.engine.plan import ACTION_SYMBOLS

        outcome = scrub_text(outcome, self.secrets)
        LOGGER.info("  %s %s: %s", ACTION_SYMBOLS[change.action], change.key, outcome)
        if self.project.on_change is not None:
            self.project.on_change(change, outcome)

    # --- drift, import, diff, promote --------------------------------------------------------

    def drift(self, *, parallelism: int = 8) -> DriftReport:
        """What changed in the account outside the config, what is missing, what is unmanaged."""
        from cloudinary_state.audit import report_from_plan

        with self._scrubbed():
            return report_from_plan(self._read_and_plan((), parallelism)[0], self.desired)

    def read_live(
        self, kinds: Collection[str] | None = None, *, parallelism: int = 8
    ) -> dict[KindName, dict[str, LiveObject]]:
        """Every live object (of `kinds` only, when given), ignored ones dropped, under the
        names this environment's plan gives them (paired with its config)."""
        from cloudinary_state.engine.live import read_live

        with self._scrubbed():
            return read_live(
                self._api(),
                self._kinds,
                parallelism=parallelism,
                only=_kind_names(kinds) if kinds else None,
                progress=self.project.progress,
                desired=self.desired,
            )

    def import_(
        self,
        output: str | os.PathLike[str] | None = None,
        *,
        kinds: Collection[str] = (),
        force: bool = False,
        parallelism: int = 8,
    ) -> ImportRun:
        """The live account as config (of `kinds` only, when given), written under `output`
        when given: every file or none (ImportRefused for existing files, unless `force`)."""
        from cloudinary_state.importer import build_import, write_import

        live = self.read_live(kinds, parallelism=parallelism)
        with self._scrubbed():
            result = build_import(self.desired, live, self._kinds, only=_kind_names(kinds))
            if output is None:
                return ImportRun(result)
            return ImportRun(result, tuple(write_import(result, Path(output), force=force)))

    def import_into_config(
        self, *, kinds: Collection[str] = (), force: bool = False, parallelism: int = 8
    ) -> ImportRun:
        """The live account's objects that the environment does not declare yet, added to its
        own config directory (import_merge.py says where), keeping what a person wrote. Every
        edit or none: ImportRefused for a file the environment does not include, RoundTripError
        for one an edit would reformat, unless `force` (which also rewrites the environment's
        own objects that differ from the account)."""
        from cloudinary_state.import_merge import import_into_project

        live = self.read_live(kinds, parallelism=parallelism)
        with self._scrubbed():
            result, written = import_into_project(
                self.desired, live, self._kinds, only=_kind_names(kinds), force=force
            )
            return ImportRun(result, tuple(written))

    def diff(self, other: Connection, *, parallelism: int = 8) -> EnvDiff:
        """Compare this account with `other`'s, as each environment's config sees it."""
        from cloudinary_state.envdiff import compare, side_from_live

        with self._scrubbed(other):
            sides = [
                side_from_live(c.desired, c.read_live(parallelism=parallelism), c._kinds)
                for c in (self, other)
            ]
            return compare(sides[0], sides[1], "live")

    def promote(
        self,
        target: Connection,
        targets: Iterable[Target | str] = (),
        *,
        write: bool = False,
        parallelism: int = 8,
    ) -> Promotion:
        """Bring objects as they live in this account into `target`'s environment: the edits to
        its config (recorded in the resource documents when `write`) and its plan over them."""
        from cloudinary_state.promote import promote
        from cloudinary_state.promote import write as write_edits

        chosen = _parse_targets(targets)
        only = {kind for kind, _ in chosen} or None
        source_live = self.read_live(only, parallelism=parallelism)
        target_live = target.read_live(only, parallelism=parallelism)
        with self._scrubbed(target):
            result = promote(
                self.project.config_dir,
                self.desired,
                source_live,
                target.desired,
                target_live,
                self._kinds,
                digest_key=target.digest_key,
                targets=chosen,
                environ=self.project.environ,
            )
            # the plan's summary line counts the target's reads
            result = replace(result, plan=target.with_run_counts(result.plan))
            if write:
                write_edits(result)
        return result


def load_environment(
    config_dir: Path | str,
    env: str,
    *,
    strict: bool = False,
    environ: Mapping[str, str] | None = None,
    require_env: bool = True,
) -> DesiredState:
    """The rendered desired state of `env` over the registered kinds (ConfigError with every
    problem found): `config.load_environment` with the kind registry. `Project.load` is the
    same for a project."""
    from cloudinary_state.config import load_environment as load
    from cloudinary_state.kinds import REGISTRY

    return load(Path(config_dir), env, REGISTRY, strict=strict, environ=environ, require_env=require_env)


def _kind_names(kinds: Collection[str]) -> list[KindName]:
    """Kind names checked against the registry (ValueError for one it does not have)."""
    from cloudinary_state.kinds import REGISTRY

    names = REGISTRY.names()
    unknown = [k for k in kinds if k not in names]
    if unknown:
        raise ValueError(f"unknown kind(s) {', '.join(unknown)} (one of {', '.join(names)})")
    return [k for k in names if k in kinds]

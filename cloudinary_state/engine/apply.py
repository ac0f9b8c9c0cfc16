"""Applying a plan: dependency waves, parallel within a wave, every write read back.

Creates, updates and replaces run by ascending rank, deletes by descending rank (the order
`build_plan` already gives). Within one rank and phase, objects may reference each other (a
named transformation using another as `t_NAME`): a change runs in a later sub-wave than the
changes of the objects it references, and a delete after the deletes of the objects that
reference it. The changes of one sub-wave run in parallel; each sub-wave is a wave below.
On a failure the wave's in-flight writes finish, nothing further starts, and the report says
what was applied, what failed and what was not attempted: every write is idempotent towards
the config, so a rerun converges. A replace is a delete then a create, not atomic: when the
create fails the report says the object was deleted.

Once a wave's writes have finished, the objects they wrote are read back in bulk, one
`read_many` per kind (one list call for all the presets of a wave, not one GET each), and
each is compared canonically with its desired object: a residual difference fails that
change, naming the fields and the likely cause; a deleted object must be absent. A change
counts as applied only once its read-back matched.

A mismatch alone does not say who is at fault, so a mismatched object is read once more: when
it moved between the two reads, another writer is changing it outside this apply; when it is
stable, it was either changed outside this apply or rewritten by the server, and only a
re-plan tells them apart (a server rewrite shows again in the next plan). The message says
what the evidence shows, with the value this run wrote and the live value (masked where
sensitive). The re-read costs calls only when something already went wrong.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from cloudinary_state.addons import ADDONS
from cloudinary_state.desired import DesiredObject, DesiredState, KindName
from cloudinary_state.engine.ignore_changes import with_live_fields
from cloudinary_state.engine.live import InFlightLimit, per_kind, read_named, read_objects
from cloudinary_state.engine.plan import Change, FieldDiff, Plan, Target, default_kinds, field_diffs
from cloudinary_state.engine.planfile import check_fresh
from cloudinary_state.engine.safety import check_apply
from cloudinary_state.errors import EXIT_INTERRUPTED, ApplyError, CloudinaryStateError
from cloudinary_state.kinds.base import AdminApi, Kind, LiveObject

Event = Callable[[Change, str], None]  # (change, "applied" | "failed: ...")
# Asked before each wave, by its index in `waves`: why the apply must stop there, or None.
WaveGate = Callable[[int, list["Step"]], str | None]


@dataclass(frozen=True)
class Step:
    """One planned change with what applying it needs: the desired object from the config
    (None for a delete) and the live object as just read (None for a create)."""

    change: Change
    desired: DesiredObject | None
    live: LiveObject | None
    ignored_fields: tuple[str, ...] = ()  # policy.ignore_changes: kept as they are live


@dataclass
class ApplyReport:
    applied: list[Change] = field(default_factory=list)
    failed: list[tuple[Change, str]] = field(default_factory=list)
    not_attempted: list[Change] = field(default_factory=list)
    stopped: str | None = None  # why the apply stopped before a wave (the hourly budget)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_attempted

    def counts(self) -> dict[str, int]:
        """Applied changes per action, every action listed."""
        return {
            a: sum(1 for c in self.applied if c.action == a)
            for a in ("create", "update", "replace", "delete")
        }

    def not_attempted_by_kind(self) -> dict[KindName, int]:
        """How many changes of each kind were not attempted, in the order they would have run."""
        return dict(Counter(c.kind for c in self.not_attempted))

    def describe(self, *, interrupted: bool = False) -> str:
        """What happened, for an apply that stopped (a failure, the hourly budget) or was
        interrupted (Ctrl-C): what failed and what was applied, one line each, and what was not
        attempted counted by kind (the list is `as_dict`'s)."""
        head = "apply interrupted" if interrupted else "apply stopped"
        if self.stopped:
            then = self.stopped
        elif interrupted and not self.failed:
            then = "Run apply again: it converges."
        else:
            then = "Fix the cause and run apply again: it converges."
        lines = [
            f"{head}: {len(self.applied)} applied, {len(self.failed)} failed, "
            f"{len(self.not_attempted)} not attempted. {then}"
        ]
        lines += [f"  failed {c.action} {c.key}: {why}" for c, why in self.failed]
        lines += [f"  applied {c.action} {c.key}" for c in self.applied]
        if self.not_attempted:
            counts = ", ".join(f"{n} {kind}" for kind, n in self.not_attempted_by_kind().items())
            lines.append(f"  not attempted: {counts}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON: every change by key, what was not attempted counted by kind too."""
        return {
            "applied": [{"key": c.key, "action": c.action} for c in self.applied],
            "failed": [{"key": c.key, "action": c.action, "reason": why} for c, why in self.failed],
            "not_attempted": {
                "count": len(self.not_attempted),
                "by_kind": self.not_attempted_by_kind(),
                "changes": [{"key": c.key, "action": c.action} for c in self.not_attempted],
            },
            "stopped": self.stopped,
        }


class ReadBackError(ApplyError):
    """The object read back after a write differs from the desired object."""


def build_steps(
    changes: tuple[Change, ...],
    desired: Mapping[Target, DesiredObject],
    live: Mapping[Target, LiveObject | None],
) -> list[Step]:
    steps = []
    for change in changes:
        key = (change.kind, change.name)
        obj = desired.get(key) if change.action != "delete" else None
        if change.action != "delete" and (obj is None or obj.absent):
            raise ApplyError(f"{change.key}: the plan {change.action}s it but the config does not declare it")
        current = live.get(key)
        if change.action != "create" and current is None:
            raise ApplyError(f"{change.key}: the plan {change.action}s it but it does not exist live")
        steps.append(Step(change, obj, current))
    return steps


# --- read-back --------------------------------------------------------------------------------


def likely_cause(kind: Kind, diff: FieldDiff, desired_canonical: Mapping[str, Any]) -> str:
    """Why the server may have dropped or rewritten a field, for the read-back message."""
    hint = kind.read_back_hint(desired_canonical, diff.path)
    if hint is not None:
        return hint
    needed = kind.addons_needed(desired_canonical, diff.path)
    if needed:
        names = ", ".join(f"{ADDONS.get(a, a)} ({a})" for a in needed)
        return (
            f"the option needs the add-on {names}, probably not registered on this account: "
            f"register it, or turn it off under `addons:` in this environment so the option is stripped"
        )
    return "the server dropped or rewrote the value (a normalization the canonicalizer does not know?)"


def verify_written(kind: Kind, step: Step, after: LiveObject | None) -> None:
    """Raises ReadBackError when `after`, the object as read back, is not what `step` wrote."""
    change, obj = step.change, step.desired
    if change.action == "delete":
        _verify_deleted(kind, step, after)
        return
    assert obj is not None
    if after is None:
        raise ReadBackError(f"read-back: {obj.kind}:{obj.name} does not exist after the write")
    want = kind.canonical_desired(with_live_fields(kind, obj, after, step.ignored_fields))
    sensitive = kind.sensitive_canonical_paths(obj.sensitive_paths)
    residual = field_diffs(kind.comparable_live(want, after.canonical), want, sensitive)
    if residual:
        details = "; ".join(
            f"{d.path}: this run wrote {d.after!r}, live has {d.before!r} ({likely_cause(kind, d, want)})"
            for d in residual
        )
        raise ReadBackError(f"read-back differs from the config in {len(residual)} field(s): {details}")


def _verify_deleted(kind: Kind, step: Step, after: LiveObject | None) -> None:
    """A deleted object is gone; a server-provided one is back at its definition instead."""
    definition = kind.builtin_definition(step.live) if step.live is not None else None
    if definition is None:
        if after is not None:
            raise ReadBackError(f"read-back: {step.change.key} still exists after the delete")
        return
    if after is None:
        raise ReadBackError(f"read-back: {step.change.key} does not exist after its revert")
    residual = field_diffs(kind.comparable_live(definition, after.canonical), definition)
    if residual:
        details = "; ".join(f"{d.path}: built-in {d.after!r}, server has {d.before!r}" for d in residual)
        raise ReadBackError(
            f"read-back: {step.change.key} differs from its built-in definition after the revert in "
            f"{len(residual)} field(s): {details} (the service's built-in may differ from the "
            "definition this tool knows)"
        )


def write_step(kind: Kind, api: AdminApi, step: Step) -> None:
    """The write(s) of one step; its read-back comes with its wave's."""
    change, obj, current = step.change, step.desired, step.live
    if change.action == "delete":
        assert current is not None
        kind.delete(api, change.name, current)
        return
    assert obj is not None
    if change.action == "create":
        kind.create(api, change.name, obj.body)
    elif change.action == "update":
        assert current is not None
        kind.update(api, change.name, obj.body, current)
    else:  # replace: the difference cannot be updated in place
        assert current is not None
        kind.delete(api, change.name, current)
        try:
            kind.create(api, change.name, obj.body)
        except Exception as e:  # the object is gone now: say so, a rerun plans a create
            raise ApplyError(f"deleted; re-create failed: {_reason(e)}") from e


def read_back(
    api: AdminApi,
    written: list[Step],
    kinds: Mapping[KindName, Kind],
    parallelism: int,
    desired: DesiredState | None = None,
) -> dict[KindName, dict[str, LiveObject | None] | Exception]:
    """The written objects as they are now, one `read_many` per kind (the kinds concurrently),
    under the plan's names (paired with `desired`, see `read_named`); a kind whose read failed
    maps to the error."""
    names: dict[KindName, list[str]] = {}
    for step in written:
        names.setdefault(step.change.kind, []).append(step.change.name)
    limited = InFlightLimit(api, parallelism)

    def read(kind: KindName) -> dict[str, LiveObject | None] | Exception:
        try:
            return read_named(kinds[kind], limited, names[kind], parallelism, desired)
        except Exception as e:  # API failures, and bugs: the kind's changes are not verified
            return e

    return per_kind(names, lambda k: kinds[k].rank, read, parallelism=parallelism)


def verify_wave(
    api: AdminApi,
    written: list[Step],
    kinds: Mapping[KindName, Kind],
    parallelism: int,
    desired: DesiredState | None = None,
) -> list[tuple[Step, str | None]]:
    """Each written step with why its read-back failed (None: it matched). A mismatch is read
    again once (see `explain_mismatch`)."""
    after = read_back(api, written, kinds, parallelism, desired)
    results: dict[int, str | None] = {}
    mismatched: list[tuple[int, LiveObject | None, ReadBackError]] = []
    for i, step in enumerate(written):
        found = after[step.change.kind]
        if isinstance(found, Exception):  # the write went through; whether it stuck is unknown
            results[i] = f"read-back: {_reason(found)}"
            continue
        try:
            verify_written(kinds[step.change.kind], step, found[step.change.name])
            results[i] = None
        except ReadBackError as e:
            mismatched.append((i, found[step.change.name], e))
        except Exception as e:  # a bug in a kind's read_many or canonicalizer
            results[i] = _reason(e)
    if mismatched:
        again = read_back(api, [written[i] for i, _, _ in mismatched], kinds, parallelism, desired)
        for i, first, error in mismatched:
            found = again[written[i].change.kind]
            second = found if isinstance(found, Exception) else found[written[i].change.name]
            results[i] = explain_mismatch(first, second, error)
    return [(step, results[i]) for i, step in enumerate(written)]


def explain_mismatch(
    first: LiveObject | None, second: LiveObject | Exception | None, error: ReadBackError
) -> str:
    """The read-back failure `error` (of the `first` read) told by what a second read showed."""
    if isinstance(second, Exception):
        return f"{error} (a second read to tell who changed it failed: {_reason(second)}); re-plan"
    moved = (first is None) != (second is None) or (
        first is not None and second is not None and dict(first.canonical) != dict(second.canonical)
    )
    if moved:
        return (
            f"another writer is changing it outside this apply: it changed between two reads right "
            f"after this write; {error}. Run one apply at a time per environment, then re-plan"
        )
    return (
        f"{error}. Either it was changed outside this apply after the write, or the server rewrote "
        "it: re-plan; a change that shows again in the next plan is a server rewrite to report"
    )


def _reason(error: Exception) -> str:
    return str(error) if isinstance(error, CloudinaryStateError) else f"{type(error).__name__}: {error}"


# --- waves ------------------------------------------------------------------------------------


def _wave_key(step: Step) -> tuple[int, int]:
    change = step.change
    return (1, -change.rank) if change.action == "delete" else (0, change.rank)


def _references(kind: Kind, step: Step) -> set[Target]:
    """What the object of `step` references: as the config declares it, or for a delete as it
    is live (its exported body, which is what a config for it would say)."""
    obj = step.desired
    if obj is None:
        assert step.live is not None
        obj = DesiredObject(kind=kind.kind, name=step.change.name, body=kind.export(step.live))
    return set(kind.references(obj))


def sub_waves(wave: list[Step], kinds: Mapping[KindName, Kind]) -> list[list[Step]]:
    """One rank-and-phase wave in the order its references ask for: each step after the steps
    of the objects it references (a delete: after the steps of the objects referencing it).
    A reference cycle (the config refuses them; a live account might hold one) keeps no order."""
    by_key = {(s.change.kind, s.change.name): s for s in wave}
    after: dict[Target, set[Target]] = {key: set() for key in by_key}  # must run after these
    for key, step in by_key.items():
        for ref in _references(kinds[step.change.kind], step) & by_key.keys() - {key}:
            if step.change.action == "delete":
                after[ref].add(key)
            else:
                after[key].add(ref)
    ordered: list[list[Step]] = []
    done: set[Target] = set()
    pending = list(by_key)
    while pending:
        ready = [key for key in pending if after[key] <= done] or pending
        ordered.append([by_key[key] for key in ready])
        done.update(ready)
        pending = [key for key in pending if key not in done]
    return ordered


def waves(steps: list[Step], kinds: Mapping[KindName, Kind]) -> list[list[Step]]:
    """The steps in the order they run: rank-and-phase waves, each split into its sub-waves.
    The call forecast (engine/forecast.py) counts the same waves."""
    return [
        sub
        for _, group in groupby(sorted(steps, key=_wave_key), key=_wave_key)
        for sub in sub_waves(list(group), kinds)
    ]


@dataclass
class _WaveRunner:
    """One apply's waves: writes in parallel, the read-back of what went through, and the
    report. A failure, a wave the budget cannot finish, or `cancel` (Ctrl-C) stops new writes."""

    api: AdminApi
    kinds: Mapping[KindName, Kind]
    parallelism: int
    on_event: Event | None
    desired: DesiredState | None
    cancel: threading.Event
    on_written: Callable[[Change], None] | None
    report: ApplyReport = field(default_factory=ApplyReport)
    lock: threading.Lock = field(default_factory=threading.Lock)
    failed: threading.Event = field(default_factory=threading.Event)  # here: a failure, the budget

    def stopping(self) -> bool:
        return self.failed.is_set() or self.cancel.is_set()

    def fail(self, change: Change, why: str) -> None:
        self.failed.set()
        with self.lock:
            self.report.failed.append((change, why))
        if self.on_event:
            self.on_event(change, f"failed: {why}")

    def write(self, step: Step) -> bool:
        if self.stopping():  # a failure elsewhere in this wave, or Ctrl-C: do not start new work
            with self.lock:
                self.report.not_attempted.append(step.change)
            return False
        try:
            write_step(self.kinds[step.change.kind], self.api, step)
        except Exception as e:  # API failures, and bugs: either way this change did not converge
            self.fail(step.change, _reason(e))
            return False
        if self.on_written:
            self.on_written(step.change)
        return True

    def run(self, wave: list[Step]) -> None:
        with ThreadPoolExecutor(max_workers=max(1, min(self.parallelism, len(wave)))) as pool:
            # the pool waits for in-flight writes before the read-back and the next wave
            written = [s for s, ok in zip(wave, list(pool.map(self.write, wave)), strict=True) if ok]
        # the writes that went through are verified even when another one of the wave failed
        for step, why in verify_wave(self.api, written, self.kinds, self.parallelism, self.desired):
            if why is not None:
                self.fail(step.change, why)
                continue
            self.report.applied.append(step.change)
            if self.on_event:
                self.on_event(step.change, "applied")


def apply_steps(
    api: AdminApi,
    steps: list[Step],
    kinds: Mapping[KindName, Kind],
    *,
    parallelism: int = 8,
    on_event: Event | None = None,
    desired: DesiredState | None = None,
    before_wave: WaveGate | None = None,
    cancel: threading.Event | None = None,
    on_written: Callable[[Change], None] | None = None,
) -> ApplyReport:
    """Run the steps wave by wave. Raises ApplyError (with the report) when anything failed.
    `desired` is the config the steps come from: the read-back pairs with it (a kind whose
    live objects have no name of their own finds the written ones by content). `on_written` is
    told of each write that went through, before its read-back (progress of a long wave).

    `before_wave` may stop the apply cleanly before a wave (the hourly budget): that wave and
    the rest are not attempted, and the report says why. `cancel`, once set (Ctrl-C), is a
    stop asked from outside: no new write starts, those in flight finish and are read back,
    and ApplyInterrupted carries the report."""
    cancel = cancel if cancel is not None else threading.Event()
    runner = _WaveRunner(api, kinds, parallelism, on_event, desired, cancel, on_written)
    report = runner.report
    for index, wave in enumerate(waves(steps, kinds)):
        if not runner.stopping() and before_wave is not None:
            report.stopped = before_wave(index, wave)
            if report.stopped is not None:
                runner.failed.set()
        if runner.stopping():
            report.not_attempted.extend(s.change for s in wave)
            continue
        runner.run(wave)
    if not report.ok:
        raise ApplyInterrupted(report) if cancel.is_set() else ApplyFailed(report)
    return report


class ApplyFailed(ApplyError):
    """An apply that stopped part-way; carries the report of what happened to each change."""

    def __init__(self, report: ApplyReport) -> None:
        self.report = report
        super().__init__(report.describe())


class ApplyInterrupted(ApplyFailed):
    """An apply stopped from outside (Ctrl-C) before all its writes: exit 130, like an interrupt."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self, report: ApplyReport) -> None:
        self.report = report
        ApplyError.__init__(self, report.describe(interrupted=True))


def apply_plan(
    api: AdminApi,
    desired: DesiredState,
    plan: Plan,
    live: Mapping[Target, LiveObject | None],
    *,
    allow_delete: bool,
    kinds: Mapping[KindName, Kind] | None = None,
    parallelism: int = 8,
    on_event: Event | None = None,
    before_wave: WaveGate | None = None,
    cancel: threading.Event | None = None,
    on_written: Callable[[Change], None] | None = None,
) -> ApplyReport:
    """Apply `plan` with the bodies of `desired` against `live`, the objects as just read (the
    plan's own read, or `read_planned` for a saved plan). The safety checks run first, so a
    refused plan (PolicyRefusal) writes nothing; raises ApplyFailed when a change failed or
    `before_wave` stopped the apply, and ApplyInterrupted when `cancel` was set before every
    write had started."""
    kinds = kinds if kinds is not None else default_kinds()
    check_apply(plan, desired.policy, allow_delete=allow_delete, kinds=kinds)
    steps = plan_steps(plan, desired, live, kinds)
    return apply_steps(
        api,
        steps,
        kinds,
        parallelism=parallelism,
        on_event=on_event,
        desired=desired,
        before_wave=before_wave,
        cancel=cancel,
        on_written=on_written,
    )


def plan_steps(
    plan: Plan,
    desired: DesiredState,
    live: Mapping[Target, LiveObject | None],
    kinds: Mapping[KindName, Kind],
) -> list[Step]:
    """The steps of `plan`, with the bodies of `desired` and the objects of `live`; a field
    policy.ignore_changes leaves to others is written with its live value."""
    declared = {(o.kind, o.name): o for o in desired.objects}
    steps = build_steps(plan.changes, declared, live)
    return [_keeping_ignored_fields(s, desired, kinds) for s in steps]


def _keeping_ignored_fields(step: Step, desired: DesiredState, kinds: Mapping[KindName, Kind]) -> Step:
    """`step` writing the live values of the fields policy.ignore_changes leaves to others."""
    paths = desired.policy.ignored_fields(step.change.kind, step.change.name)
    if not paths or step.desired is None:
        return step
    kept = with_live_fields(kinds[step.change.kind], step.desired, step.live, paths)
    return Step(step.change, kept, step.live, paths)


def read_planned(
    api: AdminApi,
    plan: Plan,
    kinds: Mapping[KindName, Kind] | None = None,
    *,
    digest_key: bytes,
    parallelism: int = 8,
    desired: DesiredState | None = None,
) -> dict[Target, LiveObject | None]:
    """For a saved plan: the objects it touches as they are now, and only those, under the
    plan's names (paired with `desired`, the config the plan was made from). Refuses
    (StalePlanError, exit 3) naming each one that moved since the plan was made (`digest_key`
    keys the fingerprints as it did in `build_plan`)."""
    kinds = kinds if kinds is not None else default_kinds()
    touched = [(c.kind, c.name) for c in plan.changes]
    live = read_objects(api, kinds, touched, parallelism=parallelism, desired=desired)
    check_fresh(plan, live, digest_key, kinds, desired.policy if desired is not None else None)
    return live

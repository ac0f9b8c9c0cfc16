"""Plan rehearsal (`plan --rehearse`): prove an apply before it reaches the account.

The live account is read as for any plan (read only). Every live object that was read is then
written into an empty emulated account (`copy`, an AdminApi the caller connects: the engine
never imports the emulator) through its kind's `restore`, in rank and reference order, as
faithfully as the API allows: objects outside the config, soft-deleted datasource values and
changed built-ins included. The copy is read back and must equal the live account object for
object, and plan the same changes; then the plan is applied to it with read-back verification,
exactly as `apply` would, and planned again: a rehearsal converges when every change applied
and the plan after it is empty.

What the copy cannot know is stated with the outcome (`assumptions`): the add-ons it registers
(the API cannot list registrations), the objects `policy.ignore` keeps out of every read, and
state no read endpoint shows (a deleted metadata field's reserved external_id, asset counts).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby

from cloudinary_state.canonical_json import canonical_json
from cloudinary_state.desired import DesiredState, KindName
from cloudinary_state.engine.apply import ApplyFailed, Step, apply_steps, plan_steps, sub_waves
from cloudinary_state.engine.live import read_live
from cloudinary_state.engine.plan import Change, Plan, Target, build_plan
from cloudinary_state.engine.rehearsal_report import Outcome, Rehearsal, RehearsalFailure, Stage
from cloudinary_state.errors import CloudinaryStateError
from cloudinary_state.kinds.base import AdminApi, Kind, LiveObject

# What the copy cannot see, whatever the account: said with every rehearsal.
FIXED_ASSUMPTIONS = (
    "state no read endpoint shows is not in the copy: an external_id of a metadata field deleted "
    "earlier stays reserved on the live service, and the copy cannot know which ones are",
    "the copy has no assets: limits and refusals that depend on assets or derived assets are not rehearsed",
)


def assumptions(desired: DesiredState, registered_addons: Collection[str]) -> tuple[str, ...]:
    """What a rehearsal of `desired` takes for granted, for its report."""
    addons = ", ".join(sorted(registered_addons)) or "none"
    ignored = sorted(f"{kind}: {', '.join(globs)}" for kind, globs in desired.policy.ignore.items() if globs)
    return (
        f"add-ons taken as registered: {addons} (those the environment turns on, those it leaves "
        "unknown that its objects use, and those the live objects use: the API cannot list "
        "registrations)",
        "objects under policy.ignore are not read, so not loaded: "
        + ("; ".join(ignored) if ignored else "none are ignored"),
        *FIXED_ASSUMPTIONS,
    )


def rehearse(
    copy: AdminApi,
    desired: DesiredState,
    live_plan: Plan,
    live: Mapping[Target, LiveObject],
    kinds: Mapping[KindName, Kind],
    *,
    digest_key: bytes,
    notes: tuple[str, ...],
    calls: Callable[[], int],
    targets: Collection[Target] = (),
    parallelism: int = 8,
) -> Rehearsal:
    """Load `live` (every live object, under the plan's names) into the empty account `copy`,
    apply there what `live_plan` applies, and plan again. `notes`: the assumptions to report;
    `calls`: the Admin API calls made to the copy so far."""

    def outcome(stage: Stage | None, failed: list[RehearsalFailure], **more: tuple[str, ...]) -> Rehearsal:
        state: Outcome = "converged" if stage is None else "failed"
        return Rehearsal(
            state, stage, len(live), failed=tuple(failed), assumptions=notes, calls=calls(), **more
        )

    failed = load(copy, live, kinds, parallelism)
    if failed:
        return outcome("load", failed)
    copied = read_live(copy, kinds, parallelism=parallelism, desired=desired)
    failed = compare_copy(live, copied, kinds)
    if failed:
        return outcome("load", failed)
    plan = build_plan(desired, copied, digest_key=digest_key, targets=targets, kinds=kinds, live_paired=True)
    failed = compare_plans(desired, live_plan, plan)
    if failed:
        return outcome("plan", failed)
    current = {(kind, name): obj for kind, objects in copied.items() for name, obj in objects.items()}
    try:
        # the steps `apply` writes: a field policy.ignore_changes leaves to others keeps its live value
        steps = plan_steps(plan, desired, current, kinds)
        report = apply_steps(copy, steps, kinds, parallelism=parallelism, desired=desired)
    except ApplyFailed as e:
        r = e.report
        failures = [RehearsalFailure(c.key, c.action, why) for c, why in r.failed]
        done = tuple(c.key for c in r.applied)
        return outcome("apply", failures, applied=done, not_attempted=tuple(c.key for c in r.not_attempted))
    applied = tuple(c.key for c in report.applied)
    again = read_live(copy, kinds, parallelism=parallelism, desired=desired)
    remaining = build_plan(
        desired, again, digest_key=digest_key, targets=targets, kinds=kinds, live_paired=True
    )
    failed = [
        RehearsalFailure(c.key, c.action, f"planned again after the apply: {_paths(c)}")
        for c in remaining.changes
    ]
    return outcome("replan" if failed else None, failed, applied=applied)


def _paths(change: Change) -> str:
    return ", ".join(d.path for d in change.diffs) or "the object itself"


def load(
    copy: AdminApi, live: Mapping[Target, LiveObject], kinds: Mapping[KindName, Kind], parallelism: int
) -> list[RehearsalFailure]:
    """Restore every live object into `copy`: by ascending rank, each after the objects it
    references, the objects of one wave in parallel; stops after a wave with a failure."""
    steps = [
        Step(Change(kind, name, "create", kinds[kind].rank), None, obj) for (kind, name), obj in live.items()
    ]
    steps.sort(key=lambda s: (s.change.rank, s.change.kind, s.change.name))
    waves = [
        sub
        for _, group in groupby(steps, key=lambda s: s.change.rank)
        for sub in sub_waves(list(group), kinds)
    ]

    def restore(step: Step) -> RehearsalFailure | None:
        assert step.live is not None
        try:
            kinds[step.change.kind].restore(copy, step.live)
        except Exception as e:  # API refusals, and bugs: either way the copy is not the account
            why = str(e) if isinstance(e, CloudinaryStateError) else f"{type(e).__name__}: {e}"
            return RehearsalFailure(step.change.key, "load", f"the emulated copy refused it: {why}")
        return None

    for wave in waves:
        with ThreadPoolExecutor(max_workers=max(1, min(parallelism, len(wave)))) as pool:
            failed = [f for f in pool.map(restore, wave) if f is not None]
        if failed:
            return failed
    return []


def compare_copy(
    live: Mapping[Target, LiveObject],
    copied: Mapping[KindName, Mapping[str, LiveObject]],
    kinds: Mapping[KindName, Kind],
) -> list[RehearsalFailure]:
    """The objects on which the copy and the live account differ, compared by content per kind:
    an object outside the config may be named after a server-assigned id (a trigger), which
    the copy assigns anew. Built-ins at their definition count on neither side."""
    failed = []
    for kind in sorted(kinds):
        ours = _contents({n: o for (k, n), o in live.items() if k == kind}, kinds[kind])
        theirs = _contents(copied.get(kind, {}), kinds[kind])
        for form in sorted(ours.keys() | theirs.keys()):
            missing, extra = ours.get(form, []), theirs.get(form, [])
            for name in missing[len(extra) :]:
                why = "the emulated copy does not hold it as the live account does"
                failed.append(RehearsalFailure(f"{kind}:{name}", "load", why))
            for name in extra[len(missing) :]:
                why = "the emulated copy holds it, the live account does not"
                failed.append(RehearsalFailure(f"{kind}:{name}", "load", why))
    return failed


def _contents(objects: Mapping[str, LiveObject], kind: Kind) -> dict[str, list[str]]:
    """The names of the objects by their canonical form (as JSON)."""
    found: dict[str, list[str]] = {}
    for name, obj in sorted(objects.items()):
        if not kind.at_builtin_definition(obj):
            found.setdefault(canonical_json(dict(obj.canonical)), []).append(name)
    return found


def compare_plans(desired: DesiredState, live_plan: Plan, plan: Plan) -> list[RehearsalFailure]:
    """The changes (action and diff paths) on which the copy's plan and the live plan differ:
    by name for declared objects, by kind and shape for the others (a pruned object may be
    named after a server-assigned id, which the copy assigns anew)."""
    declared = {f"{o.kind}:{o.name}" for o in desired.objects}
    ours, theirs = _shapes(live_plan, declared), _shapes(plan, declared)
    failed = []
    for key in sorted(ours.keys() | theirs.keys()):
        if ours.get(key) != theirs.get(key):
            said = f"live plans {ours.get(key, 'nothing')}, the emulated copy {theirs.get(key, 'nothing')}"
            failed.append(RehearsalFailure(key, "plan", said))
    return failed


def _shapes(plan: Plan, declared: Collection[str]) -> dict[str, str]:
    """What each change does (its action and the paths of its diffs), by object for declared
    objects, else by kind with a count."""
    shapes: dict[str, str] = {}
    counts: dict[str, int] = {}
    for c in plan.changes:
        shape = f"{c.action} ({_paths(c)})"
        if c.key in declared:
            shapes[c.key] = shape
        else:
            counts[f"{c.kind}: {shape}"] = counts.get(f"{c.kind}: {shape}", 0) + 1
    shapes.update({f"{key} (undeclared)": f"{n} time(s)" for key, n in counts.items()})
    return shapes

"""Reading the live state through the kinds: everything for a plan, or just the objects a
saved plan touches (to check their fingerprints) and one object after a write (read-back);
and `read_and_plan`, the read-then-plan step that plan, apply and drift share."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

from cloudinary_state.desired import DesiredState, KindName, Policy
from cloudinary_state.engine.plan import Plan, Target, build_plan
from cloudinary_state.kinds.base import AdminApi, Kind, LiveObject

Progress = Callable[[str], None]


def read_live(
    api: AdminApi,
    kinds: Mapping[KindName, Kind],
    *,
    parallelism: int = 8,
    policy: Policy | None = None,
    only: Iterable[KindName] | None = None,
    progress: Progress | None = None,
) -> dict[KindName, dict[str, LiveObject]]:
    """Every live object of every kind (or of the kinds in `only`), ignored ones dropped."""
    wanted = set(only) if only is not None else set(kinds)
    out: dict[KindName, dict[str, LiveObject]] = {}
    for name in sorted(wanted, key=lambda k: kinds[k].rank):
        if progress:
            progress(f"reading {name} objects")
        objects = kinds[name].read_all(api, parallelism)
        if policy is not None:
            objects = {n: o for n, o in objects.items() if not policy.is_ignored(name, n)}
        out[name] = objects
    return out


def read_objects(
    api: AdminApi,
    kinds: Mapping[KindName, Kind],
    targets: Iterable[Target],
    *,
    parallelism: int = 8,
) -> dict[Target, LiveObject | None]:
    """The current live form of each named object (None where it does not exist), in parallel."""
    keys = list(dict.fromkeys(targets))

    def one(key: Target) -> LiveObject | None:
        return kinds[key[0]].read_one(api, key[1])

    with ThreadPoolExecutor(max_workers=max(1, min(parallelism, len(keys) or 1))) as pool:
        return dict(zip(keys, pool.map(one, keys), strict=True))


def read_and_plan(
    api: AdminApi,
    desired: DesiredState,
    kinds: Mapping[KindName, Kind],
    *,
    targets: Collection[Target] = (),
    parallelism: int = 8,
    progress: Progress | None = None,
) -> tuple[Plan, dict[Target, LiveObject]]:
    """Read what the plan needs (only the targeted kinds when narrowed) and build the plan.

    Returns the plan and the live objects it was made from: apply writes against exactly
    those, so a change between plan and apply cannot slip in unseen.
    """
    only = {kind for kind, _ in targets} or None
    live = read_live(api, kinds, parallelism=parallelism, policy=desired.policy, only=only, progress=progress)
    plan = build_plan(desired, live, targets=targets, kinds=kinds)
    return plan, {(kind, name): o for kind, objects in live.items() for name, o in objects.items()}

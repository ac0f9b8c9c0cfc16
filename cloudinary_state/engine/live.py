"""Reading the live state through the kinds: everything for a plan, or just the objects a
saved plan touches (to check their fingerprints); and `read_and_plan`, the read-then-plan
step that plan, apply and drift share.

The kinds are read concurrently, and `parallelism` bounds the calls in flight across all of
them together (a kind's own parallel GETs included), so `--parallelism 1` stays serial.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar

from cloudinary_state.desired import DesiredState, KindName, Policy
from cloudinary_state.engine.plan import Plan, Target, build_plan, paired_objects
from cloudinary_state.kinds.base import AdminApi, Kind, LiveObject

Progress = Callable[[str], None]
R = TypeVar("R")


class InFlightLimit:
    """An AdminApi that lets at most `limit` calls of the wrapped one be in flight at once."""

    def __init__(self, api: AdminApi, limit: int) -> None:
        self._api = api
        self._slots = threading.BoundedSemaphore(max(1, limit))

    def call(self, function: str, /, *args: Any, **params: Any) -> dict[str, Any]:
        with self._slots:
            return self._api.call(function, *args, **params)


def per_kind(
    kinds: Iterable[KindName],
    rank: Callable[[KindName], int],
    read: Callable[[KindName], R],
    *,
    parallelism: int,
    progress: Progress | None = None,
) -> dict[KindName, R]:
    """`read` of every kind, the kinds concurrently, results in rank order.

    Progress names each kind in rank order as its result is awaited, so the messages are
    the same whatever order the reads finish in. The first failure in rank order propagates;
    reads not yet started are cancelled, those in flight finish first.
    """
    ordered = sorted(kinds, key=rank)
    out: dict[KindName, R] = {}
    if not ordered:
        return out
    pool = ThreadPoolExecutor(max_workers=max(1, min(parallelism, len(ordered))))
    try:
        futures: dict[KindName, Future[R]] = {kind: pool.submit(read, kind) for kind in ordered}
        for kind in ordered:
            if progress:
                progress(f"reading {kind} objects")
            out[kind] = futures[kind].result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return out


def read_live(
    api: AdminApi,
    kinds: Mapping[KindName, Kind],
    *,
    parallelism: int = 8,
    policy: Policy | None = None,
    only: Iterable[KindName] | None = None,
    progress: Progress | None = None,
    desired: DesiredState | None = None,
    listed: dict[KindName, int] | None = None,
) -> dict[KindName, dict[str, LiveObject]]:
    """Every live object of every kind (or of the kinds in `only`), ignored ones dropped; with
    `desired`, under the names its plan gives them (`paired_objects`; its policy applies).
    `listed` receives how many objects each kind read, ignored ones too (the call forecast:
    its lists page through them all)."""
    wanted = set(only) if only is not None else set(kinds)
    limited = InFlightLimit(api, parallelism)

    def read(kind: KindName) -> dict[str, LiveObject]:
        objects = kinds[kind].read_all(limited, parallelism)
        if listed is not None:
            listed[kind] = len(objects)
        if desired is not None:
            return paired_objects(kinds[kind], desired, objects)
        if policy is not None:
            objects = {n: o for n, o in objects.items() if not policy.is_ignored(kind, n)}
        return objects

    return per_kind(wanted, lambda k: kinds[k].rank, read, parallelism=parallelism, progress=progress)


def read_objects(
    api: AdminApi,
    kinds: Mapping[KindName, Kind],
    targets: Iterable[Target],
    *,
    parallelism: int = 8,
    desired: DesiredState | None = None,
) -> dict[Target, LiveObject | None]:
    """The current live form of each named object (None where it does not exist): one bulk
    `read_many` per kind, the kinds concurrently. The names are the plan's: with `desired`,
    what each kind read is paired with it first (`paired_objects`)."""
    keys = list(dict.fromkeys(targets))
    names: dict[KindName, list[str]] = {}
    for kind, name in keys:
        names.setdefault(kind, []).append(name)
    limited = InFlightLimit(api, parallelism)

    def read(kind: KindName) -> Mapping[str, LiveObject | None]:
        return read_named(kinds[kind], limited, names[kind], parallelism, desired)

    found = per_kind(names, lambda k: kinds[k].rank, read, parallelism=parallelism)
    return {(kind, name): found[kind].get(name) for kind, name in keys}


def read_named(
    kind: Kind, api: AdminApi, names: Collection[str], parallelism: int, desired: DesiredState | None
) -> dict[str, LiveObject | None]:
    """`kind.read_many` of `names`, keyed by each of them; with `desired`, looked up among the
    objects it read once they are paired with the config (a kind that pairs by content reads
    all of its objects, under names of its own)."""
    found = kind.read_many(api, names, parallelism)
    if desired is None:
        return {name: found.get(name) for name in names}
    paired = paired_objects(kind, desired, {n: o for n, o in found.items() if o is not None})
    return {name: paired.get(name) for name in names}


def read_and_plan(
    api: AdminApi,
    desired: DesiredState,
    kinds: Mapping[KindName, Kind],
    *,
    digest_key: bytes,
    targets: Collection[Target] = (),
    parallelism: int = 8,
    progress: Progress | None = None,
) -> tuple[Plan, dict[Target, LiveObject]]:
    """Read what the plan needs (only the targeted kinds when narrowed, unless the narrowed
    plan deletes or replaces) and build the plan.

    Returns the plan and the live objects it was made from, under the plan's names: apply
    writes against exactly those, so a change between plan and apply cannot slip in unseen.
    The plan carries the forecast of its apply's calls (engine/forecast.py).
    """
    from cloudinary_state.engine.forecast import forecast_apply  # it counts the apply's waves

    only = {kind for kind, _ in targets} or None
    listed: dict[KindName, int] = {}
    live = read_live(
        api, kinds, parallelism=parallelism, only=only, progress=progress, desired=desired, listed=listed
    )
    plan = build_plan(desired, live, digest_key=digest_key, targets=targets, kinds=kinds, live_paired=True)
    if only is not None and plan.destructive():
        # The safety threshold's base is every managed object in the account, not just those
        # of the targeted kinds: counted from the targeted kinds alone, the share of deletes
        # would be inflated (or fall under min_existing and switch the threshold off). Only a
        # narrowed plan that deletes or replaces needs the base, so only then are the other
        # kinds read; the plan is pure, so it is rebuilt over the whole account.
        rest = set(kinds) - only
        live |= read_live(
            api, kinds, parallelism=parallelism, only=rest, progress=progress, desired=desired, listed=listed
        )
        plan = build_plan(
            desired, live, digest_key=digest_key, targets=targets, kinds=kinds, live_paired=True
        )
    by_target = {(kind, name): o for kind, objects in live.items() for name, o in objects.items()}
    forecast = forecast_apply(plan, desired, by_target, listed, kinds)
    return replace(plan, forecast=forecast), by_target

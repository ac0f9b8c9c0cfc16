"""Drift audits: what changed in the account outside the config.

The classification is read off the plan (`engine.plan.build_plan`), so drift and plan can
never disagree about what differs:

- `changed`: declared, present, different (field diffs, sensitive values masked by the plan);
  also a tombstoned object (`absent: true`) that exists again.
- `missing`: declared, not in the account.
- `unmanaged`: in the account, not declared, not ignored. For kinds in `policy.prune` an apply
  would delete them (unless `policy.protect` covers them), and the report says so.
- `in_sync`: declared and matching (or tombstoned and absent). Reported so that a JUnit file
  has one passing test case per managed object.

Pure: `drift(desired, live, digest_key)` performs no I/O.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from cloudinary_state.desired import DesiredState, KindName
from cloudinary_state.engine.masking import scrub_value
from cloudinary_state.engine.plan import Change, FieldDiff, LiveState, Plan, build_plan
from cloudinary_state.kinds import REGISTRY

Status = Literal["in_sync", "changed", "missing", "unmanaged"]
DRIFT_STATUSES: tuple[Status, ...] = ("changed", "missing", "unmanaged")


@dataclass(frozen=True)
class DriftItem:
    kind: KindName
    name: str
    status: Status
    diffs: tuple[FieldDiff, ...] = ()  # before = live, after = config
    notes: tuple[str, ...] = ()
    would_delete: bool = False  # an apply would delete it (prune kind, or a tombstone)

    @property
    def drifted(self) -> bool:
        return self.status != "in_sync"

    def summary(self) -> str:
        """One line saying what is wrong, for headings and JUnit failure messages."""
        if self.status == "changed":
            fields = ", ".join(d.path for d in self.diffs) or "the object"
            return f"changed outside the config: {fields}"
        if self.status == "missing":
            return "declared in the config, missing from the account"
        if self.status == "unmanaged":
            tail = "; an apply would delete it (policy.prune)" if self.would_delete else ""
            return f"in the account, not declared in the config{tail}"
        return "in sync"


@dataclass(frozen=True)
class DriftReport:
    environment: str
    cloud_name: str
    items: tuple[DriftItem, ...]  # by kind rank, then name
    api_calls: int = 0
    rate_limit_remaining: int | None = None

    @property
    def drifted(self) -> tuple[DriftItem, ...]:
        return tuple(i for i in self.items if i.drifted)

    @property
    def has_drift(self) -> bool:
        return bool(self.drifted)

    def counts(self) -> dict[str, int]:
        tally = Counter(i.status for i in self.items)
        return {s: tally.get(s, 0) for s in ("changed", "missing", "unmanaged", "in_sync")}


def _scrubbed(diffs: tuple[FieldDiff, ...], secrets: frozenset[str]) -> tuple[FieldDiff, ...]:
    """Second line of defence: a secret hiding in a non-sensitive path is cut out too."""
    return tuple(
        FieldDiff(d.path, scrub_value(d.before, secrets), scrub_value(d.after, secrets), d.sensitive)
        for d in diffs
    )


def _item(change: Change, desired: DesiredState) -> DriftItem:
    notes = tuple(change.notes)
    if change.action == "create":
        return DriftItem(change.kind, change.name, "missing", _scrubbed(change.diffs, desired.secrets), notes)
    if change.action in ("update", "replace"):
        if change.action == "replace":
            notes = ("an apply would replace it (delete, then create)", *notes)
        return DriftItem(change.kind, change.name, "changed", _scrubbed(change.diffs, desired.secrets), notes)
    # A delete: either a tombstoned object that exists, or an undeclared one in a prune kind.
    declared = desired.get(change.kind, change.name)
    protected = desired.policy.is_protected(change.kind, change.name)
    extra = ("protected: an apply refuses to delete it (policy.protect)",) if protected else ()
    if declared is not None and declared.absent:
        return DriftItem(
            change.kind,
            change.name,
            "changed",
            (),
            ("declared absent (absent: true) but present in the account; an apply would delete it", *extra),
            would_delete=not protected,
        )
    return DriftItem(change.kind, change.name, "unmanaged", (), extra, would_delete=not protected)


def report_from_plan(plan: Plan, desired: DesiredState) -> DriftReport:
    items: dict[tuple[KindName, str], DriftItem] = {}
    for change in plan.changes:
        items[change.kind, change.name] = _item(change, desired)
    for kind, name in plan.unmanaged:
        items[kind, name] = DriftItem(kind, name, "unmanaged")
    for obj in desired.objects:
        if desired.policy.is_ignored(obj.kind, obj.name) or (obj.kind, obj.name) in items:
            continue
        items[obj.kind, obj.name] = DriftItem(obj.kind, obj.name, "in_sync")
    rank = {kind: i for i, kind in enumerate(REGISTRY.names())}  # the registry is in rank order

    def sort_key(key: tuple[KindName, str]) -> tuple[int, str]:
        return (rank[key[0]], key[1])

    return DriftReport(
        environment=plan.environment,
        cloud_name=plan.cloud_name,
        items=tuple(items[k] for k in sorted(items, key=sort_key)),
        api_calls=plan.api_calls,
        rate_limit_remaining=plan.rate_limit_remaining,
    )


def drift(desired: DesiredState, live: LiveState, digest_key: bytes) -> DriftReport:
    """Classify every difference between the config and the account (pure; `digest_key` keys
    the plan's hashes, see `build_plan`)."""
    return report_from_plan(build_plan(desired, live, digest_key=digest_key), desired)

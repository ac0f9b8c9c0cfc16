"""Safety checks, kept apart from plan building (octoDNS-style): the plan says what would
change, these decide whether it may. Each raises `PolicyRefusal` (exit 3) naming what it refuses.
"""

from __future__ import annotations

from collections.abc import Mapping

from cloudinary_state.desired import KindName, Policy
from cloudinary_state.engine.impact import check_affected_assets
from cloudinary_state.engine.plan import Change, Plan, default_kinds
from cloudinary_state.errors import PolicyRefusal
from cloudinary_state.kinds.base import Kind


def _names(changes: tuple[Change, ...] | list[Change]) -> str:
    return ", ".join(f"{c.action} {c.kind}:{c.name}" for c in changes)


def check_protect(plan: Plan, policy: Policy) -> None:
    """A protected object is never deleted or replaced, whatever the config says."""
    hit = [c for c in plan.destructive() if policy.is_protected(c.kind, c.name)]
    if hit:
        raise PolicyRefusal(
            f"refused: policy.protect covers {_names(hit)}. "
            "Protected objects are never deleted or replaced; change the config or the policy."
        )


def check_threshold(plan: Plan, policy: Policy) -> None:
    """Refuse when deletes + replaces exceed max_delete_percent of the existing managed objects,
    once there are at least min_existing of them (below the floor every share is large)."""
    safety = policy.safety
    destructive = len(plan.destructive())
    existing = plan.existing_managed
    if destructive == 0 or existing < safety.min_existing:
        return
    share = 100.0 * destructive / existing
    if share > safety.max_delete_percent:
        raise PolicyRefusal(
            f"refused by the safety threshold: {destructive} deletes/replaces out of {existing} existing "
            f"managed objects is {share:.0f}%, above max_delete_percent {safety.max_delete_percent:g}% "
            f"(policy.safety applies from min_existing {safety.min_existing})."
        )


def check_allow_delete(plan: Plan, allow_delete: bool) -> None:
    """Deletes and replaces only with --allow-delete, given now or recorded in the plan when it
    was made (`plan --allow-delete --out FILE`: approved at review)."""
    destructive = plan.destructive()
    if destructive and not (allow_delete or plan.approved_deletes):
        raise PolicyRefusal(
            f"refused: the plan deletes or replaces objects: {_names(destructive)}. "
            "Re-run with --allow-delete to permit it (a saved plan: approve them at review "
            "with `plan --allow-delete --out FILE`)."
        )


def check_replaceable(plan: Plan, kinds: Mapping[KindName, Kind] | None = None) -> None:
    """A replace that its kind says the live service cannot carry out is refused whatever the
    flags and the account: its delete would go through and its create would fail."""
    kinds = kinds if kinds is not None else default_kinds()
    blocked: dict[str, list[Change]] = {}
    for change in plan.changes:
        why = kinds[change.kind].replace_refusal if change.action == "replace" else None
        if why is not None:
            blocked.setdefault(why, []).append(change)
    if blocked:
        reasons = "; ".join(f"{', '.join(c.key for c in changes)}: {why}" for why, changes in blocked.items())
        raise PolicyRefusal(f"refused: the plan replaces what cannot be replaced. {reasons}.")


def check_plan(plan: Plan, policy: Policy, *, kinds: Mapping[KindName, Kind] | None = None) -> None:
    """The checks a plan itself must pass (replaceable, protect, threshold, affected assets)."""
    check_replaceable(plan, kinds)
    check_protect(plan, policy)
    check_threshold(plan, policy)
    check_affected_assets(plan, policy)


def check_apply(
    plan: Plan, policy: Policy, *, allow_delete: bool, kinds: Mapping[KindName, Kind] | None = None
) -> None:
    """Everything an apply must pass before its first write."""
    check_plan(plan, policy, kinds=kinds)
    check_allow_delete(plan, allow_delete)

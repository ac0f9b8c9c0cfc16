"""The impact of destructive changes: how many assets a planned change reaches, read from the
account before the plan is shown, and the safety limit on them.

Each kind says what its changes do to assets (`Kind.impact`: the assets holding a value in a
metadata field about to be deleted, the derived assets of a transformation about to be deleted
or changed unsafely), at the cost of the calls it needs; the plan itself stays pure, so the
impacts are added to a built plan here. A count that cannot be read (the Search API not
enabled, a permission error) is carried as unknown with the reason, never guessed, and
`policy.safety.max_affected_assets` counts an unknown count as over the limit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from cloudinary_state.desired import DesiredState, KindName, Policy
from cloudinary_state.engine.ignore_changes import with_live_fields
from cloudinary_state.engine.plan import Change, Plan, Target
from cloudinary_state.errors import PolicyRefusal
from cloudinary_state.kinds._common import parallel_map
from cloudinary_state.kinds.base import AdminApi, AssetImpact, Kind, LiveObject


def with_impacts(
    api: AdminApi,
    plan: Plan,
    live: Mapping[Target, LiveObject],
    desired: DesiredState,
    kinds: Mapping[KindName, Kind],
    *,
    parallelism: int = 8,
) -> Plan:
    """`plan` with each change's impact, as its kind reads it from the account (`live`: the
    objects the plan was made from, under its names). Changes of no impact keep None."""

    def impact(change: Change) -> AssetImpact | None:
        current = live.get((change.kind, change.name))
        if current is None:  # a create reaches no existing asset
            return None
        kind = kinds[change.kind]
        obj = desired.get(change.kind, change.name) if change.action != "delete" else None
        if obj is None or obj.absent:
            return kind.impact(api, change.action, None, current)
        # the body the apply writes: a field policy.ignore_changes leaves to others keeps its live value
        elsewhere = desired.policy.ignored_fields(change.kind, change.name)
        return kind.impact(api, change.action, with_live_fields(kind, obj, current, elsewhere).body, current)

    impacts = parallel_map(impact, plan.changes, parallelism)
    if not any(impacts):
        return plan
    changes = tuple(
        dataclasses.replace(c, impact=i) if i is not None else c
        for c, i in zip(plan.changes, impacts, strict=True)
    )
    return dataclasses.replace(plan, changes=changes)


def describe(impact: AssetImpact) -> str:
    """The impact for a plan: "12 assets holding a value in this field", or unknown and why."""
    if impact.assets is None:
        return f"{impact.what}: unknown ({impact.reason})"
    return f"{impact.what}: {impact.assets}"


def affected_assets(plan: Plan) -> tuple[int, list[Change]]:
    """The assets the plan's changes reach, summed over the changes whose count is known, and
    the changes whose count is not."""
    known = sum(c.impact.assets for c in plan.changes if c.impact and c.impact.assets is not None)
    unknown = [c for c in plan.changes if c.impact is not None and c.impact.assets is None]
    return known, unknown


def check_affected_assets(plan: Plan, policy: Policy) -> None:
    """Refuse (PolicyRefusal, exit 3) a plan whose changes reach more assets than
    `policy.safety.max_affected_assets`, over the whole plan; an unknown count is over."""
    limit = policy.safety.max_affected_assets
    if limit is None:
        return
    known, unknown = affected_assets(plan)
    if unknown:
        reasons = "; ".join(f"{c.key}: {c.impact.reason if c.impact else ''}" for c in unknown)
        raise PolicyRefusal(
            f"refused by policy.safety.max_affected_assets ({limit}): the assets reached by "
            f"{', '.join(c.key for c in unknown)} cannot be counted ({reasons}), and an unknown "
            "count counts as over the limit. Make the count readable (enable the Search API, "
            "grant the key its permission), or raise or remove the limit."
        )
    if known > limit:
        reached = ", ".join(
            f"{c.key} ({c.impact.assets})" for c in plan.changes if c.impact and c.impact.assets
        )
        raise PolicyRefusal(
            f"refused by policy.safety.max_affected_assets: the plan's changes reach {known} assets "
            f"({reached}), above the limit of {limit}. Review the impact, then raise the limit "
            "for this change, or change the config."
        )


# --- the plan document (JSON, plan files) -----------------------------------------------------


def impact_document(impact: AssetImpact) -> dict[str, Any]:
    return {"what": impact.what, "assets": impact.assets, "reason": impact.reason}


def impact_from_document(raw: Any) -> AssetImpact | None:
    """A change's `impact` as a plan document holds it (None when absent); ValueError for one
    of the wrong shape (the plan file reader reports it)."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("what"), str):
        raise ValueError(f"malformed impact {raw!r}")
    assets, reason = raw.get("assets"), raw.get("reason")
    if not (assets is None or (isinstance(assets, int) and not isinstance(assets, bool))):
        raise ValueError(f"malformed impact assets {assets!r}")
    if not (reason is None or isinstance(reason, str)):
        raise ValueError(f"malformed impact reason {reason!r}")
    return AssetImpact(raw["what"], assets, reason)

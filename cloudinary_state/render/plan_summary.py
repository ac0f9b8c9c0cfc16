"""`plan --json-summary FILE`: what CI acts on, without parsing the plan: the counts by action
and by kind, whether anything changes, whether its deletes and replaces are approved, whether
policy refused it, the apply's call forecast against the hourly budget, the rehearsal's outcome
(`plan --rehearse`; null without), and the exit code of the run that wrote it.

    {"format": "cloudinary-state/plan-summary@1", "environment": "staging",
     "cloud_name": "acme-staging", "has_changes": true,
     "summary": {"create": 1, "update": 0, "replace": 0, "delete": 1, "unchanged": 6, "unmanaged": 0},
     "by_kind": {"upload_preset": {"create": 1}, "upload_mapping": {"delete": 1}},
     "destructive": 1, "approved_deletes": true, "needs_delete_approval": false,
     "refused": null, "exit_code": 2, "api_calls": 15, "rate_limit_remaining": 4985,
     "forecast_calls": 9, "forecast_exceeds_budget": false, "rehearsal": "converged"}
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from cloudinary_state.engine.masking import scrub_value
from cloudinary_state.engine.plan import Plan

FORMAT = "cloudinary-state/plan-summary@1"


def _by_kind(plan: Plan) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for change in plan.changes:
        per_kind = counts.setdefault(change.kind, {})
        per_kind[change.action] = per_kind.get(change.action, 0) + 1
    for kind, _name in plan.unmanaged:
        per_kind = counts.setdefault(kind, {})
        per_kind["unmanaged"] = per_kind.get("unmanaged", 0) + 1
    return counts


def summary_document(
    plan: Plan, *, refused: str | None, exit_code: int, secrets: Collection[str] = ()
) -> dict[str, Any]:
    """`refused`: the policy refusal the plan met (None when it passed); `exit_code`: the run's."""
    destructive = len(plan.destructive())
    document = {
        "format": FORMAT,
        "environment": plan.environment,
        "cloud_name": plan.cloud_name,
        "has_changes": plan.has_changes,
        "summary": plan.summary.as_dict(),
        "by_kind": _by_kind(plan),
        "destructive": destructive,
        "approved_deletes": plan.approved_deletes,
        "needs_delete_approval": destructive > 0 and not plan.approved_deletes,
        "refused": refused,
        "exit_code": exit_code,
        "api_calls": plan.api_calls,
        "rate_limit_remaining": plan.rate_limit_remaining,
        "forecast_calls": None if plan.forecast is None else plan.forecast.calls,
        "forecast_exceeds_budget": plan.forecast is not None and plan.forecast.exceeds_budget,
        "rehearsal": None if plan.rehearsal is None else plan.rehearsal.outcome,
    }
    result: dict[str, Any] = scrub_value(document, secrets)
    return result


def render_summary(plan: Plan, *, refused: str | None, exit_code: int, secrets: Collection[str] = ()) -> str:
    document = summary_document(plan, refused=refused, exit_code=exit_code, secrets=secrets)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

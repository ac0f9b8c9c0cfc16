"""`--format json`: the DESIGN.md section 5 plan document (the same one `plan --out` saves), and
`apply --format json`, the outcome of an apply."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from cloudinary_state.engine.apply import ApplyReport
from cloudinary_state.engine.masking import scrub_value
from cloudinary_state.engine.plan import Plan
from cloudinary_state.engine.planfile import plan_document

APPLY_FORMAT = "cloudinary-state/apply@1"


def render_plan(plan: Plan, *, secrets: Collection[str] = (), digest_key: bytes) -> str:
    """`digest_key`: the account's api_secret, which keys the document's digest as in a saved plan."""
    document = plan_document(plan, secrets, digest_key=digest_key)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_apply(
    plan: Plan,
    report: ApplyReport,
    *,
    secrets: Collection[str] = (),
    api_calls: int,
    rate_limit_remaining: int | None,
) -> str:
    """`apply --format json`: what an apply did (`ApplyReport.as_dict`: what it did not attempt
    counted by kind and listed), the forecast it was planned with, and the run's calls."""
    document: dict[str, Any] = {
        "format": APPLY_FORMAT,
        "environment": plan.environment,
        "cloud_name": plan.cloud_name,
        "complete": report.ok,
        "planned": len(plan.changes),
        "counts": report.counts(),
        **report.as_dict(),
        "forecast": plan.forecast.as_dict() if plan.forecast is not None else None,
        "api_calls": api_calls,
        "rate_limit_remaining": rate_limit_remaining,
    }
    return json.dumps(scrub_value(document, secrets), indent=2, ensure_ascii=False) + "\n"

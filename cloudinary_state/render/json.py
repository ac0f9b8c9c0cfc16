"""`--format json`: the DESIGN.md section 5 plan document (the same one `plan --out` saves)."""

from __future__ import annotations

import json
from collections.abc import Collection

from cloudinary_state.engine.plan import Plan
from cloudinary_state.engine.planfile import plan_document


def render_plan(plan: Plan, *, secrets: Collection[str] = ()) -> str:
    return json.dumps(plan_document(plan, secrets), indent=2, ensure_ascii=False) + "\n"

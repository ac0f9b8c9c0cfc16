"""`--format json`: the DESIGN.md section 5 plan document (the same one `plan --out` saves)."""

from __future__ import annotations

import json
from collections.abc import Collection

from cloudinary_state.engine.plan import Plan
from cloudinary_state.engine.planfile import plan_document


def render_plan(plan: Plan, *, secrets: Collection[str] = (), digest_key: bytes) -> str:
    """`digest_key`: the account's api_secret, which keys the document's digest as in a saved plan."""
    document = plan_document(plan, secrets, digest_key=digest_key)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

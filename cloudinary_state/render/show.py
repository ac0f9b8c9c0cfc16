"""`show PLAN_FILE`: a saved plan rendered for reading, saying whether its digest was verified
(it is keyed by the account's api_secret, which `show` reads only with `--env`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from cloudinary_state.render import markdown as render_markdown
from cloudinary_state.render import text as render_text

if TYPE_CHECKING:
    from cloudinary_state.runner import ShownPlan


def shown_plan_as(fmt: str, shown: ShownPlan, *, verbose: bool) -> str:
    """A saved plan read by `show`: the document as written (json), or rendered, saying whether
    its digest was verified."""
    if fmt == "json":
        return json.dumps(shown.document, indent=2, ensure_ascii=False) + "\n"
    notices = [digest_notice(shown)]
    if fmt == "markdown":
        where = f"The full plan is in `{shown.path}` (`cloudinary-state show {shown.path}`)."
        return render_markdown.render_plan(shown.plan, verbose=verbose, notices=notices, full_plan=where)
    return render_text.render_plan(shown.plan, with_calls=False, verbose=verbose, notices=notices)


def digest_notice(shown: ShownPlan) -> str:
    if shown.verified:
        return f"Saved plan {shown.path}: digest verified with the account's key."
    return (
        f"Saved plan {shown.path}: digest NOT verified (it is keyed by the account's api_secret; "
        "`show --env ENV` verifies it with that environment's credentials, and `apply` always does)."
    )

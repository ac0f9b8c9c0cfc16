"""What the text and Markdown plans share for review: a create's server defaults folded into
one line, and what the plan says about approving its deletes and replaces."""

from __future__ import annotations

from cloudinary_state.engine.plan import Change, FieldDiff, Plan


def shown_diffs(change: Change, *, verbose: bool) -> tuple[tuple[FieldDiff, ...], int]:
    """The diffs to show, and how many server defaults are folded away (none when `verbose`:
    -v shows every field; JSON always keeps them all)."""
    if verbose:
        return change.diffs, 0
    shown = tuple(d for d in change.diffs if not d.server_default)
    return shown, len(change.diffs) - len(shown)


def defaults_line(folded: int) -> str:
    return f"and {folded} default{'s' if folded != 1 else ''} (the server's; -v shows them)"


def approval_line(plan: Plan) -> str | None:
    """Whether the plan's deletes and replaces are approved; None when it has none."""
    destructive = len(plan.destructive())
    if not destructive:
        return None
    if plan.approved_deletes:
        return (
            f"Deletes and replaces ({destructive}) approved (--allow-delete): "
            "applying this plan carries them out."
        )
    return (
        f"Deletes and replaces ({destructive}) are not approved: apply refuses them without --allow-delete "
        "(given to `plan --out`, it approves them in the saved plan)."
    )

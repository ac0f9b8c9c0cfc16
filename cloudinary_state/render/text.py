"""The plan (and apply results) as text for a terminal: `+` create, `~` update, `-` delete,
`-/+` replace, with field diffs, notes and a summary line. Colour only when asked (a terminal)."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

import click

from cloudinary_state.engine.masking import scrub_text
from cloudinary_state.engine.plan import ACTION_SYMBOLS, Change, FieldDiff, Plan
from cloudinary_state.render.rehearsal import impact_text, rehearsal_text
from cloudinary_state.render.review import approval_line, defaults_line, shown_diffs

SYMBOLS = ACTION_SYMBOLS
COLOURS = {"create": "green", "update": "yellow", "delete": "red", "replace": "magenta"}


def format_value(value: Any) -> str:
    if value is None:
        return "(absent)"
    if isinstance(value, str) and value.startswith("(sensitive"):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _style(text: str, colour: str | None, color: bool, bold: bool = False) -> str:
    return click.style(text, fg=colour, bold=bold) if color else text


def _diff_line(diff: FieldDiff, color: bool) -> str:
    if diff.before is None:
        return _style(f"      + {diff.path}: {format_value(diff.after)}", "green", color)
    if diff.after is None:
        return _style(f"      - {diff.path}: {format_value(diff.before)}", "red", color)
    return _style(
        f"      ~ {diff.path}: {format_value(diff.before)} -> {format_value(diff.after)}", "yellow", color
    )


def render_change(change: Change, color: bool, *, verbose: bool = False) -> list[str]:
    """The change's lines; a create's server defaults folded into one line unless `verbose`."""
    symbol = SYMBOLS[change.action]
    head = f"  {symbol} {change.kind} {change.name}"
    lines = [_style(head, COLOURS[change.action], color, bold=True) + f"  ({change.action})"]
    diffs, folded = shown_diffs(change, verbose=verbose)
    lines += [_diff_line(d, color) for d in diffs]
    lines += [f"      {defaults_line(folded)}"] if folded else []
    lines += [f"      note: {n}" for n in change.notes]
    lines += impact_text(change)
    return lines


def summary_line(plan: Plan) -> str:
    s = plan.summary
    return (
        f"Plan: {s.create} to create, {s.update} to update, {s.replace} to replace, {s.delete} to delete; "
        f"{s.unchanged} unchanged, {s.unmanaged} unmanaged."
    )


def api_line(api_calls: int, remaining: int | None) -> str:
    budget = f"{remaining} remaining this hour" if remaining is not None else "budget not reported"
    return f"Admin API calls: {api_calls} ({budget})."


def render_plan(
    plan: Plan,
    *,
    color: bool = False,
    secrets: Collection[str] = (),
    with_calls: bool = True,
    verbose: bool = False,
    notices: Collection[str] = (),
) -> str:
    """The plan for a terminal; `with_calls=False` leaves out the Admin API calls line (a saved
    plan shown before this run's calls, which the run reports at its end); `verbose` shows a
    create's server defaults; `notices` go under the title (a saved plan's digest status)."""
    lines = [f"Plan for environment {plan.environment} (cloud {plan.cloud_name})", ""]
    lines += [line for notice in notices for line in (notice, "")]
    if not plan.changes:
        lines.append("No changes. The account matches the config.")
    for change in plan.changes:
        lines += render_change(change, color, verbose=verbose)
    if plan.unmanaged:
        lines += ["", "Unmanaged (live, not in the config, left alone):"]
        lines += [f"  ? {k} {n}" for k, n in plan.unmanaged]
    if plan.notes:
        lines += ["", "Notes:"]
        lines += [f"  {n}" for n in plan.notes]
    lines += rehearsal_text(plan.rehearsal)
    approval = approval_line(plan)
    lines += ["", summary_line(plan), *([approval] if approval else [])]
    if with_calls:
        lines.append(api_line(plan.api_calls, plan.rate_limit_remaining))
    return scrub_text("\n".join(lines) + "\n", secrets)

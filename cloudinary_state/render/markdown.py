"""`--format markdown`: a pull-request comment. A summary table, then one collapsible
`<details>` section per changed object with its field diffs and notes."""

from __future__ import annotations

import html
from collections.abc import Collection

from cloudinary_state.engine.masking import scrub_text
from cloudinary_state.engine.plan import Change, Plan
from cloudinary_state.render.text import SYMBOLS, api_line, format_value, summary_line


def code_cell(text: str) -> str:
    """Inline code inside a Markdown table cell: HTML-escaped, pipes escaped, newlines
    flattened (the drift and diff reports use it too)."""
    return "<code>" + html.escape(text).replace("|", "&#124;").replace("\n", " ") + "</code>"


def _section(change: Change) -> list[str]:
    title = html.escape(f"{SYMBOLS[change.action]} {change.kind} {change.name}")
    lines = [f"<details><summary><code>{title}</code> — {change.action}</summary>", ""]
    if change.diffs:
        lines += ["| field | before | after |", "|---|---|---|"]
        lines += [
            f"| {code_cell(d.path)} | {code_cell(format_value(d.before))} "
            f"| {code_cell(format_value(d.after))} |"
            for d in change.diffs
        ]
        lines.append("")
    lines += [f"- {html.escape(n)}" for n in change.notes]
    if change.notes:
        lines.append("")
    lines += ["</details>", ""]
    return lines


def render_plan(plan: Plan, *, secrets: Collection[str] = ()) -> str:
    s = plan.summary
    lines = [
        f"### cloudinary-state plan: `{plan.environment}` (cloud `{plan.cloud_name}`)",
        "",
        "| create | update | replace | delete | unchanged | unmanaged |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {s.create} | {s.update} | {s.replace} | {s.delete} | {s.unchanged} | {s.unmanaged} |",
        "",
    ]
    if not plan.changes:
        lines += ["**No changes.** The account matches the config.", ""]
    for change in plan.changes:
        lines += _section(change)
    if plan.unmanaged:
        names = ", ".join(f"`{k}:{n}`" for k, n in plan.unmanaged)
        lines += [f"Unmanaged (live, not in the config, left alone): {names}", ""]
    lines += [f"- {html.escape(n)}" for n in plan.notes]
    if plan.notes:
        lines.append("")
    if plan.forecast is not None and plan.has_changes:
        warning = plan.forecast.warning()
        lines += [f"**Warning:** {html.escape(warning)}", ""] if warning else []
        lines += [f"_{html.escape(plan.forecast.line())}_", ""]
    lines += [f"_{summary_line(plan)} {api_line(plan.api_calls, plan.rate_limit_remaining)}_", ""]
    return scrub_text("\n".join(lines), secrets)

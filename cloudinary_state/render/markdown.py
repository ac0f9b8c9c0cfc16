"""`--format markdown` and `--markdown FILE`: a pull-request comment. A summary table, then one
collapsible `<details>` section per changed object with its field diffs and notes, within
GitHub's comment limit (`markdown_budget`: what does not fit is summarised by counts)."""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence

from cloudinary_state.engine.masking import scrub_text
from cloudinary_state.engine.plan import Change, Plan
from cloudinary_state.render.markdown_budget import Block, clip, fit
from cloudinary_state.render.rehearsal import impact_markdown, rehearsal_markdown
from cloudinary_state.render.review import approval_line, defaults_line, shown_diffs
from cloudinary_state.render.text import SYMBOLS, api_line, format_value, summary_line

FULL_PLAN = "The full plan is in the plan file (`plan --out`; in CI, the workflow's artifact)."


def code_cell(text: str) -> str:
    """Inline code inside a Markdown table cell: HTML-escaped, pipes escaped, newlines
    flattened (the drift and diff reports use it too)."""
    return "<code>" + html.escape(text).replace("|", "&#124;").replace("\n", " ") + "</code>"


def _section(change: Change, verbose: bool) -> list[str]:
    title = html.escape(f"{SYMBOLS[change.action]} {change.kind} {change.name}")
    lines = [f"<details><summary><code>{title}</code> — {change.action}</summary>", ""]
    diffs, folded = shown_diffs(change, verbose=verbose)
    if diffs:
        lines += ["| field | before | after |", "|---|---|---|"]
        lines += [
            f"| {code_cell(d.path)} | {code_cell(format_value(d.before))} "
            f"| {code_cell(format_value(d.after))} |"
            for d in diffs
        ]
        lines.append("")
    if folded:
        lines += [f"_{defaults_line(folded)}_", ""]
    lines += [f"- {html.escape(n)}" for n in change.notes]
    lines += impact_markdown(change)
    if change.notes or change.impact is not None:
        lines.append("")
    lines += ["</details>", ""]
    return lines


def _head(plan: Plan, refused: str | None, notices: Sequence[str]) -> list[str]:
    s = plan.summary
    lines = [
        f"### cloudinary-state plan: `{plan.environment}` (cloud `{plan.cloud_name}`)",
        "",
        *(line for notice in notices for line in (clip(notice), "")),
        "| create | update | replace | delete | unchanged | unmanaged |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {s.create} | {s.update} | {s.replace} | {s.delete} | {s.unchanged} | {s.unmanaged} |",
        "",
    ]
    if refused is not None:
        lines += [f"**Refused by policy (exit 3):** {html.escape(clip(refused))}", ""]
    approval = approval_line(plan)
    if approval is not None:
        lines += [f"**{approval}**" if plan.approved_deletes else f"⚠️ {approval}", ""]
    if not plan.changes:
        lines += ["**No changes.** The account matches the config.", ""]
    return lines


def _blocks(plan: Plan, verbose: bool, secrets: Collection[str]) -> list[Block]:
    def block(lines: list[str], kind: str, action: str) -> Block:
        return Block(scrub_text("\n".join(lines) + "\n", secrets), kind, action)

    blocks = [block(_section(c, verbose), c.kind, c.action) for c in plan.changes]
    for i, (kind, name) in enumerate(plan.unmanaged):
        heading = ["Unmanaged (live, not in the config, left alone):", ""] if i == 0 else []
        blocks.append(block([*heading, f"- `{kind}:{name}`"], kind, "unmanaged"))
    for i, note in enumerate(plan.notes):
        blocks.append(block([*([""] if i == 0 else []), f"- {html.escape(note)}"], "(plan notes)", "note"))
    return blocks


def render_plan(
    plan: Plan,
    *,
    secrets: Collection[str] = (),
    verbose: bool = False,
    refused: str | None = None,
    notices: Sequence[str] = (),
    full_plan: str = FULL_PLAN,
) -> str:
    """The plan as a comment of at most 60,000 characters. `refused`: the policy refusal this
    plan met (the comment is still posted); `notices`: lines under the title (a saved plan's
    digest status); `full_plan`: where a reader finds what does not fit."""
    head = scrub_text("\n".join(_head(plan, refused, notices)) + "\n", secrets)
    rehearsal = "\n".join(rehearsal_markdown(plan.rehearsal))
    summary = f"_{summary_line(plan)} {api_line(plan.api_calls, plan.rate_limit_remaining)}_"
    # the rehearsal's outcome is in the tail, which is always kept, however many objects are cut
    tail = scrub_text(f"\n{rehearsal}\n{summary}\n\n" if rehearsal else f"\n{summary}\n\n", secrets)
    return fit(head, _blocks(plan, verbose, secrets), tail, noun="objects", where=full_plan)

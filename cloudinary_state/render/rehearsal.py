"""A plan's rehearsal outcome and its changes' impact, as lines of the text and Markdown plans
(the JSON plan carries both as they are: engine/planfile.py)."""

from __future__ import annotations

import html

from cloudinary_state.engine.impact import describe
from cloudinary_state.engine.plan import Change
from cloudinary_state.engine.rehearsal_report import Rehearsal
from cloudinary_state.render.markdown_budget import clip

MARKDOWN_DETAILS = 20  # failed, applied, not attempted: lines of a rehearsal in a Markdown plan


def impact_text(change: Change) -> list[str]:
    return [f"      impact: {describe(change.impact)}"] if change.impact is not None else []


def impact_markdown(change: Change) -> list[str]:
    return [f"- **impact**: {html.escape(describe(change.impact))}"] if change.impact is not None else []


def _details(rehearsal: Rehearsal) -> list[str]:
    lines = [f"failed {f.action} {f.target}: {f.reason}" for f in rehearsal.failed]
    lines += [f"applied {target}" for target in rehearsal.applied if not rehearsal.converged]
    lines += [f"not attempted {target}" for target in rehearsal.not_attempted]
    return lines


def rehearsal_text(rehearsal: Rehearsal | None) -> list[str]:
    if rehearsal is None:
        return []
    lines = ["", f"Rehearsal: {rehearsal.headline()}"]
    lines += [f"  {line}" for line in _details(rehearsal)]
    lines += [f"  assumes: {a}" for a in rehearsal.assumptions]
    lines.append(f"  ({rehearsal.calls} Admin API calls to the emulated copy, none to the account)")
    return lines


def rehearsal_markdown(rehearsal: Rehearsal | None) -> list[str]:
    if rehearsal is None:
        return []
    mark = "✅" if rehearsal.converged else "❌"
    lines = [f"**Rehearsal** {mark} {html.escape(rehearsal.headline())}", ""]
    details = _details(rehearsal)
    # the outcome sits in the Markdown's tail, which is always kept: a bounded number of lines
    lines += [f"- {html.escape(clip(line))}" for line in details[:MARKDOWN_DETAILS]]
    if len(details) > MARKDOWN_DETAILS:
        lines.append(f"- … and {len(details) - MARKDOWN_DETAILS} more (the plan file lists them all)")
    lines += ["", "<details><summary>What the rehearsal assumes</summary>", ""]
    lines += [f"- {html.escape(a)}" for a in rehearsal.assumptions]
    lines += ["", "</details>", ""]
    return lines

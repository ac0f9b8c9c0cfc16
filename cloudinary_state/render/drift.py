"""A drift report as text (terminal), JSON (machines) or Markdown (the body of a GitHub issue).
JUnit lives in `render.junit`. Values in the report are already masked by the plan; every
renderer scrubs the environment's secrets once more on the way out."""

from __future__ import annotations

import html
import json
from collections.abc import Collection
from typing import Any

from cloudinary_state.audit import DRIFT_STATUSES, DriftItem, DriftReport
from cloudinary_state.engine.masking import scrub_text, scrub_value
from cloudinary_state.render.markdown import code_cell
from cloudinary_state.render.markdown_budget import Block, fit
from cloudinary_state.render.text import api_line, format_value

HEADINGS = {
    "changed": "Changed outside the config",
    "missing": "Missing from the account",
    "unmanaged": "Unmanaged (in the account, not in the config)",
}
SYMBOLS = {"changed": "~", "missing": "+", "unmanaged": "?"}


def summary_line(report: DriftReport) -> str:
    c = report.counts()
    verdict = "Drift found" if report.has_drift else "No drift"
    return (
        f"{verdict}: {c['changed']} changed, {c['missing']} missing, {c['unmanaged']} unmanaged; "
        f"{c['in_sync']} in sync."
    )


def _by_status(report: DriftReport, status: str) -> list[DriftItem]:
    return [i for i in report.items if i.status == status]


def render_text(report: DriftReport, *, secrets: Collection[str] = ()) -> str:
    lines = [f"Drift audit of environment {report.environment} (cloud {report.cloud_name})", ""]
    if not report.has_drift:
        lines.append("No drift. The account matches the config.")
    for status in DRIFT_STATUSES:
        items = _by_status(report, status)
        if not items:
            continue
        lines += [f"{HEADINGS[status]}:"]
        for item in items:
            tail = "  (an apply would delete it)" if item.would_delete else ""
            lines.append(f"  {SYMBOLS[status]} {item.kind} {item.name}{tail}")
            for d in item.diffs if status == "changed" else ():
                lines.append(
                    f"      ~ {d.path}: live {format_value(d.before)}, config {format_value(d.after)}"
                )
            lines += [f"      note: {n}" for n in item.notes]
        lines.append("")
    lines += ["", summary_line(report), api_line(report.api_calls, report.rate_limit_remaining)]
    return scrub_text("\n".join(lines) + "\n", secrets)


def report_document(report: DriftReport, secrets: Collection[str] = ()) -> dict[str, Any]:
    document = {
        "format": "cloudinary-state/drift@1",
        "environment": report.environment,
        "cloud_name": report.cloud_name,
        "drift": report.has_drift,
        "summary": report.counts(),
        "items": [
            {
                "kind": i.kind,
                "name": i.name,
                "status": i.status,
                "would_delete": i.would_delete,
                "diffs": [
                    {"path": d.path, "live": d.before, "config": d.after, "sensitive": d.sensitive}
                    for d in i.diffs
                ],
                "notes": list(i.notes),
            }
            for i in report.drifted
        ],
        "api_calls": report.api_calls,
    }
    result: dict[str, Any] = scrub_value(document, secrets)
    return result


def render_json(report: DriftReport, *, secrets: Collection[str] = ()) -> str:
    return json.dumps(report_document(report, secrets), indent=2, ensure_ascii=False) + "\n"


def _markdown_item(item: DriftItem, status: str) -> list[str]:
    tail = " — an apply would delete it" if item.would_delete else ""
    lines = [f"- [ ] `{item.kind}:{item.name}`{tail}"]
    lines += [f"  - {html.escape(n)}" for n in item.notes]
    if status == "changed" and item.diffs:
        lines += ["", "  | field | live | config |", "  |---|---|---|"]
        for d in item.diffs:
            live, config = code_cell(format_value(d.before)), code_cell(format_value(d.after))
            lines.append(f"  | {code_cell(d.path)} | {live} | {config} |")
        lines.append("")
    return lines


def _markdown_blocks(report: DriftReport, secrets: Collection[str]) -> list[Block]:
    blocks: list[Block] = []
    for status in DRIFT_STATUSES:
        items = _by_status(report, status)
        for i, item in enumerate(items):
            heading = [f"#### {HEADINGS[status]} ({len(items)})", ""] if i == 0 else []
            ending = [""] if i == len(items) - 1 else []  # a blank line closes the section's list
            text = "\n".join([*heading, *_markdown_item(item, status), *ending]) + "\n"
            blocks.append(Block(scrub_text(text, secrets), item.kind, status))
    return blocks


def render_markdown(report: DriftReport, *, secrets: Collection[str] = ()) -> str:
    """Suited to an issue body: a summary table, then one section per drift class, within
    GitHub's 65,536 characters (`markdown_budget`: what does not fit is counted)."""
    c = report.counts()
    head = [
        f"### cloudinary-state drift: `{report.environment}` (cloud `{report.cloud_name}`)",
        "",
        "| changed | missing | unmanaged | in sync |",
        "|---:|---:|---:|---:|",
        f"| {c['changed']} | {c['missing']} | {c['unmanaged']} | {c['in_sync']} |",
        "",
    ]
    if not report.has_drift:
        head += ["**No drift.** The account matches the config.", ""]
    tail = [
        "To accept a live change, write it into the config (`cloudinary-state import` or edit the YAML); "
        "to undo it, run `cloudinary-state apply`.",
        "",
        f"_{summary_line(report)} {api_line(report.api_calls, report.rate_limit_remaining)}_",
        "",
    ]
    return fit(
        scrub_text("\n".join(head) + "\n", secrets),
        _markdown_blocks(report, secrets),
        scrub_text("\n".join(tail), secrets),
        noun="drifted objects",
        where="The full report is in the run's JSON or JUnit report (`drift --json FILE`, `--junit FILE`).",
    )

"""Markdown that fits a GitHub comment (or issue body): at most MARKDOWN_BUDGET characters.

GitHub refuses a comment or issue body longer than 65,536 characters; a workflow adds a
marker comment to find its own comment again, and may add a link or two. So a rendering is
kept to 60,000 characters: its head and tail always, then its blocks (one per object) in
order while they fit, and the blocks beyond the budget summarised by counts per kind and
action, with a line saying where the full report is.

The summary's room is reserved before any block is placed, sized for every block left out,
so the result never exceeds the budget whatever the blocks hold (a 10,000-object plan, or one
object with a huge value).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

MARKDOWN_BUDGET = 60_000  # characters; GitHub's limit is 65,536
MAX_LINE = 2_000  # a line of the head or tail (a refusal naming many objects) is clipped to this


@dataclass(frozen=True)
class Block:
    """One object's part of a report: its text (scrubbed already), and the kind and action
    (or drift status) it is counted under when it does not fit."""

    text: str
    kind: str
    action: str


def clip(line: str, limit: int = MAX_LINE) -> str:
    """`line`, cut to `limit` characters with a mark where it was cut."""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _omitted_summary(omitted: Sequence[Block], total: int, noun: str, where: str) -> str:
    counts = Counter((b.kind, b.action) for b in omitted)
    lines = [
        f"**{len(omitted)} of {total} {noun} are not shown here**, to keep this text within "
        f"{MARKDOWN_BUDGET:,} characters (GitHub's comment limit is 65,536). {where}",
        "",
        "| kind | action | not shown |",
        "|---|---|---:|",
        *(f"| {kind} | {action} | {n} |" for (kind, action), n in sorted(counts.items())),
        "",
        "",
    ]
    return "\n".join(lines)


def fit(
    head: str,
    blocks: Sequence[Block],
    tail: str,
    *,
    noun: str = "objects",
    where: str = "The full report is in the file the command wrote.",
    budget: int = MARKDOWN_BUDGET,
) -> str:
    """`head`, the blocks that fit in order, a summary of those that do not, then `tail`;
    at most `budget` characters, provided `head`, `tail` and the summary of every block fit."""
    whole = head + "".join(b.text for b in blocks) + tail
    if len(whole) <= budget:
        return whole
    reserve = len(_omitted_summary(blocks, len(blocks), noun, where))  # the longest it can be
    room = budget - len(head) - len(tail) - reserve
    shown: list[Block] = []
    for block in blocks:  # a prefix, so that a reader sees the report in its own order
        if len(block.text) > room:
            break
        shown.append(block)
        room -= len(block.text)
    omitted = blocks[len(shown) :]
    summary = _omitted_summary(omitted, len(blocks), noun, where)
    return head + "".join(b.text for b in shown) + summary + tail

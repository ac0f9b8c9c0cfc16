"""A promotion as text: what is recorded where, what is already in sync, then the target
environment's plan over the edited config (the same one `plan --env B` shows next)."""

from __future__ import annotations

from collections.abc import Collection

from cloudinary_state.engine.masking import scrub_text
from cloudinary_state.importer import instructions
from cloudinary_state.promote import Promotion
from cloudinary_state.render.text import render_plan


def render_promotion(
    promotion: Promotion, *, written: bool, color: bool = False, secrets: Collection[str] = ()
) -> str:
    source, target = promotion.source, promotion.target
    lines = [f"Promote from {source} to {target}", ""]
    for obj in promotion.objects:
        if obj.status == "in_sync":
            lines.append(
                f"  = {obj.kind} {obj.name}: already in sync ({target} matches {source} as configured)"
            )
        else:
            verb = "adds to" if obj.new else "updates in"
            lines.append(f"  ~ {obj.kind} {obj.name}: {verb} {obj.document}")
        lines += [f"      note: {n}" for n in obj.notes]
    if not promotion.objects:
        lines.append(f"  nothing to promote: {source} has no such live objects")
    lines += [
        f"  note: {d} was rewritten whole (flow style): its comments were lost"
        for d in promotion.rewritten_whole
    ]
    lines.append("")
    lines.append(render_plan(promotion.plan, color=color, secrets=secrets).rstrip("\n"))
    lines.append("")
    lines += instructions(promotion.placeholders)
    if not promotion.edits:
        lines.append("Nothing to record: the config already holds these objects.")
    elif written:
        files = ", ".join(str(p) for p in promotion.edits)
        lines.append(f"Recorded in {files}. Next: cloudinary-state plan --env {target}, then apply.")
    else:
        lines.append("Nothing was written: re-run with --write to record these objects in the config.")
    return scrub_text("\n".join(lines) + "\n", secrets)

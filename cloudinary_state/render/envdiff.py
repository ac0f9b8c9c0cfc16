"""An environment diff as text, JSON or Markdown. Real differences come first and are marked;
differences explained by variables, add-on toggles or `${env.*}` values are labelled as such."""

from __future__ import annotations

import html
import json
from collections.abc import Collection
from typing import Any

from cloudinary_state.engine.masking import scrub_text, scrub_value
from cloudinary_state.envdiff import EnvDiff, ObjectDiff, ValueDiff
from cloudinary_state.render.markdown import code_cell
from cloudinary_state.render.text import format_value

CAUSE_LABELS = {
    "real": "real difference",
    "variable": "from variables",
    "addon": "from add-on toggles",
    "sensitive": "from ${env.*} (not shown)",
}


def _what(result: EnvDiff) -> str:
    return "desired states" if result.mode == "desired" else "live accounts"


def summary_line(result: EnvDiff) -> str:
    c = result.counts()
    verdict = "Different" if result.different else "Same"
    only = f"{c['only_a']} only in {result.env_a}, {c['only_b']} only in {result.env_b}"
    explained = f"{c['variable']} from variables, {c['addon']} from add-ons, {c['sensitive']} from ${{env.*}}"
    return f"{verdict}: {c['real']} real field differences, {only}; {explained}; {c['identical']} identical."


def _presence(result: EnvDiff, obj: ObjectDiff) -> str:
    if obj.presence == "only_a":
        return f"only in {result.env_a}"
    if obj.presence == "only_b":
        return f"only in {result.env_b}"
    return "differs" if obj.real else "same apart from variables, add-ons or secrets"


def _value_line(result: EnvDiff, d: ValueDiff) -> str:
    detail = f": {d.detail}" if d.detail else ""
    marker = "!" if d.cause == "real" else " "
    return (
        f"    {marker} {d.path}: {result.env_a} {format_value(d.a)} | {result.env_b} {format_value(d.b)}"
        f"  ({CAUSE_LABELS[d.cause]}{detail})"
    )


def render_text(result: EnvDiff, *, secrets: Collection[str] = ()) -> str:
    lines = [f"Diff of {result.env_a} and {result.env_b} ({_what(result)})", ""]
    if not result.objects:
        lines.append("No differences between the objects.")
    for obj in sorted(result.objects, key=lambda o: not o.real):
        symbol = {"only_a": "<", "only_b": ">", "both": "~" if obj.real else "="}[obj.presence]
        lines.append(f"  {symbol} {obj.kind} {obj.name}  ({_presence(result, obj)})")
        lines += [_value_line(result, d) for d in obj.diffs]
    if result.variables:
        lines += ["", "Variables that differ:"]
        lines += [f"  {n}: {json.dumps(a)} | {json.dumps(b)}" for n, a, b in result.variables]
    if result.addons:
        lines += ["", "Add-on toggles that differ:"]
        lines += [f"  {n}: {_toggle(a)} | {_toggle(b)}" for n, a, b in result.addons]
    lines += ["", summary_line(result)]
    return scrub_text("\n".join(lines) + "\n", secrets)


def diff_document(result: EnvDiff, secrets: Collection[str] = ()) -> dict[str, Any]:
    document = {
        "format": "cloudinary-state/diff@1",
        "mode": result.mode,
        "a": result.env_a,
        "b": result.env_b,
        "different": result.different,
        "summary": result.counts(),
        "objects": [
            {
                "kind": o.kind,
                "name": o.name,
                "presence": o.presence,
                "real": o.real,
                "diffs": [
                    {"path": d.path, "a": d.a, "b": d.b, "cause": d.cause, "detail": d.detail}
                    for d in o.diffs
                ],
            }
            for o in result.objects
        ],
        "variables": [{"name": n, "a": a, "b": b} for n, a, b in result.variables],
        "addons": [{"name": n, "a": a, "b": b} for n, a, b in result.addons],
    }
    scrubbed: dict[str, Any] = scrub_value(document, secrets)
    return scrubbed


def render_json(result: EnvDiff, *, secrets: Collection[str] = ()) -> str:
    return json.dumps(diff_document(result, secrets), indent=2, ensure_ascii=False) + "\n"


def render_markdown(result: EnvDiff, *, secrets: Collection[str] = ()) -> str:
    a, b = result.env_a, result.env_b
    lines = [f"### cloudinary-state diff: `{a}` and `{b}` ({_what(result)})", ""]
    if not result.objects:
        lines += ["**No differences between the objects.**", ""]
    for obj in sorted(result.objects, key=lambda o: not o.real):
        lines.append(f"- `{obj.kind}:{obj.name}` — {html.escape(_presence(result, obj))}")
        if obj.diffs:
            lines += ["", f"  | field | {a} | {b} | cause |", "  |---|---|---|---|"]
            for d in obj.diffs:
                cause = html.escape(CAUSE_LABELS[d.cause] + (f": {d.detail}" if d.detail else ""))
                va, vb = code_cell(format_value(d.a)), code_cell(format_value(d.b))
                lines.append(f"  | {code_cell(d.path)} | {va} | {vb} | {cause} |")
            lines.append("")
    if result.variables:
        lines += ["", f"| variable | {a} | {b} |", "|---|---|---|"]
        lines += [
            f"| `{n}` | {code_cell(str(va))} | {code_cell(str(vb))} |" for n, va, vb in result.variables
        ]
    if result.addons:
        lines += ["", f"| add-on | {a} | {b} |", "|---|---|---|"]
        lines += [f"| `{n}` | {_toggle(va)} | {_toggle(vb)} |" for n, va, vb in result.addons]
    lines += ["", f"_{summary_line(result)}_", ""]
    return scrub_text("\n".join(lines), secrets)


def _toggle(value: bool | None) -> str:
    # None: the environment does not mention the add-on, so its options are kept as written
    return "unknown" if value is None else "on" if value else "off"

"""A tried upload (`try-preset`) as text for people or as a JSON document for tests and tools
(`cloudinary-state/try-preset@1`, documented in docs/cli.md). Both scrub the environment's
secrets on the way out; values that came from `${env.*}` are masked already."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from cloudinary_state.kinds.tried import UploadEffect
from cloudinary_state.scrubbing import scrub_text, scrub_value
from cloudinary_state.trypreset import FORMAT, TryPresetResult


def calls_line(result: TryPresetResult) -> str:
    return (
        f"Admin API calls: {result.api_calls}, all to the emulated account; nothing was sent to Cloudinary."
    )


def document(result: TryPresetResult, secrets: Collection[str] = ()) -> dict[str, Any]:
    """The JSON document: the tried upload's result, secrets cut out."""
    body = {
        "format": FORMAT,
        "environment": result.environment,
        "cloud_name": result.cloud_name,
        "kind": result.kind,
        "preset": result.preset,
        "file": result.file,
        "emulated": True,
        "asset": dict(result.asset),
        "addon_results": [
            {"option": a.option, "value": a.value, "status": a.status, "emulated": a.emulated}
            for a in result.addon_results
        ],
        "no_effect": [{"setting": e.setting, "value": e.value, "reason": e.detail} for e in result.no_effect],
        "notes": [{"setting": e.setting, "value": e.value, "note": e.detail} for e in result.notes],
        "related": [
            {"kind": e.kind, "name": e.name, "applies": e.applies, "detail": e.detail} for e in result.related
        ],
        "api_calls": result.api_calls,
    }
    scrubbed: dict[str, Any] = scrub_value(body, secrets)
    return scrubbed


def render_json(result: TryPresetResult, *, secrets: Collection[str] = ()) -> str:
    return json.dumps(document(result, secrets), indent=2, ensure_ascii=False) + "\n"


# --- text ------------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    if value in (None, "", [], {}):
        return "(none)"
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _asset_lines(asset: Mapping[str, Any]) -> list[str]:
    size = f"{asset.get('width')}x{asset.get('height')}" if asset.get("width") else "size unknown"
    rows = [
        ("public_id", asset.get("public_id")),
        ("folder", asset.get("folder")),
        ("asset_folder", asset.get("asset_folder")),
        ("display_name", asset.get("display_name")),
        ("stored as", f"{asset.get('resource_type')}/{asset.get('type')}, {asset.get('format')}, {size}"),
        ("url", asset.get("secure_url")),
        ("tags", asset.get("tags")),
        ("context", asset.get("context")),
        ("metadata", asset.get("metadata")),
        ("incoming", asset.get("incoming_transformation")),
        ("access_control", asset.get("access_control")),
    ]
    return [f"  {label:<15} {_shown(value)}" for label, value in rows]


def _effect_line(effect: UploadEffect) -> str:
    return f"  {effect.setting} = {_shown(effect.value)}: {effect.detail}"


def _sections(result: TryPresetResult) -> list[str]:
    lines = ["", f"Eager derivatives ({len(result.asset.get('eager') or [])}):"]
    for entry in result.asset.get("eager") or []:
        lines += [f"  {entry['transformation']} ({entry['format']})", f"      {entry['secure_url']}"]
    lines += ["", "Add-on results (emulated: they ran and found nothing):"]
    lines += [f"  {a.option} {a.value}: {a.status}" for a in result.addon_results] or ["  (none asked for)"]
    lines += ["", f"Settings of the {result.kind} that had no effect:"]
    lines += [_effect_line(e) for e in result.no_effect] or ["  (none)"]
    if result.notes:
        lines += ["", "Notes:", *(_effect_line(e) for e in result.notes)]
    if result.related:
        lines += ["", "Other objects of the environment and this asset:"]
        lines += [
            f"  {e.kind} {e.name}: {'applies' if e.applies else 'does not apply'}: {e.detail}"
            for e in result.related
        ]
    return lines


def render_text(result: TryPresetResult, *, secrets: Collection[str] = ()) -> str:
    lines = [
        f"{result.file} through {result.kind} {result.preset} of environment {result.environment} "
        f"(cloud {result.cloud_name}), on an emulated account",
        "",
        "The asset:",
        *_asset_lines(result.asset),
        *_sections(result),
        "",
        calls_line(result),
    ]
    return scrub_text("\n".join(lines) + "\n", secrets)


def render(fmt: str, result: TryPresetResult, *, secrets: Collection[str] = ()) -> str:
    return render_json(result, secrets=secrets) if fmt == "json" else render_text(result, secrets=secrets)

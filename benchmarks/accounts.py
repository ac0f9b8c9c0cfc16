"""Generated accounts for the benchmarks: N objects of each kind, as a config
directory the real loader reads (so the benchmark measures what a user's config costs).

Every object is of the richer sort a real account holds: transformations with chained
components, enum/set metadata fields with datasources, presets with eager transformations
(referencing the generated transformations), tags and metadata defaults, mappings, and
webhook triggers spread over the event types (N <= MAX_SIZE).
`edit_every` gives the same account with every tenth object of each kind changed, for the
"update 10%" measurement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CLOUD = "bench-cloud"
ENV = "bench"
EDIT_EVERY = 10  # the update phase changes objects 0, 10, 20, ...: 10% of each kind


def transformation_name(i: int) -> str:
    return f"bench_tx_{i:04d}"


def field_name(i: int) -> str:
    return f"bench_field_{i:04d}"


def preset_name(i: int) -> str:
    return f"bench_preset_{i:04d}"


def mapping_folder(i: int) -> str:
    return f"bench_folder_{i:04d}"


def _edited(i: int, edit: bool) -> bool:
    return edit and i % EDIT_EVERY == 0


def _transformation(i: int, edit: bool) -> dict[str, Any]:
    definition = f"c_fill,g_auto,h_{100 + i},w_{200 + i}/f_auto,q_auto"
    if _edited(i, edit):
        definition += "/e_sharpen:80"
    return {"transformation": definition, "allowed_for_strict": True}


def _field(i: int, edit: bool) -> dict[str, Any]:
    values = [{"external_id": f"v{i}_{j}", "value": f"Value {j} of field {i}"} for j in range(3)]
    label = f"Bench field {i}"
    if _edited(i, edit):
        label += " (edited)"
        values.append({"external_id": f"v{i}_new", "value": f"New value of field {i}"})
    return {
        "type": "enum" if i % 2 == 0 else "set",
        "label": label,
        "datasource": {"values": values},
    }


def _preset(i: int, edit: bool) -> dict[str, Any]:
    tags = ["bench", f"batch_{i % 7}"]
    if _edited(i, edit):
        tags.append("edited")
    first_value = f"v{i}_0"
    transformation = transformation_name(i)
    return {
        "unsigned": i % 3 == 0,
        "settings": {
            "folder": f"bench/{i:04d}",
            "use_filename": True,
            "tags": tags,
            "eager": [f"t_{transformation}/c_scale,w_320", f"t_{transformation}/c_scale,w_960/f_auto"],
            "eager_async": True,
            # an enum field takes one external_id, a set field a list of them
            "metadata": {field_name(i): first_value if i % 2 == 0 else [first_value]},
        },
    }


def rule_name(i: int) -> str:
    return f"bench_rule_{i:04d}"


def _rule(i: int, n: int, edit: bool) -> dict[str, Any]:
    """Field i offers only some of its values while field i+1 is filled (N >= 2: a rule never
    reads the field it targets)."""
    offered = [f"v{i}_0", f"v{i}_1"] if _edited(i, edit) else [f"v{i}_0"]
    return {
        "metadata_field_id": field_name(i),
        "condition": {"metadata_field_id": field_name((i + 1) % n), "populated": True},
        "result": {"activate_values": {"external_ids": offered}},
    }


def profile_name(i: int) -> str:
    return f"bench_profile_{i:04d}"


def _profile(i: int, edit: bool) -> dict[str, Any]:
    """A two-rung ladder; the edit raises the top rung's bit rate (one PUT of the whole list)."""
    top = "6m" if _edited(i, edit) else "5m"
    return {
        "display_name": f"Bench profile {i}",
        "representations": [
            {"transformation": f"c_limit,w_1920,h_1080,vc_h264,br_{top}"},
            {"transformation": f"c_limit,w_1280,h_{720 + i % 2},vc_h264,br_3m"},
        ],
    }


# The reference's event types (§10) but `all`: the API takes at most 30 URLs per event type.
EVENT_TYPES = (
    "access_control_changed", "bulk_refresh_auto_fetch", "create_folder", "delete", "delete_by_token",
    "delete_folder", "eager", "error", "explode", "generate_archive", "info", "invalidate_custom_cdn",
    "moderation", "moderation_summary", "move", "move_or_rename_asset_folder", "multi", "publish",
    "rename", "report", "resource_context_changed", "resource_display_name_changed",
    "resource_metadata_changed", "resource_tags_changed", "restore_asset_version", "sprite", "upload",
)  # fmt: skip
# Triggers i and i + 1 share an event type for EDIT_EVERY objects in a row, so the edited
# triggers (0, 10, 20, ...) have event types of their own up to this size: each edited URL is
# the only one of its event type the config and the account do not match, and updates in place.
MAX_SIZE = EDIT_EVERY * len(EVENT_TYPES)


def trigger_name(i: int) -> str:
    return f"bench_trigger_{i:04d}"


def _trigger(i: int, edit: bool) -> dict[str, Any]:
    version = "v2" if _edited(i, edit) else "v1"
    event_type = EVENT_TYPES[(i // EDIT_EVERY) % len(EVENT_TYPES)]
    return {"event_type": event_type, "uri": f"https://hooks.bench.example/{version}/{i:04d}"}


def _mapping(i: int, edit: bool) -> dict[str, Any]:
    host = "media-v2" if _edited(i, edit) else "media"
    return {"template": f"https://{host}.bench.example/{mapping_folder(i)}/"}


def resources(n: int, *, edit: bool = False) -> dict[str, dict[str, Any]]:
    """The resource document of an account with `n` objects of each kind."""
    return {
        "transformations": {transformation_name(i): _transformation(i, edit) for i in range(n)},
        "metadata_fields": {field_name(i): _field(i, edit) for i in range(n)},
        "metadata_rules": {rule_name(i): _rule(i, n, edit) for i in range(n)},
        "streaming_profiles": {profile_name(i): _profile(i, edit) for i in range(n)},
        "upload_presets": {preset_name(i): _preset(i, edit) for i in range(n)},
        "upload_mappings": {mapping_folder(i): _mapping(i, edit) for i in range(n)},
        "triggers": {trigger_name(i): _trigger(i, edit) for i in range(n)},
    }


def edited_count(n: int) -> int:
    """How many objects of each kind `resources(n, edit=True)` changes."""
    return len(range(0, n, EDIT_EVERY))


def write_config(config_dir: Path, n: int, *, edit: bool = False) -> None:
    """Write (or rewrite) the benchmark environment with `n` objects of each kind."""
    common = config_dir / "environments" / "common"
    common.mkdir(parents=True, exist_ok=True)
    environment = {
        "cloud_name": CLOUD,
        "credentials": "BENCH_CLOUDINARY_URL",  # never read: the benchmark builds its own client
        "include": ["common/*.yaml"],
    }
    (config_dir / "environments" / f"{ENV}.yaml").write_text(yaml.safe_dump(environment))
    (common / "resources.yaml").write_text(yaml.safe_dump(resources(n, edit=edit), sort_keys=False))

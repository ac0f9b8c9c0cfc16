"""Where `plan --rehearse` meets the other features: the rehearsal's apply must be the apply
that `apply` makes, against a live account (an emulator server) and a copy (another one)."""

from __future__ import annotations

import copy

from support.harness import BASE_RESOURCES, CLOUD, Harness
from test_ignore_changes import CONSOLE_URL, IGNORE, _set_in_console

from cloudinary_state import Project
from cloudinary_state.client import AdminClient, Credentials
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.engine.plan import build_plan, default_kinds
from cloudinary_state.engine.rehearsal import rehearse


def test_the_rehearsal_keeps_a_field_policy_ignore_changes_leaves_to_others(harness: Harness) -> None:
    """The apply writes the live value of an ignored field (an update replaces all of a preset's
    settings); the rehearsal's apply must too, or it rehearses an apply that overwrites it."""
    harness.write(BASE_RESOURCES, policy=IGNORE)
    harness.apply("test")
    _set_in_console(harness)
    changed = copy.deepcopy(BASE_RESOURCES)
    changed["upload_presets"]["product_assets"]["settings"]["folder"] = "catalog"
    harness.write(changed, policy=IGNORE)
    kinds = default_kinds()
    with Project.open(harness.config_dir).connect("test") as conn:
        read = conn.read_live()
        key = conn.digest_key
        live_plan = build_plan(conn.desired, read, digest_key=key, kinds=kinds, live_paired=True)
        live = {(k, n): o for k, objects in read.items() for n, o in objects.items()}
        assert [c.key for c in live_plan.changes] == ["upload_preset:product_assets"]
        with EmulatorServer([CloudConfig(CLOUD, "k", "s", frozenset({"google_tagging"}))]) as emu:
            client = AdminClient(Credentials.from_url(emu.cloudinary_url(CLOUD)))
            outcome = rehearse(
                client, conn.desired, live_plan, live, kinds, digest_key=b"s", notes=(), calls=lambda: 0
            )
            preset = kinds["upload_preset"].read_one(client, "product_assets")
            client.close()
    assert outcome.converged, outcome
    assert preset is not None
    settings = preset.canonical["settings"]
    assert settings["folder"] == "catalog"
    assert settings["notification_url"] == CONSOLE_URL

"""Where `plan --rehearse` meets the other features: the rehearsal's apply must be the apply
that `apply` makes, against a live account (an emulator server) and a copy (another one)."""

from __future__ import annotations

import copy
import json

from support.console_edits import CONSOLE_URL, IGNORE, set_in_console
from support.harness import BASE_RESOURCES, CLOUD, Harness, with_changes

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
    set_in_console(harness)
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


def test_a_narrowed_rehearsal_counts_its_reads_of_the_live_account(harness: Harness) -> None:
    """A narrowed plan reads its kinds; its rehearsal reads the rest of the account to load the
    copy. The plan's calls and budget (its summary, its forecast's budget, the plan file) are
    the run's, those reads included: the live account's request log."""
    harness.apply("test")
    harness.write(
        with_changes(BASE_RESOURCES, "transformations", "hero", {"transformation": "c_scale,w_1600"})
    )
    harness.emu.clear_log()
    harness.emu.reset_budget()
    result = harness.run(
        "plan", "--env", "test", "--rehearse", "--target", "transformation:hero", "--format", "json"
    )
    assert result.code == 0, result.out + result.err
    document = json.loads(result.out)
    assert document["rehearsal"]["outcome"] == "converged"
    seen = len(harness.emu.request_log)
    assert document["api_calls"] == seen
    assert document["forecast"]["remaining"] == document["rate_limit_remaining"] == 2000 - seen

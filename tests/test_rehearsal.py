"""`plan --rehearse`: the plan applied to an emulated copy of the live account, loaded with
what was read, while the live account (an emulator server here, whose request log counts
every request it saw) receives reads only."""

from __future__ import annotations

import json
from pathlib import Path

import cloudinary.api as api
import pytest
from support.cli_runner import run_cli
from support.harness import BASE_RESOURCES, CLOUD, Harness, with_changes
from support.kinds_emulator import emulated

from cloudinary_state.client import AdminClient, Credentials
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.kinds import REGISTRY

HOOK = "https://hooks.example.test/rehearsal/{}"


def _changed_config(h: Harness) -> None:
    """Live: the base config applied, then changed in the console (a soft-deleted datasource
    value, an unmanaged mapping); config: a new transformation, a changed preset, the deleted
    datasource value back."""
    h.apply("test")
    h.sdk(CLOUD, "delete_datasource_entries", "status", ["requires_data"])
    h.sdk(CLOUD, "create_upload_mapping", "legacy", template="https://old.example.test/")
    resources = with_changes(BASE_RESOURCES, "transformations", "hero", {"transformation": "c_scale,w_1600"})
    preset = json.loads(json.dumps(BASE_RESOURCES["upload_presets"]["product_assets"]))
    preset["settings"]["tags"] = ["product", "rehearsed"]
    h.write(with_changes(resources, "upload_presets", "product_assets", preset))
    h.emu.clear_log()


def test_a_rehearsal_converges_and_sends_the_live_account_reads_only(harness: Harness) -> None:
    _changed_config(harness)
    result = harness.run("plan", "--env", "test", "--rehearse", "--format", "json")
    assert result.code == 0, result.out + result.err
    rehearsal = json.loads(result.out)["rehearsal"]
    assert rehearsal["outcome"] == "converged", rehearsal
    assert sorted(rehearsal["applied"]) == [
        "metadata_field:status",
        "transformation:hero",
        "upload_preset:product_assets",
    ]
    assert rehearsal["loaded"] >= 7  # every live object, the unmanaged mapping included
    assert rehearsal["calls"] > 0
    assert any("add-ons taken as registered: google_tagging" in a for a in rehearsal["assumptions"])
    assert any("policy.ignore" in a for a in rehearsal["assumptions"])
    log = harness.emu.request_log
    assert [f"{r.method} {r.path}" for r in log if r.method != "GET"] == []
    assert log, "the live account was read"
    # the rehearsal changed nothing: the live plan is still the same
    again = harness.run("plan", "--env", "test", "--format", "json")
    assert {c["name"] for c in json.loads(again.out)["changes"]} == {"status", "hero", "product_assets"}


def test_text_and_markdown_plans_and_plan_files_carry_the_rehearsal(harness: Harness, tmp_path: Path) -> None:
    _changed_config(harness)
    text = harness.run("plan", "--env", "test", "--rehearse")
    assert text.code == 0, text.out + text.err
    assert "Rehearsal: converged: 3 change(s) applied to an emulated copy" in text.out
    assert "assumes: objects under policy.ignore are not read, so not loaded" in text.out
    markdown = harness.run("plan", "--env", "test", "--rehearse", "--format", "markdown")
    assert "**Rehearsal** ✅ converged" in markdown.out
    saved = tmp_path / "plan.json"
    assert harness.run("plan", "--env", "test", "--rehearse", "--out", str(saved)).code == 0
    assert json.loads(saved.read_text())["rehearsal"]["outcome"] == "converged"
    harness.emu.clear_log()
    applied = harness.run("apply", "--env", "test", str(saved))
    assert applied.code == 0, applied.out + applied.err  # the rehearsal is covered by the digest
    assert harness.plan_is_empty("test")


def test_a_limit_counted_over_live_objects_fails_the_rehearsal_naming_the_object(harness: Harness) -> None:
    """30 upload triggers live (outside the config, the most an event type takes: reference §10,
    `limit_reached`): a declared 31st passes every offline check and plans as a create, and only
    the rehearsal, whose copy holds the 30, sees the apply fail."""
    harness.apply("test")
    for i in range(30):
        harness.sdk(CLOUD, "create_trigger", HOOK.format(i), "upload")
    trigger = {"event_type": "upload", "uri": "https://pim.example.test/hooks/new"}
    harness.write({**BASE_RESOURCES, "triggers": {"pim_upload": trigger}})
    assert harness.run("validate", "--env", "test").code == 0
    harness.emu.clear_log()
    plain = harness.run("plan", "--env", "test")
    assert plain.code == 0 and "+ trigger pim_upload" in plain.out
    result = harness.run("plan", "--env", "test", "--rehearse")
    assert result.code == 1, result.out + result.err
    assert "Rehearsal: FAILED: the apply failed in the emulated copy" in result.out
    assert "failed create trigger:pim_upload:" in result.out and "limit_reached" in result.out
    assert "failed create trigger:pim_upload:" in result.err  # the error names it too
    assert "Traceback" not in result.err
    assert [r for r in harness.emu.request_log if r.method != "GET"] == []
    as_json = harness.run("plan", "--env", "test", "--rehearse", "--format", "json")
    assert as_json.code == 1
    rehearsal = json.loads(as_json.out)["rehearsal"]
    assert rehearsal["outcome"] == "failed" and rehearsal["stage"] == "apply"
    assert rehearsal["failed"][0]["target"] == "trigger:pim_upload"
    assert "limit_reached" in rehearsal["failed"][0]["reason"]


def test_a_rehearsal_of_a_narrowed_plan_loads_the_whole_account(harness: Harness) -> None:
    harness.apply("test")
    harness.write(
        with_changes(BASE_RESOURCES, "transformations", "hero", {"transformation": "c_scale,w_1600"})
    )
    result = harness.run(
        "plan", "--env", "test", "--rehearse", "--target", "transformation:hero", "--format", "json"
    )
    assert result.code == 0, result.out + result.err
    rehearsal = json.loads(result.out)["rehearsal"]
    assert rehearsal["outcome"] == "converged" and rehearsal["applied"] == ["transformation:hero"]
    assert rehearsal["loaded"] >= 6


def test_restore_loads_soft_deleted_datasource_values_as_they_are_live() -> None:
    """A field read from one account and restored into another holds the same values, in the
    same order, its soft-deleted ones inactive there too."""
    kind = REGISTRY.get("metadata_field")
    with emulated() as (_, source):
        source.call(
            "add_metadata_field",
            {
                "external_id": "status",
                "type": "enum",
                "label": "Status",
                "datasource": {"values": [{"external_id": i, "value": i.upper()} for i in ("a", "b", "c")]},
            },
        )
        source.call("delete_datasource_entries", "status", ["b"])
        live = kind.read_all(source, 1)["status"]
        with EmulatorServer([CloudConfig("copy", "k", "s")]) as copy_emu:
            copy = AdminClient(Credentials.from_url(copy_emu.cloudinary_url("copy")))
            kind.restore(copy, live)
            restored = kind.read_all(copy, 1)["status"]
    assert restored.canonical == live.canonical
    assert restored.raw["datasource"] == live.raw["datasource"]
    states = [(v["external_id"], v.get("state")) for v in restored.raw["datasource"]["values"]]
    assert states == [("a", "active"), ("b", "inactive"), ("c", "active")]


def test_a_rehearsed_delete_reads_its_impact_and_still_writes_nothing_live(harness: Harness) -> None:
    """The only request besides GETs that reaches the account is the Search API's query (a POST
    that reads), one per deleted field; the copy takes the delete and converges."""
    harness.apply("test")
    harness.write(with_changes(BASE_RESOURCES, "metadata_fields", "sku", {"absent": True}))
    harness.emu.clear_log()
    result = harness.run("plan", "--env", "test", "--rehearse", "--format", "json")
    assert result.code == 0, result.out + result.err
    document = json.loads(result.out)
    assert document["rehearsal"]["outcome"] == "converged"
    assert document["rehearsal"]["applied"] == ["metadata_field:sku"]
    assert document["changes"][0]["impact"]["assets"] == 0
    others = [f"{r.method} {r.path}" for r in harness.emu.request_log if r.method != "GET"]
    assert others == ["POST resources/search"]


def test_every_kind_of_the_example_config_loads_faithfully_and_rehearses(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The example config applied to a 'live' account, which then changes in the console: a
    changed built-in streaming profile, a soft-deleted datasource value, a rule outside the
    config, a second trigger on the same host, a mapping the config prunes, an ignored preset.
    The copy must hold all of it as the account does (the rehearsal checks it object for object
    before applying), apply the plan and converge; the account sees reads only."""
    addons = frozenset({"google_tagging", "aws_rek_tagging", "cloudinary_ai", "captioning"})
    with EmulatorServer([CloudConfig("acme-staging", "k", "s", addons)]) as live:
        monkeypatch.setenv("CLOUDINARY_URL_STAGING", live.cloudinary_url("acme-staging"))
        opts = {"cloud_name": "acme-staging", "api_key": "k", "api_secret": "s", "upload_prefix": live.url}
        applied = run_cli(config_dir, capsys, "apply", "--env", "staging", "--auto-approve")
        assert applied.code == 0, applied.out + applied.err
        api.update_streaming_profile("hd", display_name="HD (ours)", **opts)
        api.delete_datasource_entries("size", ["l"], **opts)
        rule = {
            "metadata_field_id": "status",
            "name": "console_rule",
            "condition": {"metadata_field_id": "category", "equals": "apparel"},
            "result": {"hide": True},
        }
        api.add_metadata_rule(rule, **opts)
        api.create_trigger("https://pim.staging.acme.example/hooks/other", "delete", **opts)
        api.create_upload_mapping("legacy", template="https://old.example.test/", **opts)
        api.create_upload_preset(name="sample_x", categorization="imagga_tagging", **opts)
        live.clear_log()
        result = run_cli(config_dir, capsys, "plan", "--env", "staging", "--rehearse", "--format", "json")
        assert result.code == 0, result.out + result.err
        rehearsal = json.loads(result.out)["rehearsal"]
        assert rehearsal["outcome"] == "converged", rehearsal
        assert sorted(rehearsal["applied"]) == ["metadata_field:size", "upload_mapping:legacy"]
        assert any("upload_preset: ml_default, sample_*" in a for a in rehearsal["assumptions"])
        assert [r for r in live.request_log if r.method != "GET"] == []

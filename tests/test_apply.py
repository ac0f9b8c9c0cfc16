"""`apply` end to end: real SDK over HTTP to the emulator, through the CLI.

Per kind create / update / replace / delete, idempotence (a second apply writes nothing),
the safety policy (protect, threshold, --allow-delete, prune, tombstones), saved plans
(stale, tampered, config changed), read-back verification and partial failure.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from support.cli_runner import planned_changes
from support.harness import BASE_RESOURCES, CLOUD, Harness, with_changes

from cloudinary_state.emulator import CloudConfig, EmulatorServer


def apply_ok(h: Harness, *extra: str) -> str:
    result = h.run("apply", "--env", "test", "--auto-approve", *extra)
    assert result.code == 0, result.out + result.err
    return result.out


def assert_converged(h: Harness) -> None:
    """The next plan is empty and a second apply makes zero write calls."""
    assert h.run("plan", "--env", "test", "--detailed-exitcode").code == 0
    h.emu.clear_log()
    assert "nothing to do" in apply_ok(h)
    assert h.writes() == []


def test_first_apply_creates_every_kind_and_converges(harness: Harness) -> None:
    out = apply_ok(harness)
    assert "Apply complete: 5 created" in out
    writes = harness.writes()
    assert any(w.startswith("POST metadata_fields") for w in writes)
    assert any(w.startswith("POST transformations") for w in writes)
    assert any(w.startswith("POST upload_presets") for w in writes)
    assert any(w.startswith("POST upload_mappings") for w in writes)
    assert_converged(harness)


UPDATES: list[tuple[str, str, Any]] = [
    (
        "metadata_fields",
        "sku",
        {"type": "string", "label": "Stock keeping unit", "restrictions": {"readonly_ui": True}},
    ),
    (
        "metadata_fields",
        "status",
        {
            "type": "enum",
            "label": "Status",
            "datasource": {
                "values": [
                    {"external_id": "requires_data", "value": "Requires data"},
                    {"external_id": "archived", "value": "Archived"},
                ]
            },
        },
    ),
    ("transformations", "thumb", {"transformation": "c_fill,h_120,w_120", "allowed_for_strict": False}),
    (
        "upload_presets",
        "product_assets",
        {
            "unsigned": False,
            "settings": {
                "folder": "products",
                "tags": ["product", "new"],
                "notification_url": "${env.TEST_WEBHOOK_URL}",
            },
        },
    ),
    ("upload_mappings", "product_assets", {"template": "https://cdn.example.test/other/"}),
]


@pytest.mark.parametrize(("section", "name", "body"), UPDATES, ids=[f"{s}:{n}" for s, n, _ in UPDATES])
def test_update_in_place_per_kind(harness: Harness, section: str, name: str, body: Any) -> None:
    apply_ok(harness)
    harness.write(with_changes(BASE_RESOURCES, section, name, body))
    plan = harness.run("plan", "--env", "test", "--detailed-exitcode")
    assert plan.code == 2
    assert "(update)" in plan.out and "to update" in plan.out
    out = apply_ok(harness)  # no --allow-delete needed: nothing is deleted
    assert "1 updated" in out
    assert_converged(harness)


def assert_metadata_replace_refused(text: str, field: str) -> None:
    assert f"metadata_field:{field}: its type changes" in text
    assert "keeps a deleted field's external_id reserved" in text  # why
    assert "delete the field and the values stored on assets for it, then fail" in text
    assert "new external_id" in text and "`absent: true`" in text and "--allow-delete" in text  # what to do


def test_metadata_type_change_plans_a_replace_that_safety_refuses(harness: Harness) -> None:
    apply_ok(harness)
    harness.write(with_changes(BASE_RESOURCES, "metadata_fields", "sku", {"type": "integer", "label": "SKU"}))
    plan = harness.run("plan", "--env", "test")
    assert plan.code == 3
    assert "-/+ metadata_field sku" in plan.out  # the plan still shows the type change
    assert_metadata_replace_refused(plan.err, "sku")
    harness.emu.clear_log()
    for flags in ((), ("--allow-delete",)):
        refused = harness.run("apply", "--env", "test", "--auto-approve", *flags)
        assert refused.code == 3, refused.err
        assert_metadata_replace_refused(refused.err, "sku")
    assert harness.writes() == []
    # what the refusal advises: the field under a new external_id, the old one tombstoned
    resources = with_changes(BASE_RESOURCES, "metadata_fields", "sku", {"absent": True})
    harness.write(
        with_changes(resources, "metadata_fields", "sku_number", {"type": "integer", "label": "SKU"})
    )
    out = apply_ok(harness, "--allow-delete")
    assert planned_changes(out) == {
        ("metadata_field", "sku"): "delete",
        ("metadata_field", "sku_number"): "create",
    }
    assert "1 created" in out and "1 deleted" in out
    assert_converged(harness)


def test_same_rank_references_are_written_in_order(harness: Harness) -> None:
    """`a` uses `t_b` (the plan lists `a` first): with parallelism 8, `b` is created, and read
    back, before `a`."""
    resources = copy.deepcopy(BASE_RESOURCES)
    resources["transformations"] = {
        "a": {"transformation": "t_b/e_sepia"},
        "b": {"transformation": "c_scale,w_50"},
    }
    resources["upload_presets"]["product_assets"]["settings"].pop("transformation")
    harness.write(resources)
    apply_ok(harness, "--parallelism", "8")
    created = [
        r.query_and_body_params.get("name")
        for r in harness.emu.request_log
        if (r.method, r.path) == ("POST", "transformations")
    ]
    assert created == ["b", "a"], created
    assert_converged(harness)


@pytest.mark.parametrize(
    ("section", "kind", "name"),
    [
        ("metadata_fields", "metadata_field", "status"),
        ("transformations", "transformation", "thumb"),
        ("upload_presets", "upload_preset", "product_assets"),
        ("upload_mappings", "upload_mapping", "product_assets"),
    ],
)
def test_tombstone_deletes_per_kind(harness: Harness, section: str, kind: str, name: str) -> None:
    apply_ok(harness)
    store = getattr(harness.emu.state(CLOUD), section)
    assert name in store  # what the tombstone deletes exists
    resources = with_changes(BASE_RESOURCES, section, name, {"absent": True})
    if kind == "transformation":  # the preset refers to t_thumb: drop the reference first
        resources["upload_presets"]["product_assets"] = {"settings": {"folder": "product_assets"}}
    if kind == "metadata_field":
        resources["metadata_fields"] = {
            "sku": BASE_RESOURCES["metadata_fields"]["sku"],
            "status": {"absent": True},
        }
    harness.write(resources)
    refused = harness.run("apply", "--env", "test", "--auto-approve")
    assert refused.code == 3 and f"delete {kind}:{name}" in refused.err
    out = apply_ok(harness, "--allow-delete")
    assert planned_changes(out)[(kind, name)] == "delete"
    assert "1 deleted" in out
    assert name not in store
    assert_converged(harness)


def test_prune_deletes_undeclared_objects_of_pruned_kinds_only(harness: Harness) -> None:
    extra = with_changes(
        BASE_RESOURCES, "upload_mappings", "legacy", {"template": "https://old.example.test/"}
    )
    extra = with_changes(extra, "transformations", "legacy_t", {"transformation": "c_scale,w_10"})
    harness.write(extra)
    apply_ok(harness)
    harness.write(BASE_RESOURCES, policy={"prune": ["upload_mappings"]})
    plan = harness.run("plan", "--env", "test")
    assert planned_changes(plan.out) == {("upload_mapping", "legacy"): "delete"}
    assert "  ? transformation legacy_t" in plan.out.splitlines()  # not pruned: listed, left alone
    harness.emu.clear_log()
    apply_ok(harness, "--allow-delete")
    assert harness.writes() == ["DELETE upload_mappings"]
    state = harness.emu.state(CLOUD)
    assert "legacy" not in state.upload_mappings and "legacy_t" in state.transformations
    assert_converged(harness)


def test_a_pruned_transformation_a_preset_still_names_is_noted_on_its_delete(harness: Harness) -> None:
    """A t_NAME naming no declared transformation is only a warning (the API takes it), so a
    preset may name one that prune deletes in the same apply: the delete says who still uses it,
    and plan shows validate's warning (it used to be an error that stopped the plan)."""
    apply_ok(harness)
    harness.sdk(CLOUD, "create_transformation", "wm", "w_10")
    preset = {"unsigned": False, "settings": {"folder": "product_assets", "eager": "t_wm"}}
    harness.write(
        with_changes(BASE_RESOURCES, "upload_presets", "product_assets", preset),
        policy={"prune": ["transformations"]},
    )
    plan = harness.run("plan", "--env", "test")
    assert planned_changes(plan.out)[("transformation", "wm")] == "delete"
    assert (
        "note: still referred to by upload_preset product_assets of this config: "
        "what goes through it fails once this is deleted"
    ) in plan.out
    assert "t_wm names a transformation that is not declared" in plan.err


def test_protect_refuses_even_with_allow_delete(harness: Harness) -> None:
    apply_ok(harness)
    resources = with_changes(BASE_RESOURCES, "metadata_fields", "sku", {"absent": True})
    harness.write(resources, policy={"protect": {"metadata_fields": ["sku"]}})
    harness.emu.clear_log()
    for command in (("plan",), ("apply", "--auto-approve", "--allow-delete")):
        result = harness.run(*command, "--env", "test")
        assert result.code == 3
        assert "policy.protect" in result.err and "metadata_field:sku" in result.err
    assert harness.writes() == []
    assert "sku" in harness.emu.state(CLOUD).metadata_fields


def test_threshold_refuses_with_the_counts(harness: Harness) -> None:
    many = copy.deepcopy(BASE_RESOURCES)
    many["upload_mappings"] = {f"folder{i}": {"template": f"https://m.example.test/{i}/"} for i in range(6)}
    harness.write(many)
    apply_ok(harness)
    few = copy.deepcopy(BASE_RESOURCES)
    few["upload_mappings"] = {"folder0": {"template": "https://m.example.test/0/"}}
    harness.write(
        few, policy={"prune": ["upload_mappings"], "safety": {"max_delete_percent": 30, "min_existing": 5}}
    )
    harness.emu.clear_log()
    result = harness.run("apply", "--env", "test", "--auto-approve", "--allow-delete")
    assert result.code == 3
    assert "5 deletes/replaces out of 10 existing" in result.err
    assert harness.writes() == []


def test_no_terminal_and_no_auto_approve_refuses(harness: Harness) -> None:
    result = harness.run("apply", "--env", "test")
    assert result.code == 1
    assert "--auto-approve" in result.err
    assert harness.writes() == []


def test_saved_plan_applies_exactly_and_refuses_a_second_time(harness: Harness, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    assert harness.run("plan", "--env", "test", "--out", str(plan_file)).code == 0
    harness.emu.clear_log()
    result = harness.run("apply", "--env", "test", str(plan_file))
    assert result.code == 0, result.err
    assert "5 created" in result.out
    assert_converged(harness)
    again = harness.run("apply", "--env", "test", str(plan_file))
    assert again.code == 3  # every object it creates exists now
    assert "moved since the plan" in again.err and "(created since the plan)" in again.err


def test_stale_plan_names_each_moved_object(harness: Harness, tmp_path: Path) -> None:
    apply_ok(harness)
    harness.write(
        with_changes(
            with_changes(
                BASE_RESOURCES, "upload_mappings", "product_assets", {"template": "https://a.example.test/"}
            ),
            "transformations",
            "thumb",
            {"transformation": "c_fill,h_200,w_200"},
        )
    )
    plan_file = tmp_path / "plan.json"
    harness.run("plan", "--env", "test", "--out", str(plan_file))
    # someone edits the account between plan and apply
    harness.write(
        with_changes(
            BASE_RESOURCES, "upload_mappings", "product_assets", {"template": "https://b.example.test/"}
        )
    )
    apply_ok(harness)
    harness.write(
        with_changes(
            with_changes(
                BASE_RESOURCES, "upload_mappings", "product_assets", {"template": "https://a.example.test/"}
            ),
            "transformations",
            "thumb",
            {"transformation": "c_fill,h_200,w_200"},
        )
    )
    harness.emu.clear_log()
    result = harness.run("apply", "--env", "test", str(plan_file))
    assert result.code == 3
    assert "upload_mapping:product_assets (changed since the plan)" in result.err
    assert "transformation:thumb" not in result.err
    assert harness.writes() == []


def test_tampered_plan_and_changed_config_are_refused(harness: Harness, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    harness.run("plan", "--env", "test", "--out", str(plan_file))
    document = json.loads(plan_file.read_text())
    document["changes"] = document["changes"][:1]
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document))
    result = harness.run("apply", "--env", "test", str(tampered))
    assert result.code == 3 and "digest mismatch" in result.err

    harness.write(
        with_changes(BASE_RESOURCES, "transformations", "thumb", {"transformation": "c_fill,h_1,w_1"})
    )
    result = harness.run("apply", "--env", "test", str(plan_file))
    assert result.code == 3 and "config changed since the plan" in result.err
    assert harness.writes() == []
    assert (
        harness.run("apply", "--env", "test", "--target", "transformation:thumb", str(plan_file)).code == 64
    )


def test_target_narrows_apply(harness: Harness) -> None:
    out = apply_ok(harness, "--target", "metadata_field:sku")
    assert "1 created" in out
    assert [w for w in harness.writes() if "upload" in w] == []


def test_read_back_failure_names_the_addon_then_rerun_converges(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The account lacks google_tagging; the config says it is on: the server drops the option."""
    with EmulatorServer([CloudConfig(name=CLOUD, api_key="k", api_secret="emu-secret-2")]) as bare:
        monkeypatch.setenv("CLOUDINARY_URL_TEST", bare.cloudinary_url(CLOUD))
        harness.emu = bare
        preset = {"settings": {"folder": "f", "categorization": "google_tagging", "auto_tagging": 0.7}}
        resources = with_changes(BASE_RESOURCES, "upload_presets", "product_assets", preset)
        harness.write(resources)
        result = harness.run("apply", "--env", "test", "--auto-approve")
        assert result.code == 1
        assert "settings.categorization" in result.err
        assert "Google Auto Tagging (google_tagging)" in result.err
        assert "probably not registered" in result.err
        assert "failed create upload_preset:product_assets" in result.err
        assert "not attempted: 1 upload_mapping" in result.err  # counted by kind
        assert "not attempted create upload_mapping:product_assets" not in result.err  # listed with -v
        assert "applied create transformation:thumb" in result.err
        # with the toggle off the option is stripped, the plan says so, and the apply converges
        harness.write(resources, addons={"google_tagging": False})
        plan = harness.run("plan", "--env", "test")
        assert "option settings.categorization=google_tagging stripped" in plan.out
        apply_ok(harness)
        assert_converged(harness)


def test_api_failure_exits_1_and_rerun_converges(harness: Harness) -> None:
    harness.emu.inject("status", status=400, count=1, path_prefix="upload_mappings")
    # the first upload_mappings request is the plan's own list read
    result = harness.run("apply", "--env", "test", "--auto-approve")
    assert result.code == 1
    assert harness.writes() == []
    apply_ok(harness)
    assert_converged(harness)

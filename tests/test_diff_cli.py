"""`diff ENV_A ENV_B` through the CLI: desired states and live accounts, same and different,
with differences from variables, add-on toggles and ${env.*} told apart from real ones."""

from __future__ import annotations

import json

from support.harness import PRODUCTION, STAGING, WEBHOOK_SECRETS, WORKSPACE_RESOURCES, Harness


def _diff(ws: Harness, *args: str) -> tuple[int, str]:
    result = ws.run("diff", *args)
    assert result.code in (0, 2), result.out + result.err
    return result.code, result.out


def test_identical_environments_are_the_same(workspace: Harness) -> None:
    workspace.write_environment("staging", variables={"source_domain": "https://media.acme.example"})
    workspace.write_environment("production", addons={"google_tagging": True})
    code, out = _diff(workspace, "production", "staging")
    assert code == 0
    assert "No differences between the objects." in out
    assert "Same: 0 real field differences" in out and "5 identical" in out


PRODUCTION_WEBHOOK = {
    "upload_presets": {
        "product_assets": {"settings": {"notification_url": "${env.PROD_WEBHOOK_URL:-https://prd.example/h}"}}
    }
}


def test_variables_addons_and_secrets_are_not_real_differences(workspace: Harness) -> None:
    workspace.write_environment("production", overrides=PRODUCTION_WEBHOOK)
    code, out = _diff(workspace, "staging", "production")
    assert code == 0, out
    assert "= upload_mapping product_assets" in out
    assert "template: staging " in out and "(from variables: variable source_domain)" in out
    assert "settings.categorization" in out and "from add-on toggles" in out
    assert "settings.notification_url: staging (sensitive) | production (sensitive)" in out
    assert "Variables that differ:" in out and "source_domain" in out
    assert "google_tagging: on | off" in out
    for secret in (*WEBHOOK_SECRETS.values(), "https://prd.example/h"):
        assert secret not in out


def test_a_real_difference_exits_2(workspace: Harness) -> None:
    workspace.write_environment(
        "production",
        overrides={
            "upload_presets": {
                "product_assets": {
                    "settings": {
                        "folder": "prod_assets",
                        **PRODUCTION_WEBHOOK["upload_presets"]["product_assets"]["settings"],
                    }
                }
            }
        },
    )
    code, out = _diff(workspace, "staging", "production")
    assert code == 2
    assert '! settings.folder: staging "product_assets" | production "prod_assets"  (real difference)' in out
    document = json.loads(_diff(workspace, "staging", "production", "--format", "json")[1])
    assert document["different"] is True and document["mode"] == "desired"
    [preset] = [o for o in document["objects"] if o["kind"] == "upload_preset"]
    causes = {d["path"]: d["cause"] for d in preset["diffs"]}
    assert causes["settings.folder"] == "real"
    assert causes["settings.categorization"] == "addon"
    assert causes["settings.notification_url"] == "sensitive"
    markdown = _diff(workspace, "staging", "production", "--format", "markdown")[1]
    assert markdown.startswith("### cloudinary-state diff: `staging` and `production` (desired states)")
    assert "| real difference |" in markdown


def test_objects_on_one_side_only(workspace: Harness) -> None:
    workspace.write_resources({"transformations": {"extra": {"transformation": "c_scale,w_10"}}}, "more.yaml")
    workspace.write_environment("production", include=["common/resources.yaml"])
    code, out = _diff(workspace, "staging", "production")
    assert code == 2
    assert "< transformation extra  (only in staging)" in out


def test_live_accounts_same_then_different(workspace: Harness) -> None:
    workspace.apply("staging")
    workspace.apply("production")
    code, out = _diff(workspace, "staging", "production", "--live")
    assert code == 0, out
    assert "live accounts" in out
    assert "(from variables: variable source_domain)" in out
    # google_tagging is registered in staging only: the live presets differ by the add-on
    assert (
        "settings.categorization" in out and "add-on google_tagging: on in staging, off in production" in out
    )
    for secret in WEBHOOK_SECRETS.values():
        assert secret not in out

    workspace.sdk(PRODUCTION, "update_transformation", "thumb", unsafe_update="c_fill,h_120,w_120")
    workspace.sdk(STAGING, "create_upload_mapping", "console_only", template="https://x.example/")
    code, out = _diff(workspace, "staging", "production", "--live")
    assert code == 2
    assert "~ transformation thumb  (differs)" in out
    assert "< upload_mapping console_only  (only in staging)" in out


def test_emulator_needs_live(workspace: Harness) -> None:
    assert workspace.run("diff", "staging", "production", "--emulator").code == 64


def test_live_with_embedded_emulators(workspace: Harness) -> None:
    for env in ("staging", "production"):
        workspace.use_env(env)
        assert workspace.run("apply", "--env", env, "--emulator", "--auto-approve").code == 0
    code, out = _diff(workspace, "staging", "production", "--live", "--emulator")
    assert code == 0, out
    assert WORKSPACE_RESOURCES["transformations"]["thumb"][
        "transformation"
    ]  # the fixture is what was applied


def test_live_fields_both_environments_leave_to_another_system_are_not_differences(
    workspace: Harness,
) -> None:
    policy = {"ignore_changes": {"transformations": {"thumb": ["transformation"]}}}
    workspace.write_environment("staging", policy=policy)
    workspace.write_environment("production", policy=policy)
    workspace.apply("staging")
    workspace.apply("production")
    workspace.sdk(STAGING, "update_transformation", "thumb", unsafe_update="c_fill,h_150,w_150")
    code, out = _diff(workspace, "staging", "production", "--live")
    assert code == 0, out
    assert "h_150" not in out

    workspace.write_environment("production")  # production manages the transformation itself
    code, out = _diff(workspace, "staging", "production", "--live")
    assert code == 2, out
    assert "~ transformation thumb  (differs)" in out


def test_a_datasource_both_environments_leave_to_another_system_is_not_a_difference(
    workspace: Harness,
) -> None:
    """`datasource` is one body field, but three canonical ones (by id, by value, the order
    class): left to another system, none of them is compared."""
    resources = {
        **WORKSPACE_RESOURCES,
        "metadata_fields": {
            "status": {
                "type": "enum",
                "label": "Status",
                "datasource": {"values": [{"external_id": "a", "value": "Alpha"}]},
            }
        },
    }
    workspace.write_resources(resources)
    policy = {"ignore_changes": {"metadata_fields": {"status": ["datasource"]}}}
    workspace.write_environment("staging", policy=policy)
    workspace.write_environment("production", policy=policy)
    workspace.apply("staging")
    workspace.apply("production")
    for cloud, values in ((STAGING, ("Beta", "Gamma")), (PRODUCTION, ("Gamma", "Beta"))):
        entries = [{"external_id": f"v{i}", "value": v} for i, v in enumerate(values)]
        workspace.sdk(cloud, "update_metadata_field_datasource", "status", entries)
    code, out = _diff(workspace, "staging", "production", "--live")
    assert code == 0, out
    assert "datasource" not in out

"""`promote` end to end: objects made directly in the staging cloud with the real SDK are
promoted to production through the config, with the staging domain mapped back to a variable."""

from __future__ import annotations

import yaml
from support.cli_runner import planned_changes
from support.harness import PRODUCTION, STAGING, Harness

STAGING_DOMAIN = "https://staging-media.acme.example"


def _console_work_in_staging(ws: Harness) -> None:
    ws.sdk(STAGING, "create_transformation", "banner", "c_fill,h_400,w_1200/f_auto,q_auto")
    ws.sdk(
        STAGING,
        "create_upload_preset",
        name="banner_uploads",
        folder="banners",
        tags=["banner", "campaign"],
        transformation="banner",  # the SDK sends a string transformation as t_banner
        notification_url=f"{STAGING_DOMAIN}/hooks/banner",
    )


def _promote(ws: Harness, *extra: str) -> tuple[int, str, str]:
    ws.use_env("production")
    result = ws.run("promote", "--from", "staging", "--to", "production", *extra)
    return result.code, result.out, result.err


def test_promote_console_objects_to_production(workspace: Harness) -> None:
    document = workspace.config_dir / "environments" / "common" / "resources.yaml"
    document.write_text("# shared by staging and production\n" + document.read_text())
    workspace.apply("staging")
    workspace.apply("production")
    _console_work_in_staging(workspace)
    before = document.read_text()

    code, out, err = _promote(workspace)
    assert code == 0, out + err
    assert f"~ transformation banner: adds to {document}" in out
    assert f"~ upload_preset banner_uploads: adds to {document}" in out
    # differs only by variables (the domain) or by what production strips: already in sync
    assert "= upload_mapping product_assets: already in sync" in out
    assert "= upload_preset product_assets: already in sync" in out
    assert planned_changes(out) == {
        ("transformation", "banner"): "create",
        ("upload_preset", "banner_uploads"): "create",
    }
    assert "Plan: 2 to create, 0 to update" in out
    assert "Nothing was written" in out
    assert document.read_text() == before  # a dry run

    code, out, err = _promote(workspace, "--write")
    assert code == 0, out + err
    assert f"Recorded in {document}" in out
    text = document.read_text()
    assert text.startswith("# shared by staging and production\n")  # the rest of the file is kept
    data = yaml.safe_load(text)
    assert data["upload_presets"]["banner_uploads"]["settings"]["notification_url"] == (
        "${var.source_domain}/hooks/banner"
    )
    assert data["upload_presets"]["banner_uploads"]["settings"]["transformation"] == "t_banner"
    assert data["transformations"]["banner"] == {"transformation": "c_fill,h_400,w_1200/f_auto,q_auto"}
    assert STAGING_DOMAIN not in text

    plan = workspace.run("plan", "--env", "production", env="production")
    assert planned_changes(plan.out) == {
        ("transformation", "banner"): "create",
        ("upload_preset", "banner_uploads"): "create",
    }
    assert "Plan: 2 to create, 0 to update, 0 to replace, 0 to delete" in plan.out
    workspace.apply("production")
    assert workspace.plan_is_empty("production")
    assert workspace.plan_is_empty("staging")
    live = workspace.sdk(PRODUCTION, "upload_preset", "banner_uploads")
    assert live["settings"]["notification_url"] == "https://media.acme.example/hooks/banner"


def test_target_narrows_the_promotion(workspace: Harness) -> None:
    workspace.apply("staging")
    workspace.apply("production")
    _console_work_in_staging(workspace)
    code, out, err = _promote(workspace, "--target", "transformation:banner", "--write")
    assert code == 0, out + err
    data = yaml.safe_load((workspace.config_dir / "environments/common/resources.yaml").read_text())
    assert "banner" in data["transformations"] and "banner_uploads" not in data["upload_presets"]
    assert "Plan: 1 to create" in out
    assert _promote(workspace, "--target", "transformation:nowhere")[0] == 64


def test_a_changed_declared_object_is_updated_in_its_document(workspace: Harness) -> None:
    workspace.apply("staging")
    workspace.apply("production")
    workspace.sdk(STAGING, "update_transformation", "thumb", unsafe_update="c_fill,h_150,w_150")
    code, out, err = _promote(workspace, "--target", "transformation:thumb", "--write")
    assert code == 0, out + err
    assert "~ transformation thumb: updates in" in out
    assert "Plan: 0 to create, 1 to update" in out
    workspace.apply("production")
    assert workspace.plan_is_empty("production") and workspace.plan_is_empty("staging")


def test_protected_objects_are_refused(workspace: Harness) -> None:
    workspace.write_environment("production", policy={"protect": {"metadata_fields": ["sku"]}})
    workspace.apply("staging")
    workspace.apply("production")
    workspace.sdk(STAGING, "update_metadata_field", "sku", {"label": "Stock keeping unit"})
    document = workspace.config_dir / "environments/common/resources.yaml"
    before = document.read_text()
    code, _, err = _promote(workspace, "--write")
    assert code == 3
    assert "metadata_field:sku" in err and "protect" in err
    assert document.read_text() == before


def test_promote_with_embedded_emulators(workspace: Harness) -> None:
    for env in ("staging", "production"):
        workspace.use_env(env)
        assert workspace.run("apply", "--env", env, "--emulator", "--auto-approve").code == 0
    code, out, err = _promote(workspace, "--emulator")
    assert code == 0, out + err
    assert "already in sync" in out and "Plan: 0 to create, 0 to update" in out


def test_a_dangling_reference_is_reported_against_the_users_files(workspace: Harness) -> None:
    workspace.apply("staging")
    _console_work_in_staging(workspace)
    document = workspace.config_dir / "environments/common/resources.yaml"
    before = document.read_text()
    code, _, err = _promote(workspace, "--target", "upload_preset:banner_uploads", "--write")
    assert code == 1
    assert "upload_preset banner_uploads refers to transformation banner" in err
    assert "--target transformation:banner" in err and "Nothing was written" in err
    assert "cloudinary-state-promote-" not in err
    assert document.read_text() == before
    # promoted together, the reference resolves
    code, out, err = _promote(
        workspace, "--target", "upload_preset:banner_uploads", "--target", "transformation:banner", "--write"
    )
    assert code == 0, out + err


def test_values_staging_overrides_stay_staging_specific(workspace: Harness) -> None:
    staging_tags = {"upload_presets": {"product_assets": {"settings": {"tags": ["product", "staging"]}}}}
    workspace.write_environment("staging", overrides=staging_tags)
    workspace.apply("staging")
    workspace.apply("production")
    preset = workspace.sdk(STAGING, "upload_preset", "product_assets")
    workspace.sdk(
        STAGING, "update_upload_preset", "product_assets", **{**preset["settings"], "folder": "products_v2"}
    )
    code, out, err = _promote(workspace, "--target", "upload_preset:product_assets", "--write")
    assert code == 0, out + err
    assert "settings.tags is set by staging's overrides: left to each environment" in out
    assert '~ settings.folder: "product_assets" -> "products_v2"' in out
    settings = yaml.safe_load((workspace.config_dir / "environments/common/resources.yaml").read_text())[
        "upload_presets"
    ]["product_assets"]["settings"]
    assert settings["folder"] == "products_v2"
    assert settings["tags"] == ["product"]  # the shared value, not staging's override
    assert settings["notification_url"] == "${env.WEBHOOK_URL}"  # a secret's placeholder is kept
    assert workspace.plan_is_empty("staging")
    workspace.apply("production")
    assert workspace.plan_is_empty("production")
    assert workspace.sdk(PRODUCTION, "upload_preset", "product_assets")["settings"]["tags"] == ["product"]


def test_a_secret_made_in_the_console_becomes_a_placeholder(workspace: Harness) -> None:
    workspace.apply("staging")
    workspace.apply("production")
    token = "CONSOLE-TOKEN-5531"
    workspace.sdk(
        STAGING,
        "create_upload_preset",
        name="partner_feed",
        folder="partners",
        notification_url=f"{STAGING_DOMAIN}/hooks/partner?token={token}",
    )
    code, out, err = _promote(workspace, "--target", "upload_preset:partner_feed", "--write")
    assert code == 0, out + err
    variable = "UPLOAD_PRESET_PARTNER_FEED_SETTINGS_NOTIFICATION_URL_TOKEN"
    assert f"export {variable}=" in out
    text = (workspace.config_dir / "environments/common/resources.yaml").read_text()
    assert token not in text and token not in out + err
    settings = yaml.safe_load(text)["upload_presets"]["partner_feed"]["settings"]
    assert settings["notification_url"] == f"${{var.source_domain}}/hooks/partner?token=${{env.{variable}}}"

    workspace.monkeypatch.setenv(variable, "PRODUCTION-PARTNER-TOKEN")
    plan = workspace.run("plan", "--env", "production", env="production")
    assert planned_changes(plan.out) == {("upload_preset", "partner_feed"): "create"}
    assert "(sensitive" in plan.out
    workspace.apply("production")
    assert workspace.plan_is_empty("production")
    workspace.monkeypatch.setenv(variable, token)  # staging's own value of the new variable
    assert workspace.plan_is_empty("staging")


def test_promoting_an_environment_to_itself_is_a_usage_error(workspace: Harness) -> None:
    result = workspace.run("promote", "--from", "staging", "--to", "staging")
    assert result.code == 64, result.out + result.err
    assert "--from and --to name the same environment" in result.err
    assert workspace.writes() == []


def test_a_reference_the_source_lacks_too_does_not_stop_the_promotion(workspace: Harness) -> None:
    """A staging preset naming a transformation staging has not (the API takes it) cannot bring
    it along: `--target transformation:gone` names nothing. It is promoted as it lives (validate
    then warns, as it does for staging's own config), and the rest of the promotion is not refused for it."""
    workspace.apply("staging")
    workspace.apply("production")
    workspace.sdk(STAGING, "create_upload_preset", name="legacy", eager="t_gone/w_10")
    code, out, err = _promote(workspace)
    assert code == 0, out + err
    assert "upload_preset banner" not in out and "~ upload_preset legacy: adds to" in out
    assert ("upload_preset", "legacy") in planned_changes(out)
    code, out, err = _promote(workspace, "--write")
    assert code == 0, out + err
    validated = workspace.run("validate", "--env", "production")
    assert validated.code == 0, validated.out + validated.err
    assert "t_gone names a transformation that is not declared" in validated.err

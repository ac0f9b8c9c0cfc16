"""Import into the project where it meets policy.ignore_changes: a field the environment leaves
to another system is not the config's to record, so the differences import writes (an
override beside a shared document, an entry rewritten with --force) leave it out. Against the
emulator over HTTP, through the CLI."""

from __future__ import annotations

import yaml
from support.harness import BASE_RESOURCES, PRODUCTION, WEBHOOK_SECRET, WEBHOOK_SECRETS, Harness, with_changes
from support.project_import import HAND_WRITTEN, environments_only, import_env, placeholder_values

CONSOLE_URL = "https://other-system.example.test/hook"
IGNORED = """
policy:
  ignore_changes:
    upload_presets:
      product_assets: [settings.notification_url]
"""


def test_an_override_leaves_out_a_field_managed_elsewhere(workspace: Harness) -> None:
    environments = environments_only(workspace)
    code, out = import_env(workspace, "staging")
    assert code == 0, out
    staging = placeholder_values(out, "staging")
    production_file = environments / "production.yaml"
    production_file.write_text(production_file.read_text() + IGNORED)
    settings = {"tags": "product", "transformation": "thumb", "notification_url": CONSOLE_URL}
    workspace.sdk(PRODUCTION, "update_upload_preset", "product_assets", folder="prod_assets", **settings)
    for variable in staging:  # the shared document's placeholder, set for production
        workspace.monkeypatch.setenv(variable, WEBHOOK_SECRETS["production"].rsplit("token=", 1)[1])

    code, out = import_env(workspace, "production")
    assert code == 0, out
    document = yaml.safe_load(production_file.read_text())
    assert document["overrides"] == {
        "upload_presets": {"product_assets": {"settings": {"folder": "prod_assets"}}}
    }
    assert CONSOLE_URL not in production_file.read_text()
    assert "export " not in out  # no placeholder asked for a value the config does not manage
    assert workspace.plan_is_empty("production")


def test_force_keeps_what_the_config_says_of_a_field_managed_elsewhere(harness: Harness) -> None:
    resources = harness.config_dir / "environments/common/resources.yaml"
    resources.write_text(HAND_WRITTEN)
    env_file = harness.config_dir / "environments/test.yaml"
    env_file.write_text(env_file.read_text() + IGNORED.replace("settings.notification_url", "settings.tags"))
    harness.apply("test")
    settings = {"transformation": "thumb", "notification_url": WEBHOOK_SECRET}
    harness.sdk(
        "acme-test", "update_upload_preset", "product_assets", folder="moved", tags="other", **settings
    )

    code, out = import_env(harness, "test", "--force")
    assert code == 0, out
    rewritten = yaml.safe_load(resources.read_text())["upload_presets"]["product_assets"]["settings"]
    assert rewritten["folder"] == "moved"
    assert rewritten["tags"] == ["product"]  # as the config says, not the other system's value
    harness.monkeypatch.setenv("UPLOAD_PRESET_PRODUCT_ASSETS_SETTINGS_NOTIFICATION_URL", WEBHOOK_SECRET)
    assert harness.plan_is_empty("test")


def test_force_never_writes_the_secret_of_an_ignored_field_from_env(harness: Harness) -> None:
    """The ignored field keeps the config's value, which came from ${env.*}: rewritten, it is
    a placeholder again, never the rendered secret."""
    resources = harness.config_dir / "environments/common/resources.yaml"
    resources.write_text(HAND_WRITTEN)
    env_file = harness.config_dir / "environments/test.yaml"
    env_file.write_text(env_file.read_text() + IGNORED)
    harness.apply("test")
    settings = {"tags": "product", "transformation": "thumb", "notification_url": CONSOLE_URL}
    harness.sdk("acme-test", "update_upload_preset", "product_assets", folder="moved", **settings)
    code, out = import_env(harness, "test", "--force")
    assert code == 0, out
    text = resources.read_text()
    assert yaml.safe_load(text)["upload_presets"]["product_assets"]["settings"]["folder"] == "moved"
    assert WEBHOOK_SECRET not in text and WEBHOOK_SECRET not in out and CONSOLE_URL not in text


def test_a_live_object_the_config_tombstones_is_left_as_written_and_said(harness: Harness) -> None:
    """The account has an object a shared document declares `absent: true`: the import does not
    add it (the tombstone is a declaration) and says so, since the next plan deletes it."""
    harness.apply("test")
    harness.sdk("acme-test", "create_transformation", "legacy", "c_scale,w_50")
    harness.write(with_changes(BASE_RESOURCES, "transformations", "legacy", {"absent": True}))
    before = (harness.config_dir / "environments/common/resources.yaml").read_text()
    code, out = import_env(harness, "test")
    assert code == 0, out
    assert "transformation legacy is declared `absent: true` at " in out
    assert "resources.yaml" in out and "the plan deletes it" in out
    assert (harness.config_dir / "environments/common/resources.yaml").read_text() == before

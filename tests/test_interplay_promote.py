"""promote where it meets policy.ignore_changes: a field the source environment leaves to another
system is that system's value in the source account, not a value to promote into the shared
document (against the emulator over HTTP, through the CLI)."""

from __future__ import annotations

import yaml
from support.harness import PRODUCTION, STAGING, Harness

IGNORE_TAGS = {"ignore_changes": {"upload_presets": {"product_assets": ["settings.tags"]}}}


def test_a_field_the_source_leaves_to_others_is_not_promoted(workspace: Harness) -> None:
    workspace.write_environment("staging", policy=IGNORE_TAGS)
    workspace.apply("staging")
    workspace.apply("production")
    preset = workspace.sdk(STAGING, "upload_preset", "product_assets")
    changed = {**preset["settings"], "folder": "products_v2", "tags": "set-by-the-dam"}
    workspace.sdk(STAGING, "update_upload_preset", "product_assets", **changed)
    workspace.use_env("production")
    result = workspace.run(
        "promote",
        "--from",
        "staging",
        "--to",
        "production",
        "--target",
        "upload_preset:product_assets",
        "--write",
    )
    assert result.code == 0, result.out + result.err
    assert '~ settings.folder: "product_assets" -> "products_v2"' in result.out
    assert "set-by-the-dam" not in result.out
    assert "settings.tags is managed outside the config in staging: not promoted" in result.out
    document = workspace.config_dir / "environments/common/resources.yaml"
    settings = yaml.safe_load(document.read_text())["upload_presets"]["product_assets"]["settings"]
    assert settings["folder"] == "products_v2"
    assert settings["tags"] == ["product"]  # the shared value, not the other system's
    assert workspace.plan_is_empty("staging")
    workspace.apply("production")
    assert workspace.plan_is_empty("production")
    assert workspace.sdk(PRODUCTION, "upload_preset", "product_assets")["settings"]["tags"] == ["product"]

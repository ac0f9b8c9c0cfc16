"""Another system editing the live account (a PIM, the console): a preset's webhook set outside
the config, and the `policy.ignore_changes` that leaves it to that system (the ignore_changes
tests, and the rehearsal's interplay with them)."""

from __future__ import annotations

from support.harness import CLOUD, Harness

CONSOLE_URL = "https://other-system.example.test/hook"
IGNORE = {"ignore_changes": {"upload_presets": {"product_*": ["settings.notification_url"]}}}


def set_in_console(h: Harness) -> None:
    """Another system sets the preset's webhook (the update replaces all settings: repeat them)."""
    h.sdk(
        CLOUD,
        "update_upload_preset",
        "product_assets",
        notification_url=CONSOLE_URL,
        folder="product_assets",
        tags="product",
        transformation="thumb",  # the SDK prefixes t_
    )

"""policy.ignore_changes: a field managed outside the config is never diffed and never
overwritten, against the emulator over HTTP (the preset update replaces all settings, so an
update that left the field out would clear it)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from support.console_edits import CONSOLE_URL, IGNORE, set_in_console
from support.harness import BASE_RESOURCES, CLOUD, WEBHOOK_SECRET, Harness

from cloudinary_state.desired import DesiredObject
from cloudinary_state.engine.ignore_changes import with_live_fields
from cloudinary_state.engine.plan import default_kinds
from cloudinary_state.kinds.base import LiveObject


def _preset_settings(h: Harness) -> dict[str, Any]:
    return dict(h.sdk(CLOUD, "upload_preset", "product_assets")["settings"])


def test_a_field_changed_live_stays_and_the_plan_is_empty(harness: Harness) -> None:
    harness.write(BASE_RESOURCES, policy=IGNORE)
    harness.apply("test")
    set_in_console(harness)
    assert _preset_settings(harness)["notification_url"] == CONSOLE_URL
    assert harness.plan_is_empty("test")
    result = harness.run("drift", "--env", "test")
    assert result.code == 0, result.out + result.err


def test_an_update_of_another_field_keeps_the_live_value(harness: Harness) -> None:
    harness.write(BASE_RESOURCES, policy=IGNORE)
    harness.apply("test")
    set_in_console(harness)
    changed = copy.deepcopy(BASE_RESOURCES)
    changed["upload_presets"]["product_assets"]["settings"]["folder"] = "catalog"
    harness.write(changed, policy=IGNORE)
    result = harness.run("plan", "--env", "test")
    assert "settings.folder" in result.out and "notification_url" not in result.out, result.out
    harness.apply("test")
    live = _preset_settings(harness)
    assert live["folder"] == "catalog"
    assert live["notification_url"] == CONSOLE_URL
    assert harness.plan_is_empty("test")


def test_a_saved_plan_does_not_go_stale_when_only_an_ignored_field_moved(
    harness: Harness, tmp_path: Path
) -> None:
    harness.write(BASE_RESOURCES, policy=IGNORE)
    harness.apply("test")
    changed = copy.deepcopy(BASE_RESOURCES)
    changed["upload_presets"]["product_assets"]["settings"]["folder"] = "catalog"
    harness.write(changed, policy=IGNORE)
    saved = tmp_path / "plan.json"
    assert harness.run("plan", "--env", "test", "--out", str(saved)).code == 0
    set_in_console(harness)  # the other system changes its field between review and apply
    result = harness.run("apply", "--env", "test", str(saved))
    assert result.code == 0, result.out + result.err
    live = _preset_settings(harness)
    assert (live["folder"], live["notification_url"]) == ("catalog", CONSOLE_URL)
    # a field the config manages still makes the plan stale
    harness.write(BASE_RESOURCES, policy=IGNORE)
    assert harness.run("plan", "--env", "test", "--out", str(saved)).code == 0
    harness.sdk(CLOUD, "update_upload_preset", "product_assets", folder="elsewhere")
    result = harness.run("apply", "--env", "test", str(saved))
    assert result.code == 3 and "moved since the plan was made" in result.err, result.out + result.err


def test_without_the_policy_the_same_update_overwrites_it(harness: Harness) -> None:
    """The control: the test above would pass for nothing if an update kept the field anyway."""
    harness.apply("test")
    set_in_console(harness)
    assert not harness.plan_is_empty("test")
    harness.apply("test")
    assert _preset_settings(harness)["notification_url"] == WEBHOOK_SECRET


def test_a_path_outside_the_body_is_a_config_error(harness: Harness) -> None:
    harness.write(BASE_RESOURCES, policy={"ignore_changes": {"upload_presets": {"x": ["setings.folder"]}}})
    result = harness.run("validate", "--env", "test")
    assert result.code == 1
    assert "test.yaml:" in result.err and "no field 'setings'" in result.err and "settings" in result.err
    assert "Traceback" not in result.err


# --- the overlay itself (pure) ----------------------------------------------------------------


def _preset(body: dict[str, Any]) -> DesiredObject:
    return DesiredObject("upload_preset", "p", body)


def test_the_live_value_replaces_the_configs_and_a_missing_one_drops_it() -> None:
    kind = default_kinds()["upload_preset"]
    live = LiveObject(
        "upload_preset", "p", kind.canonical_live({"settings": {"folder": "live", "tags": "a"}})
    )
    obj = _preset({"settings": {"folder": "mine", "notification_url": "https://mine.example"}})
    kept = with_live_fields(kind, obj, live, ["settings.folder", "settings.notification_url"])
    assert kept.body == {"settings": {"folder": "live"}}
    assert obj.body["settings"]["folder"] == "mine"  # the config's object is left as it was
    assert with_live_fields(kind, obj, None, ["settings.folder"]) is obj  # a create sends the config's

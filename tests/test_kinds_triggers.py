"""Triggers (issue 10): offline checks at file:line:column, and every write path through the real
SDK over HTTP to the emulator: create, a URL changed in place (paired), an ambiguous change (a
create, the old trigger unmanaged), an event type changed (replace), deletes by tombstone and
by prune; apply then plan empty, a second apply that writes nothing, a saved plan, drift after
changes in the console, import then plan empty with a token kept out of every file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cli_runner import planned_changes
from support.harness import (
    BASE_RESOURCES,
    CLOUD,
    PRODUCTION,
    STAGING,
    WEBHOOK_SECRET,
    WORKSPACE_RESOURCES,
    Harness,
)

from cloudinary_state.desired import DesiredObject
from cloudinary_state.kinds.base import LiveObject
from cloudinary_state.kinds.triggers import TRIGGERS

PIM = "https://pim.example.test/hooks/cloudinary"
PIM_V2 = "https://pim.example.test/hooks/cloudinary-v2"
ERP = "https://erp.example.test/hooks/cloudinary"
PIM_LIVE_NAME = "upload_pim_example_test"  # what a live PIM trigger on upload is called


def resources(**triggers: Any) -> dict[str, Any]:
    return {**BASE_RESOURCES, "triggers": triggers}


def upload(uri: str = PIM, event_type: str = "upload") -> dict[str, str]:
    return {"event_type": event_type, "uri": uri}


def live_triggers(harness: Harness) -> list[dict[str, Any]]:
    return list(harness.sdk(CLOUD, "triggers")["triggers"])


def contents(harness: Harness) -> list[tuple[str, str]]:
    return sorted((t["event_type"], t["uri"]) for t in live_triggers(harness))


def apply_ok(harness: Harness, *flags: str) -> str:
    result = harness.run("apply", "--env", "test", "--auto-approve", *flags)
    assert result.code == 0, result.out + result.err
    return result.out


def plan_text(harness: Harness) -> str:
    result = harness.run("plan", "--env", "test")
    assert result.code == 0, result.out + result.err
    return result.out


# --- offline -----------------------------------------------------------------------------------


def _errors_at(harness: Harness, triggers: dict[str, Any]) -> list[tuple[str, str]]:
    """The errors of `validate --all`, each with the text of the resource file where it points."""
    path = harness.write_resources(resources(**triggers))
    result = harness.run("validate", "--all")
    assert result.code == 1, result.out + result.err
    assert harness.emu.request_log == []
    lines = path.read_text().splitlines()
    found = re.findall(rf"error: {re.escape(str(path))}:(\d+):(\d+): (.*)", result.err)
    assert found, result.err
    return [(message, lines[int(line) - 1][int(column) - 1 :]) for line, column, message in found]


@pytest.mark.parametrize(
    ("trigger", "pointed_at", "message"),
    [
        (upload(event_type="uploaded"), "uploaded", "event_type"),
        (upload("ftp://pim.example.test/hooks"), "ftp://", "is not an http(s) URL"),
        (upload("pim.example.test/hooks"), "pim.example.test", "is not an http(s) URL"),
        ({"event_type": "upload"}, "pim_upload", "missing required key 'uri'"),  # at the entry
        ({**upload(), "uri_type": "flow"}, "uri_type", "uri_type"),
    ],
    ids=["event-type", "scheme", "no-scheme", "missing-uri", "unknown-key"],
)
def test_offline_errors_point_at_the_offending_value(
    harness: Harness, trigger: dict[str, Any], pointed_at: str, message: str
) -> None:
    [(error, text)] = _errors_at(harness, {"pim_upload": trigger})
    assert message in error, error
    assert text.startswith(pointed_at), (error, text)


def test_more_than_30_triggers_of_one_event_type_are_refused_offline(harness: Harness) -> None:
    triggers = {f"hook_{i:02d}": upload(f"https://h{i}.example.test/") for i in range(32)}
    triggers["other"] = upload(ERP, event_type="delete")
    errors = _errors_at(harness, triggers)
    assert len(errors) == 2  # the 31st and the 32nd, at their event_type
    for error, text in errors:
        assert "32 triggers on 'upload'; the API takes at most 30 URLs per event type" in error, error
        assert text.startswith("upload"), text


def test_the_same_trigger_twice_is_refused_at_the_second_uri(harness: Harness) -> None:
    [(error, text)] = _errors_at(harness, {"pim_upload": upload(), "pim_again": upload()})
    assert "trigger 'pim_again': uri: the same event_type and uri as trigger 'pim_upload'" in error
    assert text.startswith(PIM), text


def test_a_url_from_an_unset_env_variable_validates(harness: Harness) -> None:
    harness.write(resources(pim_upload=upload("${env.PIM_HOOK_URL}")))
    harness.monkeypatch.delenv("PIM_HOOK_URL", raising=False)
    result = harness.run("validate", "--all")
    assert result.code == 0, result.out + result.err
    assert harness.emu.request_log == []


# --- through the SDK to the emulator --------------------------------------------------------


def test_create_then_plan_is_empty_and_a_second_apply_writes_nothing(harness: Harness) -> None:
    harness.write(resources(pim_upload=upload()))
    harness.emu.clear_log()
    out = apply_ok(harness)
    assert "Apply complete: 6 created" in out, out
    assert [w for w in harness.writes() if "triggers" in w] == ["POST triggers"]
    [live] = live_triggers(harness)
    assert (live["event_type"], live["uri"], live["uri_type"]) == ("upload", PIM, "webhook")
    assert harness.plan_is_empty("test")
    harness.emu.clear_log()
    apply_ok(harness)
    assert harness.writes() == []


def test_a_changed_url_pairs_and_updates_in_place(harness: Harness) -> None:
    harness.write(resources(pim_upload=upload(), erp_delete=upload(ERP, "delete")))
    apply_ok(harness)
    [before] = [t for t in live_triggers(harness) if t["event_type"] == "upload"]
    harness.write(resources(pim_upload=upload(PIM_V2), erp_delete=upload(ERP, "delete")))
    planned = plan_text(harness)
    assert planned_changes(planned) == {("trigger", "pim_upload"): "update"}
    assert "the URL changes in place" in planned
    harness.emu.clear_log()
    apply_ok(harness)
    assert harness.writes() == [f"PUT triggers/{before['id']}"]
    [after] = [t for t in live_triggers(harness) if t["event_type"] == "upload"]
    assert (after["id"], after["uri"]) == (before["id"], PIM_V2)
    assert harness.plan_is_empty("test")


def test_an_ambiguous_change_creates_and_leaves_the_old_trigger_unmanaged_until_pruned(
    harness: Harness,
) -> None:
    harness.write(resources(pim_upload=upload()))
    apply_ok(harness)
    # two declared triggers on upload, neither with the live URL: which one was it?
    harness.write(resources(pim_upload=upload(PIM_V2), erp_upload=upload(ERP)))
    planned = plan_text(harness)
    assert planned_changes(planned) == {
        ("trigger", "pim_upload"): "create",
        ("trigger", "erp_upload"): "create",
    }
    assert f"? trigger {PIM_LIVE_NAME}" in planned
    harness.emu.clear_log()
    apply_ok(harness)
    assert harness.writes() == ["POST triggers", "POST triggers"]
    assert contents(harness) == [("upload", ERP), ("upload", PIM), ("upload", PIM_V2)]
    assert harness.plan_is_empty("test")  # unmanaged is no change

    harness.write(
        resources(pim_upload=upload(PIM_V2), erp_upload=upload(ERP)), policy={"prune": ["triggers"]}
    )
    assert planned_changes(plan_text(harness)) == {("trigger", PIM_LIVE_NAME): "delete"}
    assert harness.run("apply", "--env", "test", "--auto-approve").code == 3  # needs --allow-delete
    apply_ok(harness, "--allow-delete")
    assert contents(harness) == [("upload", ERP), ("upload", PIM_V2)]
    assert harness.plan_is_empty("test")


def test_a_changed_event_type_is_a_replace_that_needs_allow_delete(harness: Harness) -> None:
    harness.write(resources(pim_upload=upload()))
    apply_ok(harness)
    [before] = live_triggers(harness)
    harness.write(resources(pim_upload=upload(event_type="resource_metadata_changed")))
    planned = plan_text(harness)
    assert planned_changes(planned) == {("trigger", "pim_upload"): "replace"}
    assert "the event type cannot change in place: the trigger on 'upload' is deleted" in planned
    refused = harness.run("apply", "--env", "test", "--auto-approve")
    assert refused.code == 3, refused.out + refused.err
    harness.emu.clear_log()
    apply_ok(harness, "--allow-delete")
    assert harness.writes() == [f"DELETE triggers/{before['id']}", "POST triggers"]
    assert contents(harness) == [("resource_metadata_changed", PIM)]
    assert harness.plan_is_empty("test")


def test_a_tombstone_deletes_a_trigger_by_the_name_it_has_once_undeclared(harness: Harness) -> None:
    harness.write(resources(pim_upload=upload()))
    apply_ok(harness)
    harness.write(resources())  # no longer declared: unmanaged, under its own name
    assert f"? trigger {PIM_LIVE_NAME}" in plan_text(harness)
    harness.write(resources(**{PIM_LIVE_NAME: {"absent": True}}))
    planned = plan_text(harness)
    assert planned_changes(planned) == {("trigger", PIM_LIVE_NAME): "delete"}
    assert "'upload' notifications to this URL stop" in planned
    assert harness.run("apply", "--env", "test", "--auto-approve").code == 3
    apply_ok(harness, "--allow-delete")
    assert live_triggers(harness) == []
    assert harness.plan_is_empty("test")


def test_protect_refuses_the_replace_and_ignore_hides_a_live_trigger(harness: Harness) -> None:
    harness.write(resources(pim_upload=upload()))
    apply_ok(harness)
    harness.sdk(CLOUD, "create_trigger", ERP, "delete")  # made in the console
    harness.write(
        resources(pim_upload=upload(event_type="delete")),
        policy={"protect": {"triggers": ["pim_*"]}, "ignore": {"triggers": ["delete_erp_*"]}},
    )
    refused = harness.run("apply", "--env", "test", "--auto-approve", "--allow-delete")
    assert refused.code == 3 and "policy.protect covers replace trigger:pim_upload" in refused.err, (
        refused.err
    )
    assert "delete_erp" not in harness.run("plan", "--env", "test").out  # never read, never shown


def test_pruning_every_console_trigger_is_stopped_by_the_safety_threshold(harness: Harness) -> None:
    harness.write(resources())
    apply_ok(harness)
    for i in range(10):
        harness.sdk(CLOUD, "create_trigger", f"https://h{i}.example.test/hook", "upload")
    harness.write(resources(), policy={"prune": ["triggers"]})
    harness.emu.clear_log()
    refused = harness.run("apply", "--env", "test", "--auto-approve", "--allow-delete")
    assert refused.code == 3, refused.out + refused.err
    assert "refused by the safety threshold: 10 deletes/replaces out of 15 existing" in refused.err, (
        refused.err
    )
    assert harness.writes() == []


def test_target_narrows_the_plan_to_one_trigger(harness: Harness) -> None:
    harness.write(resources(pim_upload=upload(), erp_delete=upload(ERP, "delete")))
    result = harness.run("plan", "--env", "test", "--target", "trigger:erp_delete")
    assert result.code == 0, result.err
    assert planned_changes(result.out) == {("trigger", "erp_delete"): "create"}
    harness.emu.clear_log()
    apply_target = harness.run("apply", "--env", "test", "--auto-approve", "--target", "trigger:erp_delete")
    assert apply_target.code == 0, apply_target.err
    assert contents(harness) == [("delete", ERP)]


def test_a_saved_plan_finds_the_paired_trigger_again(harness: Harness, tmp_path: Path) -> None:
    harness.write(resources(pim_upload=upload(), erp_upload=upload(ERP)))
    apply_ok(harness)
    harness.write(resources(pim_upload=upload(PIM_V2), erp_upload=upload(ERP)))
    saved = tmp_path / "plan.json"
    assert harness.run("plan", "--env", "test", "--out", str(saved)).code == 0
    [before] = [t for t in live_triggers(harness) if t["uri"] == PIM]
    harness.emu.clear_log()
    applied = harness.run("apply", "--env", "test", str(saved))
    assert applied.code == 0, applied.out + applied.err
    # the re-read found pim_upload among all triggers by pairing, fingerprint unmoved
    assert harness.writes() == [f"PUT triggers/{before['id']}"]
    assert contents(harness) == [("upload", ERP), ("upload", PIM_V2)]
    assert harness.plan_is_empty("test")


def test_a_lost_create_answer_is_not_created_twice(harness: Harness) -> None:
    harness.write(resources(pim_upload=upload()))
    harness.emu.inject(kind="latency", latency_ms=0, count=1, path_prefix="triggers")  # the plan's read
    harness.emu.inject(kind="drop_after", count=1, path_prefix="triggers")  # the create
    harness.emu.clear_log()
    apply_ok(harness)
    log = [(r.method, r.status) for r in harness.emu.request_log if r.path == "triggers"]
    # the POST landed but its answer was cut; before a retry the client looked, and found it
    assert log[:3] == [("GET", 200), ("POST", 0), ("GET", 200)], log
    assert [m for m, _ in log].count("POST") == 1
    assert contents(harness) == [("upload", PIM)]


def test_drift_shows_a_changed_a_missing_and_an_unmanaged_trigger(harness: Harness) -> None:
    harness.write(resources(pim_upload=upload(), erp_delete=upload(ERP, "delete")))
    apply_ok(harness)
    by_event = {t["event_type"]: t for t in live_triggers(harness)}
    harness.sdk(CLOUD, "update_trigger", by_event["upload"]["id"], PIM_V2)
    harness.sdk(CLOUD, "delete_trigger", by_event["delete"]["id"])
    harness.sdk(CLOUD, "create_trigger", "https://audit.example.test/hook", "rename")
    drift = harness.run("drift", "--env", "test", "--format", "json")
    assert drift.code == 2, drift.out + drift.err
    report = json.loads(drift.out)
    statuses = {(i["kind"], i["name"]): i["status"] for i in report["items"] if i["status"] != "in_sync"}
    assert statuses == {
        ("trigger", "pim_upload"): "changed",
        ("trigger", "erp_delete"): "missing",
        ("trigger", "rename_audit_example_test"): "unmanaged",
    }
    human = harness.run("drift", "--env", "test")
    assert "~ trigger pim_upload" in human.out, human.out
    assert "+ trigger erp_delete" in human.out, human.out
    assert "? trigger rename_audit_example_test" in human.out, human.out


# --- secrets ------------------------------------------------------------------------------------


TOKEN = "tok-SECRET-5c1e9a"


def test_a_url_from_env_is_masked_in_plans_files_and_logs(harness: Harness, tmp_path: Path) -> None:
    secret_url = f"{PIM}?token={TOKEN}"
    harness.monkeypatch.setenv("PIM_HOOK_URL", secret_url)
    harness.write(resources(pim_upload=upload("${env.PIM_HOOK_URL}")))
    saved = tmp_path / "plan.json"
    outputs = [
        harness.run("-v", "plan", "--env", "test", "--out", str(saved)),
        harness.run("plan", "--env", "test", "--format", "json"),
        harness.run("-v", "apply", "--env", "test", "--auto-approve"),
    ]
    assert contents(harness) == [("upload", secret_url)]
    harness.monkeypatch.setenv("PIM_HOOK_URL", f"{PIM}?token={TOKEN}-rotated")  # the only one on upload
    rotated = harness.run("plan", "--env", "test")
    assert planned_changes(rotated.out) == {("trigger", "pim_upload"): "update"}, rotated.out
    assert "uri: (sensitive) -> (sensitive, changed)" in rotated.out, rotated.out
    outputs += [
        rotated,
        harness.run("plan", "--env", "test", "--format", "markdown"),
        harness.run("drift", "--env", "test", "--format", "junit"),
        harness.run("drift", "--env", "test", "--format", "json"),
    ]
    for result in outputs:
        assert TOKEN not in result.out + result.err
    assert TOKEN not in saved.read_text()


def test_import_writes_a_placeholder_for_the_token_and_plans_empty_once_it_is_set(
    harness: Harness, tmp_path: Path
) -> None:
    harness.write(resources(erp_delete=upload(ERP, "rename")))  # a declared one keeps its name
    apply_ok(harness)
    harness.sdk(CLOUD, "create_trigger", f"{PIM}?Token={TOKEN}&format=json", "upload")
    harness.sdk(CLOUD, "create_trigger", f"{PIM}?signature={TOKEN}-2", "delete")
    out = tmp_path / "imported"
    imported = harness.run("import", "--env", "test", "--output", str(out))
    assert imported.code == 0, imported.err
    document = yaml.safe_load((out / "environments" / "common" / "triggers.yaml").read_text())
    upload_variable = "TRIGGER_UPLOAD_PIM_EXAMPLE_TEST_URI_TOKEN"
    delete_variable = "TRIGGER_DELETE_PIM_EXAMPLE_TEST_URI_SIGNATURE"
    assert document["triggers"] == {
        PIM_LIVE_NAME: upload(f"{PIM}?Token=${{env.{upload_variable}}}&format=json"),
        "delete_pim_example_test": upload(f"{PIM}?signature=${{env.{delete_variable}}}", "delete"),
        "erp_delete": upload(ERP, "rename"),
    }
    assert f"export {upload_variable}=" in imported.out and f"export {delete_variable}=" in imported.out
    written = "".join(p.read_text() for p in out.rglob("*.yaml"))
    assert TOKEN not in written + imported.out + imported.err

    harness.config_dir = out
    # the preset's webhook URL holds a secret too: import wrote a variable in its place
    harness.monkeypatch.setenv("UPLOAD_PRESET_PRODUCT_ASSETS_SETTINGS_NOTIFICATION_URL", WEBHOOK_SECRET)
    harness.monkeypatch.setenv(upload_variable, TOKEN)
    harness.monkeypatch.setenv(delete_variable, f"{TOKEN}-2")
    assert harness.plan_is_empty("test")


def test_a_token_made_in_the_console_is_masked_in_drift(harness: Harness) -> None:
    harness.write(resources(pim_upload=upload()))
    apply_ok(harness)
    [live] = live_triggers(harness)
    harness.sdk(CLOUD, "update_trigger", live["id"], f"{PIM}?auth={TOKEN}")
    for result in (
        harness.run("drift", "--env", "test"),
        harness.run("plan", "--env", "test", "--format", "json"),
    ):
        assert "pim_upload" in result.out, result.out
        assert TOKEN not in result.out + result.err


# --- two environments: diff and promote ------------------------------------------------------

PIM_PRODUCTION = "https://pim.acme.example/hooks/cloudinary"


def _workspace_with_trigger(ws: Harness) -> None:
    ws.write_resources({**WORKSPACE_RESOURCES, "triggers": {"pim_upload": upload()}})
    override = {"triggers": {"pim_upload": {"uri": PIM_PRODUCTION}}}
    ws.write_environment("production", overrides=override)
    ws.apply("staging")
    ws.apply("production")


def test_diff_pairs_each_account_with_its_own_config(workspace: Harness) -> None:
    _workspace_with_trigger(workspace)
    for args in (("staging", "production"), ("staging", "production", "--live")):
        result = workspace.run("diff", *args)
        assert result.code == 2, result.out + result.err
        # one object, named as the config names it on both sides, differing in its URL
        assert f'! uri: staging "{PIM}" | production "{PIM_PRODUCTION}"  (real difference)' in result.out, (
            result.out
        )
        assert PIM_LIVE_NAME not in result.out and "upload_pim_acme_example" not in result.out


def test_diff_never_shows_a_token(workspace: Harness) -> None:
    workspace.write_resources({**WORKSPACE_RESOURCES, "triggers": {"pim_upload": upload("${env.PIM_URL}")}})
    tokens = {"staging": f"{PIM}?token={TOKEN}-stg", "production": f"{PIM}?token={TOKEN}-prd"}
    for env in ("staging", "production"):
        workspace.monkeypatch.setenv("PIM_URL", tokens[env])
        workspace.apply(env)
    workspace.sdk(PRODUCTION, "create_trigger", f"{ERP}?auth={TOKEN}-console", "upload")
    desired = workspace.run("diff", "staging", "production")  # one process: one PIM_URL
    live = workspace.run("diff", "staging", "production", "--live", "--format", "json")
    assert desired.code == 0 and live.code == 2, live.out + live.err
    objects = {(o["kind"], o["name"]): o for o in json.loads(live.out)["objects"]}
    [uri] = objects["trigger", "pim_upload"]["diffs"]
    assert uri["cause"] == "sensitive", uri  # the accounts differ only in their ${env.*} URL
    assert objects["trigger", "upload_erp_example_test"]["presence"] == "only_b"
    for result in (desired, live):
        assert TOKEN not in result.out + result.err, result.out


def test_promote_a_trigger_made_in_the_staging_console(workspace: Harness) -> None:
    _workspace_with_trigger(workspace)
    workspace.sdk(STAGING, "create_trigger", ERP, "delete")
    workspace.use_env("production")
    result = workspace.run("promote", "--from", "staging", "--to", "production", "--write")
    assert result.code == 0, result.out + result.err
    assert planned_changes(result.out) == {("trigger", "delete_erp_example_test"): "create"}, result.out
    document = yaml.safe_load(
        (workspace.config_dir / "environments" / "common" / "resources.yaml").read_text()
    )
    assert document["triggers"]["delete_erp_example_test"] == upload(ERP, "delete")
    assert document["triggers"]["pim_upload"] == upload()  # in sync: left as written
    workspace.apply("production")
    production = sorted(
        (t["event_type"], t["uri"]) for t in workspace.sdk(PRODUCTION, "triggers")["triggers"]
    )
    assert production == [("delete", ERP), ("upload", PIM_PRODUCTION)]
    assert workspace.plan_is_empty("production")


# --- pairing and names (pure) ---------------------------------------------------------------


def _live(event_type: str, uri: str, trigger_id: str) -> LiveObject:
    raw = {"id": trigger_id, "event_type": event_type, "uri": uri, "uri_type": "webhook"}
    return TRIGGERS.live(raw)


def _paired(desired: dict[str, dict[str, str]], *live: LiveObject) -> dict[str, tuple[str, str, str]]:
    """name -> (id, event_type, uri) after pairing (keyed as read: pairing ignores the keys)."""
    paired = TRIGGERS.pair_live(desired, {f"read_{i}": o for i, o in enumerate(live)})
    assert all(o.name == name for name, o in paired.items())
    return {n: (o.raw["id"], o.canonical["event_type"], o.canonical["uri"]) for n, o in paired.items()}


A = _live("upload", PIM, "a" * 32)
B = _live("upload", PIM_V2, "b" * 32)
C = _live("delete", ERP, "c" * 32)


def test_the_list_answer_and_the_config_body_compare_equal() -> None:
    answer = {**A.raw, "product_environment_id": "x", "created_at": "2026-01-01T00:00:00+00:00"}
    desired = TRIGGERS.canonical_desired(DesiredObject("trigger", "pim_upload", upload()))
    assert TRIGGERS.live(answer).canonical == desired == {"event_type": "upload", "uri": PIM}


def test_exact_matches_pair_first_then_a_unique_url_change_then_a_unique_event_type_change() -> None:
    desired = {"same": upload(ERP, "delete"), "moved": upload("https://new.example.test/")}
    assert _paired(desired, A, C) == {
        "same": ("c" * 32, "delete", ERP),
        "moved": ("a" * 32, "upload", PIM),  # the only upload trigger on both sides: its URL changed
    }
    retyped = {"retyped": upload(PIM, "rename")}  # no rename trigger live: the URL tells
    assert _paired(retyped, A) == {"retyped": ("a" * 32, "upload", PIM)}
    assert TRIGGERS.needs_replace(retyped["retyped"], TRIGGERS.pair_live(retyped, {"a": A})["retyped"])


def test_an_ambiguous_change_pairs_nothing() -> None:
    desired = {"one": upload("https://one.example.test/"), "two": upload("https://two.example.test/")}
    paired = _paired(desired, A)
    assert set(paired) == {PIM_LIVE_NAME}  # both declared are created; the live one is unmanaged
    # two live triggers of the event type and one declared: no telling which one it was either
    assert set(_paired({"one": upload("https://one.example.test/")}, A, B)) == {
        f"{PIM_LIVE_NAME}_{'a' * 8}",
        f"{PIM_LIVE_NAME}_{'b' * 8}",
    }


def test_own_names_are_stable_readable_and_never_a_declared_name() -> None:
    assert set(_paired({}, A, C)) == {PIM_LIVE_NAME, "delete_erp_example_test"}
    # two on one host: each takes the start of its id; neither gets the other's name later
    assert set(_paired({}, A, B)) == {f"{PIM_LIVE_NAME}_{'a' * 8}", f"{PIM_LIVE_NAME}_{'b' * 8}"}
    assert set(_paired({}, B)) == {PIM_LIVE_NAME}
    # a declared trigger elsewhere that happens to have the name
    taken = {PIM_LIVE_NAME: upload(ERP, "rename")}
    assert set(_paired(taken, A)) == {f"{PIM_LIVE_NAME}_{'a' * 8}"}
    poll_like = _live("upload", "https://[not-an-ip/x", "d" * 32)
    assert set(_paired({}, poll_like)) == {"upload_webhook"}


def test_pairing_twice_gives_the_same_names() -> None:
    desired = {"moved": upload("https://new.example.test/", "delete"), "same": upload()}
    once = TRIGGERS.pair_live(desired, {"x": A, "y": B, "z": C})
    assert TRIGGERS.pair_live(desired, once) == once
    assert TRIGGERS.pair_live(desired, dict(reversed(list(once.items())))) == once


def test_flow_and_poll_triggers_are_never_read(harness: Harness) -> None:
    harness.write(resources())
    apply_ok(harness)
    harness.sdk(CLOUD, "create_trigger", "poll://pim", "upload", uri_type="poll")
    harness.sdk(CLOUD, "create_trigger", "flow-123", "upload", uri_type="flow")
    out = plan_text(harness)
    assert "trigger" not in out, out

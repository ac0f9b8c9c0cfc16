"""`plan` end to end: real SDK over HTTP to the emulator, through the CLI."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from support.cli_runner import planned_changes
from support.harness import API_SECRET, BASE_RESOURCES, CLOUD, WEBHOOK_SECRET, Harness, with_changes

from cloudinary_state.client import AdminClient, Credentials
from cloudinary_state.kinds._common import PAGE_SIZE

# every account has them: a plan reads each (streaming profiles' list lacks representations)
BUILTIN_PROFILES = ("4k", "full_hd", "hd", "sd", "full_hd_wifi", "full_hd_lean", "hd_lean")


def test_plan_on_empty_account_then_apply_then_empty_plan(harness: Harness) -> None:
    first = harness.run("plan", "--env", "test", "--detailed-exitcode")
    assert first.code == 2, first.err
    assert set(planned_changes(first.out).values()) == {"create"}
    assert len(planned_changes(first.out)) == 5 and "Plan: 5 to create" in first.out
    assert harness.writes() == []  # a plan never writes

    applied = harness.run("apply", "--env", "test", "--auto-approve")
    assert applied.code == 0, applied.err + applied.out
    assert "Apply complete: 5 created" in applied.out

    second = harness.run("plan", "--env", "test", "--detailed-exitcode")
    assert second.code == 0, second.out
    assert "No changes." in second.out
    assert harness.run("plan", "--env", "test").code == 0


def test_plan_read_calls_are_list_pages_plus_one_get_per_transformation(harness: Harness) -> None:
    harness.run("apply", "--env", "test", "--auto-approve")
    harness.emu.clear_log()
    result = harness.run("plan", "--env", "test")
    gets = [r.path for r in harness.emu.request_log]
    assert all(r.method == "GET" for r in harness.emu.request_log)
    # metadata fields, transformations list, transformation thumb, metadata rules, presets,
    # mappings, triggers, and the streaming profiles list with one GET for each of the seven built-ins
    assert len(gets) == 7 + 1 + 7, gets
    assert "Admin API calls: 15 (" in result.out


def test_plan_read_calls_with_two_pages_and_several_transformations(harness: Harness) -> None:
    """Issue 4: a plan reads list pages plus one GET per named transformation, nothing else.
    Two pages of presets and of mappings (501 each at 500 a page), four named transformations."""
    named = {"thumb": "c_fill,h_100,w_100", "banner": "c_fill,h_200,w_800", "square": "c_fill,h_300,w_300"}
    named["sharp"] = "e_sharpen"
    harness.write({**BASE_RESOURCES, "transformations": {n: {"transformation": t} for n, t in named.items()}})
    assert harness.run("apply", "--env", "test", "--auto-approve").code == 0
    sdk = AdminClient(Credentials.from_env("CLOUDINARY_URL_TEST", os.environ))
    for i in range(PAGE_SIZE):  # unmanaged: listed, never fetched one by one
        sdk.call("create_upload_preset", name=f"bulk_{i:03}", folder="bulk")
        sdk.call("create_upload_mapping", f"bulk_{i:03}", template=f"https://bulk.example.test/{i}/")
    state = harness.emu.state(CLOUD)
    assert len(state.upload_presets) == len(state.upload_mappings) == PAGE_SIZE + 1
    harness.emu.clear_log()

    result = harness.run("plan", "--env", "test")
    assert result.code == 0, result.err
    log = harness.emu.request_log
    assert {r.method for r in log} == {"GET"}
    # a transformation's GET names it in the query; the list pages do not
    calls = Counter((r.path, r.query_and_body_params.get("transformation")) for r in log)
    list_pages: dict[tuple[str, str | None], int] = {
        ("upload_presets", None): 2,
        ("upload_mappings", None): 2,
        ("metadata_fields", None): 1,
        ("metadata_rules", None): 1,  # no get-by-id endpoint: the one list call is the read
        ("transformations", None): 1,
        ("streaming_profiles", None): 1,  # the list lacks representations: a GET each follows
        ("triggers", None): 1,  # unpaginated, and no get-by-id endpoint: the one list call
    }
    gets: dict[tuple[str, str | None], int] = {("transformations", name): 1 for name in named}
    gets |= {(f"streaming_profiles/{name}", None): 1 for name in BUILTIN_PROFILES}
    assert calls == {**list_pages, **gets}
    expected = 2 + 2 + 1 + 1 + 1 + 1 + len(named) + 1 + len(BUILTIN_PROFILES)
    assert len(log) == expected and f"Admin API calls: {expected} (" in result.out


def test_json_and_markdown_formats(harness: Harness) -> None:
    document = json.loads(harness.run("plan", "--env", "test", "--format", "json").out)
    assert document["format"] == "cloudinary-state/plan@1"
    assert document["environment"] == "test" and document["cloud_name"] == "acme-test"
    assert document["summary"]["create"] == 5
    assert document["api_calls"] >= 1
    markdown = harness.run("plan", "--env", "test", "--format", "markdown")
    assert markdown.code == 0
    assert markdown.out.count("<details>") == 5
    assert "Admin API calls" in markdown.err  # the one-line summary goes to stderr


def test_targets_narrow_and_bad_targets_are_usage_errors(harness: Harness) -> None:
    result = harness.run("plan", "--env", "test", "--target", "transformation:thumb")
    assert result.code == 0
    assert planned_changes(result.out) == {("transformation", "thumb"): "create"}
    assert "upload_preset" not in result.out
    assert harness.run("plan", "--env", "test", "--target", "nonsense").code == 64
    assert harness.run("plan", "--env", "test", "--target", "transformation:missing").code == 64


def test_invalid_config_exits_1_before_any_api_call(harness: Harness) -> None:
    harness.write(with_changes(BASE_RESOURCES, "upload_presets", "bad", {"settings": {"foldr": "typo"}}))
    result = harness.run("plan", "--env", "test")
    assert result.code == 1
    assert "nothing was sent to the API" in result.err
    assert harness.emu.request_log == []


def test_missing_credentials_exit_1(harness: Harness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CLOUDINARY_URL_TEST")
    result = harness.run("plan", "--env", "test")
    assert result.code == 1
    assert "CLOUDINARY_URL_TEST" in result.err


def test_unmanaged_objects_listed_and_left_alone(harness: Harness) -> None:
    harness.run("apply", "--env", "test", "--auto-approve")
    harness.write(
        with_changes(BASE_RESOURCES, "transformations", "extra", {"transformation": "c_scale,w_50"})
    )
    harness.run("apply", "--env", "test", "--auto-approve")
    harness.write(BASE_RESOURCES)  # `extra` is no longer declared: omission never deletes
    result = harness.run("plan", "--env", "test", "--detailed-exitcode")
    assert result.code == 0
    assert "? transformation extra" in result.out
    assert "1 unmanaged" in result.out


def test_secrets_never_in_any_plan_output_file_or_log(harness: Harness, tmp_path: Path) -> None:
    outputs = []
    for fmt in ("text", "json", "markdown"):
        r = harness.run(
            "-v", "plan", "--env", "test", "--format", fmt, "--out", str(tmp_path / f"{fmt}.json")
        )
        assert r.code == 0, r.err
        outputs += [r.out, r.err, (tmp_path / f"{fmt}.json").read_text()]
    r = harness.run("-v", "apply", "--env", "test", "--auto-approve")
    outputs += [r.out, r.err]
    # an update of the sensitive value: shown as (sensitive, changed)
    harness.capsys.readouterr()
    import os

    os.environ["TEST_WEBHOOK_URL"] = WEBHOOK_SECRET + "-rotated"
    try:
        r = harness.run("-v", "plan", "--env", "test", "--format", "text")
        outputs += [r.out, r.err]
        assert "settings.notification_url: (sensitive) -> (sensitive, changed)" in r.out
        md = harness.run("plan", "--env", "test", "--format", "markdown")
        js = harness.run("plan", "--env", "test", "--format", "json", "--out", str(tmp_path / "rot.json"))
        outputs += [md.out, md.err, js.out, js.err, (tmp_path / "rot.json").read_text()]
        r = harness.run("-v", "apply", "--env", "test", "--auto-approve")
        outputs += [r.out, r.err]
        assert r.code == 0
    finally:
        os.environ["TEST_WEBHOOK_URL"] = WEBHOOK_SECRET
    assert "(sensitive)" in outputs[0]
    for text in outputs:
        assert WEBHOOK_SECRET not in text
        assert "t0ken-S3CRET" not in text
        assert API_SECRET not in text

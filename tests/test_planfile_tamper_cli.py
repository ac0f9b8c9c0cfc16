"""A saved plan through the CLI: an edited file never passes (its digest is keyed by the
account's api_secret), a file that does verify still cannot make apply do what the config
and the account do not call for, and the calls line is printed once, with this run's count.
Real SDK over HTTP to the emulator."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.harness import API_SECRET, BASE_RESOURCES, CLOUD, Harness, with_changes

from cloudinary_state.canonical_json import canonical_json

# two objects to update: a transformation (never replaced) and an upload mapping
TWO_UPDATES = with_changes(
    with_changes(BASE_RESOURCES, "transformations", "thumb", {"transformation": "c_fill,h_200,w_200"}),
    "upload_mappings",
    "product_assets",
    {"template": "https://media.example.test/other/"},
)


def _saved_plan_of_two_updates(h: Harness, plan_file: Path) -> dict[str, Any]:
    assert h.run("apply", "--env", "test", "--auto-approve").code == 0
    h.write(TWO_UPDATES)
    assert h.run("plan", "--env", "test", "--out", str(plan_file)).code == 0
    document: dict[str, Any] = json.loads(plan_file.read_text())
    assert [c["action"] for c in document["changes"]] == ["update", "update"]
    return document


def _as_replaces(document: dict[str, Any]) -> dict[str, Any]:
    """The reviewer's tamper: every update made a replace, the threshold base inflated."""
    for change in document["changes"]:
        change["action"] = "replace"
    document["summary"].update(update=0, replace=len(document["changes"]))
    document["existing_managed"] = 10**6
    return document


def _recomputed(document: dict[str, Any], sign: Callable[[bytes], str]) -> str:
    """A digest recomputed over the edited document, as a tamperer would."""
    return sign(canonical_json({k: v for k, v in document.items() if k != "digest"}).encode())


def test_an_edited_plan_with_a_recomputed_plain_digest_is_refused_with_no_write(
    harness: Harness, tmp_path: Path
) -> None:
    plan_file = tmp_path / "p2.json"
    document = _as_replaces(_saved_plan_of_two_updates(harness, plan_file))
    document["digest"] = _recomputed(document, lambda text: "sha256:" + hashlib.sha256(text).hexdigest())
    plan_file.write_text(json.dumps(document))
    harness.emu.clear_log()
    result = harness.run("apply", "--env", "test", "--allow-delete", str(plan_file))
    assert result.code == 3, result.out + result.err
    assert "digest mismatch" in result.err
    assert "replaced" not in result.out
    assert harness.emu.request_log == []  # refused before connecting


def test_a_plan_made_under_another_api_secret_is_refused(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_file = tmp_path / "plan.json"
    _saved_plan_of_two_updates(harness, plan_file)
    url = harness.emu.cloudinary_url(CLOUD)
    monkeypatch.setenv("CLOUDINARY_URL_TEST", url.replace(f":{API_SECRET}@", ":another-secret@"))
    harness.emu.clear_log()
    result = harness.run("apply", "--env", "test", str(plan_file))
    assert result.code == 3 and "another account" in result.err
    assert harness.emu.request_log == []


def test_a_verified_file_still_cannot_ask_for_what_the_config_does_not(
    harness: Harness, tmp_path: Path
) -> None:
    """Defence in depth: signed with the right key (a leaked api_secret), the tampered plan
    still fails the re-plan of its objects from the config and the account."""
    plan_file = tmp_path / "p2.json"
    document = _as_replaces(_saved_plan_of_two_updates(harness, plan_file))
    key = API_SECRET.encode()
    document["digest"] = _recomputed(
        document, lambda text: "hmac-sha256:" + hmac.new(key, text, hashlib.sha256).hexdigest()
    )
    plan_file.write_text(json.dumps(document))
    harness.emu.clear_log()
    result = harness.run("apply", "--env", "test", "--allow-delete", str(plan_file))
    assert result.code == 3, result.out + result.err
    assert "differ from what the config and the account call for" in result.err
    assert "transformation:thumb" in result.err and "upload_mapping:product_assets" in result.err
    assert harness.writes() == []


def test_a_saved_plan_is_shown_without_a_calls_line_and_the_run_ends_with_its_count(
    harness: Harness, tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.json"
    _saved_plan_of_two_updates(harness, plan_file)
    harness.emu.clear_log()
    result = harness.run("apply", "--env", "test", str(plan_file))
    assert result.code == 0, result.out + result.err
    assert "2 updated" in result.out
    calls = re.findall(r"Admin API calls: (\d+)", result.out + result.err)
    assert calls == [str(len(harness.emu.request_log))]  # once, this run's real count
    assert "Admin API calls: 0" not in result.out


def test_a_refused_plan_prints_the_calls_line_once(harness: Harness) -> None:
    assert harness.run("apply", "--env", "test", "--auto-approve").code == 0
    harness.write(
        with_changes(BASE_RESOURCES, "metadata_fields", "sku", {"absent": True}),
        policy={"protect": {"metadata_fields": ["sku"]}},
    )
    result = harness.run("plan", "--env", "test")
    assert result.code == 3 and "policy.protect" in result.err
    assert len(re.findall(r"Admin API calls: ", result.out + result.err)) == 1
    assert result.out.rstrip("\n").splitlines()[-1].startswith("Admin API calls: ")

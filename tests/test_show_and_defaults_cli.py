"""`show PLAN_FILE` (a saved plan rendered offline, its digest verified only with a key) and a
create's server defaults folded into one line unless -v. Real SDK over HTTP to the emulator,
through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.harness import API_SECRET, WEBHOOK_SECRET, Harness

NOT_VERIFIED = "digest NOT verified"


def _saved(h: Harness, tmp_path: Path) -> Path:
    plan_file = tmp_path / "plan.json"
    assert h.run("plan", "--env", "test", "--out", str(plan_file)).code == 0
    h.emu.clear_log()
    return plan_file


# --- show -----------------------------------------------------------------------------------------


def test_show_needs_no_credentials_and_says_the_digest_was_not_verified(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_file = _saved(harness, tmp_path)
    monkeypatch.delenv("CLOUDINARY_URL_TEST")
    monkeypatch.delenv("TEST_WEBHOOK_URL")
    text = harness.run("show", str(plan_file))
    assert text.code == 0, text.err
    assert f"Saved plan {plan_file}: {NOT_VERIFIED}" in text.out
    assert "  + upload_preset product_assets  (create)" in text.out
    assert "Plan: 5 to create" in text.out and "Admin API calls" not in text.out

    markdown = harness.run("show", str(plan_file), "--format", "markdown")
    assert markdown.out.startswith("### cloudinary-state plan: `test`") and NOT_VERIFIED in markdown.out
    assert markdown.out.count("<details>") == 5

    document = harness.run("show", str(plan_file), "--format", "json")
    assert json.loads(document.out) == json.loads(plan_file.read_text())  # the document as written
    assert NOT_VERIFIED in document.err
    assert harness.emu.request_log == []  # nothing was sent, nothing was connected to
    for out in (text.out, markdown.out, document.out):
        assert API_SECRET not in out and WEBHOOK_SECRET not in out


def test_show_with_env_verifies_the_digest_and_refuses_a_tampered_file(
    harness: Harness, tmp_path: Path
) -> None:
    plan_file = _saved(harness, tmp_path)
    verified = harness.run("show", str(plan_file), "--env", "test")
    assert verified.code == 0, verified.err
    assert "digest verified with the account's key" in verified.out
    assert harness.emu.request_log == []

    document = json.loads(plan_file.read_text())
    document["changes"][0]["action"] = "update"
    plan_file.write_text(json.dumps(document))
    refused = harness.run("show", str(plan_file), "--env", "test")
    assert refused.code == 3 and "digest mismatch" in refused.err
    unverified = harness.run("show", str(plan_file))  # without a key it can only say so
    assert unverified.code == 0 and NOT_VERIFIED in unverified.out


def test_show_emulator_needs_env(harness: Harness, tmp_path: Path) -> None:
    assert harness.run("show", str(_saved(harness, tmp_path)), "--emulator").code == 64


def test_show_of_a_file_that_is_no_plan_is_exit_1(harness: Harness, tmp_path: Path) -> None:
    not_a_plan = tmp_path / "plan.json"
    not_a_plan.write_text('{"format": "something/else"}')
    result = harness.run("show", str(not_a_plan))
    assert result.code == 1 and "is not a cloudinary-state/plan@1 file" in result.err


# --- server defaults folded -----------------------------------------------------------------------

_FOLDED = re.compile(r"and (\d+) defaults? \(the server's; -v shows them\)")


def _sku_lines(text: str) -> list[str]:
    """The lines of the `sku` metadata field's create in a text plan."""
    lines = text.splitlines()
    start = lines.index("  + metadata_field sku  (create)")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("      "))
    return lines[start + 1 : end]


def test_a_create_shows_what_the_config_sets_and_folds_the_server_defaults(harness: Harness) -> None:
    # BASE_RESOURCES' sku sets type, label and restrictions.readonly_ui; the rest are defaults
    folded = _sku_lines(harness.run("plan", "--env", "test").out)
    assert '      + label: "SKU"' in folded and '      + type: "string"' in folded
    assert "      + restrictions.readonly_ui: true" in folded
    assert not any("allow_dynamic_list_values" in line or "default_disabled" in line for line in folded)
    match = _FOLDED.search(folded[-1])
    assert match is not None, folded

    document = json.loads(harness.run("plan", "--env", "test", "--format", "json").out)
    (sku,) = [c for c in document["changes"] if c["name"] == "sku"]
    defaults = [d["path"] for d in sku["diffs"] if d.get("server_default")]
    assert "allow_dynamic_list_values" in defaults and "label" not in defaults  # JSON keeps every field
    assert int(match[1]) == len(defaults)

    shown = _sku_lines(harness.run("-v", "plan", "--env", "test").out)
    assert len(shown) == len(sku["diffs"]) and not any(_FOLDED.search(line) for line in shown)

    markdown = harness.run("plan", "--env", "test", "--format", "markdown").out
    assert f"_and {len(defaults)} defaults (the server's; -v shows them)_" in markdown
    assert (
        "allow_dynamic_list_values" in harness.run("-v", "plan", "--env", "test", "--format", "markdown").out
    )


def test_show_prints_an_untrusted_files_strings_harmlessly(harness: Harness, tmp_path: Path) -> None:
    """Nothing vouches for a file shown without a key: an escape sequence in it must not reach
    the reviewer's terminal, and a lone surrogate (valid JSON) must not end in a traceback."""
    plan_file = _saved(harness, tmp_path)
    document = json.loads(plan_file.read_text())
    document["changes"][0]["name"] = "evil\x1b[2K\ud800"
    document["changes"][0]["diffs"][0]["after"] = "\x1b]0;title\x07"
    plan_file.write_text(json.dumps(document))
    for fmt in ("text", "markdown", "json"):
        result = harness.run("show", str(plan_file), "--format", fmt)
        assert result.code == 0, result.err
        assert "\x1b" not in result.out and "\x07" not in result.out
        assert "evil\ufffd[2K\ufffd" in result.out

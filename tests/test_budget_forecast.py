"""The hourly budget, planned instead of hit (engine/forecast.py), against the emulator's
rate limit (`emulator serve --rate-limit`, the server's `rate_limit`).

The plan forecasts the Admin API calls its apply makes: a saved plan, exactly what
`apply PLAN_FILE` then makes (its re-read, the writes, the read-backs), counted here from the
emulator's request log and the client's calls line, for creates, updates, deletes and
replaces of every kind. When the forecast exceeds what remains, `plan` warns and `apply`
refuses before any write (exit 3); `--allow-partial` applies whole dependency waves while the
budget lasts, exits 1 saying when it resets, and a rerun after the reset converges.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.cli_runner import run_cli
from support.counting import calls_line, requests, save_plan
from support.harness import CLOUD, Harness

PIM = "https://pim.example.test/hooks/cloudinary"
HD = ["c_limit,w_1280,h_720,vc_h264,br_3m", "c_limit,w_640,h_360,vc_h264,br_800k"]


def _values(*ids: str) -> dict[str, Any]:
    return {"values": [{"external_id": i, "value": i.upper()} for i in ids]}


def resources_v1() -> dict[str, Any]:
    """Every kind, with what makes kinds cost differently: a transformation whose create is
    two calls (allowed_for_strict off), one referencing another (a sub-wave), a rule on a
    set field, a changed built-in streaming profile."""
    return {
        "metadata_fields": {
            "sku": {"type": "string", "label": "SKU"},
            "status": {"type": "enum", "label": "Status", "datasource": _values("draft", "done")},
            "category": {"type": "enum", "label": "Category", "datasource": _values("shoes", "hats")},
            "size": {"type": "set", "label": "Size", "datasource": _values("s", "m", "l")},
        },
        "transformations": {
            "base": {"transformation": "c_fill,h_100,w_100"},
            "strict_off": {"transformation": "c_scale,w_200", "allowed_for_strict": False},
            "uses_base": {"transformation": "t_base/f_auto,q_auto"},
        },
        "metadata_rules": {
            "shoe_sizes": {
                "metadata_field_id": "size",
                "condition": {"metadata_field_id": "category", "equals": "shoes"},
                "result": {"activate_values": {"external_ids": ["s", "m"]}},
            }
        },
        "upload_presets": {
            "products": {"settings": {"folder": "products", "transformation": "t_base", "tags": ["a"]}},
            "legacy": {"settings": {"folder": "legacy"}},
        },
        "upload_mappings": {
            "products": {"template": "https://media.example.test/products/"},
            "legacy": {"template": "https://media.example.test/legacy/"},
        },
        "triggers": {
            "on_upload": {"event_type": "upload", "uri": PIM},
            "on_delete": {"event_type": "delete", "uri": PIM},
        },
        "streaming_profiles": {
            "product_video": {"representations": [{"transformation": t} for t in HD]},
            "hd": {"representations": [{"transformation": t} for t in HD]},
        },
    }


def resources_v2() -> dict[str, Any]:
    """Updates (a field's label and datasource: several calls), deletes (tombstones, a
    built-in's revert) and a replace (a trigger's event type), and a create."""
    v2 = resources_v1()
    fields = v2["metadata_fields"]
    fields["sku"]["label"] = "Stock keeping unit"  # one call
    fields["status"] = {"type": "enum", "label": "State", "datasource": _values("draft", "done", "gone")}
    fields["category"]["datasource"] = _values("shoes", "bags")  # an upsert and a removal
    v2["transformations"]["base"] = {"transformation": "c_fill,h_120,w_120"}
    v2["transformations"]["strict_off"] = {"absent": True}
    v2["upload_presets"]["products"]["settings"]["tags"] = ["a", "b"]
    v2["upload_presets"]["legacy"] = {"absent": True}
    v2["upload_mappings"]["legacy"] = {"absent": True}
    v2["triggers"]["on_delete"] = {"event_type": "resource_metadata_changed", "uri": PIM}  # a replace
    v2["streaming_profiles"]["hd"] = {"absent": True}  # a built-in: the delete reverts it
    v2["streaming_profiles"]["product_video"]["display_name"] = "Product video"
    v2["streaming_profiles"]["teaser"] = {"representations": [{"transformation": HD[1]}]}
    return v2


def write(harness: Harness, resources: dict[str, Any]) -> None:
    harness.write(resources, policy={"safety": {"max_delete_percent": 100}})


def test_a_saved_plan_forecasts_exactly_the_calls_its_apply_makes(harness: Harness, tmp_path: Path) -> None:
    for stage, resources in enumerate((resources_v1(), resources_v2()), start=1):
        write(harness, resources)
        document = save_plan(harness, tmp_path / f"plan{stage}.json")
        forecast = document["forecast"]
        assert forecast["calls"] == forecast["reread"] + forecast["writes"] + forecast["read_backs"]
        assert sum(forecast["waves"]) == forecast["writes"] + forecast["read_backs"]
        harness.emu.clear_log()
        applied = harness.run("apply", "--env", "test", "--allow-delete", str(tmp_path / f"plan{stage}.json"))
        assert applied.code == 0, applied.out + applied.err
        reads, writes = requests(harness)
        assert (reads, writes) == (forecast["reread"] + forecast["read_backs"], forecast["writes"]), stage
        assert calls_line(applied.out + applied.err) == forecast["calls"], stage
        assert harness.plan_is_empty("test")
    actions = {c["action"] for c in document["changes"]}
    assert actions == {"create", "update", "delete", "replace"}, actions


def test_apply_without_a_file_makes_the_forecast_writes_and_read_backs(harness: Harness) -> None:
    write(harness, resources_v1())
    harness.apply("test")
    write(harness, resources_v2())
    harness.emu.clear_log()
    planned = harness.run("plan", "--env", "test", "--format", "json")
    forecast = json.loads(planned.out)["forecast"]
    plan_reads, _ = requests(harness)
    harness.emu.clear_log()
    applied = harness.run("apply", "--env", "test", "--auto-approve", "--allow-delete")
    assert applied.code == 0, applied.out + applied.err
    reads, writes = requests(harness)
    assert (reads, writes) == (plan_reads + forecast["read_backs"], forecast["writes"])
    assert f"Apply forecast: {forecast['writes'] + forecast['read_backs']} calls (" in applied.out
    assert harness.plan_is_empty("test")


def test_a_budget_too_small_warns_at_plan_and_is_refused_before_any_write(
    harness: Harness, tmp_path: Path
) -> None:
    write(harness, resources_v1())
    forecast = save_plan(harness, tmp_path / "plan.json")["forecast"]
    harness.emu.reset_budget()
    harness.emu.rate_limit = forecast["calls"] - 1  # the re-read fits, the writes do not
    harness.emu.clear_log()
    refused = harness.run("apply", "--env", "test", str(tmp_path / "plan.json"))
    assert refused.code == 3, refused.out + refused.err
    assert requests(harness) == (forecast["reread"], 0)  # nothing written
    assert f"needs {forecast['writes'] + forecast['read_backs']} Admin API calls" in refused.err
    assert f"and {forecast['writes'] + forecast['read_backs'] - 1} remain this hour" in refused.err
    assert re.search(r"the budget resets at \d\d:\d\d:\d\d UTC", refused.err), refused.err
    assert "--allow-partial" in refused.err
    # a plan that leaves less than its forecast warns, and its text shows both
    harness.emu.reset_budget()
    harness.emu.rate_limit = 2000
    planned = harness.run("plan", "--env", "test")
    plan_reads = calls_line(planned.out)
    assert f"{2000 - plan_reads} remaining this hour" in planned.out and not planned.err
    harness.emu.reset_budget()
    harness.emu.rate_limit = plan_reads + forecast["calls"] - 1
    planned = harness.run("plan", "--env", "test")
    assert planned.code == 0, planned.err
    assert f"; {forecast['calls'] - 1} remaining this hour, resets at" in planned.out
    assert f"needs {forecast['calls']} Admin API calls and {forecast['calls'] - 1} remain" in planned.err
    harness.emu.reset_budget()
    markdown = harness.run("plan", "--env", "test", "--format", "markdown")
    assert f"_Apply forecast: {forecast['writes'] + forecast['read_backs']} calls (" in markdown.out
    assert f"**Warning:** the apply of this plan needs {forecast['calls']} Admin API calls" in markdown.out
    # `apply` without a file (no re-read: its own plan read the objects) is refused before its
    # question when the writes and read-backs do not fit, and writes nothing either
    harness.emu.reset_budget()
    harness.emu.rate_limit = plan_reads + forecast["writes"] + forecast["read_backs"] - 1
    harness.emu.clear_log()
    refused = harness.run("apply", "--env", "test", "--auto-approve")
    assert refused.code == 3 and requests(harness)[1] == 0, refused.out + refused.err


def test_allow_partial_applies_whole_waves_then_a_rerun_after_the_reset_converges(
    harness: Harness, tmp_path: Path
) -> None:
    write(harness, resources_v1())
    forecast = save_plan(harness, tmp_path / "plan.json")["forecast"]
    waves = forecast["waves"]
    assert len(waves) >= 4, waves
    harness.emu.reset_budget()
    # the re-read and the first two waves fit, and one call more: not the third wave
    harness.emu.rate_limit = forecast["reread"] + waves[0] + waves[1] + 1
    harness.emu.clear_log()
    partial = harness.run("apply", "--env", "test", "--allow-partial", str(tmp_path / "plan.json"))
    assert partial.code == 1, partial.out + partial.err
    assert f"wave 3 of {len(waves)} needs {waves[2]} calls" in partial.err
    assert re.search(r"the budget resets at \d\d:\d\d:\d\d UTC", partial.err), partial.err
    assert "Run apply again after the reset: it plans what remains and finishes the work" in partial.err
    assert not [r for r in harness.emu.request_log if r.status == 420]  # stopped before the limit
    assert requests(harness)[0] + requests(harness)[1] == forecast["reread"] + waves[0] + waves[1]
    state = harness.emu.state(CLOUD)
    # the first waves, whole: the metadata fields (rank 10), then the transformations that
    # reference nothing; nothing of a later wave
    assert set(state.metadata_fields) == {"sku", "status", "category", "size"}
    assert not state.upload_presets and not state.upload_mappings and not state.metadata_rules
    summary = re.search(r"not attempted: (.+)", partial.err)
    assert summary is not None and "upload_preset" in summary[1], partial.err  # counted by kind
    # the budget resets (an hour of the account's real limit): a rerun applies what remains
    harness.emu.reset_budget()
    harness.emu.rate_limit = 2000
    rerun = harness.run("apply", "--env", "test", "--auto-approve", "--allow-partial")
    assert rerun.code == 0, rerun.out + rerun.err
    assert harness.plan_is_empty("test")


# --- lists longer than a page -----------------------------------------------------------------


def test_past_one_page_the_forecast_counts_every_page_and_errs_only_high(
    harness: Harness, tmp_path: Path
) -> None:
    """600 mappings made in the console: two pages of 500. A read of names that include an
    absent one, or one on the last page, reads both pages, as forecast; a read whose names all
    lie on the first page stops there, one page fewer than forecast (no plan can know where
    the server lists a name)."""
    with harness.emu.store_lock:
        mappings = harness.emu.state(CLOUD).upload_mappings
        for i in range(600):
            folder = f"console{i:03}"
            mappings[folder] = {
                "folder": folder,
                "template": "https://c.example.test/",
                "external_id": folder,
            }
    template = "https://media.example.test/new/"
    write(
        harness, {"upload_mappings": {"console000": {"template": template}, "zz_new": {"template": template}}}
    )
    forecast = save_plan(harness, tmp_path / "both.json")["forecast"]
    assert forecast["reread"] == 2 and forecast["read_backs"] == 2  # both pages, each time
    harness.emu.clear_log()
    assert harness.run("apply", "--env", "test", str(tmp_path / "both.json")).code == 0
    assert requests(harness) == (forecast["reread"] + forecast["read_backs"], forecast["writes"])

    write(harness, {"upload_mappings": {"console000": {"template": f"{template}v2/"}}})
    forecast = save_plan(harness, tmp_path / "first_page.json")["forecast"]
    harness.emu.clear_log()
    assert harness.run("apply", "--env", "test", str(tmp_path / "first_page.json")).code == 0
    reads, writes = requests(harness)
    assert writes == forecast["writes"] == 1
    assert reads == forecast["reread"] + forecast["read_backs"] - 2  # each read stopped at page 1


def test_a_stopped_apply_counts_what_it_did_not_attempt_and_lists_it_with_v_and_in_json(
    harness: Harness, tmp_path: Path
) -> None:
    write(harness, resources_v1())
    document = save_plan(harness, tmp_path / "plan.json")
    forecast = document["forecast"]
    harness.emu.reset_budget()
    harness.emu.rate_limit = forecast["reread"] + forecast["waves"][0]  # the first wave only
    stopped = harness.run(
        "-v", "apply", "--env", "test", "--allow-partial", "--format", "json", str(tmp_path / "plan.json")
    )
    assert stopped.code == 1, stopped.out + stopped.err
    outcome = json.loads(stopped.out)
    assert outcome["format"] == "cloudinary-state/apply@1" and outcome["complete"] is False
    assert outcome["stopped"].startswith("The hourly Admin API budget ran short: wave 2 of")
    applied = {c["key"] for c in outcome["applied"]}
    assert applied == {f"metadata_field:{n}" for n in ("sku", "status", "category", "size")}
    pending = outcome["not_attempted"]
    planned = {f"{c['kind']}:{c['name']}" for c in document["changes"]}
    assert {c["key"] for c in pending["changes"]} == planned - applied
    assert pending["count"] == len(planned - applied) == sum(pending["by_kind"].values())
    assert pending["by_kind"]["upload_preset"] == 2 and "metadata_field" not in pending["by_kind"]
    assert (
        outcome["forecast"] == forecast and outcome["api_calls"] == forecast["reread"] + forecast["waves"][0]
    )
    # the message counts by kind; -v lists each change, one line each
    counts = ", ".join(f"{n} {kind}" for kind, n in pending["by_kind"].items())
    assert f"not attempted: {counts}" in stopped.err
    for key in planned - applied:
        assert re.search(rf"not attempted \w+ {re.escape(key)}$", stopped.err, re.MULTILINE), key
    # before the reset, a rerun meets the spent budget at its first call and says when it resets
    # (the 420 carries the headers), instead of backing off for its retry budget
    harness.emu.clear_log()
    spent = harness.run("apply", "--env", "test", "--auto-approve", "--allow-partial")
    assert spent.code == 1 and re.search(r"budget is exhausted and resets in \d+s", spent.err), spent.err
    statuses = [r.status for r in harness.emu.request_log]  # the kinds' first reads, in flight at once
    assert set(statuses) == {420} and len(statuses) <= len(resources_v1())  # none retried
    # the saved plan is stale for what it applied: after the reset the rerun is a new apply
    harness.emu.reset_budget()
    harness.emu.rate_limit = 2000
    stale = harness.run("apply", "--env", "test", str(tmp_path / "plan.json"))
    assert stale.code == 3 and "created since the plan" in stale.err, stale.err


# --- against `cloudinary-state emulator serve --rate-limit` -------------------------------------


def test_against_emulator_serve_rate_limit_a_plan_warns_and_its_apply_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The standalone emulator with a small hourly budget, driven the way a user would: the
    plan's forecast does not fit in what its reads leave, so it warns, and applying the saved
    plan is refused after the re-read with nothing written."""
    # enough for two plans and the re-read (14 + 14 + 8), not for the apply's 37 calls
    key, secret, budget = "serve-key", "serve-secret-NOT-SHOWN", 45
    command = [sys.executable, "-m", "cloudinary_state", "emulator", "serve", "--port", "0",
               "--cloud", f"{CLOUD}:{key}:{secret}", "--rate-limit", str(budget)]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        monkeypatch.setenv("CLOUDINARY_URL_TEST", f"cloudinary://{key}:{secret}@{CLOUD}?upload_prefix={url}")
        (tmp_path / "environments" / "common").mkdir(parents=True)
        environment = {
            "cloud_name": CLOUD,
            "credentials": "CLOUDINARY_URL_TEST",
            "include": ["common/*.yaml"],
        }
        (tmp_path / "environments" / "test.yaml").write_text(json.dumps(environment))
        resources = json.dumps(resources_v1())  # JSON is YAML
        (tmp_path / "environments" / "common" / "r.yaml").write_text(resources)
        planned = run_cli(tmp_path, capsys, "plan", "--env", "test", "--out", str(tmp_path / "plan.json"))
        forecast = json.loads((tmp_path / "plan.json").read_text())["forecast"]
        reads = calls_line(planned.out)
        assert forecast["remaining"] == budget - reads < forecast["calls"], (forecast, reads)
        assert f"needs {forecast['calls']} Admin API calls and {budget - reads} remain" in planned.err
        refused = run_cli(tmp_path, capsys, "apply", "--env", "test", str(tmp_path / "plan.json"))
        assert refused.code == 3 and "Nothing was written" in refused.err, refused.out + refused.err
        assert calls_line(refused.err) == forecast["reread"]  # its re-read, then no write
        again = run_cli(tmp_path, capsys, "plan", "--env", "test", "--detailed-exitcode")
        assert again.code == 2 and calls_line(again.out) == reads  # the account is as it was
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.communicate(timeout=10)

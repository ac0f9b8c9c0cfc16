"""Every failure through the CLI is a clear error with DESIGN.md's exit code, never a traceback:
unwritable and unreadable plan files, a corrupt emulator state file, an odd live value, a
misconfigured upload_prefix; and the counts a run reports are that run's own."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from support.cli_runner import planned_changes
from support.cli_runner import run_cli as run

from cloudinary_state.engine.planfile import read_plan, write_plan
from cloudinary_state.kinds import REGISTRY

EXAMPLES = Path(__file__).resolve().parents[1] / "environments"


def emulator_state(config_dir: Path, env: str) -> Path:
    return config_dir / ".cloudinary-state" / "emulator" / f"{env}.json"


# --- plan files ---------------------------------------------------------------------------------


def test_plan_out_under_a_file_is_a_clear_error(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_path = config_dir / "environments" / "staging.yaml" / "plan.json"
    code, _, err = run(config_dir, capsys, "plan", "--env", "staging", "--emulator", "--out", str(out_path))
    assert code == 1
    # told before the run connects: the path cannot be a file, so no plan is made for nothing
    assert f"error: --out {out_path}: cannot be written: {out_path.parent} is not a directory" in err
    assert "Admin API calls" not in err


@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_import_output_that_cannot_be_a_directory_is_a_clear_error(
    config_dir: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    a_file = config_dir / "environments" / "staging.yaml"
    output = a_file if where == "a file" else a_file / "imported"
    args = ("import", "--env", "staging", "--emulator", "--output", str(output))
    code, _, err = run(config_dir, capsys, *args)
    assert code == 1, err  # an input error, not a usage error (64)
    assert f"error: --output {output}: " in err and "give a directory" in err
    assert "Traceback" not in err and "Admin API calls" not in err  # told before connecting


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (None, "cannot be read"),
        ("{not json", "is not JSON"),
        ('{"format": "something/else"}', "is not a cloudinary-state/plan@1 file"),
    ],
)
def test_an_unreadable_plan_file_is_an_error_not_a_refusal(
    config_dir: Path, capsys: pytest.CaptureFixture[str], content: str | None, why: str
) -> None:
    plan_file = config_dir / "plan.json"
    if content is not None:
        plan_file.write_text(content)
    code, _, err = run(config_dir, capsys, "apply", "--env", "staging", "--emulator", str(plan_file))
    assert code == 1, err  # exit 3 is for refusals: tampered, another env's or config's, stale
    assert why in err


def test_the_plan_file_is_read_before_credentials(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # no CLOUDINARY_URL_STAGING is set: the missing file is what the user must hear about first
    missing = config_dir / "nonexistent.json"
    code, _, err = run(config_dir, capsys, "apply", "--env", "staging", str(missing))
    assert code == 1
    assert f"plan file {missing}: cannot be read" in err
    assert "CLOUDINARY_URL_STAGING" not in err


def test_a_tampered_plan_file_is_still_refused(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan_file = config_dir / "plan.json"
    code, _, _ = run(config_dir, capsys, "plan", "--env", "staging", "--emulator", "--out", str(plan_file))
    assert code == 0
    document = json.loads(plan_file.read_text())
    document["changes"] = document["changes"][:1]
    plan_file.write_text(json.dumps(document))
    code, _, err = run(config_dir, capsys, "apply", "--env", "staging", "--emulator", str(plan_file))
    assert code == 3
    assert "digest mismatch" in err


def test_apply_of_a_saved_plan_reports_this_runs_calls(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_file = config_dir / "plan.json"
    code, _, _ = run(config_dir, capsys, "plan", "--env", "staging", "--emulator", "--out", str(plan_file))
    assert code == 0
    # counts no run of this test can make, written back with a valid digest
    key = b"emulator-secret"  # the embedded emulator's api_secret keys the file's digest
    saved = read_plan(plan_file, digest_key=key)
    write_plan(plan_file, replace(saved, api_calls=987, rate_limit_remaining=12345), digest_key=key)
    code, out, err = run(
        config_dir, capsys, "apply", "--env", "staging", "--emulator", "--auto-approve", str(plan_file)
    )
    assert code == 0, out + err
    assert "987" not in out + err and "12345" not in out + err
    counts = [int(n) for n in re.findall(r"Admin API calls: (\d+)", out)]
    # the saved plan is shown before this run's first call, without a calls line: the one line
    # is the run's end, after the re-read and the writes
    assert len(counts) == 1 and counts[0] > 0, out


# --- the embedded emulator's state file ---------------------------------------------------------


def test_a_corrupt_emulator_state_file_names_the_file_and_the_fix(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = emulator_state(config_dir, "staging")
    state.parent.mkdir(parents=True)
    state.write_text("{ half-written")
    code, _, err = run(config_dir, capsys, "plan", "--env", "staging", "--emulator")
    assert code == 1
    assert str(state) in err and "delete it" in err


# --- live values the canonicalizer does not expect ------------------------------------------------


def test_an_odd_live_preset_value_shows_as_a_diff(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(config_dir, capsys, "apply", "--env", "staging", "--emulator", "--auto-approve")
    assert code == 0
    # someone (or a newer API) stored a value that is no number where a number belongs
    state = emulator_state(config_dir, "staging")
    document = json.loads(state.read_text())
    document["clouds"]["acme-staging"]["upload_presets"]["product_assets"]["settings"]["auto_tagging"] = (
        "high"
    )
    state.write_text(json.dumps(document))
    code, out, err = run(config_dir, capsys, "plan", "--env", "staging", "--emulator", "--detailed-exitcode")
    assert code == 2, out + err
    assert "upload_preset product_assets" in out and "settings.auto_tagging" in out and "high" in out
    # and the apply writes the desired value over it, verified by read-back
    code, out, err = run(config_dir, capsys, "apply", "--env", "staging", "--emulator", "--auto-approve")
    assert code == 0, out + err
    code, out, _ = run(config_dir, capsys, "plan", "--env", "staging", "--emulator", "--detailed-exitcode")
    assert code == 0, out


def test_an_odd_live_flag_shows_as_a_diff(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(config_dir, capsys, "apply", "--env", "staging", "--emulator", "--auto-approve")
    assert code == 0
    state = emulator_state(config_dir, "staging")
    document = json.loads(state.read_text())
    document["clouds"]["acme-staging"]["metadata_fields"]["sku"]["mandatory"] = "sometimes"
    state.write_text(json.dumps(document))
    code, out, err = run(config_dir, capsys, "plan", "--env", "staging", "--emulator", "--detailed-exitcode")
    assert code == 2, out + err
    assert "metadata_field sku" in out and "mandatory" in out and "sometimes" in out


def test_a_live_object_of_an_unreadable_shape_is_a_clear_error(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(config_dir, capsys, "apply", "--env", "staging", "--emulator", "--auto-approve")
    assert code == 0
    state = emulator_state(config_dir, "staging")
    document = json.loads(state.read_text())
    # a key the emulator only answers as stored (one its handlers read is refused at its start)
    [rule] = document["clouds"]["acme-staging"]["metadata_rules"].values()
    del rule["result"]
    state.write_text(json.dumps(document))
    code, _, err = run(config_dir, capsys, "plan", "--env", "staging", "--emulator")
    assert code == 1, err
    assert (
        "metadata_rule shoe_sizes_need_category: the Admin API answered it in a form this tool cannot read"
        in err
    )


# --- credentials and the client's retries ---------------------------------------------------------


def test_missing_credentials_point_at_the_emulator(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(config_dir, capsys, "plan", "--env", "staging")
    assert code == 1
    assert "CLOUDINARY_URL_STAGING is not set" in err and "--emulator" in err


def test_an_upload_prefix_urllib3_cannot_use_fails_at_once(
    config_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real SDK, unchanged: a scheme urllib3 has no pool for fails the same way every time.
    monkeypatch.setenv(
        "CLOUDINARY_URL_STAGING", "cloudinary://key:secret-value@acme-staging?upload_prefix=ftp://127.0.0.1:9"
    )
    code, out, err = run(config_dir, capsys, "plan", "--env", "staging")
    assert code == 1
    assert "gave up after" not in err  # not retried until the 60 s budget ran out
    calls = re.search(r"Admin API calls: (\d+)", err)
    # the kinds read at once, each tried once
    assert calls is not None and int(calls.group(1)) <= len(REGISTRY)
    assert "Not supported URL scheme ftp" in err
    assert "secret-value" not in out + err


# --- --target: the threshold's base, ignored objects ---------------------------------------------

THRESHOLD_ENV = """\
cloud_name: thr
credentials: CLOUDINARY_URL_THR
include: [resources.yaml]
policy:
  prune: [upload_mappings]
  ignore: {upload_mappings: [scratch]}
  safety: {max_delete_percent: 30, min_existing: 2}
"""


def threshold_config(tmp_path: Path, mappings: list[str]) -> Path:
    """Eight transformations and the given upload mappings, in the pruned kind."""
    lines = ["transformations:"]
    lines += [f"  t{i}: {{transformation: 'c_scale,w_{100 + i}'}}" for i in range(8)]
    lines += ["upload_mappings:"]
    lines += [f"  {m}: {{template: 'https://src.example/{m}/'}}" for m in mappings]
    (tmp_path / "environments").mkdir(exist_ok=True)
    (tmp_path / "environments" / "thr.yaml").write_text(THRESHOLD_ENV)
    (tmp_path / "environments" / "resources.yaml").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_a_narrowed_plan_counts_the_threshold_base_over_the_whole_account(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_dir = threshold_config(tmp_path, ["m1", "m2", "m3"])
    code, out, err = run(config_dir, capsys, "apply", "--env", "thr", "--emulator", "--auto-approve")
    assert code == 0, out + err
    threshold_config(tmp_path, ["m1", "m2"])  # m3 is pruned: 1 delete of 11 managed objects, 9%
    code, out, err = run(config_dir, capsys, "plan", "--env", "thr", "--emulator")
    assert code == 0, out + err
    assert planned_changes(out) == {("upload_mapping", "m3"): "delete"}
    # narrowed to the upload mappings, the base is still 11, not the 3 mappings (33%, refused)
    code, out, err = run(
        config_dir, capsys, "plan", "--env", "thr", "--emulator", "--target", "upload_mapping:m3"
    )
    assert code == 0, out + err
    assert planned_changes(out) == {("upload_mapping", "m3"): "delete"}


def test_a_target_that_policy_ignores_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_dir = threshold_config(tmp_path, ["m1"])
    code, _, err = run(
        config_dir, capsys, "plan", "--env", "thr", "--emulator", "--target", "upload_mapping:scratch"
    )
    assert code == 64
    assert "policy.ignore covers: upload_mapping:scratch" in err
    assert "names no declared or live object" not in err


def test_drift_takes_a_parallelism(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(config_dir, capsys, "drift", "--env", "staging", "--emulator", "--parallelism", "1")
    assert code == 2, out + err  # nothing applied yet: everything is missing
    code, _, err = run(config_dir, capsys, "drift", "--env", "staging", "--emulator", "--parallelism", "65")
    assert code == 64 and "--parallelism" in err

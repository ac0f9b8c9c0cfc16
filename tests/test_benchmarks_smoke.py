"""The benchmark harness at a tiny size: it runs, its JSON report has the documented shape,
and the call counts obey the invariants. Timings are reported, never asserted (DESIGN.md §8)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from cloudinary_state.kinds import REGISTRY

REPO = Path(__file__).resolve().parent.parent
BUILTIN_PROFILES = 7  # the predefined streaming profiles every account has
SIZES = (2, 11)  # 11 objects per kind: the 10% update edits objects 0 and 10, two per kind
PHASES = {
    "plan_empty",
    "saved_plan_reread",
    "apply_create",
    "plan",
    "read_kinds_concurrently",
    "plan_before_second_apply",
    "apply_second",
    "plan_update",
    "apply_update",
    "plan_after_update",
}


def run_harness(tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    out = tmp_path / "bench.json"
    command = [
        sys.executable, "benchmarks/run.py", "--sizes", ",".join(map(str, SIZES)),
        "--latency-ms", "0", "--parallelism", "1,4", "--repeat", "1", "--json", str(out),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    return done, json.loads(out.read_text())


def test_harness_reports_call_counts_that_obey_the_invariants(tmp_path: Path) -> None:
    done, report = run_harness(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all call-count invariants hold" in done.stdout
    assert "plan reads" in done.stdout and "Speed-up" in done.stdout and "Scaling" in done.stdout

    assert report["format"] == "cloudinary-state/benchmark@1"
    assert report["invariant_failures"] == []
    assert report["hourly_budget"] == 2000
    runs = report["runs"]
    assert sorted((r["size"], r["parallelism"]) for r in runs) == [(2, 1), (2, 4), (11, 1), (11, 4)]
    assert [s["sizes"] for s in report["scaling"]] == [[2, 11], [2, 11]]
    assert sorted(s["size"] for s in report["speedup"]) == [2, 11]
    assert len(report["kinds_overlap_what_if"]) == len(runs)

    for run in runs:
        n, phases = run["size"], run["phases"]
        assert set(phases) == PHASES
        for traffic in phases.values():
            assert traffic["client_calls"] == traffic["server_requests"]
            assert traffic["reads"] + traffic["writes"] == traffic["server_requests"]
            assert traffic["budget_fraction"] == round(traffic["client_calls"] / 2000, 4)
        # one list page per kind, plus one GET per named transformation and one per streaming
        # profile (the n of the account and the seven built-ins)
        assert phases["plan"]["reads"] == n + len(REGISTRY) + n + BUILTIN_PROFILES
        assert phases["plan"]["writes"] == 0
        # the what-if makes the very same calls, only overlapped
        assert phases["read_kinds_concurrently"]["reads_by_kind"] == phases["plan"]["reads_by_kind"]
        assert phases["plan"]["reads_by_kind"] == {
            "metadata_fields": 1, "metadata_rules": 1, "streaming_profiles": 1 + n + BUILTIN_PROFILES,
            "transformations": n + 1, "triggers": 1, "upload_mappings": 1, "upload_presets": 1,
        }  # fmt: skip
        # a saved plan of creates on an empty account: one bulk read per kind finds nothing
        # (it was one GET per object, one per kind and object)
        assert phases["saved_plan_reread"]["reads_by_kind"] == {
            "metadata_fields": 1, "metadata_rules": 1, "streaming_profiles": 1, "transformations": 1,
            "triggers": 1,
            "upload_mappings": 1, "upload_presets": 1,
        }  # fmt: skip
        assert phases["apply_create"]["writes"] == len(REGISTRY) * n
        # each wave read back in bulk (it was one GET per write): one list call per kind,
        # plus the n transformation GETs the definitions need and the n profile GETs
        assert phases["apply_create"]["reads_by_kind"] == {
            "metadata_fields": 1, "metadata_rules": 1, "streaming_profiles": n + 1,
            "transformations": n + 1, "triggers": 1, "upload_mappings": 1, "upload_presets": 1,
        }  # fmt: skip
        assert phases["apply_second"]["client_calls"] == 0
        edits = run["edited_per_kind"]
        assert edits == (1 if n == 2 else 2)
        # the update's read-back: one list call per kind; one transformation edited is its GET
        # alone, two are a list page and their two GETs (it was 4 * edits GETs)
        assert phases["apply_update"]["reads_by_kind"] == {
            "metadata_fields": 1, "metadata_rules": 1, "transformations": 1 if edits == 1 else edits + 1,
            "streaming_profiles": 1 if edits == 1 else edits + 1, "triggers": 1, "upload_mappings": 1,
            "upload_presets": 1,
        }  # fmt: skip
        # a trigger's new URL is one update in place (each edited one is paired with its old self)
        assert phases["apply_update"]["writes_by_kind"] == {
            "metadata_fields": 2 * edits, "metadata_rules": edits, "streaming_profiles": edits,
            "transformations": edits, "triggers": edits, "upload_mappings": edits, "upload_presets": edits,
        }  # fmt: skip
        assert run["plan_changes"] == {
            "plan_empty": len(REGISTRY) * n, "plan": 0, "plan_before_second_apply": 0,
            "plan_update": len(REGISTRY) * edits,
            "plan_after_update": 0,
        }  # fmt: skip
        # each plan's call forecast (engine/forecast.py) is what its apply then made
        forecasts = run["forecasts"]
        for planned, applied in (("plan_empty", "apply_create"), ("plan_update", "apply_update")):
            traffic = phases[applied]
            assert (forecasts[planned]["writes"], forecasts[planned]["read_backs"]) == (
                traffic["writes"],
                traffic["reads"],
            )
        assert forecasts["plan_empty"]["reread"] == phases["saved_plan_reread"]["reads"]
        assert forecasts["plan_before_second_apply"]["calls"] == 0
        if run["parallelism"] == 1:
            assert phases["plan"]["rate_limit_used"] == phases["plan"]["client_calls"]

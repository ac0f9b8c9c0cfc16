"""benchmarks/load.py at a tiny size: it runs, loads the whole generated config, and reports
the documented figures. Timings are reported, never asserted (DESIGN.md §8)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cloudinary_state.kinds import REGISTRY

# the benchmark account has every kind (each with its own section)
KINDS = len(REGISTRY)

REPO = Path(__file__).resolve().parent.parent


def test_load_benchmark_reports_ratios_per_size_and_the_plan(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    command = [
        sys.executable, "benchmarks/load.py", "--sizes", f"{2 * KINDS},{10 * KINDS}", "--files", "3",
        "--repeat", "1", "--plan-size", str(10 * KINDS), "--json", str(out),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ratio" in done.stdout and f"build_plan over {10 * KINDS} objects" in done.stdout
    report = json.loads(out.read_text())
    assert [row["objects"] for row in report["load"]] == [2 * KINDS, 10 * KINDS]
    for row in report["load"]:
        assert row["files"] == 4  # the environment file and three resource documents
        assert row["ratio"] > 0 and row["ratio_no_gc"] > 0 and row["us_per_object"] > 0
    # a tenth of each kind is edited (object 0 of the 10 per kind); the environment overrides
    # the tags of preset 0, which hides its edit
    plan = report["plan"]
    assert (plan["objects"], plan["changes"], plan["unchanged"]) == (10 * KINDS, KINDS - 1, 9 * KINDS + 1)
    assert plan["seconds"] > 0 and plan["seconds_after_load"] > 0

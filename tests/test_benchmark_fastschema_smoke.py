"""benchmarks/fastschema.py at a tiny size: it runs, and the fast check accepts every document
of the example config and every generated object. Timings are reported, never asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_fastschema_benchmark_accepts_every_document() -> None:
    command = [sys.executable, "benchmarks/fastschema.py", "--objects", "70", "--repeat", "1"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "70 generated objects: 70 documents, 70 accepted by the fast check" in done.stdout
    assert "example config: " in done.stdout and "compiling every schema" in done.stdout

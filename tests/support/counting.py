"""Counting what a run cost: a saved plan's forecast, the client's calls line and the requests
the emulator saw (the budget tests and the forecast's interplay with other features)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from support.harness import Harness


def save_plan(harness: Harness, path: Path) -> dict[str, Any]:
    """`plan --out PATH`; the plan document."""
    result = harness.run("plan", "--env", "test", "--out", str(path))
    assert result.code == 0, result.out + result.err
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def calls_line(text: str) -> int:
    """The client's count of the run's calls, from its summary line."""
    counts = re.findall(r"Admin API calls: (\d+) \(", text)
    assert counts, text
    return int(counts[-1])


def requests(harness: Harness) -> tuple[int, int]:
    """(reads, writes) the emulator saw."""
    log = harness.emu.request_log
    writes = sum(1 for r in log if r.method != "GET")
    return len(log) - writes, writes

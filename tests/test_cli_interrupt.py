"""Ctrl-C is exit 130 with "Interrupted." (DESIGN §4), never click's "Aborted." and exit 1, and
never a traceback: a plan interrupted while it waits for the Admin API, in a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from support.harness import Harness


def test_an_interrupted_run_exits_130(harness: Harness) -> None:
    # every answer takes 2 s: the plan is surely waiting on its first read when interrupted
    harness.emu.inject(kind="latency", latency_ms=2000, count=10**6)
    environ = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cloudinary_state", "--config-dir", str(harness.config_dir),
         "plan", "--env", "test", "--parallelism", "1"],
        env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not harness.emu.request_log and time.monotonic() < deadline:
        time.sleep(0.05)  # the request is logged as it arrives, before its latency
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, (process.returncode, out, err)
    assert "Interrupted." in err and "Aborted." not in err
    assert "Traceback" not in out + err

"""Ctrl-C during an apply, in real processes: `emulator serve --latency-ms` in one, the CLI in
another, SIGINT sent while the writes run. No new write starts, the one in flight finishes,
the report lists what was applied and what was not, exit 130, no traceback; a rerun converges
(apply, then an empty plan)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

CLOUD, KEY, SECRET = "acme-interrupt", "int-key", "int-secret-NEVER-SHOWN-5d1"
PRESETS = 12
LATENCY_MS = 250


@contextmanager
def _serving(latency_ms: int) -> Iterator[str]:
    """The emulator in its own process, every answer `latency_ms` late; its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cloudinary_state", "emulator", "serve", "--port", "0",
         "--cloud", f"{CLOUD}:{KEY}:{SECRET}", "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)


@pytest.fixture
def served() -> Iterator[str]:
    with _serving(LATENCY_MS) as url:
        yield url


def _config(config_dir: Path) -> None:
    environments = config_dir / "environments"
    (environments / "common").mkdir(parents=True)
    environment = {"cloud_name": CLOUD, "credentials": "CLOUDINARY_URL_INT", "include": ["common/*.yaml"]}
    (environments / "int.yaml").write_text(yaml.safe_dump(environment))
    presets = {f"p{i:02d}": {"settings": {"folder": f"f{i}", "tags": ["t"]}} for i in range(PRESETS)}
    (environments / "common" / "presets.yaml").write_text(yaml.safe_dump({"upload_presets": presets}))


def _cli(config_dir: Path, url: str, *args: str) -> subprocess.Popen[str]:
    environ = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "CLOUDINARY_URL_INT": f"cloudinary://{KEY}:{SECRET}@{CLOUD}?upload_prefix={url}",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "cloudinary_state", "--config-dir", str(config_dir), *args, "--env", "int"],
        env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out + err


def test_ctrl_c_mid_apply_stops_new_writes_reports_and_a_rerun_converges(tmp_path: Path, served: str) -> None:
    _config(tmp_path)
    process = _cli(tmp_path, served, "apply", "--auto-approve", "--parallelism", "1")
    assert process.stdout is not None
    for line in process.stdout:  # the plan is shown before the first write
        if line.startswith("Plan: "):
            break
    time.sleep(4 * LATENCY_MS / 1000)  # a few creates in, one in flight
    process.send_signal(signal.SIGINT)
    code, output = _finished(process)

    assert code == 130, output
    assert "Traceback" not in output and SECRET not in output
    assert "Stopping: no new writes start" in output
    counts = re.search(r"apply interrupted: (\d+) applied, 0 failed, (\d+) not attempted", output)
    assert counts is not None, output
    applied, not_attempted = int(counts[1]), int(counts[2])
    assert applied >= 1 and not_attempted >= 1 and applied + not_attempted == PRESETS, output
    assert len(re.findall(r"^  applied create upload_preset:", output, re.M)) == applied
    assert re.search(rf"^  not attempted: {not_attempted} upload_preset$", output, re.M), output  # by kind

    code, output = _finished(_cli(tmp_path, served, "apply", "--auto-approve"))
    assert code == 0, output
    assert f"Plan: {not_attempted} to create" in output  # what was applied is not written again
    code, output = _finished(_cli(tmp_path, served, "plan", "--detailed-exitcode"))
    assert code == 0, output


def test_a_second_ctrl_c_skips_the_read_back_and_the_report(tmp_path: Path) -> None:
    _config(tmp_path)
    with _serving(1000) as url:  # slow enough that the second Ctrl-C comes while a write is in flight
        process = _cli(tmp_path, url, "apply", "--auto-approve", "--parallelism", "4")
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("Plan: "):
                break
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        time.sleep(0.3)  # two signals close together would reach Python's handler as one
        process.send_signal(signal.SIGINT)
        code, output = _finished(process)
        assert code == 130, output
        assert "Interrupted." in output and "apply interrupted" not in output
        assert "Traceback" not in output and SECRET not in output
        code, output = _finished(_cli(tmp_path, url, "apply", "--auto-approve", "--parallelism", "16"))
        assert code == 0, output
        code, output = _finished(_cli(tmp_path, url, "plan", "--detailed-exitcode", "--parallelism", "16"))
        assert code == 0, output

"""A terminal that behaves, in real processes on a pseudo-terminal (`os.openpty`): progress of
reads and applies on stderr only when it is a terminal, colour only on a terminal, and with
`NO_COLOR` (any non-empty value, no-color.org) or `--no-color` not one escape sequence."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

ESCAPE = re.compile(rb"\x1b")
COLOUR = re.compile(rb"\x1b\[[0-9;]*m")
READING = b"reading upload_preset objects"
APPLY = ("apply", "--env", "staging", "--emulator", "--auto-approve")


def _environ(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    return {**environ, "TERM": "xterm-256color", "COLUMNS": "100", "PYTHONUNBUFFERED": "1", **extra}


def _on_a_terminal(config_dir: Path, *args: str, **extra: str) -> tuple[int, bytes]:
    """`cloudinary-state ARGS` with stdin, stdout and stderr on one pseudo-terminal; all it wrote."""
    leader, follower = os.openpty()
    command = [sys.executable, "-m", "cloudinary_state", "--config-dir", str(config_dir), *args]
    process = subprocess.Popen(
        command, stdin=follower, stdout=follower, stderr=follower, env=_environ(**extra)
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the process closed its end
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    os.close(leader)
    return process.wait(timeout=60), b"".join(chunks)


def _through_pipes(config_dir: Path, *args: str) -> tuple[int, bytes]:
    command = [sys.executable, "-m", "cloudinary_state", "--config-dir", str(config_dir), *args]
    done = subprocess.run(command, capture_output=True, env=_environ(), timeout=60, check=False)
    return done.returncode, done.stdout + done.stderr


def test_on_a_terminal_progress_is_drawn_and_the_plan_coloured(config_dir: Path) -> None:
    code, output = _on_a_terminal(config_dir, *APPLY)
    assert code == 0, output
    assert READING in output  # the display's spinner line, redrawn in place
    assert b"\x1b[2K" in output  # ... and cleared (line erased) before the plan is printed
    assert COLOUR.search(output)
    assert b"Apply complete: 12 created" in output


@pytest.mark.parametrize(
    ("flags", "environ"),
    [((), {"NO_COLOR": "1"}), ((), {"NO_COLOR": "yes please"}), (("--no-color",), {})],
    ids=["NO_COLOR=1", "NO_COLOR=text", "--no-color"],
)
def test_without_colour_a_terminal_gets_no_escape_sequence_at_all(
    config_dir: Path, flags: tuple[str, ...], environ: dict[str, str]
) -> None:
    code, output = _on_a_terminal(config_dir, *flags, *APPLY, **environ)
    assert code == 0, output
    assert ESCAPE.findall(output) == [], output
    assert READING in output  # progress still shows, as plain lines
    assert b"  + upload_preset:product_assets: applied" in output
    code, output = _on_a_terminal(config_dir, *flags, "plan", "--env", "staging", "--emulator", **environ)
    assert code == 0 and ESCAPE.findall(output) == [], output


def test_an_empty_no_color_leaves_colour_on(config_dir: Path) -> None:
    code, output = _on_a_terminal(config_dir, "plan", "--env", "staging", "--emulator", NO_COLOR="")
    assert code == 0 and COLOUR.search(output), output


def test_through_pipes_there_is_no_progress_and_no_colour(config_dir: Path) -> None:
    code, output = _through_pipes(config_dir, *APPLY)
    assert code == 0, output
    assert READING not in output and b"wrote " not in output
    assert ESCAPE.findall(output) == [], output
    assert b"  + upload_preset:product_assets: applied" in output  # the apply's events stay


def test_validate_does_not_import_rich(config_dir: Path) -> None:
    """Start-up time: the offline commands never load the progress display's library."""
    probe = (
        "import sys\nfrom cloudinary_state.cli import main\n"
        "try:\n    main(['--config-dir', sys.argv[1], 'validate', '--all'])\n"
        "except SystemExit as e:\n    assert e.code == 0, e.code\n"
        "assert not [m for m in sys.modules if m == 'rich' or m.startswith('rich.')], 'rich imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(config_dir)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

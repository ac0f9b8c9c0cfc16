"""The step of the GitHub Action (action.yml at the repository root): run one cloudinary-state
command and hand its results to the workflow.

The exit code is an output, set before anything can fail the step, so that a workflow can
act on every code (comment a plan refused by policy, then fail). The step itself fails only on
a code that `accept-exit-codes` does not list. Stdout is shown in the log and kept in a file
(output `stdout`); `files` lists the files that the command's output options named and the
run wrote. The credentials input goes to the child process alone, under the variable that
the environment file names; GitHub masks it in the log as a secret.

Run as `python -m cloudinary_state.ci_action`, with the inputs in INPUT_* variables; it
imports nothing of the package, so that it reports a broken install as an error of its own.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

PROGRAM = "cloudinary-state"
# options whose value is a file or directory the command writes (plan, show, drift, import)
OUTPUT_OPTIONS = ("--out", "--markdown", "--json-summary", "--junit", "--json", "--output")


def command_line(command: str, environment: str = "", config_dir: str = ".") -> list[str]:
    """The arguments after the program's name: `command` (shell words, the program's name
    optional) with `--config-dir` before it and `--env ENVIRONMENT` right after its name."""
    words = shlex.split(command)
    if words[:1] == [PROGRAM]:
        words = words[1:]
    if not words:
        raise ValueError("the `command` input is empty: give e.g. `plan --detailed-exitcode`")
    config = ["--config-dir", config_dir] if config_dir not in ("", ".") else []
    env = ["--env", environment] if environment else []
    return [*config, words[0], *env, *words[1:]]


def named_outputs(argv: Sequence[str]) -> list[str]:
    """The paths given to output options (`--out plan.json` or `--out=plan.json`)."""
    paths = []
    for index, word in enumerate(argv):
        name, equals, value = word.partition("=")
        if name in OUTPUT_OPTIONS:
            paths.append(value if equals else (argv[index + 1] if index + 1 < len(argv) else ""))
    return [p for p in paths if p]


def written_since(paths: Sequence[str], started: float) -> list[str]:
    """Those of `paths` that exist and were modified since `started` (a directory: any file in it)."""
    written = []
    for path in map(Path, paths):
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        if any(p.stat().st_mtime >= started for p in files):
            written.append(str(path))
    return written


def run(argv: Sequence[str], environ: Mapping[str, str], stdout_file: Path) -> int:
    """Run the CLI with `environ`, echoing its stdout to ours and to `stdout_file`."""
    with stdout_file.open("wb") as kept:
        child = subprocess.Popen(
            [sys.executable, "-m", "cloudinary_state", *argv], stdout=subprocess.PIPE, env=dict(environ)
        )
        assert child.stdout is not None
        for line in child.stdout:
            kept.write(line)
            sys.stdout.buffer.write(line)
            sys.stdout.buffer.flush()
        return child.wait()


def set_outputs(path: Path, outputs: Mapping[str, str]) -> None:
    """Append to $GITHUB_OUTPUT, each value in a heredoc whose delimiter it cannot contain."""
    with path.open("a", encoding="utf-8") as f:
        for name, value in outputs.items():
            delimiter = f"EOF_{uuid.uuid4().hex}"
            f.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The process environment without the action's inputs, plus the credentials variable."""
    child = {k: v for k, v in environ.items() if not k.startswith("INPUT_")}
    variable = environ.get("INPUT_CREDENTIALS_VARIABLE", "")
    if variable and environ.get("INPUT_CREDENTIALS"):
        child[variable] = environ["INPUT_CREDENTIALS"]
    return child


def main(environ: Mapping[str, str]) -> int:
    inputs = {name: environ.get(f"INPUT_{name}", "") for name in ("COMMAND", "ENVIRONMENT", "CONFIG_DIR")}
    argv = command_line(inputs["COMMAND"], inputs["ENVIRONMENT"], inputs["CONFIG_DIR"])
    print(f"$ {PROGRAM} {shlex.join(argv)}", flush=True)
    stdout_file = Path(environ.get("RUNNER_TEMP", ".")) / f"cloudinary-state-{uuid.uuid4().hex[:8]}.out"
    started = time.time() - 1  # file times may be coarser than the clock
    code = run(argv, child_environment(environ), stdout_file)
    outputs = {
        "exit-code": str(code),
        "stdout": str(stdout_file),
        "files": "\n".join(written_since(named_outputs(argv), started)),
    }
    if "GITHUB_OUTPUT" in environ:
        set_outputs(Path(environ["GITHUB_OUTPUT"]), outputs)
    accepted = environ.get("INPUT_ACCEPT_EXIT_CODES", "0").split()
    if str(code) not in accepted:
        print(f"::error::{PROGRAM} exited with {code} (accepted: {' '.join(accepted)})", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(os.environ))

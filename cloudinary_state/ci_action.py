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
import re
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

PROGRAM = "cloudinary-state"
# options whose value is a file or directory the command writes (plan, show, drift, import)
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
OUTPUT_OPTIONS = ("--out", "--markdown", "--json-summary", "--junit", "--json", "--output")


def command_line(command: str, environment: str = "", config_dir: str = ".") -> list[str]:
    """The arguments after the program's name: `command` (shell words, the program's name
    optional) with `--config-dir` before it and `--env ENVIRONMENT` right after its name."""
    try:
        words = shlex.split(command)
    except ValueError as e:  # an unclosed quote, a lone backslash at the end
        raise ValueError(f"the `command` input cannot be read as shell words: {e}") from None
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


def _set_outputs(environ: Mapping[str, str], outputs: Mapping[str, str], *, quietly: bool = False) -> None:
    """The outputs, in $GITHUB_OUTPUT when there is one (StepError when it cannot be written,
    unless `quietly`: another error is being reported)."""
    if "GITHUB_OUTPUT" not in environ:
        return
    path = Path(environ["GITHUB_OUTPUT"])
    try:
        set_outputs(path, outputs)
    except OSError as e:
        if not quietly:
            raise StepError(f"cannot write {path}: {e.strerror or e}") from None


def set_outputs(path: Path, outputs: Mapping[str, str]) -> None:
    """Append to $GITHUB_OUTPUT, each value in a heredoc whose delimiter it cannot contain."""
    with path.open("a", encoding="utf-8") as f:
        for name, value in outputs.items():
            delimiter = f"EOF_{uuid.uuid4().hex}"
            f.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The process environment without the action's inputs, plus the credentials variable
    (ValueError for a name no process environment can hold)."""
    child = {k: v for k, v in environ.items() if not k.startswith("INPUT_")}
    variable = environ.get("INPUT_CREDENTIALS_VARIABLE", "")
    if variable and environ.get("INPUT_CREDENTIALS"):
        if not VARIABLE_NAME.fullmatch(variable):
            raise ValueError(f"the `credentials-variable` input {variable!r} is no environment variable name")
        child[variable] = environ["INPUT_CREDENTIALS"]
    return child


class StepError(Exception):
    """An input or a runner file the step cannot use: an ::error:: line, and the step fails."""


def main(environ: Mapping[str, str]) -> int:
    try:
        return _step(environ)
    except StepError as e:
        print(f"::error::{e}", flush=True)
        return 1


def _step(environ: Mapping[str, str]) -> int:
    inputs = {name: environ.get(f"INPUT_{name}", "") for name in ("COMMAND", "ENVIRONMENT", "CONFIG_DIR")}
    try:
        argv = command_line(inputs["COMMAND"], inputs["ENVIRONMENT"], inputs["CONFIG_DIR"])
        child = child_environment(environ)
    except ValueError as e:  # not run: a usage error, as the CLI's own would be
        _set_outputs(environ, {"exit-code": "64", "stdout": "", "files": ""}, quietly=True)
        raise StepError(str(e)) from None
    # on one line: a log line starting with `::` would be a workflow command
    print(f"$ {PROGRAM} {shlex.join(argv)}".replace("\r", "\\r").replace("\n", "\\n"), flush=True)
    stdout_file = Path(environ.get("RUNNER_TEMP", ".")) / f"cloudinary-state-{uuid.uuid4().hex[:8]}.out"
    started = time.time() - 1  # file times may be coarser than the clock
    try:
        code = run(argv, child, stdout_file)
    except OSError as e:
        raise StepError(f"cannot write {stdout_file}: {e.strerror or e}") from None
    outputs = {
        "exit-code": str(code),
        "stdout": str(stdout_file),
        "files": "\n".join(written_since(named_outputs(argv), started)),
    }
    _set_outputs(environ, outputs)
    accepted = environ.get("INPUT_ACCEPT_EXIT_CODES", "0").split()
    if str(code) not in accepted:
        print(f"::error::{PROGRAM} exited with {code} (accepted: {' '.join(accepted)})", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(os.environ))

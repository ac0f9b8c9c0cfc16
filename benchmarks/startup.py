"""Start-up cost of the offline commands: wall time of whole processes, and what their imports cost.

    python benchmarks/startup.py [--runs 15] [--imports 15] [--config-dir DIR] [--baseline DIR]

Each command runs `--runs` times as `python -m cloudinary_state ...` (in DIR, the example
config by default), after a bare interpreter start as the floor; the median and fastest wall
times and the median CPU time are printed. Then `-X importtime` lists the modules with the
largest cumulative import time for `validate --all`, and whether the `cloudinary` SDK or deepdiff
were imported at all. A measurement to read, never a timed test.

The processes compile modules to bytecode once and reuse it, in a private cache, as an installed
package does: with PYTHONDONTWRITEBYTECODE set (as on the development machines) every run would
compile all of cloudinary_state from source, which no user pays.

To compare with another revision, check it out (`git archive REV | tar -x -C /tmp/rev`) and
pass `--baseline /tmp/rev`: `python -m` imports the package from the directory it runs in, and
the two are run in turn, so that the machine's load weighs on both alike.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COMMANDS = [["validate", "--all"], ["schema", "--check"], ["--help"], ["--version"]]
WATCHED = ("cloudinary", "deepdiff", "urllib3", "pydantic", "jsonschema", "click", "yaml")


def child_environment(pycache: Path) -> dict[str, str]:
    """This environment with bytecode cached under `pycache`, and without what a user's shell may
    hold that would change the measurement."""
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "CLOUDINARY_URL")}
    return {**environ, "PYTHONPYCACHEPREFIX": str(pycache)}


def sample(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """One run's wall time, and its CPU time (user + system): on a busy machine the wall time
    measures the other processes too, the CPU time much less so."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def run_times(
    command: list[str], runs: int, directories: list[Path], env: dict[str, str]
) -> dict[Path, list[tuple[float, float]]]:
    """`runs` samples of the command in each directory, taken in turn so that a change in the
    machine's load falls on all of them alike; a first run in each fills the bytecode cache."""
    for directory in directories:
        subprocess.run(command, cwd=directory, check=True, capture_output=True, env=env)
    samples: dict[Path, list[tuple[float, float]]] = {directory: [] for directory in directories}
    for _ in range(runs):
        for directory in directories:
            samples[directory].append(sample(command, directory, env))
    return samples


def import_times(args: list[str], cwd: Path, env: dict[str, str]) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module) for every module the command imports."""
    command = [sys.executable, "-X", "importtime", "-m", "cloudinary_state", *args]
    stderr = subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True, env=env).stderr
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(own), int(cumulative), name.strip()))
    return rows


def report_imports(rows: list[tuple[int, int, str]], top: int) -> None:
    names = {name for _, _, name in rows}
    for package in WATCHED:
        mine = [cumulative for _, cumulative, name in rows if name == package]
        shown = f"{mine[0] / 1000:6.1f} ms" if mine else "not imported"
        print(f"  {package:<12} {shown}")
    print(f"  {len(names)} modules; the largest cumulative import times:")
    for _, cumulative, name in sorted(rows, key=lambda row: -row[1])[:top]:
        print(f"    {cumulative / 1000:7.1f} ms  {name}")


def measure(runs: int, directories: list[Path], env: dict[str, str]) -> None:
    # the floor: an interpreter that imports nothing of ours
    commands = {"(python -c pass)": [sys.executable, "-c", "pass"]}
    commands.update({" ".join(args): [sys.executable, "-m", "cloudinary_state", *args] for args in COMMANDS})
    for label, command in commands.items():
        for directory, samples in run_times(command, runs, directories, env).items():
            walls, cpus = [wall for wall, _ in samples], [cpu for _, cpu in samples]
            where = f"  [{directory}]" if len(directories) > 1 else ""
            print(
                f"{label:<17} wall median {statistics.median(walls):.3f} s, fastest {min(walls):.3f} s;"
                f"  CPU median {statistics.median(cpus):.3f} s{where}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--imports", type=int, default=15, help="how many modules to list")
    parser.add_argument("--config-dir", type=Path, default=REPO)
    parser.add_argument("--baseline", type=Path, help="a checkout of another revision, measured in turn")
    options = parser.parse_args(argv)
    directories = [options.config_dir, *([options.baseline] if options.baseline else [])]
    print(f"python {sys.version.split()[0]}, {options.runs} runs each")
    with tempfile.TemporaryDirectory(prefix="startup-pycache-") as pycache:
        env = child_environment(Path(pycache))
        measure(options.runs, directories, env)
        print("validate --all, -X importtime:")
        report_imports(import_times(["validate", "--all"], options.config_dir, env), options.imports)
    return 0


if __name__ == "__main__":
    sys.exit(main())

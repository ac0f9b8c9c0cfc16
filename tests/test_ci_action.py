"""The action's step (cloudinary_state.ci_action): the command line it builds, and a real run
whose outputs are set whatever the exit code."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from cloudinary_state.ci_action import child_environment, command_line, main, named_outputs

ROOT = Path(__file__).resolve().parent.parent


def test_the_command_line_puts_the_environment_after_the_command_and_the_config_dir_before() -> None:
    assert command_line("plan --out plan.json", "staging", "infra") == [
        "--config-dir", "infra", "plan", "--env", "staging", "--out", "plan.json",
    ]  # fmt: skip
    assert command_line("cloudinary-state validate --all") == ["validate", "--all"]
    with pytest.raises(ValueError, match="empty"):
        command_line("  ")


def test_named_outputs() -> None:
    argv = ["plan", "--out", "p.json", "--markdown=p.md", "--detailed-exitcode", "--json-summary"]
    assert named_outputs(argv) == ["p.json", "p.md"]


def _outputs(path: Path) -> dict[str, str]:
    lines, outputs = path.read_text().splitlines(), {}
    while lines:
        name, delimiter = lines.pop(0).split("<<")
        end = lines.index(delimiter)
        outputs[name], lines = "\n".join(lines[:end]), lines[end + 1 :]
    return outputs


def _inputs(tmp_path: Path, command: str, accept: str) -> dict[str, str]:
    return {
        "INPUT_COMMAND": command,
        "INPUT_ENVIRONMENT": "staging",
        "INPUT_CONFIG_DIR": str(tmp_path / "config"),
        "INPUT_ACCEPT_EXIT_CODES": accept,
        "GITHUB_OUTPUT": str(tmp_path / "outputs"),
        "RUNNER_TEMP": str(tmp_path),
        "PATH": str(Path(sys.executable).parent),
    }


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "environments", tmp_path / "config" / "environments")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_plan_with_changes_sets_every_output(project: Path) -> None:
    inputs = _inputs(project, "plan --emulator --detailed-exitcode --out plan.json", "0 2")
    assert main(inputs) == 0  # a real process: the changes pending exit 2, accepted
    outputs = _outputs(project / "outputs")
    assert outputs["exit-code"] == "2"
    assert outputs["files"] == "plan.json" and (project / "plan.json").is_file()
    assert "product_assets" in Path(outputs["stdout"]).read_text()


def test_an_exit_code_not_accepted_fails_the_step_after_setting_the_outputs(project: Path) -> None:
    inputs = _inputs(project, "plan --emulator --detailed-exitcode", "0")
    assert main(inputs) == 1
    assert _outputs(project / "outputs")["exit-code"] == "2"


def test_the_credentials_go_to_the_child_under_the_variable_the_environment_names() -> None:
    environ = {
        "INPUT_CREDENTIALS": "cloudinary://k:s@c",
        "INPUT_CREDENTIALS_VARIABLE": "MY_URL",
        "HOME": "/h",
    }
    assert child_environment(environ) == {"MY_URL": "cloudinary://k:s@c", "HOME": "/h"}

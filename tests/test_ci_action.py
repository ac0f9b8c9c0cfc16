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


# --- hostile inputs: a clear ::error:: line and exit 1, never a traceback, never a shell -------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("plan --out 'unclosed", "the `command` input cannot be read as shell words: No closing quotation"),
        ("", "the `command` input is empty"),
        ("cloudinary-state", "the `command` input is empty"),
    ],
)
def test_a_command_that_cannot_be_read_is_an_error_with_the_outputs_set(
    project: Path, capsys: pytest.CaptureFixture[str], command: str, expected: str
) -> None:
    assert main(_inputs(project, command, "0 1 2 3 64")) == 1  # not run: no exit code to accept
    assert f"::error::{expected}" in capsys.readouterr().out
    assert _outputs(project / "outputs")["exit-code"] == "64"  # a usage error, as the CLI's own


def test_shell_syntax_in_the_command_is_words_for_the_cli_never_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = "validate; touch pwned && touch pwned2 $(touch pwned3) `touch pwned4` | tee x"
    assert main(_inputs(project, command, "0")) == 1
    assert _outputs(project / "outputs")["exit-code"] == "64"  # click: no such argument
    assert not list(project.glob("pwned*")) and not (project / "x").exists()


def test_a_line_break_in_the_command_cannot_start_a_workflow_command_in_the_log(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GitHub reads a log line starting with `::` as a command (`::add-mask::`, `::error::`):
    the echoed command line shows a line break in a word as `\\n`, on its one line."""
    main(_inputs(project, "validate 'x\n::error::injected'", "0 64"))
    echoed = capsys.readouterr().out.splitlines()
    assert not any(line.startswith("::error::injected") for line in echoed), echoed
    assert any(line.startswith("$ cloudinary-state ") and "\\n::error::injected" in line for line in echoed)


@pytest.mark.parametrize("variable", ["MY=URL", "1URL", "MY URL"])
def test_a_credentials_variable_that_is_no_variable_name_is_an_error(
    project: Path, capsys: pytest.CaptureFixture[str], variable: str
) -> None:
    inputs = {**_inputs(project, "validate", "0"), "INPUT_CREDENTIALS": "cloudinary://k:s@c"}
    assert main({**inputs, "INPUT_CREDENTIALS_VARIABLE": variable}) == 1
    out = capsys.readouterr().out
    assert f"::error::the `credentials-variable` input {variable!r} is no environment variable name" in out
    assert "cloudinary://k:s@c" not in out


def test_a_runner_temp_or_output_file_that_cannot_be_written_is_an_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = project / "missing" / "dir"
    assert main({**_inputs(project, "validate", "0"), "RUNNER_TEMP": str(missing)}) == 1
    assert f"::error::cannot write {missing}/" in capsys.readouterr().out
    assert main({**_inputs(project, "validate", "0"), "GITHUB_OUTPUT": str(missing / "out")}) == 1
    assert f"::error::cannot write {missing}/out: No such file or directory" in capsys.readouterr().out

"""`init`: a new project that validates as written, imports on the emulator, and is never
written over; the example workflows are what it writes."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from support.cli_runner import run_cli, run_main

ROOT = Path(__file__).resolve().parent.parent


def test_init_then_validate_all_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init = run_cli(tmp_path, capsys, "init")
    assert init.code == 0, init.err
    staging = (tmp_path / "environments" / "staging.yaml").read_text()
    assert "credentials: CLOUDINARY_URL_STAGING" in staging
    assert staging.startswith("# yaml-language-server: $schema=../schemas/environment.schema.json")
    assert (tmp_path / "schemas" / "environment.schema.json").is_file()  # where the modeline points
    assert "credentials: CLOUDINARY_URL_PRODUCTION" in (tmp_path / "environments/production.yaml").read_text()
    for workflow in (tmp_path / ".github" / "workflows").glob("*.yml"):
        assert isinstance(yaml.safe_load(workflow.read_text()), dict)
    assert (tmp_path / ".pre-commit-config.yaml").is_file()
    validate = run_cli(tmp_path, capsys, "validate", "--all")
    assert validate.code == 0, validate.err
    assert validate.out.splitlines() == ["production: ok (0 objects)", "staging: ok (0 objects)"]


def test_init_then_import_on_the_emulator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The documented first run: init, then import the account (here an emulated one that a
    first apply gave one object) before any resource file has content."""
    project, output = tmp_path / "project", tmp_path / "imported"
    assert run_cli(project, capsys, "init").code == 0
    shared = project / "environments" / "common" / "resources.yaml"
    original = shared.read_text()
    shared.write_text(original + 'transformations:\n  thumb: {transformation: "c_fill,h_100,w_100"}\n')
    assert run_cli(project, capsys, "apply", "--env", "staging", "--emulator", "--auto-approve").code == 0
    shared.write_text(original)  # back to what init wrote: the object lives in the account only
    imported = run_cli(project, capsys, "import", "--env", "staging", "--emulator", "--output", str(output))
    assert imported.code == 0, imported.err
    assert "thumb" in "".join(p.read_text() for p in (output / "environments" / "common").glob("*.yaml"))
    assert run_cli(output, capsys, "validate", "--all").code == 0


def test_init_then_import_into_the_project_for_both_environments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The documented first run against accounts that already hold objects: init, then import
    each environment into the project itself (no --output); both plans are then empty."""
    assert run_cli(tmp_path, capsys, "init").code == 0
    shared = tmp_path / "environments" / "common" / "resources.yaml"
    original = shared.read_text()
    accounts = {  # what each (emulated) account holds before the tool manages it
        "staging": 'transformations:\n  thumb: {transformation: "c_fill,h_100,w_100"}\n',
        "production": 'transformations:\n  thumb: {transformation: "c_fill,h_200,w_200"}\n'
        '  hero: {transformation: "c_scale,w_1600"}\n',
    }
    for env, objects in accounts.items():
        shared.write_text(original + objects)
        assert run_cli(tmp_path, capsys, "apply", "--env", env, "--emulator", "--auto-approve").code == 0
    shared.write_text(original)  # back to what init wrote: the objects live in the accounts only
    for env in accounts:
        imported = run_cli(tmp_path, capsys, "import", "--env", env, "--emulator")
        assert imported.code == 0, imported.err
    for env in accounts:
        plan = run_cli(tmp_path, capsys, "plan", "--env", env, "--emulator", "--detailed-exitcode")
        assert plan.code == 0, plan.out + plan.err
    production = (tmp_path / "environments" / "production.yaml").read_text()
    assert "overrides:" in production and "h_200" in production  # what differs from staging
    assert production.startswith("# yaml-language-server: $schema=")  # init's modeline kept


def test_init_never_overwrites_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "environments" / "staging.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("# mine\n")
    first = run_cli(tmp_path, capsys, "init")
    assert mine.read_text() == "# mine\n"
    assert "kept environments/staging.yaml: it exists" in first.out.replace(str(tmp_path) + "/", "")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    second = run_cli(tmp_path, capsys, "init")
    assert second.code == 0 and "wrote" not in second.out
    assert before == {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}


def test_init_with_named_environments_credentials_and_clouds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(
        tmp_path, capsys, "init", "--env", "dev=DEV_URL", "--env", "live", "--cloud", "dev=acme-dev"
    )
    assert result.code == 0, result.err
    dev = yaml.safe_load((tmp_path / "environments" / "dev.yaml").read_text())
    assert dev["cloud_name"] == "acme-dev" and dev["credentials"] == "DEV_URL"
    live = yaml.safe_load((tmp_path / "environments" / "live.yaml").read_text())
    assert live["credentials"] == "CLOUDINARY_URL_LIVE"
    assert not (tmp_path / "environments" / "staging.yaml").exists()
    apply = yaml.safe_load((tmp_path / ".github/workflows/apply-on-merge.yml").read_text())
    assert apply["jobs"]["apply-first"]["environment"] == "dev"
    later = apply["jobs"]["apply-later"]["strategy"]["matrix"]["include"]
    assert later == [{"environment": "live", "credentials": "CLOUDINARY_URL_LIVE"}]
    assert run_cli(tmp_path, capsys, "validate", "--all").code == 0


def test_one_environment_has_no_promotion_jobs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(tmp_path, capsys, "init", "--env", "only").code == 0
    apply = yaml.safe_load((tmp_path / ".github/workflows/apply-on-merge.yml").read_text())
    assert set(apply["jobs"]) == {"find-plan", "apply-first"}


@pytest.mark.parametrize(
    "args",
    [
        ("--env", "no spaces"),
        ("--env", "ok=1BAD"),
        ("--env", "a", "--env", "a"),
        ("--cloud", "nowhere=x"),
        ("--action", "not-a-reference"),
        # a trailing newline passed `$` (a file "stag\n.yaml", a workflow line broken in two)
        ("--env", "stag\n"),
        ("--env", "x=FOO\n"),
        ("--cloud", "staging=acme\n"),
        ("--action", "owner/repo@v1\n"),
    ],
)
def test_bad_options_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    result = run_cli(tmp_path, capsys, "init", *args)
    assert result.code == 64, result
    assert not (tmp_path / "environments").exists()


def test_a_config_directory_below_the_repository_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The workflows and the pre-commit config go to the repository's root and name the
    config directory under it."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    config = tmp_path / "infra" / "cloudinary"
    result = run_cli(config, capsys, "init", "--action", "acme/cloudinary-state@0123abcd")
    assert result.code == 0, result.err
    plan = yaml.safe_load((tmp_path / ".github/workflows/plan-on-pr.yml").read_text())
    assert plan[True]["pull_request"]["paths"] == ["infra/cloudinary/environments/**"]  # YAML 1.1: on = True
    step = next(s for s in plan["jobs"]["plan"]["steps"] if s.get("id") == "plan")
    assert (
        step["uses"] == "acme/cloudinary-state@0123abcd" and step["with"]["config-dir"] == "infra/cloudinary"
    )
    [repo] = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())["repos"]
    assert (repo["repo"], repo["rev"]) == ("https://github.com/acme/cloudinary-state", "0123abcd")
    assert repo["hooks"][0]["args"] == ["--config-dir", "infra/cloudinary", "validate", "--all"]
    assert "OWNER" not in result.out and "COMMIT_SHA" not in result.out
    assert run_cli(config, capsys, "validate", "--all").code == 0


def test_the_example_workflows_are_what_init_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """examples/github-actions/ is `init`'s output with the defaults: regenerate it with
    `cloudinary-state --config-dir /tmp/x init` and copy /tmp/x/.github/workflows/*.yml."""
    assert run_cli(tmp_path, capsys, "init").code == 0
    written = {p.name: p.read_text() for p in (tmp_path / ".github" / "workflows").glob("*.yml")}
    examples = {p.name: p.read_text() for p in (ROOT / "examples" / "github-actions").glob("*.yml")}
    assert written == examples


def test_init_in_another_directory_names_it_in_the_next_steps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # followed as printed, from where init ran, the next steps must find the project
    monkeypatch.chdir(tmp_path)
    result = run_main(capsys, "--config-dir", "infra/cloudinary", "init")
    assert result.code == 0
    next_steps = result.out.splitlines()[-1]
    assert "cloudinary-state --config-dir infra/cloudinary validate --all" in next_steps
    assert "cloudinary-state --config-dir infra/cloudinary import --env staging" in next_steps
    assert run_main(capsys, "--config-dir", "infra/cloudinary", "validate", "--all").code == 0


def test_no_environments_found_points_at_the_config_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(tmp_path, capsys, "validate", "--all")
    assert result.code == 1
    assert "no environments found" in result.err and "--config-dir" in result.err


def _loop(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(path.name)  # a link to itself


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: (d / "environments").write_text("a file"), "environments is not a directory"),
        (lambda d: (d / "environments" / "staging.yaml").mkdir(parents=True), "staging.yaml is not a file"),
        (lambda d: _loop(d / ".github"), ".github is not a directory"),
        (lambda d: _loop(d / "environments" / "common" / "resources.yaml"), "resources.yaml is not a file"),
    ],
    ids=["dir-is-a-file", "file-is-a-dir", "dir-is-a-symlink-loop", "file-is-a-symlink-loop"],
)
def test_a_path_of_the_wrong_type_is_an_error_before_any_file_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], object], expected: str
) -> None:
    make(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    result = run_cli(tmp_path, capsys, "init")  # a traceback fails here
    assert result.code == 1, result
    assert result.err.startswith(f"error: cannot start a project here: {tmp_path}/"), result.err
    assert expected in result.err and "move it away" in result.err
    assert sorted(tmp_path.rglob("*")) == before  # nothing written


def test_a_config_directory_that_is_a_symlink_loop_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _loop(tmp_path / "project")
    result = run_cli(tmp_path / "project", capsys, "init")
    assert result.code == 1, result
    assert "project is not a directory" in result.err

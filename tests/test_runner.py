"""The Python facade (`cloudinary_state.runner`) on the example config: every job returns a
value, events reach the callbacks and the `cloudinary_state` logger, and the library prints
nothing. The real SDK talks to the embedded emulator (or to a test emulator, as a live
account reached through the environment's credentials variable)."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli_runner import run_cli

from cloudinary_state import (
    ApplyResult,
    ConfigError,
    Connection,
    DriftReport,
    PlanFileError,
    Project,
    RefusedPlanError,
)
from cloudinary_state.client import CredentialsError
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.engine.plan import Change, Plan
from cloudinary_state.runner import load_environment

EXAMPLES = Path(__file__).resolve().parents[1] / "environments"
# the objects of the example's staging environment (all created by its first apply)
EXAMPLE_OBJECTS = len(load_environment(EXAMPLES.parent, "staging", environ={}).objects)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    shutil.copytree(EXAMPLES, tmp_path / "environments")
    for var in ("CLOUDINARY_URL_STAGING", "CLOUDINARY_URL_PRODUCTION", "STAGING_WEBHOOK_URL"):
        monkeypatch.delenv(var, raising=False)  # the embedded emulator needs no credentials
    return Project.open(tmp_path)


def _applied(project: Project, env: str = "staging") -> None:
    with project.connect(env, emulator=True) as conn:
        conn.apply()


# --- plan and apply return values ---------------------------------------------------------------


def test_plan_then_apply_then_the_next_plan_is_empty(project: Project) -> None:
    with project.connect("staging", emulator=True) as conn:
        plan = conn.plan()
        assert (plan.environment, plan.cloud_name) == ("staging", "acme-staging")
        assert plan.summary.create == EXAMPLE_OBJECTS and plan.api_calls == conn.api_calls > 0
        result = conn.apply(plan)
        assert isinstance(result, ApplyResult) and not result.cancelled
        assert result.plan is plan
        assert result.report.ok and result.report.counts()["create"] == EXAMPLE_OBJECTS
    assert (project.config_dir / ".cloudinary-state" / "emulator" / "staging.json").is_file()
    with project.connect("staging", emulator=True) as conn:  # the state persisted
        assert not conn.plan().has_changes


def test_apply_without_a_plan_plans_shows_and_asks(project: Project) -> None:
    shown: list[Plan] = []
    asked: list[Plan] = []

    def decline(plan: Plan) -> bool:
        asked.append(plan)
        return False

    with project.connect("staging", emulator=True) as conn:
        result = conn.apply(on_plan=shown.append, confirm=decline)
        assert result.cancelled and shown == asked == [result.plan]
        assert result.report.applied == []
        assert conn.plan().summary.create == EXAMPLE_OBJECTS  # nothing was written
        result = conn.apply(confirm=lambda p: True)
        assert not result.cancelled and len(result.report.applied) == EXAMPLE_OBJECTS


def test_nothing_to_apply_asks_nothing(project: Project) -> None:
    _applied(project)
    with project.connect("staging", emulator=True) as conn:
        result = conn.apply(confirm=lambda p: pytest.fail("asked about an empty plan"))
    assert not result.plan.has_changes and result.report.applied == []


def test_a_narrowed_plan_takes_kind_name_strings_or_pairs(project: Project) -> None:
    with project.connect("staging", emulator=True) as conn:
        by_text = conn.plan(["upload_preset:product_assets"])
        by_pair = conn.plan([("upload_preset", "product_assets")])
    assert [c.key for c in by_text.changes] == [c.key for c in by_pair.changes]
    assert [c.key for c in by_text.changes] == ["upload_preset:product_assets"]


def test_apply_refuses_what_it_cannot_stand_behind(project: Project) -> None:
    with (
        project.connect("staging", emulator=True) as conn,
        project.connect("production", emulator=True) as other,
    ):
        foreign = other.plan()
        with pytest.raises(ValueError, match="latest plan this connection made"):
            conn.apply(foreign)
        with pytest.raises(ValueError, match="targets narrow a new plan"):
            conn.apply(conn.plan(), targets=["upload_preset:product_assets"])


# --- saved plans ----------------------------------------------------------------------------------


def test_a_saved_plan_applies_on_another_connection(project: Project, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    with project.connect("staging", emulator=True) as conn:
        conn.save_plan(conn.plan(), plan_file)
    asked: list[Plan] = []

    def approve(plan: Plan) -> bool:
        asked.append(plan)
        return True

    with project.connect("staging", emulator=True) as conn:
        result = conn.apply(plan_file, confirm=approve)  # a saved plan was reviewed already
    assert asked == [] and len(result.report.applied) == EXAMPLE_OBJECTS


def test_a_tampered_saved_plan_is_refused_before_connecting(project: Project, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    with project.connect("staging", emulator=True) as conn:
        conn.save_plan(conn.plan(), plan_file)
    document = json.loads(plan_file.read_text())
    document["summary"]["create"] = 0
    plan_file.write_text(json.dumps(document))
    saved = project.read_plan_file(plan_file)
    with project.connect("staging", emulator=True) as conn:
        with pytest.raises(RefusedPlanError, match="digest mismatch"):
            conn.apply(saved)
        assert not conn.connected and conn.api_calls == 0


def test_an_unreadable_plan_file_needs_no_environment(project: Project, tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="cannot be read"):
        project.read_plan_file(tmp_path / "missing.json")


# --- drift, import, diff, promote ---------------------------------------------------------------


def test_drift_import_diff_and_promote_return_values(project: Project, tmp_path: Path) -> None:
    _applied(project)
    with project.connect("staging", emulator=True) as staging:
        report = staging.drift()
        assert isinstance(report, DriftReport) and not report.has_drift
        imported = staging.import_(tmp_path / "imported")
        assert sum(imported.result.counts.values()) == EXAMPLE_OBJECTS
        assert all(path.is_file() for path in imported.written)
        assert staging.import_(kinds=["transformation"]).written == ()  # no output: nothing written
        with project.connect("production", emulator=True) as production:
            assert staging.diff(production).different  # production's account is empty
            promotion = staging.promote(production, ["transformation:product_images"])
            assert [o.name for o in promotion.objects] == ["product_images"]
            assert promotion.plan.environment == "production"
    assert project.diff("staging", "production").different  # the configs differ too


def test_validate_returns_the_run(project: Project) -> None:
    run = project.validate()
    assert sorted(run.results) == project.environments() == ["production", "staging"]
    assert run.errors == []


def test_a_config_error_comes_before_any_connection(project: Project) -> None:
    (project.config_dir / "environments" / "staging.yaml").write_text("cloud_name: [\n")
    with pytest.raises(ConfigError):
        project.connect("staging", emulator=True)


# --- live accounts: the environment's credentials variable --------------------------------------


def test_a_live_connection_uses_the_credentials_variable(project: Project) -> None:
    with EmulatorServer([CloudConfig("acme-staging", "key", "live-secret-1f9e")]) as server:
        environ = {"CLOUDINARY_URL_STAGING": server.cloudinary_url("acme-staging")}
        live = Project.open(project.config_dir, environ=environ)
        with live.connect("staging") as conn:
            assert conn.plan().summary.create == EXAMPLE_OBJECTS
            assert "live-secret-1f9e" in conn.secrets and conn.digest_key == b"live-secret-1f9e"
        assert {r.cloud for r in server.request_log} == {"acme-staging"}
        wrong = {"CLOUDINARY_URL_STAGING": server.cloudinary_url("acme-staging").replace("@acme-", "@other-")}
        with pytest.raises(CredentialsError, match="declares cloud_name 'acme-staging'"):
            Project.open(project.config_dir, environ=wrong).connect("staging")


def test_a_closed_connection_does_not_reconnect(project: Project) -> None:
    with project.connect("staging", emulator=True) as conn:
        conn.plan()
    with pytest.raises(RuntimeError, match="closed"):
        conn.plan()


# --- events: callbacks and the package logger; nothing printed ---------------------------------


def test_events_reach_the_callbacks_and_the_logger(
    project: Project, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    progress: list[str] = []
    changes: list[tuple[Change, str]] = []
    watched = Project.open(
        project.config_dir, on_progress=progress.append, on_change=lambda c, o: changes.append((c, o))
    )
    with (
        caplog.at_level(logging.DEBUG, logger="cloudinary_state"),
        watched.connect("staging", emulator=True) as conn,
    ):
        conn.apply()
    assert "reading upload_preset objects" in progress
    assert len(changes) == EXAMPLE_OBJECTS and {o for _, o in changes} == {"applied"}
    by_logger = {(r.name, r.levelno, r.getMessage()) for r in caplog.records}
    assert ("cloudinary_state.progress", logging.INFO, "reading upload_preset objects") in by_logger
    assert ("cloudinary_state", logging.INFO, "  + upload_preset:product_assets: applied") in by_logger
    assert any(
        n == "cloudinary_state.runner_emulator" and "emulator: cloud acme-staging" in m
        for n, _, m in by_logger
    )
    assert capsys.readouterr() == ("", "")


def test_admin_api_calls_are_traced_below_debug(project: Project, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(5, logger="cloudinary_state"), project.connect("staging", emulator=True) as conn:
        conn.plan()
    traced = [r.getMessage() for r in caplog.records if r.levelno == 5]
    assert "Admin API call: upload_presets" in traced and len(traced) == conn.api_calls


PROGRAM = """
import logging, sys
from cloudinary_state import Project
project = Project.open(sys.argv[1])
with project.connect("staging", emulator=True) as conn:
    conn.apply(conn.plan())
    conn.drift()
# a warning on the package logger, with no handler configured: still nothing printed
logging.getLogger("cloudinary_state.runner").warning("not printed")
"""


def test_the_library_prints_nothing(project: Project) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(project.config_dir)], capture_output=True, text=True
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_connection_is_exported_as_the_type_connect_returns(project: Project) -> None:
    with project.connect("staging", emulator=True) as conn:
        assert isinstance(conn, Connection)


# --- the CLI: -q, -v and -vv set the package logger's level --------------------------------------


APPLIED = "  + upload_preset:product_assets: applied"  # an apply event (INFO)
READING = "reading upload_preset objects"  # progress (shown on a terminal, in CI logs with -v)
CONNECTED = "emulator: cloud acme-staging"  # how the run is connected (DEBUG)
TRACED = "Admin API call: upload_presets"  # each call (TRACE)


@pytest.mark.parametrize(
    ("flags", "shown", "hidden"),
    [
        ((), [APPLIED], [READING, CONNECTED, TRACED]),
        (("-q",), [], [APPLIED, READING, CONNECTED, TRACED]),
        (("-v",), [APPLIED, READING, CONNECTED], [TRACED]),
        (("-vv",), [APPLIED, READING, CONNECTED, TRACED], []),
    ],
)
def test_cli_verbosity_is_the_loggers_level(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    flags: tuple[str, ...],
    shown: list[str],
    hidden: list[str],
) -> None:
    args = (*flags, "apply", "--env", "staging", "--emulator", "--auto-approve")
    code, out, err = run_cli(project.config_dir, capsys, *args)
    assert code == 0, out + err
    assert f"Apply complete: {EXAMPLE_OBJECTS} created" in out  # results on stdout whatever the verbosity
    assert [text for text in shown if text not in err] == [], err
    assert [text for text in hidden if text in err] == [], err
    assert [text for text in (APPLIED, READING, CONNECTED, TRACED) if text in out] == []
    # the CLI's stderr handler is gone after the run: a library keeps only its NullHandler
    handlers = logging.getLogger("cloudinary_state").handlers
    assert [h for h in handlers if not isinstance(h, logging.NullHandler)] == []

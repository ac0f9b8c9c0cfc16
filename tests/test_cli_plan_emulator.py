"""The README's main job on the example environments with the embedded emulator
(`--emulator`: no credentials read, state persisted under the config dir), and two
environments planned concurrently in one process against two emulated clouds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.cli_runner import run_cli as run

from cloudinary_state.client import AdminClient, Credentials
from cloudinary_state.config import load_environment
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.engine.live import read_live
from cloudinary_state.engine.plan import Plan, build_plan, default_kinds
from cloudinary_state.kinds import REGISTRY

EXAMPLES = Path(__file__).resolve().parents[1] / "environments"
# the objects of the example's staging environment (all created by its first apply)
EXAMPLE_OBJECTS = len(load_environment(EXAMPLES.parent, "staging", REGISTRY, environ={}).objects)


def test_readme_main_job_converges(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(config_dir, capsys, "apply", "--env", "staging", "--emulator", "--auto-approve")
    assert code == 0, out + err
    assert f"Apply complete: {EXAMPLE_OBJECTS} created" in out
    assert (config_dir / ".cloudinary-state" / "emulator" / "staging.json").is_file()
    code, out, _ = run(config_dir, capsys, "plan", "--env", "staging", "--emulator", "--detailed-exitcode")
    assert code == 0, out
    assert "No changes." in out
    # production has its own emulated account: still everything to create
    code, out, _ = run(config_dir, capsys, "plan", "--env", "production", "--emulator", "--detailed-exitcode")
    assert code == 2
    assert f"Plan: {EXAMPLE_OBJECTS} to create" in out


def test_env_secret_never_printed_with_the_emulator(
    config_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "https://hooks.staging.example/secret-path-5d1e"
    monkeypatch.setenv("STAGING_WEBHOOK_URL", secret)
    outputs = []
    for fmt in ("text", "json", "markdown"):
        out_file = config_dir / f"plan-{fmt}.json"
        code, out, err = run(
            config_dir,
            capsys,
            "-v",
            "plan",
            "--env",
            "staging",
            "--emulator",
            "--format",
            fmt,
            "--out",
            str(out_file),
        )
        assert code == 0
        outputs += [out, err, out_file.read_text()]
    code, out, err = run(
        config_dir, capsys, "-v", "apply", "--env", "staging", "--emulator", "--auto-approve"
    )
    assert code == 0
    outputs += [out, err]
    assert all(secret not in text for text in outputs)
    assert any("notification_url: (sensitive)" in text for text in outputs)


def _plan(server: EmulatorServer, config_dir: Path, env: str) -> Plan:
    desired = load_environment(config_dir, env, REGISTRY)
    client = AdminClient(Credentials.from_url(server.cloudinary_url(desired.cloud)))
    live = read_live(client, default_kinds(), policy=desired.policy)
    return build_plan(desired, live, digest_key=client.credentials.api_secret.encode())


def test_staging_and_production_planned_concurrently(config_dir: Path) -> None:
    clouds = [CloudConfig(name="acme-staging"), CloudConfig(name="acme-prod")]
    with EmulatorServer(clouds) as server, ThreadPoolExecutor(max_workers=2) as pool:
        staging, production = pool.map(lambda env: _plan(server, config_dir, env), ["staging", "production"])
    assert (staging.environment, staging.cloud_name) == ("staging", "acme-staging")
    assert (production.environment, production.cloud_name) == ("production", "acme-prod")
    assert staging.summary.create == production.summary.create == EXAMPLE_OBJECTS
    requests = {r.cloud for r in server.request_log}
    assert requests == {"acme-staging", "acme-prod"}

"""An environment file may leave `cloud_name` out: the cloud is then the one of its credentials
(the CLOUDINARY_URL-style variable it names); where both are given they must agree."""

from __future__ import annotations

import yaml
from support.harness import PRODUCTION, STAGING, Harness


def without_cloud_name(ws: Harness, env: str) -> None:
    path = ws.config_dir / f"environments/{env}.yaml"
    document = yaml.safe_load(path.read_text())
    del document["cloud_name"]
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def test_cloud_name_left_out_is_the_credentials_cloud(workspace: Harness) -> None:
    without_cloud_name(workspace, "staging")

    assert workspace.run("validate", "--all").code == 0  # offline: no credentials needed
    workspace.apply("staging")
    planned = workspace.run("plan", "--env", "staging", env="staging")
    assert planned.code == 0, planned.out + planned.err
    assert f"(cloud {STAGING})" in planned.out
    assert workspace.plan_is_empty("staging")

    # credentials of another cloud are the other cloud's: only a declared cloud_name can disagree
    workspace.monkeypatch.setenv("CLOUDINARY_URL_STAGING", workspace.emu.cloudinary_url(PRODUCTION))
    assert f"(cloud {PRODUCTION})" in workspace.run("plan", "--env", "staging", env="staging").out
    workspace.write_environment("staging")  # cloud_name: acme-staging again
    refused = workspace.run("plan", "--env", "staging", env="staging")
    assert refused.code == 1
    assert (
        f"is for cloud '{PRODUCTION}', but environment 'staging' declares cloud_name '{STAGING}'"
        in refused.err
    )


def test_an_emulated_environment_without_cloud_name_or_credentials_is_named_after_it(
    workspace: Harness,
) -> None:
    without_cloud_name(workspace, "staging")
    workspace.monkeypatch.delenv("CLOUDINARY_URL_STAGING")
    planned = workspace.run("plan", "--env", "staging", "--emulator", env="staging")
    assert planned.code == 0, planned.out + planned.err
    assert "(cloud staging)" in planned.out


def test_promote_shows_the_target_plan_for_the_credentials_cloud(workspace: Harness) -> None:
    without_cloud_name(workspace, "production")
    workspace.apply("staging")
    workspace.use_env("staging")  # promote reads both accounts: both environments' variables
    promoted = workspace.run("promote", "--from", "staging", "--to", "production", env="production")
    assert promoted.code == 0, promoted.out + promoted.err
    assert f"Plan for environment production (cloud {PRODUCTION})" in promoted.out
    assert "the cloud of" not in promoted.out

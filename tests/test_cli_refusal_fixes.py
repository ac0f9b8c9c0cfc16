"""Errors a new user meets on the first runs say what to fix: credentials the account refuses
name the variable that holds them, and a saved plan applied to the wrong environment names the
environment it was made for."""

from __future__ import annotations

from support.harness import STAGING, Harness


def test_refused_credentials_name_their_variable_and_the_fix(workspace: Harness) -> None:
    workspace.use_env("staging")
    secret = workspace.emu.state(STAGING).api_secret
    wrong_url = workspace.emu.cloudinary_url(STAGING).replace(f":{secret}@", ":not-the-secret-1234@")
    workspace.monkeypatch.setenv("CLOUDINARY_URL_STAGING", wrong_url)
    result = workspace.run("plan", "--env", "staging")
    assert result.code == 1
    assert "Error 401" in result.err
    assert "CLOUDINARY_URL_STAGING" in result.err and "API key and secret" in result.err
    assert "not-the-secret-1234" not in result.out + result.err
    assert "Traceback" not in result.err


def test_a_plan_made_for_another_environment_says_which(workspace: Harness) -> None:
    plan_file = workspace.config_dir / "plan.json"
    made = workspace.run("plan", "--env", "staging", "--out", str(plan_file), env="staging")
    assert made.code == 0, made.out + made.err
    applied = workspace.run("apply", "--env", "production", str(plan_file), env="production")
    assert applied.code == 3
    assert "environment 'staging'" in applied.err and "--env staging" in applied.err
    assert workspace.writes() == []


def test_a_saved_plan_applies_without_a_prompt_or_auto_approve(workspace: Harness) -> None:
    # docs/ci.md: the saved plan was reviewed; there is no terminal to ask on, and none is needed
    plan_file = workspace.config_dir / "plan.json"
    assert workspace.run("plan", "--env", "staging", "--out", str(plan_file), env="staging").code == 0
    applied = workspace.run("apply", "--env", "staging", str(plan_file), env="staging")
    assert applied.code == 0, applied.out + applied.err
    assert workspace.plan_is_empty("staging")

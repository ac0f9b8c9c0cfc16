"""Plan files: round trip, digest, environment and config checks, no secrets."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from test_plan_fakes import DIGEST_KEY, KINDS, live, live_state, obj, state

from cloudinary_state.desired import DesiredState
from cloudinary_state.engine.plan import Plan, build_plan
from cloudinary_state.engine.planfile import FORMAT, check_plan_matches, plan_document, read_plan, write_plan
from cloudinary_state.errors import PlanFileError

SECRET = "s3cr3t-webhook-token"


def sample() -> tuple[Plan, DesiredState]:
    desired = state(
        obj(
            "upload_preset",
            "p",
            {"settings": {"notification_url": f"https://h.example/{SECRET}", "tags": ["a", "b"]}},
            sensitive_paths=frozenset({"settings.notification_url"}),
        ),
        obj("transformation", "t", {"transformation": "c_fill,w_10"}),
        secrets=frozenset({f"https://h.example/{SECRET}", SECRET}),
    )
    current = live_state(live("upload_preset", "p", {"settings": {"tags": ["a"]}}))
    plan = replace(
        build_plan(desired, current, digest_key=DIGEST_KEY, kinds=KINDS),
        api_calls=7,
        rate_limit_remaining=4993,
    )
    return plan, desired


def test_round_trip(tmp_path: Path) -> None:
    plan, _ = sample()
    path = tmp_path / "plan.json"
    write_plan(path, plan)
    document = json.loads(path.read_text())
    assert document["format"] == FORMAT
    assert document["digest"].startswith("sha256:")
    assert document["summary"] == {
        "create": 1,
        "update": 1,
        "replace": 0,
        "delete": 0,
        "unchanged": 0,
        "unmanaged": 0,
    }
    assert document["api_calls"] == 7
    assert read_plan(path, kinds=KINDS) == plan


def test_tampered_file_is_refused(tmp_path: Path) -> None:
    plan, _ = sample()
    path = tmp_path / "plan.json"
    write_plan(path, plan)
    document = json.loads(path.read_text())
    document["changes"][0]["action"] = "delete"
    path.write_text(json.dumps(document))
    with pytest.raises(PlanFileError, match="digest mismatch") as e:
        read_plan(path, kinds=KINDS)
    assert e.value.exit_code == 3


@pytest.mark.parametrize("text", ["not json", "{}", '{"format": "other"}'])
def test_foreign_files_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text)
    with pytest.raises(PlanFileError):
        read_plan(path, kinds=KINDS)
    with pytest.raises(PlanFileError, match="cannot be read"):
        read_plan(tmp_path / "missing.json", kinds=KINDS)


def test_plan_for_other_environment_or_config_is_refused(tmp_path: Path) -> None:
    plan, desired = sample()
    check_plan_matches(plan, desired, tmp_path, DIGEST_KEY)
    with pytest.raises(PlanFileError, match="made for environment 'production'"):
        check_plan_matches(replace(plan, environment="production"), desired, tmp_path, DIGEST_KEY)
    with pytest.raises(PlanFileError, match="config changed since the plan"):
        check_plan_matches(replace(plan, config_digest="hmac-sha256:other"), desired, tmp_path, DIGEST_KEY)
    with pytest.raises(PlanFileError, match="config changed since the plan"):  # another account's key
        check_plan_matches(plan, desired, tmp_path, b"another-api-secret")


def test_no_secret_in_the_file_even_outside_sensitive_paths(tmp_path: Path) -> None:
    plan, desired = sample()
    leaky = replace(plan, notes=(f"a note quoting {SECRET}",))
    path = tmp_path / "plan.json"
    write_plan(path, leaky, desired.secrets)
    text = path.read_text()
    assert SECRET not in text
    assert "(sensitive)" in text
    assert read_plan(path, kinds=KINDS).notes == ("a note quoting (sensitive)",)
    assert SECRET not in json.dumps(plan_document(plan))  # masked by the plan itself

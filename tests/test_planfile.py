"""Plan files: round trip, keyed digest, environment and config checks, re-planning, no secrets."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from support.plan_fakes import DIGEST_KEY, KINDS, live, live_state, obj, state

from cloudinary_state.canonical_json import canonical_json
from cloudinary_state.desired import DesiredState
from cloudinary_state.engine.plan import Change, Plan, Target, build_plan
from cloudinary_state.engine.planfile import (
    FORMAT,
    MAX_PLAN_DEPTH,
    check_plan_matches,
    check_replanned,
    load_document,
    plan_document,
    read_plan,
    write_plan,
)
from cloudinary_state.errors import PlanFileError, RefusedPlanError
from cloudinary_state.kinds.base import LiveObject

SECRET = "s3cr3t-webhook-token"
PRESET_NOW = live("upload_preset", "p", {"settings": {"tags": ["a"]}})
# the objects sample()'s plan touches, as they are live: the preset it updates, no transformation
NOW: dict[Target, LiveObject | None] = {("upload_preset", "p"): PRESET_NOW, ("transformation", "t"): None}


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
    current = live_state(PRESET_NOW)
    plan = replace(
        build_plan(desired, current, digest_key=DIGEST_KEY, kinds=KINDS),
        api_calls=7,
        rate_limit_remaining=4993,
    )
    return plan, desired


def test_round_trip(tmp_path: Path) -> None:
    plan, _ = sample()
    path = tmp_path / "plan.json"
    write_plan(path, plan, digest_key=DIGEST_KEY)
    document = json.loads(path.read_text())
    assert document["format"] == FORMAT
    assert document["digest"].startswith("hmac-sha256:")
    assert document["summary"] == {
        "create": 1,
        "update": 1,
        "replace": 0,
        "delete": 0,
        "unchanged": 0,
        "unmanaged": 0,
    }
    assert document["api_calls"] == 7
    assert read_plan(path, digest_key=DIGEST_KEY, kinds=KINDS) == plan


def test_tampered_file_is_refused(tmp_path: Path) -> None:
    plan, _ = sample()
    path = tmp_path / "plan.json"
    write_plan(path, plan, digest_key=DIGEST_KEY)
    document = json.loads(path.read_text())
    document["changes"][0]["action"] = "delete"
    path.write_text(json.dumps(document))
    with pytest.raises(PlanFileError, match="digest mismatch") as e:
        read_plan(path, digest_key=DIGEST_KEY, kinds=KINDS)
    assert e.value.exit_code == 3


@pytest.mark.parametrize("text", ["not json", "{}", '{"format": "other"}'])
def test_foreign_files_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text)
    with pytest.raises(PlanFileError):
        read_plan(path, digest_key=DIGEST_KEY, kinds=KINDS)
    with pytest.raises(PlanFileError, match="cannot be read"):
        read_plan(tmp_path / "missing.json", digest_key=DIGEST_KEY, kinds=KINDS)


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
    write_plan(path, leaky, desired.secrets, digest_key=DIGEST_KEY)
    text = path.read_text()
    assert SECRET not in text
    assert "(sensitive)" in text
    assert read_plan(path, digest_key=DIGEST_KEY, kinds=KINDS).notes == ("a note quoting (sensitive)",)
    assert SECRET not in json.dumps(plan_document(plan, digest_key=DIGEST_KEY))  # masked by the plan itself


def _sha256_digest(document: dict[str, Any]) -> str:
    """The digest a tamperer can compute: a plain hash of the rest of the document."""
    rest = {k: v for k, v in document.items() if k != "digest"}
    return "sha256:" + hashlib.sha256(canonical_json(rest).encode()).hexdigest()


def test_a_recomputed_plain_digest_does_not_pass(tmp_path: Path) -> None:
    plan, _ = sample()
    path = tmp_path / "plan.json"
    write_plan(path, plan, digest_key=DIGEST_KEY)
    document = json.loads(path.read_text())
    document["changes"][1]["action"] = "replace"
    document["existing_managed"] = 10**6
    plain = _sha256_digest(document)
    for forged in (plain, plain.replace("sha256:", "hmac-sha256:")):
        document["digest"] = forged
        path.write_text(json.dumps(document))
        with pytest.raises(RefusedPlanError, match="digest mismatch") as e:
            read_plan(path, digest_key=DIGEST_KEY, kinds=KINDS)
        assert e.value.exit_code == 3


@pytest.mark.parametrize("forged", [None, 5, "", "hmac-sha256:é"])
def test_a_hand_made_digest_is_refused_not_a_crash(tmp_path: Path, forged: object) -> None:
    plan, _ = sample()
    path = tmp_path / "plan.json"
    document = plan_document(plan, digest_key=DIGEST_KEY)
    document["digest"] = forged
    path.write_text(json.dumps(document))
    with pytest.raises(RefusedPlanError, match="digest mismatch"):
        read_plan(path, digest_key=DIGEST_KEY, kinds=KINDS)


def test_a_plan_made_under_one_api_secret_is_refused_under_another(tmp_path: Path) -> None:
    plan, _ = sample()
    path = tmp_path / "plan.json"
    write_plan(path, plan, digest_key=DIGEST_KEY)
    with pytest.raises(RefusedPlanError, match="another account"):
        read_plan(path, digest_key=b"another-api-secret", kinds=KINDS)


def _replanned(plan: Plan, desired: DesiredState, now: dict[Target, LiveObject | None], tmp: Path) -> None:
    check_replanned(plan, desired, now, tmp, digest_key=DIGEST_KEY, kinds=KINDS)


def test_replanning_accepts_the_plan_and_refuses_other_changes(tmp_path: Path) -> None:
    plan, desired = sample()
    _replanned(plan, desired, NOW, tmp_path)
    edits: list[Callable[[Change], Change]] = [
        lambda c: replace(c, action="replace"),
        lambda c: replace(c, action="delete"),  # a declared, present object
        lambda c: replace(c, diffs=c.diffs[:-1]),
    ]
    for edit in edits:
        changes = tuple(edit(c) if c.key == "upload_preset:p" else c for c in plan.changes)
        with pytest.raises(RefusedPlanError, match="upload_preset:p") as e:
            _replanned(replace(plan, changes=changes), desired, NOW, tmp_path)
        assert e.value.exit_code == 3
    without_create = tuple(c for c in plan.changes if c.action != "create")
    _replanned(replace(plan, changes=without_create), desired, NOW, tmp_path)  # a narrowed plan


def test_replanning_refuses_a_change_for_an_object_nothing_declares(tmp_path: Path) -> None:
    plan, desired = sample()
    stray = Change("upload_mapping", "stray", "delete", KINDS["upload_mapping"].rank)
    with pytest.raises(RefusedPlanError, match="upload_mapping:stray"):
        _replanned(
            replace(plan, changes=(*plan.changes, stray)),
            desired,
            {**NOW, ("upload_mapping", "stray"): None},
            tmp_path,
        )


def _nested(depth: int, inside: str = "") -> str:
    return (
        '{"format": "cloudinary-state/plan@1", "x":\n' + "[" * (depth - 1) + inside + "]" * (depth - 1) + "}"
    )


def test_nesting_is_limited_before_parsing_and_brackets_in_strings_do_not_count(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(_nested(MAX_PLAN_DEPTH, '"' + "[{" * 1000 + '\\"[["'))
    assert load_document(path)["format"] == "cloudinary-state/plan@1"  # at the limit: read
    path.write_text(_nested(MAX_PLAN_DEPTH + 1))
    with pytest.raises(PlanFileError, match=f"nested deeper than {MAX_PLAN_DEPTH} levels at line 2"):
        load_document(path)
    path.write_text(_nested(MAX_PLAN_DEPTH + 1).replace("[", "[\n", 5000))  # one bracket per line
    with pytest.raises(PlanFileError, match=f"at line {MAX_PLAN_DEPTH + 1}:"):
        load_document(path)


def test_a_lone_surrogate_in_a_hand_made_file_only_fails_to_verify(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"format": "cloudinary-state/plan@1", "environment": "\\ud800"}')
    with pytest.raises(RefusedPlanError, match="digest mismatch"):
        read_plan(path, digest_key=DIGEST_KEY, kinds=KINDS)


def _signed(document: dict[str, Any]) -> str:
    """A hand-made document signed with the right key, as one could with a leaked api_secret."""
    rest = {k: v for k, v in document.items() if k != "digest"}
    digest = hmac.new(DIGEST_KEY, canonical_json(rest).encode(), hashlib.sha256).hexdigest()
    return json.dumps({**document, "digest": f"hmac-sha256:{digest}"})


@pytest.mark.parametrize(
    "edit",
    [
        {"unmanaged": [1]},
        {"unmanaged": "0"},
        {"summary": []},
        {"notes": 5},
        {"notes": "a string"},
        {"changes": [{"kind": "transformation"}]},
    ],
)
def test_a_signed_file_of_any_shape_is_malformed_not_a_crash(tmp_path: Path, edit: dict[str, Any]) -> None:
    plan, _ = sample()
    path = tmp_path / "plan.json"
    path.write_text(_signed({**plan_document(plan, digest_key=DIGEST_KEY), **edit}))
    with pytest.raises(PlanFileError, match="malformed"):
        read_plan(path, digest_key=DIGEST_KEY, kinds=KINDS)

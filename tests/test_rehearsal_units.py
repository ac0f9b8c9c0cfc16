"""The pure parts of rehearsal and impact: the plan document's members, the affected-assets
limit, how a copy and a plan are compared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cloudinary_state.desired import DesiredObject, DesiredState, Policy, SafetyPolicy
from cloudinary_state.engine.impact import (
    affected_assets,
    check_affected_assets,
    impact_document,
    impact_from_document,
)
from cloudinary_state.engine.plan import Change, FieldDiff, Plan, Summary
from cloudinary_state.engine.rehearsal import compare_copy, compare_plans
from cloudinary_state.engine.rehearsal_report import (
    Rehearsal,
    RehearsalFailed,
    RehearsalFailure,
    check_rehearsal,
    rehearsal_document,
    rehearsal_from_document,
)
from cloudinary_state.errors import PolicyRefusal
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.base import AssetImpact, LiveObject

KINDS = {k.kind: k for k in REGISTRY}
WHAT = "assets holding a value in this field"


def _plan(*changes: Change) -> Plan:
    return Plan("test", "cloud", "d", changes, Summary())


def _delete(name: str, assets: int | None, reason: str | None = None) -> Change:
    return Change("metadata_field", name, "delete", 10, impact=AssetImpact(WHAT, assets, reason))


def _policy(limit: int | None) -> Policy:
    return Policy(safety=SafetyPolicy(max_affected_assets=limit))


def test_the_limit_sums_over_the_whole_plan() -> None:
    plan = _plan(_delete("a", 600), _delete("b", 500), Change("upload_preset", "p", "update", 40))
    assert affected_assets(plan) == (1100, [])
    check_affected_assets(plan, _policy(None))
    check_affected_assets(plan, _policy(1100))
    with pytest.raises(
        PolicyRefusal, match=r"reach 1100 assets \(metadata_field:a \(600\), metadata_field:b \(500\)\)"
    ):
        check_affected_assets(plan, _policy(1099))


def test_an_unknown_count_is_over_any_limit_with_its_reason() -> None:
    plan = _plan(_delete("a", 0), _delete("b", None, "the Search API did not answer: 403"))
    assert affected_assets(plan)[1][0].name == "b"
    check_affected_assets(plan, _policy(None))  # no limit: the plan shows it, nothing refuses
    with pytest.raises(
        PolicyRefusal, match=r"metadata_field:b cannot be counted \(metadata_field:b: the Search API"
    ):
        check_affected_assets(plan, _policy(10**9))


@pytest.mark.parametrize(
    "impact", [AssetImpact(WHAT, 3), AssetImpact(WHAT, None, "why"), AssetImpact(WHAT, 0)]
)
def test_an_impact_round_trips_through_the_document(impact: AssetImpact) -> None:
    assert impact_from_document(impact_document(impact)) == impact


@pytest.mark.parametrize(
    "raw",
    [
        "x",
        {"assets": 1},
        {"what": "w", "assets": True},
        {"what": "w", "assets": "1"},
        {"what": "w", "reason": 1},
    ],
)
def test_a_malformed_impact_is_a_value_error(raw: Any) -> None:
    with pytest.raises(ValueError):
        impact_from_document(raw)


FAILED = Rehearsal(
    "failed",
    "apply",
    12,
    applied=("transformation:a",),
    failed=(RehearsalFailure("trigger:t", "create", "limit_reached"),),
    not_attempted=("upload_preset:p",),
    assumptions=("add-ons taken as registered: none",),
    calls=40,
)


def test_a_rehearsal_round_trips_and_a_failed_one_raises_naming_the_object() -> None:
    assert rehearsal_from_document(rehearsal_document(FAILED)) == FAILED
    assert rehearsal_from_document(None) is None
    check_rehearsal(None)
    check_rehearsal(Rehearsal("converged", None, 3))
    with pytest.raises(RehearsalFailed, match="failed create trigger:t: limit_reached") as raised:
        check_rehearsal(FAILED)
    assert raised.value.exit_code == 1


@pytest.mark.parametrize(
    "changed",
    [
        {"outcome": "maybe"},
        {"stage": "later"},
        {"loaded": True},
        {"calls": "1"},
        {"failed": [{"target": "x"}]},
        {"applied": "transformation:a"},
    ],
)
def test_a_malformed_rehearsal_is_a_value_error(changed: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        rehearsal_from_document({**rehearsal_document(FAILED), **changed})


def _mapping(name: str, template: str) -> LiveObject:
    return LiveObject("upload_mapping", name, {"template": template})


def test_the_copy_is_compared_by_content_per_kind_not_by_name() -> None:
    live = {("upload_mapping", "a_1"): _mapping("a_1", "https://x/")}
    renamed = {"upload_mapping": {"a_2": _mapping("a_2", "https://x/")}}
    assert compare_copy(live, renamed, KINDS) == []
    changed = {"upload_mapping": {"a_1": _mapping("a_1", "https://y/")}}
    failures = compare_copy(live, changed, KINDS)
    assert [(f.target, f.action) for f in failures] == [("upload_mapping:a_1", "load")] * 2
    assert "does not hold it as the live account does" in failures[0].reason
    assert "the live account does not" in failures[1].reason


def test_plans_compare_by_name_for_declared_objects_and_by_shape_for_the_others() -> None:
    desired = DesiredState(
        "test",
        "cloud",
        "X",
        Path("."),
        {},
        Policy(),
        (DesiredObject("upload_mapping", "ours", {"template": "t"}),),
    )
    update = Change("upload_mapping", "ours", "update", 50, (FieldDiff("template", "a", "b"),))

    def pruned(name: str) -> Change:
        return Change("upload_mapping", name, "delete", 50, (FieldDiff("template", "a", None),))

    assert compare_plans(desired, _plan(update, pruned("x_1")), _plan(update, pruned("x_2"))) == []
    other = Change("upload_mapping", "ours", "update", 50, (FieldDiff("folder", "a", "b"),))
    (failure,) = compare_plans(desired, _plan(update), _plan(other))
    assert failure.target == "upload_mapping:ours"
    assert failure.reason == "live plans update (template), the emulated copy update (folder)"

"""Safety checks on synthetic plans: protect, threshold with its floor, --allow-delete."""

from __future__ import annotations

import pytest
from support.plan_fakes import DIGEST_KEY, KINDS, live, live_state, obj, state

from cloudinary_state.desired import Policy, SafetyPolicy
from cloudinary_state.engine.plan import Plan, build_plan
from cloudinary_state.engine.safety import check_allow_delete, check_apply, check_protect, check_threshold
from cloudinary_state.errors import PolicyRefusal


def plan_with(deletes: int, keeps: int, policy: Policy) -> Plan:
    desired = state(
        *(obj("upload_preset", f"del{i}", absent=True) for i in range(deletes)),
        *(obj("upload_preset", f"keep{i}", {"x": 1}) for i in range(keeps)),
        policy=policy,
    )
    current = live_state(
        *(live("upload_preset", f"del{i}", {}) for i in range(deletes)),
        *(live("upload_preset", f"keep{i}", {"x": 1}) for i in range(keeps)),
    )
    return build_plan(desired, current, digest_key=DIGEST_KEY, kinds=KINDS)


def test_protect_refuses_delete_and_replace_naming_them() -> None:
    policy = Policy(protect={"metadata_field": ("sku",), "upload_preset": ("del*",)})
    desired = state(
        obj("metadata_field", "sku", {"type": "integer"}), obj("upload_preset", "del0", absent=True)
    )
    current = live_state(live("metadata_field", "sku", {"type": "string"}), live("upload_preset", "del0", {}))
    plan = build_plan(desired, current, digest_key=DIGEST_KEY, kinds=KINDS)
    with pytest.raises(PolicyRefusal) as e:
        check_protect(plan, policy)
    assert "replace metadata_field:sku" in str(e.value)
    assert "delete upload_preset:del0" in str(e.value)
    assert e.value.exit_code == 3


def test_protect_allows_updates_of_protected_objects() -> None:
    policy = Policy(protect={"metadata_field": ("sku",)})
    desired = state(obj("metadata_field", "sku", {"label": "new"}))
    plan = build_plan(
        desired,
        live_state(live("metadata_field", "sku", {"label": "old"})),
        digest_key=DIGEST_KEY,
        kinds=KINDS,
    )
    assert [(c.kind, c.name, c.action) for c in plan.changes] == [("metadata_field", "sku", "update")]
    check_protect(plan, policy)


def test_threshold_refuses_above_the_share_with_counts() -> None:
    policy = Policy(safety=SafetyPolicy(max_delete_percent=30, min_existing=10))
    plan = plan_with(deletes=4, keeps=6, policy=policy)
    with pytest.raises(PolicyRefusal, match=r"4 deletes/replaces out of 10 existing .* 40%"):
        check_threshold(plan, policy)
    at_the_share = plan_with(deletes=3, keeps=7, policy=policy)
    assert (len(at_the_share.destructive()), at_the_share.existing_managed) == (3, 10)
    check_threshold(at_the_share, policy)  # 30% is not above 30%


def test_threshold_floor_lets_small_accounts_through() -> None:
    policy = Policy(safety=SafetyPolicy(max_delete_percent=30, min_existing=10))
    plan = plan_with(deletes=5, keeps=4, policy=policy)
    assert (len(plan.destructive()), plan.existing_managed) == (5, 9)  # 56%, far above the share
    check_threshold(plan, policy)  # but 9 existing < 10


def test_deletes_need_allow_delete() -> None:
    plan = plan_with(deletes=1, keeps=0, policy=Policy())
    assert [(c.name, c.action) for c in plan.changes] == [("del0", "delete")]
    with pytest.raises(PolicyRefusal, match=r"delete upload_preset:del0.*--allow-delete"):
        check_allow_delete(plan, allow_delete=False)
    check_allow_delete(plan, allow_delete=True)
    check_apply(plan, Policy(), allow_delete=True)
    check_allow_delete(plan_with(deletes=0, keeps=3, policy=Policy()), allow_delete=False)

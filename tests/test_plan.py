"""build_plan on synthetic desired and live states: actions, diffs, ordering, policy, targets."""

from __future__ import annotations

from collections.abc import Collection

import pytest
from support.plan_fakes import DIGEST_KEY, KINDS, live, live_state, obj, state

from cloudinary_state.desired import DesiredState, Policy, StrippedOption
from cloudinary_state.engine.masking import mask_value
from cloudinary_state.engine.plan import (
    FieldDiff,
    LiveState,
    Plan,
    Target,
    TargetError,
    build_plan,
    field_diffs,
    fingerprint,
    parse_target,
)


def plan_of(desired: DesiredState, current: LiveState, targets: Collection[Target] = ()) -> Plan:
    return build_plan(desired, current, digest_key=DIGEST_KEY, kinds=KINDS, targets=targets)


def test_create_update_unchanged_and_summary() -> None:
    desired = state(
        obj("upload_preset", "new", {"settings": {"folder": "a"}}),
        obj("upload_preset", "changed", {"settings": {"tags": ["a", "b"]}}),
        obj("upload_preset", "same", {"settings": {"folder": "x"}}),
    )
    current = live_state(
        live("upload_preset", "changed", {"settings": {"tags": ["a"]}}),
        live("upload_preset", "same", {"settings": {"folder": "x"}}),
    )
    plan = plan_of(desired, current)
    actions = {c.name: c.action for c in plan.changes}
    assert actions == {"new": "create", "changed": "update"}
    assert plan.summary.as_dict() == {
        "create": 1,
        "update": 1,
        "replace": 0,
        "delete": 0,
        "unchanged": 1,
        "unmanaged": 0,
    }
    changed = next(c for c in plan.changes if c.name == "changed")
    assert changed.diffs == (FieldDiff("settings.tags", ["a"], ["a", "b"]),)
    assert changed.live_fingerprint == fingerprint(current["upload_preset"]["changed"], DIGEST_KEY)
    new = next(c for c in plan.changes if c.name == "new")
    assert new.live_fingerprint is None
    assert new.diffs == (FieldDiff("settings.folder", None, "a"),)


def test_replace_when_kind_says_so_with_kind_notes() -> None:
    desired = state(obj("metadata_field", "sku", {"type": "integer", "label": "SKU"}))
    current = live_state(live("metadata_field", "sku", {"type": "string", "label": "SKU"}, used=True))
    (change,) = plan_of(desired, current).changes
    assert change.action == "replace"
    assert change.diffs == (FieldDiff("type", "string", "integer"),)
    assert "transformation is in use" in change.notes


def test_list_item_changes_inside_dicts_get_indexed_paths() -> None:
    before = {"datasource": {"values": [{"external_id": "a", "value": "A"}]}}
    after = {"datasource": {"values": [{"external_id": "a", "value": "B"}]}}
    assert field_diffs(before, after) == (FieldDiff("datasource.values[0].value", "A", "B"),)


def test_removed_field_has_after_none() -> None:
    assert field_diffs({"a": 1, "b": 2}, {"a": 1}) == (FieldDiff("b", 2, None),)


def test_tombstone_deletes_live_object_and_is_nothing_when_absent() -> None:
    desired = state(
        obj("upload_preset", "old", absent=True),
        obj("upload_preset", "gone", absent=True),
    )
    current = live_state(live("upload_preset", "old", {"settings": {}}))
    plan = plan_of(desired, current)
    (change,) = plan.changes
    assert (change.name, change.action) == ("old", "delete")
    assert change.live_fingerprint is not None
    assert plan.summary.delete == 1 and plan.summary.unchanged == 0


def test_unmanaged_listed_not_touched_unless_pruned() -> None:
    current = live_state(
        live("upload_preset", "stray", {}),
        live("upload_mapping", "folder", {"template": "x"}),
    )
    plan = plan_of(state(), current)
    assert plan.changes == ()
    assert set(plan.unmanaged) == {("upload_preset", "stray"), ("upload_mapping", "folder")}
    assert plan.summary.unmanaged == 2

    pruned = plan_of(state(policy=Policy(prune=frozenset({"upload_mapping"}))), current)
    assert [(c.kind, c.name, c.action) for c in pruned.changes] == [("upload_mapping", "folder", "delete")]
    assert pruned.unmanaged == (("upload_preset", "stray"),)


def test_server_provided_objects_are_never_unmanaged_pruned_or_counted() -> None:
    definition = {"ladder": [1, 2]}
    current = live_state(
        live("upload_mapping", "builtin", {"ladder": [9]}, builtin=definition),  # changed from it
        live("upload_mapping", "stray", {"template": "x"}),
    )
    plan = plan_of(state(policy=Policy(prune=frozenset({"upload_mapping"}))), current)
    assert [(c.name, c.action) for c in plan.changes] == [("stray", "delete")]
    assert plan.unmanaged == () and plan.existing_managed == 1
    assert plan_of(state(), current, targets=[("upload_mapping", "builtin")]).changes == ()


def test_a_tombstone_reverts_a_server_provided_object_only_while_it_differs() -> None:
    definition = {"ladder": [1, 2], "name": "B"}
    desired = state(obj("upload_mapping", "builtin", absent=True))
    at_definition = live("upload_mapping", "builtin", definition, builtin=definition)
    assert plan_of(desired, live_state(at_definition)).changes == ()

    changed = live("upload_mapping", "builtin", {"ladder": [9], "name": "B"}, builtin=definition)
    (change,) = plan_of(desired, live_state(changed)).changes
    assert change.action == "delete" and change.notes == ("tombstone: absent: true",)
    # the diff goes to the definition, not to nothing
    assert change.diffs == (FieldDiff("ladder", [9], [1, 2]),)


def test_ignored_objects_never_enter_the_plan() -> None:
    policy = Policy(ignore={"upload_preset": ("sample_*",)}, prune=frozenset({"upload_preset"}))
    desired = state(obj("upload_preset", "sample_x", {"a": 2}), policy=policy)
    current = live_state(live("upload_preset", "sample_x", {"a": 1}), live("upload_preset", "sample_y", {}))
    plan = plan_of(desired, current)
    assert plan.changes == () and plan.unmanaged == ()
    assert plan.summary.as_dict() == dict.fromkeys(plan.summary.as_dict(), 0)


def test_order_ascending_rank_then_deletes_descending() -> None:
    policy = Policy(prune=frozenset({"metadata_field", "upload_mapping", "transformation"}))
    desired = state(
        obj("upload_mapping", "m", {"template": "x"}),
        obj("metadata_field", "f", {"type": "string"}),
        obj("transformation", "t", {"transformation": "c_fill"}),
        policy=policy,
    )
    current = live_state(
        live("metadata_field", "old_field", {}),
        live("upload_mapping", "old_mapping", {}),
        live("transformation", "old_t", {}),
    )
    order = [(c.kind, c.action) for c in plan_of(desired, current).changes]
    assert order == [
        ("metadata_field", "create"),
        ("transformation", "create"),
        ("upload_mapping", "create"),
        ("upload_mapping", "delete"),
        ("transformation", "delete"),
        ("metadata_field", "delete"),
    ]


def test_stripped_options_become_notes_on_changes_and_on_the_plan() -> None:
    stripped = (StrippedOption("settings.categorization", "google_tagging", "google_tagging"),)
    desired = state(
        obj("upload_preset", "a", {"settings": {"folder": "a"}}, stripped_options=stripped),
        obj("upload_preset", "b", {"settings": {}}, stripped_options=stripped),
    )
    current = live_state(live("upload_preset", "b", {"settings": {}}))
    plan = plan_of(desired, current)
    expected = (
        "option settings.categorization=google_tagging stripped: "
        "add-on google_tagging is off in this environment"
    )
    assert expected in plan.changes[0].notes
    assert plan.notes == (f"upload_preset b: {expected}",)


def test_sensitive_paths_are_masked_in_diffs() -> None:
    secret = "https://hooks.example/very-secret-token"
    desired = state(
        obj(
            "upload_preset",
            "p",
            {"settings": {"notification_url": secret, "folder": "f"}},
            sensitive_paths=frozenset({"settings.notification_url"}),
        ),
        obj(
            "upload_preset",
            "q",
            {"settings": {"notification_url": secret}},
            sensitive_paths=frozenset({"settings.notification_url"}),
        ),
    )
    current = live_state(live("upload_preset", "q", {"settings": {"notification_url": "https://old"}}))
    plan = plan_of(desired, current)
    create = next(c for c in plan.changes if c.name == "p")
    update = next(c for c in plan.changes if c.name == "q")
    assert create.diffs == (
        FieldDiff("settings.folder", None, "f"),
        FieldDiff("settings.notification_url", None, "(sensitive)", sensitive=True),
    )
    assert update.diffs == (
        FieldDiff("settings.notification_url", "(sensitive)", "(sensitive, changed)", sensitive=True),
    )
    assert secret not in repr(plan)


def test_targets_narrow_and_bad_targets_are_errors() -> None:
    desired = state(obj("upload_preset", "a", {"x": 1}), obj("upload_preset", "b", {"x": 1}))
    plan = plan_of(desired, {}, targets=[("upload_preset", "b")])
    assert [c.name for c in plan.changes] == ["b"]
    with pytest.raises(TargetError, match="upload_preset:zzz"):
        plan_of(desired, {}, targets=[("upload_preset", "zzz")])
    assert parse_target("upload_mapping:a:b") == ("upload_mapping", "a:b")
    for bad in ("upload_preset", "preset:a", "upload_preset:"):
        with pytest.raises(TargetError):
            parse_target(bad)


def test_existing_managed_counts_live_objects_the_config_manages() -> None:
    desired = state(
        obj("upload_preset", "a", {"x": 1}),
        obj("upload_preset", "b", {"x": 1}),
        obj("upload_preset", "c", absent=True),
    )
    current = live_state(
        live("upload_preset", "a", {"x": 1}),
        live("upload_preset", "c", {}),
        live("upload_preset", "stray", {}),
    )
    assert plan_of(desired, current).existing_managed == 2


def test_build_plan_is_deterministic() -> None:
    desired = state(*(obj("upload_preset", f"p{i}", {"i": i}) for i in range(20)))
    current = live_state(*(live("upload_preset", f"p{i}", {"i": -i}) for i in range(0, 20, 3)))
    assert plan_of(desired, current) == plan_of(desired, current)


def test_a_whole_container_holding_a_sensitive_value_is_masked_inside() -> None:
    value = {"notification_url": "https://secret", "tags": ["a"]}
    masked, hit = mask_value("settings", value, {"settings.notification_url"}, changed=True)
    assert (masked, hit) == ({"notification_url": "(sensitive, changed)", "tags": ["a"]}, True)
    assert mask_value("settings", value, {"other.path"}, changed=True) == (value, False)
    assert mask_value("x[0]", "s", {"x"}, changed=False) == ("(sensitive)", True)


def test_create_lists_leaf_fields_and_skips_unset_ones() -> None:
    diffs = field_diffs({}, {"label": "L", "default_value": None, "restrictions": {"readonly_ui": True}})
    assert diffs == (FieldDiff("label", None, "L"), FieldDiff("restrictions.readonly_ui", None, True))


def test_a_mapping_empty_on_one_side_diffs_field_by_field() -> None:
    from cloudinary_state.engine.plan import field_diffs

    before = {"unsigned": False, "settings": {}}
    after = {"unsigned": False, "settings": {"folder": "a", "tags": ["x"], "metadata": {"sku": "1"}}}
    paths = [d.path for d in field_diffs(before, after)]
    assert paths == ["settings.folder", "settings.metadata.sku", "settings.tags"]
    assert [d.path for d in field_diffs(after, before)] == paths

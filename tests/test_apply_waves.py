"""apply_steps on synthetic kinds: wave order, parallelism within a wave, stop on failure,
read-back verification (one bulk read per kind and wave, failures attributed per object).
The kinds here keep their objects in a dict (no HTTP at all)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from support.plan_fakes import API, Account, StoreKind, obj

from cloudinary_state.desired import KindName
from cloudinary_state.engine.apply import (
    ApplyFailed,
    ApplyInterrupted,
    Step,
    apply_steps,
    build_steps,
    likely_cause,
)
from cloudinary_state.engine.plan import Change, FieldDiff
from cloudinary_state.errors import ApplyError
from cloudinary_state.kinds.base import AdminApi, LiveObject
from cloudinary_state.kinds.upload_presets import UPLOAD_PRESETS


def kinds_on(account: Account) -> dict[KindName, Any]:
    return {
        "metadata_field": StoreKind("metadata_field", 10, account),
        "transformation": StoreKind("transformation", 20, account),
        "upload_preset": StoreKind("upload_preset", 40, account),
    }


def step(kind: KindName, name: str, action: str, rank: int, body: dict[str, Any] | None = None) -> Step:
    change = Change(kind, name, action, rank)  # type: ignore[arg-type]
    desired = obj(kind, name, body or {"v": 1}) if action != "delete" else None
    live = LiveObject(kind, name, {"v": 0}) if action != "create" else None
    return Step(change, desired, live)


def test_waves_run_by_rank_with_deletes_in_reverse_and_parallel_within_a_rank() -> None:
    # the four transformations' writes overlap: all four meet at the barrier
    account = Account(meet={f"t{i}" for i in range(4)}, barrier=threading.Barrier(4, timeout=5))
    account.objects = {("metadata_field", "old_f"): {}, ("upload_preset", "old_p"): {}}
    steps = [
        step("upload_preset", "p", "create", 40),
        step("metadata_field", "old_f", "delete", 10),
        *(step("transformation", f"t{i}", "create", 20) for i in range(4)),
        step("metadata_field", "f", "create", 10),
        step("upload_preset", "old_p", "delete", 40),
    ]
    report = apply_steps(API, steps, kinds_on(account), parallelism=4)
    assert report.ok and len(report.applied) == 8
    order = [entry.split()[1].split(":")[0] + "/" + entry.split()[0] for entry in account.log]
    assert order.index("metadata_field/create") < min(
        i for i, o in enumerate(order) if o == "transformation/create"
    )
    assert max(i for i, o in enumerate(order) if o == "transformation/create") < order.index(
        "upload_preset/create"
    )
    assert order[-2:] == ["upload_preset/delete", "metadata_field/delete"]
    assert account.barrier is not None and not account.barrier.broken


def test_failure_finishes_the_wave_then_stops_and_reports() -> None:
    # t0 and t2 are in flight while t1 fails: the three meet at the barrier
    account = Account(fail={"t1"}, meet={"t0", "t1", "t2"}, barrier=threading.Barrier(3, timeout=5))
    steps = [
        step("metadata_field", "f", "create", 10),
        *(step("transformation", f"t{i}", "create", 20) for i in range(3)),
        step("upload_preset", "p", "create", 40),
    ]
    with pytest.raises(ApplyFailed) as e:
        apply_steps(API, steps, kinds_on(account), parallelism=8)
    report = e.value.report
    assert [c.name for c, _ in report.failed] == ["t1"]
    assert {c.name for c in report.applied} == {"f", "t0", "t2"}  # in flight with t1: finished
    assert [c.name for c in report.not_attempted] == ["p"]
    assert "create upload_preset:p" not in account.log
    assert "1 failed" in str(e.value) and "not attempted: 1 upload_preset" in str(e.value)
    assert report.as_dict()["not_attempted"] == {
        "count": 1,
        "by_kind": {"upload_preset": 1},
        "changes": [{"key": "upload_preset:p", "action": "create"}],
    }
    # the rerun of what is left converges
    account.fail.clear()
    account.barrier = None  # t1 now runs alone
    rest = [s for s in steps if s.change.name in {"t1", "p"}]
    assert apply_steps(API, rest, kinds_on(account)).ok


def test_read_back_difference_fails_naming_the_field() -> None:
    account = Account(drop={"categorization"})
    body = {"settings_like": 1, "categorization": "google_tagging"}
    with pytest.raises(ApplyFailed, match=r"read-back differs .* categorization"):
        apply_steps(API, [step("upload_preset", "p", "create", 40, body)], kinds_on(account))


def test_each_wave_is_read_back_with_one_bulk_read_per_kind() -> None:
    account = Account(objects={("upload_preset", "old_p"): {}, ("upload_preset", "older_p"): {}})
    steps = [
        *(step("transformation", f"t{i}", "create", 20) for i in range(3)),
        step("metadata_field", "f", "update", 10),
        step("upload_preset", "old_p", "delete", 40),
        step("upload_preset", "older_p", "delete", 40),
    ]
    assert apply_steps(API, steps, kinds_on(account), parallelism=4).ok
    assert account.reads == [
        ("metadata_field", ["f"]),
        ("transformation", ["t0", "t1", "t2"]),
        ("upload_preset", ["old_p", "older_p"]),  # the deletes: absent in one read
    ]


def test_read_back_failure_is_attributed_to_its_object_and_the_others_of_the_wave_apply() -> None:
    account = Account(drop={"categorization"})
    tagged = {"folder": "a", "categorization": "google_tagging"}
    steps = [
        step("upload_preset", "plain", "create", 40, {"folder": "p"}),
        step("upload_preset", "tagged", "create", 40, tagged),
        step("upload_preset", "other", "create", 40, {"folder": "o"}),
        step("upload_mapping", "later", "create", 50),
    ]
    kinds = {**kinds_on(account), "upload_mapping": StoreKind("upload_mapping", 50, account)}
    with pytest.raises(ApplyFailed) as e:
        apply_steps(API, steps, kinds, parallelism=8)
    report = e.value.report
    assert [(c.name, why.split(":")[0]) for c, why in report.failed] == [
        ("tagged", "read-back differs from the config in 1 field(s)")
    ]
    assert "categorization: this run wrote 'google_tagging', live has None" in report.failed[0][1]
    assert [c.name for c in report.applied] == ["plain", "other"]
    assert [c.name for c in report.not_attempted] == ["later"]
    # one bulk read for the wave, then the mismatched object once more, to tell who changed it
    assert account.reads == [("upload_preset", ["other", "plain", "tagged"]), ("upload_preset", ["tagged"])]


def test_a_bulk_read_back_that_fails_fails_the_changes_it_would_verify() -> None:
    account = Account(unreadable={"transformation"})
    steps = [
        step("metadata_field", "f", "create", 10),
        step("transformation", "t0", "create", 20),
        step("transformation", "t1", "create", 20),
        step("upload_preset", "p", "create", 40),
    ]
    with pytest.raises(ApplyFailed) as e:
        apply_steps(API, steps, kinds_on(account))
    report = e.value.report
    assert sorted(c.name for c, _ in report.failed) == ["t0", "t1"]
    assert all(why == "read-back: list transformation: list refused" for _, why in report.failed)
    assert [c.name for c in report.applied] == ["f"]
    assert [c.name for c in report.not_attempted] == ["p"]
    assert ("transformation", "t0") in account.objects  # the writes went through, unverified


def test_delete_read_back_requires_the_object_gone() -> None:
    class Sticky(StoreKind):
        def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
            pass  # the server "accepts" the delete and keeps the object

    account = Account(objects={("upload_preset", "p"): {"v": 0}})
    kinds: dict[KindName, Any] = {"upload_preset": Sticky("upload_preset", 40, account)}
    with pytest.raises(ApplyFailed, match="still exists after the delete"):
        apply_steps(API, [step("upload_preset", "p", "delete", 40)], kinds)


def test_likely_cause_names_the_addon() -> None:
    want = {"settings": {"categorization": "google_tagging,imagga_tagging:fr", "detection": "adv_face"}}
    cause = likely_cause(UPLOAD_PRESETS, FieldDiff("settings.categorization", None, "google_tagging"), want)
    assert "Google Auto Tagging (google_tagging)" in cause and "Imagga Auto Tagging (imagga_tagging)" in cause
    assert "probably not registered" in cause
    assert "normalization" in likely_cause(UPLOAD_PRESETS, FieldDiff("settings.folder", "a", "b"), want)


def test_build_steps_refuses_a_plan_the_config_does_not_back() -> None:
    change = Change("upload_preset", "p", "update", 40)
    with pytest.raises(ApplyError, match="does not declare it"):
        build_steps((change,), {}, {("upload_preset", "p"): LiveObject("upload_preset", "p", {})})


def test_a_stop_asked_mid_apply_starts_no_new_write_and_reports_exit_130() -> None:
    account = Account()
    cancel = threading.Event()
    steps = [
        step("metadata_field", "f", "create", 10),
        step("transformation", "t", "create", 20),
        step("upload_preset", "p", "create", 40),
    ]

    def stop_after_the_first(change: Change, outcome: str) -> None:
        cancel.set()  # as Ctrl-C does, from the signal handler

    with pytest.raises(ApplyInterrupted) as e:
        apply_steps(API, steps, kinds_on(account), on_event=stop_after_the_first, cancel=cancel)
    assert e.value.exit_code == 130
    assert [c.name for c in e.value.report.applied] == ["f"]
    assert [c.name for c in e.value.report.not_attempted] == ["t", "p"]
    assert account.log == ["create metadata_field:f"]
    assert str(e.value).startswith("apply interrupted: 1 applied, 0 failed, 2 not attempted. Run apply again")

"""Same-rank references order the apply: a change runs in a later sub-wave than the changes of
the objects it references, a delete in a later one than the deletes of the objects that
reference it; the rest of a rank stays parallel. Synthetic kinds, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from support.plan_fakes import API, Account, StoreKind

from cloudinary_state.desired import DesiredObject, KindName
from cloudinary_state.engine.apply import Step, apply_steps, sub_waves
from cloudinary_state.engine.plan import Change
from cloudinary_state.kinds.base import LiveObject


@dataclass
class ReferringKind(StoreKind):
    """Objects name what they use under `uses` (as a transformation names `t_other`)."""

    def references(self, obj: DesiredObject) -> list[tuple[KindName, str]]:
        return [(self.kind, name) for name in obj.body.get("uses", [])]


def kinds_on(account: Account) -> dict[KindName, Any]:
    return {"transformation": ReferringKind("transformation", 20, account)}


def create(name: str, *uses: str) -> Step:
    change = Change("transformation", name, "create", 20)
    return Step(change, DesiredObject("transformation", name, {"uses": list(uses)}), None)


def delete(name: str, *uses: str) -> Step:
    change = Change("transformation", name, "delete", 20)
    return Step(change, None, LiveObject("transformation", name, {"uses": list(uses)}))


def names(waves: list[list[Step]]) -> list[list[str]]:
    return [sorted(s.change.name for s in wave) for wave in waves]


def test_creates_follow_what_they_reference_and_the_rest_stays_together() -> None:
    steps = [create("a", "b"), create("b", "c"), create("c"), create("d"), create("e", "outside")]
    assert names(sub_waves(steps, kinds_on(Account()))) == [["c", "d", "e"], ["b"], ["a"]]


def test_deletes_run_in_reverse_the_referenced_last() -> None:
    steps = [delete("c"), delete("b", "c"), delete("a", "b"), delete("d")]
    assert names(sub_waves(steps, kinds_on(Account()))) == [["a", "d"], ["b"], ["c"]]


def test_a_reference_cycle_keeps_no_order_rather_than_hanging() -> None:
    steps = [create("a", "b"), create("b", "a"), create("c")]
    assert names(sub_waves(steps, kinds_on(Account()))) == [["c"], ["a", "b"]]


def test_apply_writes_the_referenced_object_first_with_parallelism_8() -> None:
    account = Account()
    report = apply_steps(API, [create("a", "b"), create("b")], kinds_on(account), parallelism=8)
    assert report.ok
    assert account.log == ["create transformation:b", "create transformation:a"]

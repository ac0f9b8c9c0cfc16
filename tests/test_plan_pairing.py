"""The engine's pairing hook (`Kind.pair_live`) on a synthetic kind whose live objects have no
name of their own: build_plan pairs them with the config by content, pairing the same objects
twice gives the same names, policy.ignore applies before pairing, and a plan over objects that
were paired already (a saved plan's re-read) does not pair them again."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from support.plan_fakes import DIGEST_KEY, IdentityKind, live, obj, state

from cloudinary_state.desired import KindName, Policy
from cloudinary_state.engine.plan import build_plan, paired_objects, paired_state
from cloudinary_state.kinds.base import LiveObject

KIND = "hook"


@dataclasses.dataclass
class ContentKind(IdentityKind):
    """Live objects are named by their `url`; a declared object takes the live one with its url."""

    def pair_live(
        self, desired: Mapping[str, Mapping[str, Any]], live: Mapping[str, LiveObject]
    ) -> dict[str, LiveObject]:
        by_url = {o.canonical["url"]: o for o in live.values()}
        out: dict[str, LiveObject] = {}
        for name, body in desired.items():
            found = by_url.pop(body["url"], None)
            if found is not None:
                out[name] = dataclasses.replace(found, name=name)
        taken = set(desired)
        for url, rest in sorted(by_url.items()):
            own = f"url_{url}" if f"url_{url}" not in taken else f"url_{url}_live"
            out[own] = dataclasses.replace(rest, name=own)
        return out


KINDS: dict[KindName, Any] = {KIND: ContentKind(KIND, 0)}


def _read(*urls: str) -> dict[KindName, dict[str, LiveObject]]:
    """Live objects as the kind reads them: keyed by a name of its own (which pairing ignores)."""
    return {KIND: {f"read_{i}": live(KIND, f"read_{i}", {"url": url}) for i, url in enumerate(urls)}}


def test_declared_objects_pair_by_content_and_the_rest_are_unmanaged_under_their_own_names() -> None:
    desired = state(obj(KIND, "mine", {"url": "a"}), obj(KIND, "new", {"url": "c"}))
    plan = build_plan(desired, _read("a", "b"), digest_key=DIGEST_KEY, kinds=KINDS)
    assert [(c.name, c.action) for c in plan.changes] == [("new", "create")]
    assert plan.summary.unchanged == 1
    assert plan.unmanaged == ((KIND, "url_b"),)


def test_pairing_twice_gives_the_same_names() -> None:
    desired = state(obj(KIND, "mine", {"url": "a"}))
    once = paired_state(desired, _read("a", "b"), KINDS)
    assert set(once[KIND]) == {"mine", "url_b"} and once[KIND]["mine"].name == "mine"
    assert paired_state(desired, once, KINDS) == once
    assert build_plan(desired, once, digest_key=DIGEST_KEY, kinds=KINDS, live_paired=True).changes == ()


def test_a_tombstone_names_an_unmanaged_object_by_its_own_name() -> None:
    desired = state(obj(KIND, "url_b", absent=True))
    plan = build_plan(desired, _read("b"), digest_key=DIGEST_KEY, kinds=KINDS)
    assert [(c.name, c.action) for c in plan.changes] == [("url_b", "delete")]


def test_policy_ignore_applies_before_pairing() -> None:
    ignored = Policy(ignore={KIND: ("read_0", "skipped")})
    desired = state(obj(KIND, "skipped", {"url": "b"}), obj(KIND, "mine", {"url": "a"}), policy=ignored)
    paired = paired_objects(KINDS[KIND], desired, _read("a", "b")[KIND])
    # the object read as read_0 (url a) is never seen, so "mine" does not find it; the ignored
    # declaration pairs with nothing, so url b stays an object of its own
    assert set(paired) == {"url_b"}


def test_a_plan_over_paired_objects_does_not_pair_them_again() -> None:
    """A saved plan's re-read holds only the touched objects: pairing so few again would miss
    the declared objects they were paired against."""
    desired = state(obj(KIND, "mine", {"url": "a2"}))
    touched = {KIND: {"mine": live(KIND, "mine", {"url": "a"})}}  # paired by the read
    plan = build_plan(desired, touched, digest_key=DIGEST_KEY, kinds=KINDS, live_paired=True)
    assert [(c.name, c.action) for c in plan.changes] == [("mine", "update")]

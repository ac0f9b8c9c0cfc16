"""Synthetic kinds and states for the pure engine tests (plan, safety, planfile, render, apply).

The kinds here implement the `Kind` contract with the identity as canonical form, so the
tests exercise the engine's own logic, not any real kind's canonicalization. `StoreKind` keeps
its objects in an `Account` dict (no HTTP at all), for the apply tests.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloudinary_state.desired import DesiredObject, DesiredState, KindName, Policy
from cloudinary_state.errors import PermanentApiError
from cloudinary_state.kinds.base import Action, AdminApi, LiveObject

# The api_secret that keys the plans' hashes in the pure engine tests.
DIGEST_KEY = b"fake-api-secret"


@dataclass
class IdentityKind:
    kind: KindName
    rank: int

    def references(self, obj: DesiredObject) -> list[tuple[KindName, str]]:
        return []

    def canonical_desired(self, obj: DesiredObject) -> dict[str, Any]:
        return dict(obj.body)

    def canonical_live(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return dict(raw)

    def addons_needed(self, body: Mapping[str, Any], path: str) -> tuple[str, ...]:
        return ()

    def read_back_hint(self, desired: Mapping[str, Any], path: str) -> str | None:
        return None

    def comparable_live(self, desired: Mapping[str, Any], live: Mapping[str, Any]) -> Mapping[str, Any]:
        return live

    def live_references(self, live: LiveObject) -> list[tuple[KindName, str]]:
        return []

    def builtin_definition(self, live: LiveObject) -> Mapping[str, Any] | None:
        # a live object whose raw answer holds `builtin={...}` is server-provided: it reverts
        # to that form
        definition = live.raw.get("builtin")
        return dict(definition) if isinstance(definition, Mapping) else None

    def differs_from_builtin(self, live: LiveObject) -> bool:
        definition = self.builtin_definition(live)
        return definition is not None and dict(live.canonical) != definition

    def at_builtin_definition(self, live: LiveObject) -> bool:
        return self.builtin_definition(live) is not None and not self.differs_from_builtin(live)

    def pair_live(
        self, desired: Mapping[str, Mapping[str, Any]], live: Mapping[str, LiveObject]
    ) -> dict[str, LiveObject]:
        return dict(live)

    def read_all(self, api: AdminApi, parallelism: int) -> dict[str, LiveObject]:
        raise AssertionError("the plan must not read")

    def read_one(self, api: AdminApi, name: str) -> LiveObject | None:
        raise AssertionError("the plan must not read")

    def read_many(
        self, api: AdminApi, names: Collection[str], parallelism: int
    ) -> dict[str, LiveObject | None]:
        raise AssertionError("the plan must not read")

    def needs_replace(self, desired: Mapping[str, Any], live: LiveObject) -> bool:
        return "type" in desired and desired.get("type") != live.canonical.get("type")

    def sensitive_canonical_paths(self, body_paths: Collection[str]) -> frozenset[str]:
        return frozenset(body_paths)  # the canonical form is the body

    def notes(self, action: Action, desired: Mapping[str, Any] | None, live: LiveObject | None) -> list[str]:
        if live is not None and live.raw.get("used") and action != "create":
            return ["transformation is in use"]
        return []

    def export(self, live: LiveObject) -> dict[str, Any]:
        return dict(live.canonical)

    def create(self, api: AdminApi, name: str, desired: Mapping[str, Any]) -> None:
        raise AssertionError("the plan must not write")

    def update(self, api: AdminApi, name: str, desired: Mapping[str, Any], live: LiveObject) -> None:
        raise AssertionError("the plan must not write")

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
        raise AssertionError("the plan must not write")


KINDS: dict[KindName, Any] = {
    "metadata_field": IdentityKind("metadata_field", 0),
    "transformation": IdentityKind("transformation", 1),
    "upload_preset": IdentityKind("upload_preset", 3),
    "upload_mapping": IdentityKind("upload_mapping", 4),
}


def obj(kind: KindName, name: str, body: Mapping[str, Any] | None = None, **extra: Any) -> DesiredObject:
    return DesiredObject(kind=kind, name=name, body=dict(body or {}), **extra)


def live(kind: KindName, name: str, canonical: Mapping[str, Any], **raw: Any) -> LiveObject:
    return LiveObject(kind=kind, name=name, canonical=dict(canonical), raw=raw)


def state(
    *objects: DesiredObject, policy: Policy | None = None, secrets: frozenset[str] = frozenset()
) -> DesiredState:
    return DesiredState(
        environment="staging",
        cloud_name="acme-staging",
        credentials_env="CLOUDINARY_URL_STAGING",
        config_dir=Path("."),
        addons={},
        policy=policy or Policy(),
        objects=tuple(objects),
        secrets=secrets,
    )


def live_state(*objects: LiveObject) -> dict[KindName, dict[str, LiveObject]]:
    out: dict[KindName, dict[str, LiveObject]] = {}
    for o in objects:
        out.setdefault(o.kind, {})[o.name] = o
    return out


# --- kinds that write: the apply tests -----------------------------------------------------------


@dataclass
class Account:
    objects: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Writes of these names wait for each other at the barrier: they return only if all of
    # them were in flight together (a write that waits alone breaks it after the timeout).
    meet: set[str] = field(default_factory=set)
    barrier: threading.Barrier | None = None
    fail: set[str] = field(default_factory=set)  # names whose writes fail
    drop: set[str] = field(default_factory=set)  # body keys the "server" silently drops
    reads: list[tuple[str, list[str]]] = field(default_factory=list)  # each read_many: kind, names
    unreadable: set[str] = field(default_factory=set)  # kinds whose bulk read fails


@dataclass
class StoreKind(IdentityKind):
    account: Account = field(default_factory=Account)

    def read_one(self, api: AdminApi, name: str) -> LiveObject | None:
        body = self.account.objects.get((self.kind, name))
        return None if body is None else LiveObject(self.kind, name, dict(body))

    def read_many(
        self, api: AdminApi, names: Collection[str], parallelism: int
    ) -> dict[str, LiveObject | None]:
        with self.account.lock:
            self.account.reads.append((self.kind, sorted(names)))
        if self.kind in self.account.unreadable:
            raise PermanentApiError("list refused", status=500, operation=f"list {self.kind}")
        return {name: self.read_one(api, name) for name in names}

    def _write(self, verb: str, name: str, body: Mapping[str, Any] | None) -> None:
        a = self.account
        if a.barrier is not None and name in a.meet:
            a.barrier.wait()
        with a.lock:
            a.log.append(f"{verb} {self.kind}:{name}")
            if name in a.fail:
                raise PermanentApiError("bad request", status=400, operation=f"{verb} {name}")
            if body is None:
                a.objects.pop((self.kind, name), None)
            else:
                a.objects[(self.kind, name)] = {k: v for k, v in body.items() if k not in a.drop}

    def create(self, api: AdminApi, name: str, desired: Mapping[str, Any]) -> None:
        self._write("create", name, desired)

    def update(self, api: AdminApi, name: str, desired: Mapping[str, Any], live: LiveObject) -> None:
        self._write("update", name, desired)

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
        self._write("delete", name, None)


API: Any = object()  # the store kinds never call the API

"""Shared by the tests/test_kinds_*.py files: one emulated cloud and an AdminClient on it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from deepdiff import DeepDiff

from cloudinary_state.client import AdminClient, Credentials
from cloudinary_state.desired import DesiredObject, KindName
from cloudinary_state.emulator import CloudConfig, EmulatorServer, RequestRecord
from cloudinary_state.kinds.base import Kind

CLOUD = "c1"


@contextmanager
def emulated(
    addons: frozenset[str] = frozenset({"google_tagging"}),
) -> Iterator[tuple[EmulatorServer, AdminClient]]:
    with EmulatorServer(
        [CloudConfig(name=CLOUD, api_key="k", api_secret="secret-xyz", addons=addons)], port=0
    ) as emu:
        yield emu, AdminClient(Credentials.from_url(emu.cloudinary_url(CLOUD)), base_delay=0.01, seed=1)


def obj(kind: KindName, name: str, body: Mapping[str, Any]) -> DesiredObject:
    return DesiredObject(kind=kind, name=name, body=body)


def writes(emu: EmulatorServer) -> list[RequestRecord]:
    return [r for r in emu.request_log if r.method != "GET"]


def calls_to(emu: EmulatorServer, method: str, path: str) -> list[RequestRecord]:
    return [r for r in emu.request_log if r.method == method and r.path == path]


def assert_live_matches(kind: Kind, api: AdminClient, desired: DesiredObject) -> None:
    """Every read path (read_all, read_one, read_many) gives a live object canonically equal to
    desired."""
    want = kind.canonical_desired(desired)
    listed = kind.read_all(api, 4)
    assert desired.name in listed, sorted(listed)
    assert DeepDiff(want, dict(listed[desired.name].canonical)) == {}
    one = kind.read_one(api, desired.name)
    assert one is not None
    assert DeepDiff(want, dict(one.canonical)) == {}
    many = kind.read_many(api, [desired.name, f"{desired.name}_other"], 4)[desired.name]
    assert many is not None
    assert DeepDiff(want, dict(many.canonical)) == {}

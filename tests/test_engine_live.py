"""engine/live.py through the real SDK and the emulator: `read_live` reads the kinds
concurrently within the --parallelism bound, with the same results and progress messages as
a serial read; `read_objects` (a saved plan's re-read) makes one bulk read per kind."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from cloudinary_state.client import AdminClient, Credentials
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.engine.live import read_live, read_objects
from cloudinary_state.engine.plan import Target, default_kinds
from cloudinary_state.errors import PermanentApiError
from cloudinary_state.kinds import REGISTRY

CLOUD = "live-reads"
KINDS = default_kinds()
RANK_ORDER = list(REGISTRY.names())


class InFlightMeter:
    """Passes every call on to the real client and records the most calls in flight at once.

    With `meet`, the first call of each of those SDK functions waits at a barrier for the
    others before it goes out: the read returns only if they were all in flight together (a
    call left waiting alone breaks the barrier after its timeout and fails the read).
    """

    def __init__(self, api: AdminClient, meet: frozenset[str] = frozenset()) -> None:
        self.api = api
        self.lock = threading.Lock()
        self.active: list[str] = []
        self.peak = 0
        self.waiting_to_meet = set(meet)
        self.barrier = threading.Barrier(len(meet), timeout=5) if meet else None

    def call(self, function: str, /, *args: Any, **params: Any) -> dict[str, Any]:
        with self.lock:
            self.active.append(function)
            self.peak = max(self.peak, len(self.active))
            meets = function in self.waiting_to_meet
            self.waiting_to_meet.discard(function)
        if meets and self.barrier is not None:
            self.barrier.wait()
        try:
            return self.api.call(function, *args, **params)
        finally:
            with self.lock:
                self.active.remove(function)


@contextmanager
def account() -> Iterator[tuple[EmulatorServer, AdminClient]]:
    """Two objects of every kind."""
    with EmulatorServer([CloudConfig(name=CLOUD)]) as emu:
        api = AdminClient(Credentials.from_url(emu.cloudinary_url(CLOUD)), base_delay=0.01)
        for i in range(2):
            api.call("add_metadata_field", {"type": "string", "label": f"F{i}", "external_id": f"f{i}"})
            api.call("create_transformation", f"t{i}", f"c_scale,w_{100 + i}")
            api.call("create_upload_preset", name=f"p{i}", folder=f"p{i}")
            api.call("create_upload_mapping", f"m{i}", template=f"https://a.example/{i}/")
        emu.clear_log()
        yield emu, api


def test_kinds_read_concurrently_give_what_a_serial_read_gives_with_the_same_messages() -> None:
    with account() as (emu, api):
        serial_messages: list[str] = []
        serial_meter = InFlightMeter(api)
        serial = read_live(serial_meter, KINDS, parallelism=1, progress=serial_messages.append)
        assert serial_meter.peak == 1  # --parallelism 1 stays serial
        serial_requests = sorted((r.method, r.path, str(r.query_and_body_params)) for r in emu.request_log)

        emu.clear_log()
        messages: list[str] = []
        # two kinds' list calls in flight together
        meter = InFlightMeter(api, meet=frozenset({"list_metadata_fields", "upload_presets"}))
        concurrent = read_live(meter, KINDS, parallelism=3, progress=messages.append)
        assert concurrent == serial and list(concurrent) == RANK_ORDER
        assert messages == serial_messages == [f"reading {kind} objects" for kind in RANK_ORDER]
        # the same calls, overlapped, never more in flight than the bound (GETs of the
        # transformations included)
        assert sorted((r.method, r.path, str(r.query_and_body_params)) for r in emu.request_log) == (
            serial_requests
        )
        assert meter.peak <= 3
        assert meter.barrier is not None and not meter.barrier.broken and not meter.waiting_to_meet


def test_a_failing_kind_fails_the_read() -> None:
    with account() as (emu, api):
        emu.inject(kind="status", status=400, count=1, path_prefix="upload_presets")
        with pytest.raises(PermanentApiError):
            read_live(api, KINDS, parallelism=4)


def test_saved_plan_reread_is_one_bulk_read_per_kind() -> None:
    touched: list[Target] = [
        ("metadata_field", "f0"), ("metadata_field", "new_field"),
        ("transformation", "t0"), ("transformation", "t1"), ("transformation", "new_a"),
        ("transformation", "new_b"),
        ("upload_preset", "p1"), ("upload_preset", "new_preset"),
        ("upload_mapping", "m0"), ("upload_mapping", "new_folder"),
    ]  # fmt: skip
    with account() as (emu, api):
        live = read_objects(api, KINDS, touched, parallelism=4)
        reread = list(emu.request_log)
        everything = read_live(api, KINDS)
    assert list(live) == touched
    assert {key for key, obj in live.items() if obj is None} == {
        ("metadata_field", "new_field"), ("transformation", "new_a"), ("transformation", "new_b"),
        ("upload_preset", "new_preset"), ("upload_mapping", "new_folder"),
    }  # fmt: skip
    for (kind, name), obj in live.items():
        if obj is not None:
            assert obj.canonical == everything[kind][name].canonical, (kind, name)
    # before, one GET per touched object (10); now one list call each for fields, presets and
    # mappings, and for transformations one list page plus a GET for each of the two that exist
    assert sorted((r.method, r.path) for r in reread) == [
        ("GET", "metadata_fields"), ("GET", "transformations"), ("GET", "transformations"),
        ("GET", "transformations"), ("GET", "upload_mappings"), ("GET", "upload_presets"),
    ]  # fmt: skip

"""The per-wave read-back of apply_steps through the real SDK and the emulator: each wave's
written objects are read back with one bulk read per kind, and a residual difference fails
only the object it belongs to, naming the field and the likely cause."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import pytest
from support.kinds_emulator import CLOUD, emulated, obj

from cloudinary_state.client import AdminClient, Credentials
from cloudinary_state.desired import KindName
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.engine.apply import ApplyFailed, Step, apply_steps
from cloudinary_state.engine.live import read_live
from cloudinary_state.engine.plan import Change, default_kinds
from cloudinary_state.kinds.base import AdminApi

KINDS = default_kinds()


def create(kind: KindName, name: str, body: dict[str, Any]) -> Step:
    return Step(Change(kind, name, "create", KINDS[kind].rank), obj(kind, name, body), None)


def deletes(api: AdminApi) -> list[Step]:
    """A delete step for every live object the account made (built-ins revert instead)."""
    return [
        Step(Change(kind, name, "delete", KINDS[kind].rank), None, live)
        for kind, objects in read_live(api, KINDS).items()
        for name, live in objects.items()
        if KINDS[kind].builtin_definition(live) is None
    ]


def reads(emu: EmulatorServer) -> Counter[str]:
    """GETs per path; a transformation's detail GET is told from the list by its parameter."""
    return Counter(
        "transformation detail" if "transformation" in r.query_and_body_params else r.path
        for r in emu.request_log
        if r.method == "GET"
    )


def test_a_preset_whose_addon_is_missing_fails_alone_and_the_rest_of_its_wave_applies() -> None:
    with emulated(addons=frozenset()) as (emu, api):  # no Google Auto Tagging on this account
        steps = [
            create("upload_preset", "plain", {"settings": {"folder": "plain"}}),
            create(
                "upload_preset", "tagged", {"settings": {"folder": "t", "categorization": "google_tagging"}}
            ),
            create("upload_preset", "other", {"unsigned": True, "settings": {"folder": "other"}}),
            create("upload_mapping", "later", {"template": "https://a.example/later/"}),
        ]
        with pytest.raises(ApplyFailed) as e:
            apply_steps(api, steps, KINDS, parallelism=4)
        report = e.value.report
        assert [c.key for c, _ in report.failed] == ["upload_preset:tagged"]
        why = report.failed[0][1]
        assert why.startswith("read-back differs from the config in 1 field(s): settings.categorization")
        assert "Google Auto Tagging (google_tagging), probably not registered" in why
        assert [c.key for c in report.applied] == ["upload_preset:plain", "upload_preset:other"]
        assert [c.key for c in report.not_attempted] == ["upload_mapping:later"]
        assert "apply stopped: 2 applied, 1 failed, 1 not attempted" in str(e.value)
        assert "Either it was changed outside this apply after the write, or the server rewrote" in why
        # the wave of three presets was read back with one list call, not three GETs; the
        # mismatched one was read once more (it did not move: ambiguous, not another writer)
        assert reads(emu) == {"upload_presets": 2}
        assert sorted(emu.state("c1").upload_presets) == ["other", "plain", "tagged"]


def test_each_wave_is_read_back_with_one_bulk_read_per_kind() -> None:
    with emulated() as (emu, api):
        steps = [
            *(create("metadata_field", f"f{i}", {"type": "string", "label": f"F{i}"}) for i in range(3)),
            *(
                create("transformation", f"t{i}", {"transformation": f"c_scale,w_{100 + i}"})
                for i in range(3)
            ),
            *(create("upload_preset", f"p{i}", {"settings": {"folder": f"p{i}"}}) for i in range(3)),
            *(create("upload_mapping", f"m{i}", {"template": f"https://a.example/{i}/"}) for i in range(3)),
        ]
        assert apply_steps(api, steps, KINDS, parallelism=4).ok
        # before: one GET per write (12); the transformations still need one GET each for
        # their definition, after one list page that a single-name read would not pay
        assert reads(emu) == {
            "metadata_fields": 1, "transformations": 1, "transformation detail": 3, "upload_presets": 1,
            "upload_mappings": 1,
        }  # fmt: skip

        emu.clear_log()
        steps = deletes(api)
        emu.clear_log()
        assert apply_steps(api, steps, KINDS, parallelism=4).ok
        # the deletes: one list per kind proves the wave's objects gone (before: 12 GETs)
        assert reads(emu) == {
            "metadata_fields": 1,
            "transformations": 1,
            "upload_presets": 1,
            "upload_mappings": 1,
        }
        assert [r.status for r in emu.request_log if r.method == "GET"] == [200] * 4


def test_a_replace_whose_create_fails_reports_the_object_deleted() -> None:
    """A replace is a delete then a create, not atomic. Safety refuses the one replace there is
    (a metadata type change) for exactly this reason; driven here below safety, on an account
    that keeps the deleted external_id reserved, the create fails and the report says the
    field is gone, so the rerun advice (a create) is accurate."""
    with emulated() as (_, api):
        assert apply_steps(
            api, [create("metadata_field", "grade", {"type": "string", "label": "G"})], KINDS
        ).ok
        live = KINDS["metadata_field"].read_one(api, "grade")
        change = Change("metadata_field", "grade", "replace", KINDS["metadata_field"].rank)
        replace = Step(change, obj("metadata_field", "grade", {"type": "integer", "label": "G"}), live)
        with pytest.raises(ApplyFailed) as e:
            apply_steps(api, [replace], KINDS)
        [(failed, why)] = e.value.report.failed
        assert failed == change
        assert why.startswith("deleted; re-create failed: ") and "external id grade already exists" in why
        assert "failed replace metadata_field:grade: deleted; re-create failed" in str(e.value)
        assert KINDS["metadata_field"].read_one(api, "grade") is None


# --- two applies at once -------------------------------------------------------------------------


class Sequenced(EmulatorServer):
    """An emulator that, once armed with an order ((method, path below the cloud) pairs),
    answers the requests matching it one after another in that order, whichever client sends
    them: the interleaving of two concurrent applies, made repeatable. Other requests run freely."""

    def __init__(self, clouds: list[CloudConfig]) -> None:
        super().__init__(clouds, port=0)
        self.arm([])
        self._claim_lock = threading.Lock()

    def arm(self, order: list[tuple[str, str]]) -> None:
        self._order = order
        self._claimed = [False] * len(order)
        self._done = [threading.Event() for _ in order]

    def _claim(self, method: str, path: str) -> int | None:
        with self._claim_lock:
            for i, (m, p) in enumerate(self._order):
                if not self._claimed[i] and m == method and path.endswith(f"/{CLOUD}/{p}"):
                    self._claimed[i] = True
                    return i
        return None

    def process(self, method: str, raw_url: str, headers: dict[str, str], body: bytes) -> Any:
        step = self._claim(method, urlsplit(raw_url).path)
        if step:  # not the first: wait for the one before it
            assert self._done[step - 1].wait(timeout=10), f"step {step - 1} of the order never came"
        try:
            return super().process(method, raw_url, headers, body)
        finally:
            if step is not None:
                self._done[step].set()


def enum_field(label: str, *values: str) -> dict[str, Any]:
    return {
        "type": "enum",
        "label": label,
        "datasource": {"values": [{"external_id": v, "value": v.upper()} for v in values]},
    }


def test_of_two_applies_at_once_the_loser_says_another_writer_changed_the_object() -> None:
    # Two configs for one environment, planned from the same account: A relabels the field, B
    # relabels it and adds a value (two writes: the values, then the label). B's writes land
    # around A's first read-back, so A sees the field move between its two reads.
    order = [
        ("PUT", "metadata_fields/f"),  # A: label
        ("PUT", "metadata_fields/f/datasource"),  # B: the new value
        ("GET", "metadata_fields"),  # A: read-back (differs: the new value)
        ("PUT", "metadata_fields/f"),  # B: label
        ("GET", "metadata_fields"),  # A's second read and B's read-back, in either order
        ("GET", "metadata_fields"),
    ]
    emu = Sequenced([CloudConfig(CLOUD, "k", "secret-xyz")])
    with emu:
        setup = AdminClient(Credentials.from_url(emu.cloudinary_url(CLOUD)), base_delay=0.01, seed=1)
        apply_steps(setup, [create("metadata_field", "f", enum_field("Old", "x"))], KINDS)
        live = read_live(setup, KINDS)["metadata_field"]["f"]
        emu.arm(order)
        results: dict[str, ApplyFailed | None] = {}

        def run(who: str, body: dict[str, Any]) -> None:
            api = AdminClient(Credentials.from_url(emu.cloudinary_url(CLOUD)), base_delay=0.01, seed=1)
            step = Step(
                Change("metadata_field", "f", "update", KINDS["metadata_field"].rank),
                obj("metadata_field", "f", body),
                live,
            )
            try:
                apply_steps(api, [step], KINDS)
                results[who] = None
            except ApplyFailed as e:
                results[who] = e

        threads = [
            threading.Thread(target=run, args=("A", enum_field("By A", "x"))),
            threading.Thread(target=run, args=("B", enum_field("By B", "x", "y"))),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results["B"] is None  # the last writer's read-back matched
    loser = results["A"]
    assert loser is not None
    [(change, why)] = loser.report.failed
    assert change.key == "metadata_field:f"
    assert why.startswith("another writer is changing it outside this apply: it changed between two reads")
    assert "datasource.y: this run wrote None, live has 'Y'" in why  # the first read's evidence
    assert "Run one apply at a time per environment, then re-plan" in why

"""The per-wave read-back of apply_steps through the real SDK and the emulator: each wave's
written objects are read back with one bulk read per kind, and a residual difference fails
only the object it belongs to, naming the field and the likely cause."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from support.kinds_emulator import emulated, obj

from cloudinary_state.desired import KindName
from cloudinary_state.emulator import EmulatorServer
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
        # the wave of three presets was read back with one list call, not three GETs
        assert reads(emu) == {"upload_presets": 1}
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

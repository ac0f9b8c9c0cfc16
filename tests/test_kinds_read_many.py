"""`read_many` of every kind through the real SDK and the emulator: the named objects from
one bulk read, None for the absent ones, and exactly the calls each kind's cheapest way costs
(what a saved plan's re-read and the per-wave read-back pay)."""

from __future__ import annotations

from typing import Any

from deepdiff import DeepDiff
from support.kinds_emulator import calls_to, emulated, obj

from cloudinary_state.client import AdminClient
from cloudinary_state.emulator import EmulatorServer
from cloudinary_state.kinds.base import Kind
from cloudinary_state.kinds.metadata_fields import METADATA_FIELDS
from cloudinary_state.kinds.transformations import TRANSFORMATIONS
from cloudinary_state.kinds.upload_mappings import UPLOAD_MAPPINGS
from cloudinary_state.kinds.upload_presets import UPLOAD_PRESETS


def requests(emu: EmulatorServer) -> list[str]:
    return [f"{r.method} {r.path}" for r in emu.request_log]


def assert_reads_as_created(kind: Kind, api: AdminClient, bodies: dict[str, dict[str, Any]]) -> None:
    """read_many of the created objects (plus one that does not exist) matches each canonically."""
    got = kind.read_many(api, [*bodies, "never_made"], 4)
    assert list(got) == [*bodies, "never_made"]
    assert got["never_made"] is None
    for name, body in bodies.items():
        live = got[name]
        assert live is not None and live.name == name, name
        assert DeepDiff(kind.canonical_desired(obj(kind.kind, name, body)), dict(live.canonical)) == {}


def test_no_names_cost_no_calls() -> None:
    with emulated() as (emu, api):
        for kind in (METADATA_FIELDS, TRANSFORMATIONS, UPLOAD_PRESETS, UPLOAD_MAPPINGS):
            assert kind.read_many(api, [], 4) == {}
        assert emu.request_log == []


def test_metadata_fields_come_from_one_list_call() -> None:
    bodies: dict[str, dict[str, Any]] = {
        "sku": {"type": "string", "label": "SKU", "restrictions": {"readonly_ui": True}},
        "status": {
            "type": "enum",
            "label": "Status",
            "datasource": {"values": [{"external_id": "done", "value": "Done"}]},
        },
    }
    with emulated() as (emu, api):
        for name, body in bodies.items():
            METADATA_FIELDS.create(api, name, body)
        emu.clear_log()
        assert_reads_as_created(METADATA_FIELDS, api, bodies)
        assert requests(emu) == ["GET metadata_fields"]


def test_upload_presets_come_from_the_list_in_the_shape_the_plan_reads() -> None:
    bodies: dict[str, dict[str, Any]] = {
        "product_assets": {
            "settings": {"folder": "products", "tags": ["product", "new"], "use_filename": True}
        },
        "plain": {"unsigned": True, "settings": {"folder": "plain", "transformation": "c_scale,w_100"}},
    }
    with emulated() as (emu, api):
        for name, body in bodies.items():
            UPLOAD_PRESETS.create(api, name, body)
        emu.clear_log()
        assert_reads_as_created(UPLOAD_PRESETS, api, bodies)
        assert requests(emu) == ["GET upload_presets"]  # no per-preset GET
        emu.clear_log()
        many = UPLOAD_PRESETS.read_many(api, list(bodies), 4)
        for name in bodies:  # the list's raw strings canonicalize like the detail GET's values
            one = UPLOAD_PRESETS.read_one(api, name)
            assert one is not None and many[name] is not None
            assert dict(one.canonical) == dict(many[name].canonical)  # type: ignore[union-attr]


def test_transformations_list_once_and_get_only_the_names_that_exist() -> None:
    bodies: dict[str, dict[str, Any]] = {
        "thumb": {"transformation": "c_fill,h_100,w_100"},
        "strict_off": {"transformation": "c_scale,w_400/e_sharpen", "allowed_for_strict": False},
    }
    with emulated() as (emu, api):
        for name, body in bodies.items():
            TRANSFORMATIONS.create(api, name, body)
        api.call("create_transformation", "c_crop,w_50", "c_crop,w_50")  # unnamed: not an object
        emu.clear_log()
        assert_reads_as_created(TRANSFORMATIONS, api, bodies)
        gets = calls_to(emu, "GET", "transformations")
        assert len(emu.request_log) == len(gets) == 3
        listed = [r for r in gets if "transformation" not in r.query_and_body_params]
        assert len(listed) == 1 and str(listed[0].query_and_body_params["named"]).lower() == "true"
        detailed = sorted(str(r.query_and_body_params["transformation"]) for r in gets if r not in listed)
        assert detailed == ["strict_off", "thumb"]  # none for "never_made": the list proved it absent

        emu.clear_log()  # names that do not exist: the list alone answers
        assert TRANSFORMATIONS.read_many(api, ["gone_a", "gone_b", "c_crop,w_50"], 4) == {
            "gone_a": None, "gone_b": None, "c_crop,w_50": None,
        }  # fmt: skip
        assert len(emu.request_log) == 1

        emu.clear_log()  # one name: its GET is never more than a list page
        one = TRANSFORMATIONS.read_many(api, ["thumb", "thumb"], 4)
        assert list(one) == ["thumb"] and one["thumb"] is not None
        assert len(emu.request_log) == 1 and "transformation" in emu.request_log[0].query_and_body_params
        emu.clear_log()
        assert TRANSFORMATIONS.read_many(api, ["gone"], 4) == {"gone": None}
        assert [r.status for r in emu.request_log] == [404]


def test_upload_mappings_read_list_pages_only_until_every_name_is_found() -> None:
    with emulated() as (emu, api):
        for i in range(501):  # two list pages of 500
            api.call("create_upload_mapping", f"folder{i:03d}", template=f"https://a.example/{i}/")
        emu.clear_log()
        first = UPLOAD_MAPPINGS.read_many(api, ["folder007", "folder123"], 4)
        assert first["folder007"] is not None
        assert first["folder007"].canonical == {"template": "https://a.example/7/"}
        assert requests(emu) == ["GET upload_mappings"]  # both on the first page: no second one

        emu.clear_log()
        second = UPLOAD_MAPPINGS.read_many(api, ["folder007", "folder500"], 4)
        assert second["folder500"] is not None
        assert second["folder500"].canonical == {"template": "https://a.example/500/"}
        assert requests(emu) == ["GET upload_mappings"] * 2

        emu.clear_log()  # an absent name: only the last page proves it
        assert UPLOAD_MAPPINGS.read_many(api, ["folder001", "nowhere"], 4)["nowhere"] is None
        assert requests(emu) == ["GET upload_mappings"] * 2

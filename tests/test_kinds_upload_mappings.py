"""kinds/upload_mappings.py, and cursor pagination of list reads (shared by every list kind)."""

from __future__ import annotations

from support.kinds_emulator import assert_live_matches, calls_to, emulated, obj

from cloudinary_state.kinds.base import LiveObject
from cloudinary_state.kinds.upload_mappings import UPLOAD_MAPPINGS

U = UPLOAD_MAPPINGS


def test_canonical_forms_and_export() -> None:
    desired = U.canonical_desired(obj("upload_mapping", "media", {"template": "https://a.example/m/"}))
    raw = {"folder": "media", "template": "https://a.example/m/", "external_id": "x1"}
    assert U.canonical_live(raw) == desired == {"template": "https://a.example/m/"}
    live = LiveObject("upload_mapping", "media", desired, raw)
    assert U.canonical_desired(obj("upload_mapping", "media", U.export(live))) == desired
    assert U.references(obj("upload_mapping", "media", {"template": "t"})) == []


def test_create_read_update_delete() -> None:
    with emulated() as (_, api):
        desired = obj("upload_mapping", "media", {"template": "https://a.example/m/"})
        U.create(api, "media", desired.body)
        assert_live_matches(U, api, desired)
        changed = obj("upload_mapping", "media", {"template": "https://b.example/n/"})
        U.update(api, "media", changed.body, U.read_one(api, "media"))  # type: ignore[arg-type]
        assert_live_matches(U, api, changed)
        before = U.read_one(api, "media")
        assert before is not None
        U.delete(api, "media", before)
        assert U.read_one(api, "media") is None
        assert U.read_all(api, 1) == {}


def test_read_all_follows_cursors_with_pages_of_500() -> None:
    with emulated() as (emu, api):
        for i in range(501):
            api.call("create_upload_mapping", f"folder{i:03d}", template=f"https://a.example/{i}/")
        emu.clear_log()
        live = U.read_all(api, 4)
        assert len(live) == 501
        assert live["folder500"].canonical == {"template": "https://a.example/500/"}
        pages = calls_to(emu, "GET", "upload_mappings")
        assert len(pages) == 2 and len(emu.request_log) == 2
        assert str(pages[0].query_and_body_params["max_results"]) == "500"
        assert "next_cursor" in pages[1].query_and_body_params

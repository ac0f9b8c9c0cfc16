"""kinds/upload_mappings.py, and cursor pagination of list reads (shared by every list kind)."""

from __future__ import annotations

from pathlib import Path

from support.harness import BASE_RESOURCES, CLOUD, Harness, with_changes
from support.kinds_emulator import assert_live_matches, calls_to, emulated, obj, writes

from cloudinary_state.config import check_environment
from cloudinary_state.kinds import REGISTRY
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


def test_the_associated_preset_is_config() -> None:
    body = {"template": "https://a.example/m/", "upload_preset_name": "docs"}
    desired = U.canonical_desired(obj("upload_mapping", "media", body))
    raw = {
        "folder": "media",
        "template": "https://a.example/m/",
        "external_id": "x1",
        "upload_preset_name": "docs",
    }
    assert U.canonical_live(raw) == desired == body
    live = LiveObject("upload_mapping", "media", desired, raw)
    assert U.canonical_desired(obj("upload_mapping", "media", U.export(live))) == desired
    assert U.references(obj("upload_mapping", "media", body)) == [("upload_preset", "docs")]
    assert U.live_references(live) == [("upload_preset", "docs")]
    # the API answers null without a preset: the same as a config that names none
    assert U.canonical_live({**raw, "upload_preset_name": None}) == {"template": "https://a.example/m/"}


def test_setting_changing_and_clearing_the_preset() -> None:
    with emulated() as (emu, api):
        with_preset = obj(
            "upload_mapping", "media", {"template": "https://a.example/m/", "upload_preset_name": "a"}
        )
        U.create(api, "media", with_preset.body)
        assert_live_matches(U, api, with_preset)
        other = obj(
            "upload_mapping", "media", {"template": "https://a.example/m/", "upload_preset_name": "b"}
        )
        U.update(api, "media", other.body, U.read_one(api, "media"))  # type: ignore[arg-type]
        assert_live_matches(U, api, other)
        emu.clear_log()
        cleared = obj("upload_mapping", "media", {"template": "https://a.example/m/"})
        U.update(api, "media", cleared.body, U.read_one(api, "media"))  # type: ignore[arg-type]
        assert_live_matches(U, api, cleared)
        [put] = writes(emu)
        assert put.query_and_body_params == {
            "folder": "media",
            "template": "https://a.example/m/",
        }  # null sent


ENV = "cloud_name: demo\ncredentials: C\ninclude: [res.yaml]\n"


def _errors(tmp_path: Path, resources: str, env: str = ENV) -> list[str]:
    (tmp_path / "environments").mkdir(exist_ok=True)
    (tmp_path / "environments" / "demo.yaml").write_text(env)
    (tmp_path / "environments" / "res.yaml").write_text(resources)
    result = check_environment(tmp_path, "demo", REGISTRY, environ={})
    return [f"{d.line}:{d.column} {d.message} {d.hint}" for d in result.errors]


def test_the_preset_must_be_declared_or_ignored(tmp_path: Path) -> None:
    mapping = "upload_mappings:\n  media: {template: 'https://a.example/', upload_preset_name: %s}\n"
    assert _errors(tmp_path, "upload_presets:\n  docs: {}\n" + mapping % "docs") == []
    [error] = _errors(tmp_path, "upload_presets:\n  docs: {}\n" + mapping % "dcos")
    assert error.startswith(
        "4:63 "
    )  # line and column of the value and "upload preset 'dcos' is not declared" in error
    assert "did you mean 'docs'?" in error
    [deleted] = _errors(tmp_path, "upload_presets:\n  docs: {absent: true}\n" + mapping % "docs")
    assert "deletes (absent: true)" in deleted
    ignoring = ENV + "policy: {ignore: {upload_presets: [legacy_*]}}\n"
    assert _errors(tmp_path, mapping % "legacy_docs", ignoring) == []


def test_apply_associates_the_preset_and_converges(harness: Harness) -> None:
    mapping = {"template": "https://media.example.test/uploads/", "upload_preset_name": "product_assets"}
    harness.write(with_changes(BASE_RESOURCES, "upload_mappings", "product_assets", mapping))
    assert harness.run("apply", "--env", "test", "--auto-approve").code == 0
    live = harness.sdk(CLOUD, "upload_mapping", "product_assets")
    assert live["upload_preset_name"] == "product_assets"
    assert harness.plan_is_empty("test")
    harness.write(BASE_RESOURCES)  # the association removed from the config: cleared live
    assert harness.run("apply", "--env", "test", "--auto-approve").code == 0
    assert harness.sdk(CLOUD, "upload_mapping", "product_assets")["upload_preset_name"] is None
    assert harness.plan_is_empty("test")

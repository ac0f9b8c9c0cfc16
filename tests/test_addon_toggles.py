"""Issue 12: three-valued add-on toggles, and an import that is lossless for presets using
add-ons. Through the real SDK against the emulator: `true` keeps an option, `false` strips it
with a note, an add-on the environment does not mention keeps its options (the read-back
tells when the account lacks it), and `import` writes the add-ons the live presets use."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from support.kinds_emulator import writes

from cloudinary_state import Project
from cloudinary_state.config import load_environment
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.engine.apply import ApplyFailed
from cloudinary_state.importer import imported_addons
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.runner_emulator import configured_addons

CLOUD = "acme"
# the presets of an account that has these five add-ons, each option needing one of them
FIVE = frozenset({"google_tagging", "captioning", "aws_rek_tagging", "cloudinary_ai", "adv_ocr"})
PRESETS = """upload_presets:
  tagged:
    settings: {folder: tagged, categorization: "google_tagging,aws_rek_tagging:en", auto_tagging: 0.7}
  analysed:
    settings: {folder: analysed, detection: "captioning,coco_v2", auto_tagging: 0.5}
  cutout:
    settings: {folder: cutout, background_removal: cloudinary_ai}
  scanned:
    settings: {folder: scanned, ocr: "adv_ocr:document"}
"""


@pytest.fixture(scope="module")
def emulated_clouds() -> list[CloudConfig]:
    """`emu` serves one cloud with the five add-ons."""
    return [CloudConfig(name=CLOUD, addons=FIVE)]


def project(root: Path, addons: str = "", presets: str = PRESETS) -> Path:
    (root / "environments" / "common").mkdir(parents=True)
    (root / "environments" / "prod.yaml").write_text(
        f"cloud_name: {CLOUD}\ncredentials: CLOUDINARY_URL_PROD\ninclude: [common/*.yaml]\n{addons}"
    )
    (root / "environments" / "common" / "presets.yaml").write_text(presets)
    return root


def opened(root: Path, emu: EmulatorServer) -> Project:
    return Project.open(root, environ={"CLOUDINARY_URL_PROD": emu.cloudinary_url(CLOUD)})


def test_import_then_plan_is_empty_and_apply_writes_nothing(tmp_path: Path, emu: EmulatorServer) -> None:
    # the presets were made outside the tool: a config that says nothing of add-ons keeps them
    with opened(project(tmp_path / "source"), emu).connect("prod") as conn:
        assert not conn.apply().report.failed
        run = conn.import_(tmp_path / "imported")
    assert "google_tagging,aws_rek_tagging" in str(emu.state(CLOUD).upload_presets["tagged"])
    environment = yaml.safe_load(run.result.files["environments/prod.yaml"])
    assert environment["addons"] == dict.fromkeys(sorted(FIVE), True)
    assert run.result.notes == ()  # unknown add-ons turned on silently: nothing changes

    emu.clear_log()
    with opened(tmp_path / "imported", emu).connect("prod") as again:
        plan = again.plan()
        assert plan.changes == () and plan.notes == (), [c.key for c in plan.changes]
        applied = again.apply()
    assert applied.report.applied == [] and writes(emu) == []
    with opened(tmp_path / "imported", emu).connect("prod") as after:
        assert after.plan().changes == ()


def test_import_turns_on_an_addon_the_environment_turned_off_with_a_note(
    tmp_path: Path, emu: EmulatorServer
) -> None:
    with opened(project(tmp_path / "source"), emu).connect("prod") as conn:
        assert not conn.apply().report.failed
    (tmp_path / "source" / "environments" / "prod.yaml").write_text(
        f"cloud_name: {CLOUD}\ncredentials: CLOUDINARY_URL_PROD\ninclude: [common/*.yaml]\n"
        "addons: {adv_ocr: false, pixelz: false}\n"
    )
    with opened(tmp_path / "source", emu).connect("prod") as conn:
        run = conn.import_()
    environment = yaml.safe_load(run.result.files["environments/prod.yaml"])
    assert environment["addons"] == {**dict.fromkeys(sorted(FIVE), True), "pixelz": False}
    assert run.result.notes == ("add-on adv_ocr is off in prod but the live objects use it: written as on",)


def test_an_addon_the_environment_does_not_mention_keeps_its_option(
    tmp_path: Path, emu: EmulatorServer
) -> None:
    project_dir = project(tmp_path, addons="addons: {cloudinary_ai: true}\n")
    with opened(project_dir, emu).connect("prod") as conn:
        plan = conn.plan()
        assert not [n for c in plan.changes for n in c.notes if "stripped" in n] and plan.notes == ()
        tagged = next(c for c in plan.changes if c.name == "tagged")
        paths = {d.path for d in tagged.diffs}
        assert {"settings.categorization", "settings.auto_tagging"} <= paths, paths
        assert not conn.apply().report.failed
    preset = emu.state(CLOUD).upload_presets["tagged"]
    assert "google_tagging" in str(preset)


def test_an_addon_turned_off_is_stripped_with_a_note(tmp_path: Path, emu: EmulatorServer) -> None:
    project_dir = project(tmp_path, addons="addons: {aws_rek_tagging: false}\n")
    with opened(project_dir, emu).connect("prod") as conn:
        plan = conn.plan()
    tagged = next(c for c in plan.changes if c.name == "tagged")
    categorization = next(d for d in tagged.diffs if d.path == "settings.categorization")
    assert categorization.after == "google_tagging"
    notes = [n for c in plan.changes for n in c.notes] + list(plan.notes)
    assert any("stripped: add-on aws_rek_tagging is off" in n for n in notes), notes


def test_an_unknown_addon_the_account_lacks_fails_the_read_back_naming_it(
    tmp_path: Path, emu: EmulatorServer
) -> None:
    # the account has the five add-ons, not Imagga; the environment does not mention Imagga
    presets = "upload_presets:\n  tagged:\n    settings: {folder: t, categorization: imagga_tagging}\n"
    connection = opened(project(tmp_path, presets=presets), emu).connect("prod")
    with connection as conn, pytest.raises(ApplyFailed) as e:
        conn.apply()
    [(failed, why)] = e.value.report.failed
    assert failed.key == "upload_preset:tagged"
    assert "Imagga Auto Tagging (imagga_tagging), probably not registered" in why


def test_the_embedded_emulator_registers_the_addons_on_and_those_unknown_that_the_config_uses(
    tmp_path: Path,
) -> None:
    project_dir = project(tmp_path, addons="addons: {pixelz: true, adv_ocr: false, captioning: true}\n")
    desired = load_environment(project_dir, "prod", REGISTRY, environ={})
    # pixelz and captioning are on; google_tagging, aws_rek_tagging and cloudinary_ai are
    # unknown and used; adv_ocr is off, so its option is stripped and it is not registered
    assert configured_addons(desired) == {
        "pixelz", "captioning", "google_tagging", "aws_rek_tagging", "cloudinary_ai",
    }  # fmt: skip
    with Project.open(project_dir).connect("prod", emulator=True) as conn:
        assert not conn.apply().report.failed
        assert conn.plan().changes == ()


def test_import_turns_on_what_the_live_objects_use_over_the_environment_toggles() -> None:
    # an add-on in use is on whatever the environment said; other toggles carry over as written
    toggles = {"google_tagging": False, "pixelz": False, "adv_ocr": True}
    assert imported_addons(toggles, ["google_tagging", "captioning"]) == {
        "adv_ocr": True, "captioning": True, "google_tagging": True, "pixelz": False,
    }  # fmt: skip

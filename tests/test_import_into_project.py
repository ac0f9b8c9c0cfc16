"""`import --env ENV` without `--output`: into the project's own config directory, keeping what a
person wrote (comments, key order, formatting) in every file it edits; a second environment's
differences go to its `overrides:`; `--force`; a project with environment files only.

Against the emulator over HTTP, through the CLI; every edited file is compared line by line
with what was there before: the only difference an import may make is lines added.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from support.harness import PRODUCTION, STAGING, WEBHOOK_SECRET, WEBHOOK_SECRETS, Harness
from support.project_import import (
    HAND_WRITTEN,
    environment_text,
    environments_only,
    import_env,
    only_lines_added,
    placeholder_values,
    plan_is_empty,
)


def test_first_import_into_a_project_with_no_resource_file_then_plan_is_empty(workspace: Harness) -> None:
    environments = environments_only(workspace)
    # validate passes while the globs match nothing yet (a warning each, not an error)
    validated = workspace.run("validate", "--all")
    assert validated.code == 0, validated.out + validated.err
    assert "include 'common/*.yaml' matches no file yet" in validated.out + validated.err

    code, out = import_env(workspace, "staging")
    assert code == 0, out
    assert "export " in out  # the webhook's token is a placeholder
    # the first environment's objects go to the shared documents, which its globs cover already
    presets = yaml.safe_load((environments / "common/upload_presets.yaml").read_text())
    assert set(presets["upload_presets"]) == {"product_assets"}
    assert not (environments / "staging").exists()
    assert (environments / "staging.yaml").read_text() == environment_text("staging")  # nothing to add
    assert plan_is_empty(workspace, "staging", placeholder_values(out, "staging"))


def test_second_environment_differences_go_to_its_overrides(workspace: Harness) -> None:
    environments = environments_only(workspace)
    code, out = import_env(workspace, "staging")
    assert code == 0, out
    staging = placeholder_values(out, "staging")
    shared = {p.name: p.read_text() for p in (environments / "common").iterdir()}
    # production drifted apart from staging: a folder, a transformation it lacks, one only it has
    settings = {
        "tags": "product",
        "transformation": "thumb",
        "notification_url": WEBHOOK_SECRETS["production"],
    }
    workspace.sdk(PRODUCTION, "update_upload_preset", "product_assets", folder="prod_assets", **settings)
    workspace.sdk(PRODUCTION, "delete_transformation", "hero")
    workspace.sdk(PRODUCTION, "create_transformation", "banner", "c_fill,h_300,w_1200")

    # the shared documents ask for staging's placeholders: production sets them to its own values
    production = {variable: WEBHOOK_SECRETS["production"].rsplit("token=", 1)[1] for variable in staging}
    for variable, value in production.items():
        workspace.monkeypatch.setenv(variable, value)
    code, out = import_env(workspace, "production")
    assert code == 0, out
    production |= placeholder_values(out, "production")
    assert {p.name: p.read_text() for p in (environments / "common").iterdir()} == shared  # untouched
    after = (environments / "production.yaml").read_text()
    assert only_lines_added(environment_text("production"), after), after
    document = yaml.safe_load(after)
    # production's webhook is another URL, not only another token: a placeholder of its own
    webhook = "${env.UPLOAD_PRESET_PRODUCT_ASSETS_SETTINGS_NOTIFICATION_URL}"
    assert document["overrides"] == {
        "upload_presets": {
            "product_assets": {"settings": {"folder": "prod_assets", "notification_url": webhook}}
        },
        "transformations": {"hero": {"absent": True}},
    }
    assert WEBHOOK_SECRETS["production"] not in after
    own = yaml.safe_load((environments / "production/transformations.yaml").read_text())
    assert own == {"transformations": {"banner": {"transformation": "c_fill,h_300,w_1200"}}}
    assert "production differs" not in out and "written to its overrides" in out

    assert plan_is_empty(workspace, "production", production)
    assert plan_is_empty(workspace, "staging", staging)  # the shared documents still say what staging has


def test_a_second_environment_with_no_new_object_says_where_its_differences_went(
    workspace: Harness,
) -> None:
    environments_only(workspace)
    code, out = import_env(workspace, "staging")
    assert code == 0, out
    for variable in placeholder_values(out, "staging"):  # production sets them to its own values
        workspace.monkeypatch.setenv(variable, WEBHOOK_SECRETS["production"].rsplit("token=", 1)[1])
    workspace.sdk(PRODUCTION, "update_upload_preset", "product_assets", folder="prod_assets")
    code, out = import_env(workspace, "production")
    assert code == 0, out
    assert "production.yaml" in out and "No new objects in production" in out, out
    assert "Nothing new to import" not in out  # it did write: the overrides


def test_import_adds_new_objects_into_hand_written_documents(harness: Harness) -> None:
    resources = harness.config_dir / "environments/common/resources.yaml"
    resources.write_text(HAND_WRITTEN)
    env_file = harness.config_dir / "environments/test.yaml"
    env_before = env_file.read_text()
    harness.apply("test")
    harness.sdk("acme-test", "create_transformation", "square", "c_fill,h_200,w_200")
    harness.sdk("acme-test", "create_upload_preset", name="avatars", folder="avatars", tags="people")

    code, out = import_env(harness, "test")
    assert code == 0, out
    after = resources.read_text()
    assert only_lines_added(HAND_WRITTEN, after), after
    document = yaml.safe_load(after)
    assert set(document["transformations"]) == {"thumb", "square"}
    assert document["upload_presets"]["avatars"] == {"settings": {"folder": "avatars", "tags": ["people"]}}
    assert env_file.read_text() == env_before  # nothing it needed to say
    assert harness.plan_is_empty("test")
    writes = len(harness.writes())
    harness.apply("test")
    assert len(harness.writes()) == writes  # and an apply makes no write

    # a second import finds nothing new, and changes nothing
    code, out = import_env(harness, "test")
    assert code == 0, out
    assert resources.read_text() == after


def test_force_rewrites_own_objects_that_differ_and_nothing_else(harness: Harness) -> None:
    resources = harness.config_dir / "environments/common/resources.yaml"
    resources.write_text(HAND_WRITTEN)
    harness.apply("test")
    settings = {"tags": "product", "transformation": "thumb", "notification_url": WEBHOOK_SECRET}
    harness.sdk("acme-test", "update_upload_preset", "product_assets", folder="moved", **settings)

    # without --force the hand-written definition stays, and the output says why the plan is not empty
    code, out = import_env(harness, "test")
    assert code == 0, out
    assert resources.read_text() == HAND_WRITTEN
    assert "upload_preset product_assets differs from the account and is left as written" in out
    assert not harness.plan_is_empty("test")

    code, out = import_env(harness, "test", "--force")
    assert code == 0, out
    after = resources.read_text()
    assert yaml.safe_load(after)["upload_presets"]["product_assets"]["settings"]["folder"] == "moved"
    assert after.startswith(HAND_WRITTEN.split("upload_presets:")[0])  # the rest as written
    assert after.endswith("\n# the end of the file\n")
    assert WEBHOOK_SECRET not in after
    harness.monkeypatch.setenv("UPLOAD_PRESET_PRODUCT_ASSETS_SETTINGS_NOTIFICATION_URL", WEBHOOK_SECRET)
    assert harness.plan_is_empty("test")


def _production_without_its_own_documents(workspace: Harness) -> tuple[Path, Path]:
    """Staging imported; production's account has an object staging lacks, and its environment
    file includes no document of its own: where would import put it? (environments/, the file)"""
    environments = environments_only(workspace)
    code, out = import_env(workspace, "staging")
    assert code == 0, out
    for variable in placeholder_values(out, "production"):
        workspace.monkeypatch.setenv(variable, WEBHOOK_SECRETS["production"].rsplit("token=", 1)[1])
    workspace.sdk(PRODUCTION, "create_transformation", "banner", "c_fill,h_300,w_1200")
    production = environments / "production.yaml"
    production.write_text(
        environment_text("production").replace("  - production/*.yaml       # only production\n", "")
    )
    return environments, production


def test_a_file_the_environment_does_not_include_is_refused_without_force(workspace: Harness) -> None:
    environments, production = _production_without_its_own_documents(workspace)
    before = production.read_text()
    stray = environments / "production/transformations.yaml"
    stray.parent.mkdir()
    stray.write_text("# notes of someone else, not included anywhere\n")

    code, out = import_env(workspace, "production")
    assert code == 1
    assert f"refusing to add to {stray.resolve()}" in out and "--force" in out
    assert production.read_text() == before and stray.read_text().startswith("# notes")  # nothing written

    code, out = import_env(workspace, "production", "--force")
    assert code == 0, out
    assert stray.read_text().startswith("# notes of someone else")
    assert "banner" in yaml.safe_load(stray.read_text())["transformations"]
    assert yaml.safe_load(production.read_text())["include"] == ["common/*.yaml", "production/*.yaml"]
    assert only_lines_added(before, production.read_text())


MIXED = """\
# indented two ways: an edit would re-indent the second section
transformations:
  thumb:
    transformation: c_fill,h_100,w_100
upload_presets:
      product_assets:
            unsigned: false
            settings:
              folder: product_assets
              tags: [product]
              transformation: t_thumb
              notification_url: "${env.TEST_WEBHOOK_URL}"
"""


def test_a_file_an_edit_would_reformat_is_refused_without_force(harness: Harness) -> None:
    resources = harness.config_dir / "environments/common/resources.yaml"
    resources.write_text(MIXED)
    harness.apply("test")
    harness.sdk("acme-test", "create_transformation", "square", "c_fill,h_200,w_200")

    code, out = import_env(harness, "test")
    assert code == 1
    assert "its formatting would change if it were edited" in out
    assert resources.read_text() == MIXED

    code, out = import_env(harness, "test", "--force")
    assert code == 0, out
    after = resources.read_text()
    assert after.startswith("# indented two ways")  # comments kept, layout rewritten
    assert "square" in yaml.safe_load(after)["transformations"]
    assert harness.plan_is_empty("test")


ENVIRONMENT_WITHOUT_ADDONS = """\
# test: written by hand before the first import
cloud_name: acme-test
credentials: CLOUDINARY_URL_TEST   # exported by CI
include:
  - common/*.yaml

policy:
  ignore:
    upload_presets: [ml_default]   # made by the console
"""


def test_import_turns_on_the_addons_used_and_trusts_references_of_kinds_left_out(harness: Harness) -> None:
    (harness.config_dir / "environments/common/resources.yaml").unlink()
    env_file = harness.config_dir / "environments/test.yaml"
    env_file.write_text(ENVIRONMENT_WITHOUT_ADDONS)
    harness.sdk("acme-test", "create_transformation", "thumb", "c_fill,h_100,w_100")
    harness.sdk(
        "acme-test",
        "create_upload_preset",
        name="tagged",
        folder="tagged",
        categorization="google_tagging",
        auto_tagging=0.7,
        transformation="thumb",
    )

    code, out = import_env(harness, "test", "--kind", "upload_preset")
    assert code == 0, out
    after = env_file.read_text()
    assert only_lines_added(ENVIRONMENT_WITHOUT_ADDONS, after), after
    document = yaml.safe_load(after)
    assert document["addons"] == {"google_tagging": True}
    assert document["policy"]["ignore"] == {"upload_presets": ["ml_default"], "transformations": ["thumb"]}
    presets = yaml.safe_load((harness.config_dir / "environments/common/upload_presets.yaml").read_text())
    assert presets["upload_presets"]["tagged"]["settings"]["categorization"] == "google_tagging"
    assert harness.plan_is_empty("test")


# --- hostile files where import edits: refused like a config file, bounded, nothing written ---

# nine levels of nine aliases: 387 million values once expanded
BILLION_LAUGHS = "lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)
)


def _write(path: Path, content: str | bytes) -> None:
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)


def _replace_by_file(folder: Path) -> None:
    folder.rmdir()
    _write(folder, "x")


def _hostile_cases(stray: Path) -> dict[str, tuple[Callable[[], object], str]]:
    """What the file `import --force` would edit is made into, and the message expected."""
    folder = stray.parent
    return {
        "alias bomb": (lambda: _write(stray, BILLION_LAUGHS), f"{stray}:6:12: YAML aliases repeat more than"),
        "deep nesting": (
            lambda: _write(stray, "".join(f"{'  ' * i}k{i}:\n" for i in range(1000))),
            f"{stray}:101:201: YAML nested deeper than 100 levels",  # before ruamel recursed into it
        ),
        "too large": (
            lambda: _write(stray, "#" * (9 << 20)),
            f"{stray}:1:1: cannot read file: the file is larger than the limit of 8 MiB",
        ),
        "bad UTF-8": (
            lambda: _write(stray, b"# notes\ntransformations: {x\xff: 1}\n"),
            f"{stray}:2:20: byte 0xff",
        ),
        "a list": (lambda: _write(stray, "- a\n- b\n"), f"{stray}: not a YAML mapping"),
        "a directory": (lambda: stray.mkdir(), f"{stray}:1:1: cannot read file: is a directory"),
        "a symlink loop": (lambda: stray.symlink_to(stray.name), f"{stray}: exists but is not a file"),
        "its folder a file": (lambda: _replace_by_file(folder), f"{folder}: exists but is not a directory"),
    }


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()


def test_a_hostile_file_where_import_edits_is_refused_with_its_place_and_nothing_is_written(
    workspace: Harness,
) -> None:
    """`import --force` edits a file no environment includes: the file is untrusted as a
    config is (size, nesting, aliases, encoding; an alias bomb stays unexpanded in ruamel, but
    the next validate would refuse it), and one of the wrong type is named, not a traceback."""
    environments, production = _production_without_its_own_documents(workspace)
    before = {p: p.read_bytes() for p in environments.rglob("*") if p.is_file()}
    stray = (environments / "production").resolve() / "transformations.yaml"
    for case, (make, expected) in _hostile_cases(stray).items():
        _remove(stray.parent)
        stray.parent.mkdir()
        make()
        started = time.monotonic()
        code, out = import_env(workspace, "production", "--force")
        assert code == 1 and expected in out, (case, out)
        assert time.monotonic() - started < 5, case  # bounded: the deep one recursed, the large one read all
        assert production.read_bytes() == before[production], case  # nothing written
    _remove(stray.parent)


def test_the_files_of_an_import_are_written_all_or_none(tmp_path: Path) -> None:
    from cloudinary_state.import_merge import _write_all
    from cloudinary_state.importer import ImportRefused

    first, blocked = tmp_path / "a.yaml", tmp_path / "file" / "b.yaml"
    first.write_text("# before\n")
    (tmp_path / "file").write_text("in the way")
    with pytest.raises(ImportRefused, match=r"cannot write .*file.*: (File exists|Not a directory)"):
        _write_all({first: "# after\n", blocked: "x: 1\n"})
    assert first.read_text() == "# before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "file"]  # no temporary left
    _write_all({first: "# after\n", tmp_path / "new" / "c.yaml": "x: 1\n"})
    assert first.read_text() == "# after\n" and (tmp_path / "new" / "c.yaml").read_text() == "x: 1\n"


def test_values_yaml_would_read_as_other_types_import_as_text_and_plan_empty(workspace: Harness) -> None:
    """A live value that plain YAML 1.1 reads as a boolean or a number (an enum's Yes and No, a
    tag 'on', a folder '017', a context value '1:20') is written quoted: it loads back as text."""
    environments_only(workspace)
    values = [{"external_id": "y", "value": "Yes"}, {"external_id": "n", "value": "No"}]
    workspace.sdk(
        STAGING,
        "add_metadata_field",
        {"external_id": "approved", "type": "enum", "label": "On", "datasource": {"values": values}},
    )
    workspace.sdk(
        STAGING,
        "create_upload_preset",
        name="odd",
        folder="017",
        tags=["on", "off"],
        context={"ratio": "1:20"},
    )
    code, out = import_env(workspace, "staging")
    assert code == 0, out
    validated = workspace.run("validate", "--env", "staging")
    assert validated.code == 0, validated.out + validated.err
    assert plan_is_empty(workspace, "staging", placeholder_values(out, "staging"))

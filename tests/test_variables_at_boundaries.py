"""Import, promote and diff map a variable's value back to `${var.NAME}` only where it is the
whole value or a URL/folder prefix, never inside a word (`stage` in `backstage`)."""

from __future__ import annotations

import yaml
from support.harness import DOMAINS, PRODUCTION, STAGING, Harness

from cloudinary_state.desired import KindName
from cloudinary_state.envdiff import Side, compare
from cloudinary_state.importer import map_variables_back

TIERS = {"staging": "stage", "production": "prod"}


def test_only_whole_values_and_boundary_prefixes_are_mapped() -> None:
    variables = {"tier": "stage", "domain": "https://media.acme.example", "n": "1"}
    cases = {
        "backstage/uploads": "backstage/uploads",  # inside a word: kept
        "stage": "${var.tier}",
        "stage/uploads": "${var.tier}/uploads",
        "stage:x": "${var.tier}:x",
        "stages": "stages",
        "https://media.acme.example": "${var.domain}",
        "https://media.acme.example/a?b#c": "${var.domain}/a?b#c",
        "https://media.acme.example.evil/": "https://media.acme.example.evil/",
        "https://cdn.example/https://media.acme.example/": "https://cdn.example/https://media.acme.example/",
        "1": "1",  # too short to mean anything
        "a ${literal}": "a $${literal}",
    }
    for text, written in cases.items():
        assert map_variables_back(text, variables) == written, text
    assert map_variables_back({"folder": "backstage/uploads"}, {"tier": "stage"}) == {
        "folder": "backstage/uploads"
    }


def test_diff_does_not_explain_a_word_by_a_variable() -> None:
    key: tuple[KindName, str] = ("upload_preset", "p")

    def side(env: str, folder: str) -> Side:
        return Side(env, {key: {"unsigned": False, "settings": {"folder": folder}}}, {"tier": TIERS[env]})

    [obj] = compare(side("staging", "backstage/x"), side("production", "backprod/x"), "desired").objects
    assert obj.diffs[0].cause == "real"
    [obj] = compare(side("staging", "stage/x"), side("production", "prod/x"), "desired").objects
    assert obj.diffs[0].cause == "variable" and obj.diffs[0].detail == "variable tier"


def _with_tiers(ws: Harness) -> None:
    for env in ("staging", "production"):
        ws.write_environment(env, variables={"source_domain": DOMAINS[env], "tier": TIERS[env]})


def _console_preset(ws: Harness) -> None:
    ws.sdk(STAGING, "create_upload_preset", name="console_made", folder="backstage/uploads", tags="stage")


def test_import_keeps_a_word_that_contains_a_variable(workspace: Harness) -> None:
    _with_tiers(workspace)
    workspace.apply("staging")
    _console_preset(workspace)
    output = workspace.config_dir.parent / "imported"
    result = workspace.run("import", "--env", "staging", "--output", str(output), env="staging")
    assert result.code == 0, result.err
    presets = yaml.safe_load((output / "environments/common/upload_presets.yaml").read_text())
    settings = presets["upload_presets"]["console_made"]["settings"]
    assert settings["folder"] == "backstage/uploads"
    assert settings["tags"] == ["${var.tier}"]  # the whole value is the variable's


def test_promote_keeps_a_word_that_contains_a_variable(workspace: Harness) -> None:
    _with_tiers(workspace)
    workspace.apply("staging")
    workspace.apply("production")
    _console_preset(workspace)
    result = workspace.run("promote", "--from", "staging", "--to", "production", "--write", env="production")
    assert result.code == 0, result.out + result.err
    text = (workspace.config_dir / "environments/common/resources.yaml").read_text()
    settings = yaml.safe_load(text)["upload_presets"]["console_made"]["settings"]
    assert settings["folder"] == "backstage/uploads"
    workspace.apply("production")
    assert (
        workspace.sdk(PRODUCTION, "upload_preset", "console_made")["settings"]["folder"]
        == "backstage/uploads"
    )

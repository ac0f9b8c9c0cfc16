"""`import` through the CLI: files, overwrite refusal, --kind, placeholders, policy carried over."""

from __future__ import annotations

from pathlib import Path

import yaml
from support.harness import STAGING, WEBHOOK_SECRETS, WORKSPACE_RESOURCES, Harness

PRESET_VARIABLE = "UPLOAD_PRESET_PRODUCT_ASSETS_SETTINGS_NOTIFICATION_URL"


def _import(ws: Harness, output: Path, *extra: str) -> tuple[int, str, str]:
    result = ws.run("import", "--env", "staging", "--output", str(output), *extra, env="staging")
    return result.code, result.out, result.err


def test_import_writes_config_that_plans_empty(workspace: Harness) -> None:
    workspace.apply("staging")
    output = workspace.config_dir.parent / "imported"
    code, out, err = _import(workspace, output)
    assert code == 0, err
    env_file = yaml.safe_load((output / "environments" / "staging.yaml").read_text())
    assert env_file["cloud_name"] == STAGING
    assert env_file["credentials"] == "CLOUDINARY_URL_STAGING"
    assert env_file["variables"] == {"source_domain": "https://staging-media.acme.example"}
    assert env_file["addons"] == {"google_tagging": True}
    assert env_file["include"] == [
        "common/metadata_fields.yaml",
        "common/transformations.yaml",
        "common/metadata_rules.yaml",
        "common/streaming_profiles.yaml",
        "common/upload_presets.yaml",
        "common/upload_mappings.yaml",
        "common/triggers.yaml",
    ]
    mappings = yaml.safe_load((output / "environments/common/upload_mappings.yaml").read_text())
    assert mappings == {"upload_mappings": {"product_assets": {"template": "${var.source_domain}/uploads/"}}}
    transformations = (output / "environments/common/transformations.yaml").read_text()
    assert transformations.index("hero:") < transformations.index("thumb:")  # stable, sorted order

    # the webhook came from ${env.WEBHOOK_URL}: it is written as a placeholder and listed
    presets = (output / "environments/common/upload_presets.yaml").read_text()
    assert f"${{env.{PRESET_VARIABLE}}}" in presets
    assert f"export {PRESET_VARIABLE}=" in out
    everything = "".join(p.read_text() for p in output.rglob("*.yaml")) + out + err
    assert WEBHOOK_SECRETS["staging"] not in everything

    workspace.monkeypatch.setenv(PRESET_VARIABLE, WEBHOOK_SECRETS["staging"])
    result = workspace.run("--config-dir", str(output), "plan", "--env", "staging", "--detailed-exitcode")
    assert result.code == 0, result.out + result.err


def test_existing_files_are_refused_without_force(workspace: Harness) -> None:
    workspace.apply("staging")
    output = workspace.config_dir.parent / "imported"
    assert _import(workspace, output)[0] == 0
    target = output / "environments/common/transformations.yaml"
    target.write_text("# edited by hand\n")
    code, _, err = _import(workspace, output)
    assert code == 1
    assert "refusing to overwrite" in err and "--force" in err
    assert target.read_text() == "# edited by hand\n"  # nothing written
    assert _import(workspace, output, "--force")[0] == 0
    assert "thumb:" in target.read_text()


def test_kind_narrows_the_import_and_the_prune_policy(workspace: Harness) -> None:
    workspace.apply("staging")
    resources = {
        **WORKSPACE_RESOURCES,
        "transformations": {"thumb": WORKSPACE_RESOURCES["transformations"]["thumb"]},
    }
    workspace.write_resources(resources)  # hero stays live, now ignored
    workspace.write_environment(
        "staging",
        policy={"prune": ["upload_mappings"], "ignore": {"transformations": ["hero"]}},
    )
    output = workspace.config_dir.parent / "imported"
    code, _, err = _import(workspace, output, "--kind", "transformation")
    assert code == 0, err
    written = sorted(p.relative_to(output).as_posix() for p in output.rglob("*.yaml"))
    assert written == ["environments/common/transformations.yaml", "environments/staging.yaml"]
    env_file = yaml.safe_load((output / "environments/staging.yaml").read_text())
    # pruning mappings that were not imported would delete them all: the prune is dropped
    assert env_file["policy"] == {"ignore": {"transformations": ["hero"]}}
    transformations = yaml.safe_load((output / "environments/common/transformations.yaml").read_text())
    assert set(transformations["transformations"]) == {"thumb"}  # ignored objects are not imported


def test_the_whole_policy_of_imported_kinds_is_carried_over(workspace: Harness) -> None:
    workspace.apply("staging")
    ignore_changes = {"upload_presets": {"product_*": ["settings.notification_url"]}}
    safety = {"max_delete_percent": 40.0, "min_existing": 3, "max_affected_assets": 100}
    workspace.write_environment("staging", policy={"ignore_changes": ignore_changes, "safety": safety})
    output = workspace.config_dir.parent / "imported"
    code, _, err = _import(workspace, output)
    assert code == 0, err
    env_file = yaml.safe_load((output / "environments/staging.yaml").read_text())
    # another system's field stays another system's, and the asset limit still guards deletes
    assert env_file["policy"] == {"ignore_changes": ignore_changes, "safety": safety}
    code, _, err = _import(workspace, output, "--kind", "transformation", "--force")
    assert code == 0, err
    env_file = yaml.safe_load((output / "environments/staging.yaml").read_text())
    assert env_file["policy"] == {"safety": safety}  # presets were not imported


def test_console_values_that_look_secret_become_placeholders(workspace: Harness) -> None:
    workspace.apply("staging")
    workspace.sdk(
        STAGING,
        "create_upload_preset",
        name="console_made",
        folder="literal ${not_a_variable}",
        notification_url="https://hooks.example.test/in?team=7&api_key=KEY-FROM-CONSOLE-1&sig=SIG-2",
        eval="upload_options['context'] = 'secret=EVAL-SECRET-3'",
    )
    output = workspace.config_dir.parent / "imported"
    code, out, err = _import(workspace, output, "--kind", "upload_preset")
    assert code == 0, err
    presets = yaml.safe_load((output / "environments/common/upload_presets.yaml").read_text())
    settings = presets["upload_presets"]["console_made"]["settings"]
    prefix = "UPLOAD_PRESET_CONSOLE_MADE_SETTINGS"
    assert settings["notification_url"] == (
        f"https://hooks.example.test/in?team=7&api_key=${{env.{prefix}_NOTIFICATION_URL_API_KEY}}"
        f"&sig=${{env.{prefix}_NOTIFICATION_URL_SIG}}"
    )
    assert settings["eval"] == f"${{env.{prefix}_EVAL}}"
    assert settings["folder"] == "literal $${not_a_variable}"  # escaped, not a placeholder
    text = (output / "environments/common/upload_presets.yaml").read_text()
    for secret in ("KEY-FROM-CONSOLE-1", "SIG-2", "EVAL-SECRET-3"):
        assert secret not in text and secret not in out
    for variable in ("NOTIFICATION_URL_API_KEY", "NOTIFICATION_URL_SIG", "EVAL"):
        assert f"export {prefix}_{variable}=" in out

    # product_assets refers to t_thumb, a transformation this import leaves out: trusted, ignored
    env_file = yaml.safe_load((output / "environments/staging.yaml").read_text())
    assert env_file["policy"] == {"ignore": {"transformations": ["thumb"]}}
    assert "note: transformation thumb is referenced but its kind was not imported" in out

    workspace.monkeypatch.setenv(PRESET_VARIABLE, WEBHOOK_SECRETS["staging"])
    workspace.monkeypatch.setenv(f"{prefix}_NOTIFICATION_URL_API_KEY", "KEY-FROM-CONSOLE-1")
    workspace.monkeypatch.setenv(f"{prefix}_NOTIFICATION_URL_SIG", "SIG-2")
    workspace.monkeypatch.setenv(f"{prefix}_EVAL", "upload_options['context'] = 'secret=EVAL-SECRET-3'")
    result = workspace.run("--config-dir", str(output), "plan", "--env", "staging", "--detailed-exitcode")
    assert result.code == 0, result.out + result.err


def test_import_from_the_embedded_emulator(workspace: Harness) -> None:
    workspace.use_env("staging")
    assert workspace.run("apply", "--env", "staging", "--emulator", "--auto-approve").code == 0
    output = workspace.config_dir.parent / "imported"
    code, _, err = _import(workspace, output, "--emulator")
    assert code == 0, err
    transformations = yaml.safe_load((output / "environments/common/transformations.yaml").read_text())
    assert set(transformations["transformations"]) == {"hero", "thumb"}
    # the embedded account's state moves along with the config: then the plan there is empty
    state = Path(".cloudinary-state/emulator/staging.json")
    (output / state).parent.mkdir(parents=True)
    (output / state).write_text((workspace.config_dir / state).read_text())
    workspace.monkeypatch.setenv(PRESET_VARIABLE, WEBHOOK_SECRETS["staging"])
    result = workspace.run(
        "--config-dir", str(output), "plan", "--env", "staging", "--emulator", "--detailed-exitcode"
    )
    assert result.code == 0, result.out + result.err


def test_a_preset_naming_a_missing_transformation_imports_and_plans_empty(workspace: Harness) -> None:
    """The API takes a preset whose eager step names a transformation the account lacks (only an
    upload through it fails): import keeps it, validate warns, and the plan is empty."""
    workspace.apply("staging")
    workspace.sdk(STAGING, "create_upload_preset", name="legacy", eager="t_gone/w_10")
    output = workspace.config_dir.parent / "imported"
    code, _, err = _import(workspace, output)
    assert code == 0, err
    workspace.monkeypatch.setenv(PRESET_VARIABLE, WEBHOOK_SECRETS["staging"])
    validated = workspace.run("--config-dir", str(output), "validate", "--env", "staging")
    assert validated.code == 0, validated.out + validated.err
    assert "t_gone names a transformation that is not declared" in validated.out + validated.err
    result = workspace.run("--config-dir", str(output), "plan", "--env", "staging", "--detailed-exitcode")
    assert result.code == 0, result.out + result.err

"""load_environment: the DesiredState contract the engine codes against."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from cloudinary_state.config import check_environment, list_environments, load_environment
from cloudinary_state.config.models import environment_model
from cloudinary_state.desired import DesiredState, Policy, SourceRef, StrippedOption
from cloudinary_state.engine.plan import config_digest
from cloudinary_state.errors import ConfigError
from cloudinary_state.kinds import REGISTRY

REPO = Path(__file__).resolve().parent.parent

ENV = """cloud_name: demo
credentials: CLOUDINARY_URL_DEMO
include: [common/*.yaml]
variables: {domain: "https://media.example.com", width: 320}
addons: {google_tagging: true, aws_rek_tagging: false}
"""
RESOURCES = """transformations:
  thumb:
    transformation: c_fill,h_100,w_${var.width}
metadata_fields:
  sku: {type: string, label: SKU, restrictions: {readonly_ui: true}}
upload_presets:
  uploads:
    unsigned: false
    settings:
      folder: uploads
      tags: [a, b]
      eager: [t_thumb, "c_scale,w_${var.width}/f_auto"]
      metadata: {sku: ABC}
      categorization: google_tagging,aws_rek_tagging
      auto_tagging: 0.6
      notification_url: "${env.HOOK_URL:-https://hooks.example.com/x}"
upload_mappings:
  media: {template: "${var.domain}/media/"}
"""


def write_config(root: Path, env: str = ENV, resources: str = RESOURCES, **extra: str) -> Path:
    (root / "environments" / "common").mkdir(parents=True, exist_ok=True)
    (root / "environments" / "demo.yaml").write_text(env)
    (root / "environments" / "common" / "res.yaml").write_text(resources)
    for name, text in extra.items():
        (root / "environments" / "common" / name).write_text(text)
    return root


def load(root: Path, **kwargs: object) -> DesiredState:
    return load_environment(root, "demo", REGISTRY, environ=kwargs.pop("environ", {}), **kwargs)  # type: ignore[arg-type]


def test_bodies_are_what_the_user_set_after_rendering(tmp_path: Path) -> None:
    state = load(write_config(tmp_path))
    assert state.environment == "demo"
    assert state.cloud_name == "demo"
    assert state.credentials_env == "CLOUDINARY_URL_DEMO"
    assert state.variables == {"domain": "https://media.example.com", "width": "320"}
    assert state.get("transformation", "thumb") is not None
    assert state.by_kind("transformation")["thumb"].body == {"transformation": "c_fill,h_100,w_320"}
    assert state.by_kind("metadata_field")["sku"].body == {
        "type": "string",
        "label": "SKU",
        "restrictions": {"readonly_ui": True},
    }
    preset = state.by_kind("upload_preset")["uploads"]
    assert preset.body == {
        "unsigned": False,
        "settings": {
            "folder": "uploads",
            "tags": ["a", "b"],
            "eager": ["t_thumb", "c_scale,w_320/f_auto"],
            "metadata": {"sku": "ABC"},
            "categorization": "google_tagging",
            "auto_tagging": 0.6,
            "notification_url": "https://hooks.example.com/x",
        },
    }
    assert preset.stripped_options == (
        StrippedOption("settings.categorization", "aws_rek_tagging", "aws_rek_tagging"),
    )
    assert preset.sensitive_paths == frozenset({"settings.notification_url"})
    assert preset.source == SourceRef(str(tmp_path / "environments/common/res.yaml"), 7, 3)
    assert state.by_kind("upload_mapping")["media"].body == {"template": "https://media.example.com/media/"}
    assert [o.kind for o in state.objects] == [
        "metadata_field",
        "transformation",
        "upload_preset",
        "upload_mapping",
    ]
    # only what the environment says: an add-on it does not mention is unknown, not off
    assert state.addons == {"aws_rek_tagging": False, "google_tagging": True}


def test_an_addon_the_environment_does_not_mention_keeps_its_options(tmp_path: Path) -> None:
    env = ENV.replace("addons: {google_tagging: true, aws_rek_tagging: false}", "")
    root = write_config(tmp_path, env=env)
    result = check_environment(root, "demo", REGISTRY, environ={})
    assert result.state is not None and result.state.addons == {}
    preset = result.state.by_kind("upload_preset")["uploads"]
    assert preset.body["settings"]["categorization"] == "google_tagging,aws_rek_tagging"
    assert preset.body["settings"]["auto_tagging"] == 0.6
    assert preset.stripped_options == ()
    assert not [w for w in result.warnings if "add-on" in w.message]


def test_env_values_are_secrets_and_never_in_messages(tmp_path: Path) -> None:
    root = write_config(tmp_path)
    state = load(root, environ={"HOOK_URL": "https://hooks.example.com/t0ps3cret"})
    preset = state.by_kind("upload_preset")["uploads"]
    assert preset.body["settings"]["notification_url"] == "https://hooks.example.com/t0ps3cret"
    assert "https://hooks.example.com/t0ps3cret" in state.secrets
    (root / "environments/common/res.yaml").write_text(
        RESOURCES.replace(
            'notification_url: "${env.HOOK_URL:-https://hooks.example.com/x}"',
            'notification_url: "${env.HOOK_URL}"',
        )
    )
    with pytest.raises(ConfigError) as e:
        load(root, environ={"HOOK_URL": "not a url t0ps3cret"})
    assert "is not an http(s) URL" in str(e.value)
    assert "t0ps3cret" not in str(e.value)


def test_unset_env_is_an_error_unless_offline(tmp_path: Path) -> None:
    root = write_config(tmp_path, resources=RESOURCES.replace(":-https://hooks.example.com/x", ""))
    with pytest.raises(ConfigError) as e:
        load(root)
    assert "environment variable 'HOOK_URL' is not set" in str(e.value)
    result = check_environment(root, "demo", REGISTRY, environ={}, require_env=False)
    assert result.state is not None
    assert [w.message for w in result.warnings if "HOOK_URL" in w.message]


def test_environ_defaults_to_the_process_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_URL", "https://from-process.example.com/")
    state = load_environment(write_config(tmp_path), "demo", REGISTRY)
    assert state.by_kind("upload_preset")["uploads"].body["settings"]["notification_url"] == (
        "https://from-process.example.com/"
    )
    assert os.environ["HOOK_URL"] in state.secrets


def test_strict_turns_each_stripped_option_into_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        load(write_config(tmp_path), strict=True)
    (d,) = e.value.diagnostics
    assert (
        d.line == 14
        and "aws_rek_tagging" in d.message
        and d.hint == ("turn on addons.aws_rek_tagging, or remove the option")
    )


def test_digest_is_stable_and_follows_the_rendering(tmp_path: Path) -> None:
    root = write_config(tmp_path)

    def digest(**kw: Any) -> str:
        return config_digest(load(root, **kw), b"api-secret")

    first = digest()
    assert first.startswith("hmac-sha256:") and len(first) == len("hmac-sha256:") + 64
    assert digest() == first
    assert digest(environ={"HOOK_URL": "https://other.example.com/"}) != first
    (root / "environments/demo.yaml").write_text(
        ENV.replace("{google_tagging: true,", "{google_tagging: true, pixelz: true,")
    )
    assert digest() != first


def test_digest_is_keyed_so_a_plan_reader_cannot_test_secret_guesses(tmp_path: Path) -> None:
    """The rendered bodies hold the ${env.*} values: without the account's api_secret, a
    digest cannot be recomputed from a guess (a plain sha256 could)."""
    state = load(write_config(tmp_path), environ={"HOOK_URL": "https://hooks.example.com/pin42"})
    keyed = config_digest(state, b"api-secret")
    assert config_digest(state, b"another-account") != keyed


def test_overrides_deep_merge_and_replace_lists(tmp_path: Path) -> None:
    env = (
        ENV
        + """overrides:
  upload_presets:
    uploads:
      unsigned: true
      settings: {tags: [c], folder: staging}
  transformations:
    thumb: {absent: true}
"""
    )
    root = write_config(tmp_path, env=env, resources=RESOURCES.replace("eager: [t_thumb, ", "eager: ["))
    state = load(root)
    settings = state.by_kind("upload_preset")["uploads"].body["settings"]
    assert (
        settings["tags"] == ["c"]
        and settings["folder"] == "staging"
        and settings["metadata"] == {"sku": "ABC"}
    )
    assert state.by_kind("upload_preset")["uploads"].body["unsigned"] is True
    thumb = state.by_kind("transformation")["thumb"]
    assert thumb.absent and thumb.body == {}
    assert thumb.source is not None and thumb.source.file.endswith("demo.yaml")


def test_an_override_error_points_into_the_environment_file(tmp_path: Path) -> None:
    env = ENV + "overrides:\n  upload_presets:\n    uploads:\n      settings: {foldr: x}\n"
    with pytest.raises(ConfigError) as e:
        load(write_config(tmp_path, env=env))
    (d,) = e.value.diagnostics
    assert d.file.endswith("environments/demo.yaml") and d.line == 9 and "unknown key 'foldr'" in d.message


def test_tombstones(tmp_path: Path) -> None:
    extra = "upload_presets:\n  old: {absent: true}\n"
    state = load(write_config(tmp_path, **{"old.yaml": extra}))
    old = state.by_kind("upload_preset")["old"]
    assert old.absent and old.body == {} and old.source is not None and old.source.line == 2


def test_policy_maps_sections_to_kinds_and_ignore_covers_references(tmp_path: Path) -> None:
    env = (
        ENV
        + """policy:
  prune: [upload_mappings]
  ignore: {transformations: ["ext_*"], upload_presets: [ml_default]}
  protect: {metadata_fields: [sku]}
  safety: {max_delete_percent: 50, min_existing: 3}
"""
    )
    resources = RESOURCES.replace("eager: [t_thumb, ", "eager: [t_ext_banner, ")
    state = load(write_config(tmp_path, env=env, resources=resources))
    assert state.policy.prune == frozenset({"upload_mapping"})
    assert state.policy.is_ignored("transformation", "ext_banner")
    assert state.policy.is_ignored("upload_preset", "ml_default")
    assert state.policy.is_protected("metadata_field", "sku")
    assert (state.policy.safety.max_delete_percent, state.policy.safety.min_existing) == (50, 3)


@pytest.mark.parametrize("policy", ["", "policy: {}\n", "policy: {safety: {min_existing: 3}}\n"])
def test_what_the_environment_leaves_out_of_its_policy_is_the_models_default(
    tmp_path: Path, policy: str
) -> None:
    # the loader reads the validated document, where what the user left out is absent: the
    # defaults it applies must be the model's (which the JSON Schema and docs show)
    environment: Any = environment_model(REGISTRY).model_validate(yaml.safe_load(ENV + policy))
    model = environment.policy
    assert model.model_dump(exclude={"safety"}) == {
        "prune": [],
        "ignore": {},
        "protect": {},
        "ignore_changes": {},
    }
    state = load(write_config(tmp_path, env=ENV + policy))
    assert state.policy == Policy(safety=state.policy.safety)  # nothing pruned, ignored, protected
    assert dataclasses.asdict(state.policy.safety) == model.safety.model_dump()


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    resources = RESOURCES.replace("c_fill,h_100", "c_fill,,h_100").replace("sku: ABC", "skew: ABC")
    env = ENV.replace("google_tagging: true", "google_tagging: true, pixels: true")
    with pytest.raises(ConfigError) as e:
        load(write_config(tmp_path, env=env, resources=resources))
    messages = " | ".join(d.message for d in e.value.diagnostics)
    assert "unknown add-on 'pixels'" in messages
    assert "invalid transformation" in messages
    assert "field 'skew' is not declared" in messages


def test_include_same_file_twice_is_loaded_once(tmp_path: Path) -> None:
    env = ENV.replace("include: [common/*.yaml]", "include: [common/*.yaml, common/res.yaml]")
    assert len(load(write_config(tmp_path, env=env)).objects) == 4


def test_symlink_leaving_the_config_dir_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("transformations: {}\n")
    root = write_config(tmp_path / "cfg")
    (root / "environments/common/link.yaml").symlink_to(outside)
    with pytest.raises(ConfigError) as e:
        load(root)
    assert "outside the config directory" in str(e.value)


def test_list_environments(tmp_path: Path) -> None:
    assert list_environments(REPO) == ["production", "staging"]
    assert list_environments(tmp_path) == []


def test_examples_load_with_no_env_var_set() -> None:
    for env in list_environments(REPO):
        state = load_environment(REPO, env, REGISTRY, environ={})
        preset = state.by_kind("upload_preset")["product_assets"]
        settings = preset.body["settings"]
        assert len(settings["eager"]) == 4
        assert all("f_auto" in e and "q_auto" in e for e in settings["eager"])
        assert settings["categorization"] == "google_tagging" and settings["detection"] == "captioning"
        assert {r["access_type"] for r in settings["access_control"]} == {"token", "anonymous"}
        assert preset.sensitive_paths == frozenset({"settings.notification_url"})
        status = state.by_kind("metadata_field")["status"].body
        assert [v["value"] for v in status["datasource"]["values"]] == ["Metadata complete", "Requires data"]
        assert state.by_kind("metadata_field")["sku"].body["restrictions"] == {"readonly_ui": True}
        assert state.by_kind("transformation")["product_images"].body["transformation"] == (
            "e_background_removal/c_pad,b_white,h_1600,w_1600/e_shadow"
        )
        assert state.by_kind("upload_mapping")["product_assets"].body["template"].endswith("/media/uploads/")
    staging = load_environment(REPO, "staging", REGISTRY, environ={})
    production = load_environment(REPO, "production", REGISTRY, environ={})
    assert staging.cloud_name != production.cloud_name
    assert staging.credentials_env != production.credentials_env
    assert staging.addons != production.addons


def test_no_message_quotes_an_env_value_even_where_a_check_would(tmp_path: Path) -> None:
    resources = """metadata_fields:
  status:
    type: enum
    label: Status
    datasource: {values: [{external_id: done, value: Done}]}
upload_presets:
  uploads:
    settings:
      type: "${env.PRESET_TYPE}"
  tagged:
    settings:
      metadata: {status: "${env.STATUS_ID}"}
"""
    root = write_config(tmp_path, resources=resources)
    with pytest.raises(ConfigError) as e:
        load(root, environ={"PRESET_TYPE": "s3cr3t-type", "STATUS_ID": "s3cr3t-status"})
    text = str(e.value)
    assert "settings.type" in text and "settings.metadata.status" in text
    assert "s3cr3t" not in text

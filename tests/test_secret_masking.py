"""Secrets stay out of every output: `${env.*}` values masked in each kind's canonical paths, in
stripped-option notes and in `diff --live`; the plan's hashes keyed with the account's secret."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from support.cli_runner import planned_changes
from support.harness import PRODUCTION, STAGING, WORKSPACE_RESOURCES, Harness
from support.plan_fakes import DIGEST_KEY, KINDS, live, live_state, obj, state

from cloudinary_state.canonical_json import canonical_json
from cloudinary_state.config import load_environment
from cloudinary_state.config.interpolate import render
from cloudinary_state.desired import DesiredObject, KindName, StrippedOption
from cloudinary_state.engine.plan import Target, build_plan, fingerprint
from cloudinary_state.engine.planfile import check_fresh, check_plan_matches, plan_document
from cloudinary_state.envdiff import Side, compare
from cloudinary_state.errors import ConfigError, PlanFileError, StalePlanError
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.base import LiveObject

REAL_KINDS = {k.kind: k for k in REGISTRY}
SECRET = "Qz7"  # shorter than free-text scrubbing reaches: only path masking can hide it
OTHER = "Wv9"

# One body per place a kind can take a ${env.*} value, written as a user would.
CASES: list[tuple[KindName, dict[str, Any]]] = [
    ("metadata_field", {"type": "enum", "label": "L", "datasource": {"values": [
        {"external_id": "complete", "value": "${env.S}"}, {"external_id": "todo", "value": "Todo"}]}}),
    ("metadata_field", {"type": "set", "label": "L", "datasource": {"values": [
        {"value": "${env.S}"}]}}),
    ("metadata_field", {"type": "string", "label": "label ${env.S}"}),
    ("metadata_field", {"type": "string", "label": "L", "default_value": "${env.S}"}),
    ("metadata_field", {"type": "integer", "label": "L",
                        "validation": {"type": "strregex", "value": "^${env.S}$"}}),
    ("transformation", {"transformation": "l_text:arial_20:${env.S}"}),
    ("upload_mapping", {"template": "https://h.example/${env.S}/"}),
    ("upload_preset", {"settings": {"notification_url": "https://h.example/?t=${env.S}"}}),
    ("upload_preset", {"settings": {"tags": ["a", "${env.S}"]}}),
    ("upload_preset", {"settings": {"eager": ["c_fill,w_10", "l_text:arial_20:${env.S}"]}}),
    ("upload_preset", {"settings": {"transformation": "l_text:arial_20:${env.S}"}}),
    ("upload_preset", {"settings": {"context": "k=${env.S}|j=v"}}),
    ("upload_preset", {"settings": {"metadata": {"sku": "${env.S}"}}}),
]  # fmt: skip


def _desired(kind: KindName, body: dict[str, Any], secret: str) -> DesiredObject:
    rendered = render(body, variables={}, environ={"S": secret}, require_env=True)
    assert not rendered.problems
    return DesiredObject(kind, "x", rendered.value, sensitive_paths=frozenset(rendered.sensitive_paths))


@pytest.mark.parametrize(("kind", "body"), CASES)
def test_every_kinds_sensitive_values_are_masked_in_create_and_update(
    kind: KindName, body: dict[str, Any]
) -> None:
    kinds = REAL_KINDS
    want = _desired(kind, body, SECRET)
    was = LiveObject(kind, "x", kinds[kind].canonical_desired(_desired(kind, body, OTHER)))
    for current in ({}, {kind: {"x": was}}):
        plan = build_plan(state(want), current, digest_key=DIGEST_KEY, kinds=kinds)
        [change] = plan.changes
        shown = json.dumps(plan_document(plan, digest_key=DIGEST_KEY), ensure_ascii=False)
        assert SECRET not in shown and OTHER not in shown, shown
        assert any(d.sensitive for d in change.diffs)


def test_a_metadata_datasource_value_from_env_is_masked_in_the_text_plan(workspace: Harness) -> None:
    status = {
        "type": "enum",
        "label": "Status",
        "datasource": {"values": [{"external_id": "complete", "value": "${env.DSV}"}]},
    }
    workspace.write_resources({**WORKSPACE_RESOURCES, "metadata_fields": {"status": status}})
    workspace.monkeypatch.setenv("DSV", "xyz")
    created = workspace.run("plan", "--env", "staging", env="staging")
    assert planned_changes(created.out)[("metadata_field", "status")] == "create"
    assert "xyz" not in created.out + created.err
    assert "datasource: (sensitive)" in created.out
    workspace.apply("staging")
    # not hex: "abc" turned up by chance in the plan's digests (hex, varying with the last
    # rate-limit header the parallel reads saw)
    workspace.monkeypatch.setenv("DSV", "uvw")
    updated = workspace.run("plan", "--env", "staging", "--format", "json", env="staging")
    assert "xyz" not in updated.out and "uvw" not in updated.out
    [change] = json.loads(updated.out)["changes"]
    assert change["diffs"] == [
        {"path": "datasource", "before": "(sensitive)", "after": "(sensitive, changed)", "sensitive": True}
    ]


def test_a_stripped_option_from_env_is_masked_in_its_note() -> None:
    option = StrippedOption("settings.categorization", SECRET, "google_tagging")
    preset = obj(
        "upload_preset",
        "p",
        {"settings": {"folder": "a"}},
        sensitive_paths=frozenset({"settings.categorization"}),
        stripped_options=(option,),
    )
    changed = build_plan(state(preset), {}, digest_key=DIGEST_KEY, kinds=KINDS)
    unchanged = build_plan(
        state(preset),
        live_state(live("upload_preset", "p", {"settings": {"folder": "a"}})),
        digest_key=DIGEST_KEY,
        kinds=KINDS,
    )
    notes = [*changed.changes[0].notes, *unchanged.notes]
    assert len(notes) == 2 and all("settings.categorization=(sensitive)" in n for n in notes), notes
    assert not any(SECRET in n for n in notes)


def test_fingerprints_and_config_digest_are_keyed_with_the_api_secret() -> None:
    """A plan file's reader, without the api_secret, cannot test guesses of the secrets hashed."""
    hook = {"settings": {"notification_url": "https://h.example/?token=1234"}}
    current = live_state(live("upload_preset", "p", hook))
    desired = state(obj("upload_preset", "p", {"settings": {}}))
    plan = build_plan(desired, current, digest_key=DIGEST_KEY, kinds=KINDS)
    other = build_plan(desired, current, digest_key=b"another-api-secret", kinds=KINDS)
    [change] = plan.changes
    plain = (
        "sha256:"
        + hashlib.sha256(canonical_json(current["upload_preset"]["p"].canonical).encode()).hexdigest()
    )
    assert change.live_fingerprint is not None and change.live_fingerprint.startswith("hmac-sha256:")
    assert change.live_fingerprint.removeprefix("hmac-sha256:") not in plain
    assert other.changes[0].live_fingerprint != change.live_fingerprint
    assert other.config_digest != plan.config_digest
    # stale detection still works under the same key, and refuses under another
    same: dict[Target, LiveObject | None] = {("upload_preset", "p"): current["upload_preset"]["p"]}
    check_fresh(plan, same, DIGEST_KEY)
    with pytest.raises(StalePlanError):
        check_fresh(plan, same, b"another-api-secret")
    moved = replace(current["upload_preset"]["p"], canonical={"settings": {"folder": "b"}})
    with pytest.raises(StalePlanError, match="changed since the plan"):
        check_fresh(plan, {**same, ("upload_preset", "p"): moved}, DIGEST_KEY)
    assert fingerprint(None, DIGEST_KEY) is None


def test_diff_masks_values_that_look_secret_though_the_config_does_not_know_them() -> None:
    key: tuple[KindName, str] = ("upload_preset", "p")

    def side(env: str, settings: dict[str, Any]) -> Side:
        return Side(env, {key: {"unsigned": False, "settings": settings}})

    a = side(
        "a", {"eval": "upload_options.tags = 'A-CODE-1'", "notification_url": "https://h/x?token=TOK-A1"}
    )
    b = side(
        "b", {"eval": "upload_options.tags = 'B-CODE-2'", "notification_url": "https://h/y?token=TOK-B2"}
    )
    result = compare(a, b, "live")
    [diffs] = [o.diffs for o in result.objects]
    shown = repr(diffs)
    for secret in ("A-CODE-1", "B-CODE-2", "TOK-A1", "TOK-B2"):
        assert secret not in shown
    by_path = {d.path: d for d in diffs}
    assert by_path["settings.eval"].cause == "sensitive"  # differs only in a secret
    url = by_path["settings.notification_url"]
    assert (url.a, url.b, url.cause) == (
        "https://h/x?token=(sensitive)",
        "https://h/y?token=(sensitive)",
        "real",
    )


def test_diff_live_never_prints_a_console_made_eval_or_token(workspace: Harness) -> None:
    for cloud, code, token in (
        (STAGING, "STG-EVAL-77", "STG-TOK-78"),
        (PRODUCTION, "PRD-EVAL-87", "PRD-TOK-88"),
    ):
        workspace.sdk(
            cloud,
            "create_upload_preset",
            name="console_preset",
            folder=f"console_{cloud}",
            eval=f"upload_options['tags'] = '{code}'",
            notification_url=f"https://hooks.example.test/n?token={token}",
        )
    result = workspace.run("diff", "staging", "production", "--live", env="staging")
    assert result.code == 2, result.out + result.err  # the folders really differ
    for secret in ("STG-EVAL-77", "PRD-EVAL-87", "STG-TOK-78", "PRD-TOK-88"):
        assert secret not in result.out + result.err
    assert "settings.folder" in result.out


def test_an_invalid_value_from_env_is_not_quoted_in_the_config_error(tmp_path: Path) -> None:
    (tmp_path / "environments" / "common").mkdir(parents=True)
    (tmp_path / "environments" / "demo.yaml").write_text(
        "cloud_name: demo\ncredentials: CLOUDINARY_URL_DEMO\ninclude: [common/*.yaml]\n"
    )
    (tmp_path / "environments" / "common" / "r.yaml").write_text(
        'metadata_fields:\n  f:\n    type: "${env.T}"\n    label: F\n'
    )
    with pytest.raises(ConfigError) as e:
        load_environment(tmp_path, "demo", REGISTRY, environ={"T": SECRET})
    [diagnostic] = e.value.diagnostics
    assert diagnostic.file.endswith("r.yaml") and diagnostic.line == 3
    assert "type: this value (sensitive" in diagnostic.message
    assert SECRET not in diagnostic.message + diagnostic.hint


def test_a_hand_made_config_digest_is_refused_not_a_crash(tmp_path: Path) -> None:
    desired = state(obj("upload_preset", "p", {"settings": {}}))
    plan = build_plan(desired, {}, digest_key=DIGEST_KEY, kinds=KINDS)
    check_plan_matches(plan, desired, tmp_path, DIGEST_KEY)
    for forged in (5, "hmac-sha256:é", None):
        with pytest.raises(PlanFileError, match="config changed since the plan"):
            check_plan_matches(replace(plan, config_digest=forged), desired, tmp_path, DIGEST_KEY)  # type: ignore[arg-type]

"""Text, JSON and Markdown renderings of synthetic plans."""

from __future__ import annotations

import json
from dataclasses import replace

from support.plan_fakes import DIGEST_KEY, KINDS, live, live_state, obj, state

from cloudinary_state.desired import Policy
from cloudinary_state.engine.plan import Plan, build_plan
from cloudinary_state.render import json as render_json
from cloudinary_state.render import markdown, text

SECRET = "tok-very-secret-123"


def sample() -> Plan:
    desired = state(
        obj("transformation", "new_t", {"transformation": "c_fill,w_10"}),
        obj(
            "upload_preset",
            "p",
            {"settings": {"tags": ["a", "b"], "notification_url": f"https://x/{SECRET}"}},
            sensitive_paths=frozenset({"settings.notification_url"}),
        ),
        obj("metadata_field", "f", {"type": "integer"}),
        obj("upload_mapping", "old", absent=True),
        policy=Policy(),
    )
    current = live_state(
        live("upload_preset", "p", {"settings": {"tags": ["a"], "notification_url": "https://x/old"}}),
        live("metadata_field", "f", {"type": "string"}),
        live("upload_mapping", "old", {"template": "https://a|b"}),
        live("upload_preset", "stray", {}),
    )
    return replace(
        build_plan(desired, current, digest_key=DIGEST_KEY, kinds=KINDS),
        api_calls=9,
        rate_limit_remaining=4991,
    )


def test_text_symbols_diffs_notes_summary() -> None:
    out = text.render_plan(sample(), color=False)
    assert "  + transformation new_t  (create)" in out
    assert "  ~ upload_preset p  (update)" in out
    assert "  -/+ metadata_field f  (replace)" in out
    assert "  - upload_mapping old  (delete)" in out
    assert '~ settings.tags: ["a"] -> ["a", "b"]' in out
    assert "~ settings.notification_url: (sensitive) -> (sensitive, changed)" in out
    assert "note: tombstone: absent: true" in out
    assert "? upload_preset stray" in out
    assert "Plan: 1 to create, 1 to update, 1 to replace, 1 to delete; 0 unchanged, 1 unmanaged." in out
    assert "Admin API calls: 9 (4991 remaining this hour)." in out
    assert "\x1b[" not in out
    assert "\x1b[" in text.render_plan(sample(), color=True)


def test_text_empty_plan() -> None:
    plan = build_plan(state(), {}, digest_key=DIGEST_KEY, kinds=KINDS)
    assert "No changes." in text.render_plan(plan)


def test_json_is_the_plan_document() -> None:
    document = json.loads(render_json.render_plan(sample(), digest_key=DIGEST_KEY))
    assert document["format"] == "cloudinary-state/plan@1"
    assert [c["action"] for c in document["changes"]] == ["replace", "create", "update", "delete"]
    assert document["summary"]["unmanaged"] == 1


def test_markdown_table_and_details_per_object() -> None:
    out = markdown.render_plan(sample())
    assert "| 1 | 1 | 1 | 1 | 0 | 1 |" in out
    assert out.count("<details>") == 4 and out.count("</details>") == 4
    assert "<code>~ upload_preset p</code> — update" in out
    assert "https://a&#124;b" in out  # a pipe in a value does not break the table


def test_secrets_never_rendered_and_scrubbed_as_second_line() -> None:
    plan = sample()
    leaky = replace(plan, notes=(f"server said {SECRET}",))
    for out in (
        text.render_plan(leaky, secrets={SECRET}),
        render_json.render_plan(leaky, secrets={SECRET}, digest_key=DIGEST_KEY),
        markdown.render_plan(leaky, secrets={SECRET}),
    ):
        assert SECRET not in out
    for out in (
        text.render_plan(plan),
        render_json.render_plan(plan, digest_key=DIGEST_KEY),
        markdown.render_plan(plan),
    ):
        assert SECRET not in out

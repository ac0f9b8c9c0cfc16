"""Markdown within GitHub's comment limit (`render.markdown_budget`), and the pure renderers
around it: the plan and drift Markdown, the JSON summary, and which create fields are the
server's defaults."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from support.plan_fakes import DIGEST_KEY, KINDS, live, live_state, obj, state

from cloudinary_state.audit import DriftItem, DriftReport
from cloudinary_state.desired import Policy
from cloudinary_state.engine.defaults import body_leaf_paths, is_server_default
from cloudinary_state.engine.plan import FieldDiff, Plan, build_plan
from cloudinary_state.engine.planfile import parse_plan, read_plan, write_plan
from cloudinary_state.render import drift, markdown
from cloudinary_state.render.markdown_budget import MARKDOWN_BUDGET, Block, fit
from cloudinary_state.render.plan_summary import summary_document

GITHUB_LIMIT = 65_536


def _creates(n: int, value: str = "x") -> Plan:
    desired = state(
        *(obj("upload_preset", f"p{i:05}", {"folder": value, "tags": ["a", "b"]}) for i in range(n))
    )
    return build_plan(desired, {}, digest_key=DIGEST_KEY, kinds=KINDS)


# --- fit --------------------------------------------------------------------------------------------


def test_what_fits_is_left_as_it_is() -> None:
    blocks = [Block("one\n", "k", "create"), Block("two\n", "k", "update")]
    assert fit("head\n", blocks, "tail\n") == "head\none\ntwo\ntail\n"


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=5_000), max_size=300),
    head=st.integers(min_value=0, max_value=3_000),
    budget=st.integers(min_value=4_000, max_value=MARKDOWN_BUDGET),
)
def test_never_over_budget_and_every_block_shown_or_counted(sizes: list[int], head: int, budget: int) -> None:
    blocks = [
        Block(f"<{i}>" + "x" * size + "\n", f"kind{i % 3}", ("create", "delete")[i % 2])
        for i, size in enumerate(sizes)
    ]
    out = fit("h" * head, blocks, "tail", budget=budget)
    assert len(out) <= budget and out.endswith("tail")
    shown = [i for i in range(len(blocks)) if f"<{i}>" in out]
    assert shown == list(range(len(shown)))  # a prefix, in order
    omitted = len(blocks) - len(shown)
    if omitted:
        assert f"**{omitted} of {len(blocks)} objects are not shown here**" in out
        counted = [
            int(line.rsplit("|", 2)[1])
            for line in out.splitlines()
            if line.startswith("| kind") and "not shown" not in line
        ]
        assert sum(counted) == omitted
    else:
        assert "not shown" not in out


def test_a_markdown_plan_of_1000_creates_stays_within_the_limit_and_counts_the_rest() -> None:
    out = markdown.render_plan(_creates(1000))
    assert len(out) <= MARKDOWN_BUDGET < GITHUB_LIMIT
    shown = out.count("<details>")
    assert 0 < shown < 1000
    assert f"**{1000 - shown} of 1000 objects are not shown here**" in out
    assert f"| upload_preset | create | {1000 - shown} |" in out
    assert "The full plan is in the plan file" in out
    assert out.rstrip().endswith("Admin API calls: 0 (budget not reported)._")  # the tail is kept


def test_one_huge_change_is_counted_not_cut_in_half() -> None:
    out = markdown.render_plan(_creates(3, value="v" * 100_000))
    assert len(out) <= MARKDOWN_BUDGET
    assert out.count("<details>") == out.count("</details>") == 0
    assert "**3 of 3 objects are not shown here**" in out


def test_a_refusal_naming_many_objects_is_clipped() -> None:
    out = markdown.render_plan(_creates(1000), refused="refused: " + "delete x, " * 20_000)
    assert len(out) <= MARKDOWN_BUDGET and "**Refused by policy (exit 3):**" in out


def test_a_markdown_drift_report_of_1000_objects_stays_within_the_limit() -> None:
    diff = FieldDiff("settings.folder", "live/" + "a" * 40, "config/" + "b" * 40)
    items = tuple(DriftItem("upload_preset", f"p{i:05}", "changed", (diff,)) for i in range(1000))
    out = drift.render_markdown(DriftReport("staging", "acme-staging", items))
    assert len(out) <= MARKDOWN_BUDGET
    shown = out.count("- [ ] `upload_preset:")
    assert 0 < shown < 1000
    assert f"**{1000 - shown} of 1000 drifted objects are not shown here**" in out
    assert f"| upload_preset | changed | {1000 - shown} |" in out
    assert "#### Changed outside the config (1000)" in out


def test_a_small_drift_report_is_whole() -> None:
    items = (DriftItem("upload_mapping", "legacy", "unmanaged"),)
    out = drift.render_markdown(DriftReport("staging", "acme-staging", items))
    assert "- [ ] `upload_mapping:legacy`" in out and "not shown" not in out


# --- the JSON summary -------------------------------------------------------------------------------


def test_the_summary_counts_by_kind_and_action_and_says_what_needs_approval() -> None:
    desired = state(
        obj("transformation", "t", {"transformation": "c_fill"}),
        obj("upload_mapping", "old", absent=True),
        policy=Policy(),
    )
    current = live_state(live("upload_mapping", "old", {"template": "x"}), live("upload_preset", "stray", {}))
    plan = build_plan(desired, current, digest_key=DIGEST_KEY, kinds=KINDS)
    facts = summary_document(plan, refused=None, exit_code=0)
    assert facts["by_kind"] == {
        "transformation": {"create": 1},
        "upload_mapping": {"delete": 1},
        "upload_preset": {"unmanaged": 1},
    }
    assert facts["destructive"] == 1 and facts["needs_delete_approval"] is True
    approved = summary_document(replace(plan, approved_deletes=True), refused="no", exit_code=3)
    assert approved["needs_delete_approval"] is False and approved["approved_deletes"] is True
    assert approved["refused"] == "no" and approved["exit_code"] == 3
    assert json.dumps(facts)  # plain JSON


# --- server defaults --------------------------------------------------------------------------------


def test_body_leaf_paths_stop_at_lists() -> None:
    body = {"settings": {"tags": ["a"], "folder": "f", "empty": {}}, "unsigned": False}
    assert body_leaf_paths(body) == {"settings.tags", "settings.folder", "settings.empty", "unsigned"}


def test_a_field_is_a_default_unless_it_holds_or_lies_in_a_set_path() -> None:
    set_paths = {"settings.tags", "restrictions"}
    assert not is_server_default("settings.tags", set_paths)
    assert not is_server_default("settings.tags[0]", set_paths)
    assert not is_server_default("restrictions.hidden_ui", set_paths)  # inside a coarse set path
    assert not is_server_default("settings", set_paths)  # holds a set path
    assert is_server_default("settings.tags_extra", set_paths)
    assert is_server_default("mandatory", set_paths)


def test_the_text_and_markdown_fold_marked_defaults_and_verbose_shows_them() -> None:
    from cloudinary_state.render import text

    plan = _creates(1)
    change = plan.changes[0]
    marked = replace(change, diffs=(*change.diffs, FieldDiff("mandatory", None, False, server_default=True)))
    plan = replace(plan, changes=(marked,))
    assert "and 1 default (the server's; -v shows them)" in text.render_plan(plan)
    assert "mandatory" not in text.render_plan(plan)
    assert "+ mandatory: false" in text.render_plan(plan, verbose=True)
    assert "_and 1 default (the server's; -v shows them)_" in markdown.render_plan(plan)
    assert "mandatory" in markdown.render_plan(plan, verbose=True)


def test_a_saved_plan_keeps_its_approval_and_its_server_defaults(tmp_path: Path) -> None:
    plan = _creates(1)
    change = replace(plan.changes[0], diffs=(FieldDiff("mandatory", None, False, server_default=True),))
    plan = replace(plan, changes=(change,), approved_deletes=True)
    path = tmp_path / "plan.json"
    write_plan(path, plan, digest_key=DIGEST_KEY)
    again = read_plan(path, digest_key=DIGEST_KEY, kinds=KINDS)
    assert again.approved_deletes is True
    assert again.changes[0].diffs == change.diffs
    # an unverified read (show) parses the same plan
    assert parse_plan(path, json.loads(path.read_text()), kinds=KINDS) == again

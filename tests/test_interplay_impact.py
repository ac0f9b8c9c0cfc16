"""The impact of a change where it meets policy.ignore_changes: the impact is read for the
update the apply makes, which keeps an ignored field's live value, not for the config's value
of it (against the emulator over HTTP, through the CLI)."""

from __future__ import annotations

import json

from support.harness import BASE_RESOURCES, CLOUD, Harness, with_changes
from support.uploads import upload_png

IGNORED_DEFINITION = {"ignore_changes": {"transformations": {"thumb": ["transformation"]}}}


def test_an_ignored_definition_is_no_unsafe_update_and_reaches_no_asset(harness: Harness) -> None:
    harness.apply("test")
    upload_png(harness, "a", eager="t_thumb")
    upload_png(harness, "b", eager="t_thumb")
    # another system owns the definition and changes it; the config changes only allowed_for_strict
    harness.sdk(CLOUD, "update_transformation", "thumb", unsafe_update="c_fill,h_150,w_150")
    strict = {"transformation": "c_fill,h_100,w_100", "allowed_for_strict": False}
    policy = {**IGNORED_DEFINITION, "safety": {"max_affected_assets": 0}}
    harness.write(with_changes(BASE_RESOURCES, "transformations", "thumb", strict), policy=policy)
    result = harness.run("plan", "--env", "test", "--format", "json")
    assert result.code == 0, result.out + result.err
    (change,) = json.loads(result.out)["changes"]
    assert [d["path"] for d in change["diffs"]] == ["allowed_for_strict"]
    assert "impact" not in change  # the apply leaves the definition as it is live: no derived asset reached
    harness.apply("test")
    live = harness.sdk(CLOUD, "transformation", "thumb")
    assert (live["allowed_for_strict"], harness.plan_is_empty("test")) == (False, True)

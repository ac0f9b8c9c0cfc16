"""Streaming profiles (issue 10): offline checks at file:line:column, and every write path
through the real SDK over HTTP to the emulator: create, update, delete, a built-in updated and
then reverted by a tombstone, apply then plan empty, a second apply that writes nothing, drift
after a change made outside the config, import then plan empty, --target, prune."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cli_runner import planned_changes
from support.harness import BASE_RESOURCES, CLOUD, STAGING, WEBHOOK_SECRET, WORKSPACE_RESOURCES, Harness
from support.kinds_emulator import emulated, writes

from cloudinary_state.desired import DesiredObject
from cloudinary_state.engine.apply import ApplyFailed, Step, apply_steps
from cloudinary_state.engine.plan import Change
from cloudinary_state.kinds.base import LiveObject
from cloudinary_state.kinds.streaming_profiles import STREAMING_PROFILES, StreamingProfileKind
from cloudinary_state.kinds.streaming_profiles.builtins import BUILTIN_REPRESENTATIONS
from cloudinary_state.transformation import comparable

TOP = "c_limit,w_1920,h_1080,vc_h264,br_5m"
NAMED = "t_thumb/vc_h264,br_1m"  # a representation built on the harness's named transformation
PROFILE: dict[str, Any] = {
    "display_name": "Product video",
    "representations": [{"transformation": TOP}, {"transformation": NAMED}],
}
# an update of a built-in: the whole ladder replaced
HD_OURS: dict[str, Any] = {"representations": [{"transformation": "c_limit,w_1280,h_720,vc_h264,br_3m"}]}


def resources(**profiles: Any) -> dict[str, Any]:
    return {**BASE_RESOURCES, "streaming_profiles": profiles}


def live_profiles(harness: Harness) -> dict[str, dict[str, Any]]:
    """Every profile as its detail GET answers it (the list lacks the representations)."""
    listed = harness.sdk(CLOUD, "list_streaming_profiles")["data"]
    return {p["name"]: harness.sdk(CLOUD, "get_streaming_profile", p["name"])["data"] for p in listed}


def sent_representations(harness: Harness) -> list[list[str]]:
    """The representations each profile write sent, as the JSON-encoded string decodes."""
    return [
        [item["transformation"] for item in json.loads(r.query_and_body_params["representations"])]
        for r in harness.emu.request_log
        if r.method in ("POST", "PUT") and r.path.startswith("streaming_profiles")
    ]


# --- offline -----------------------------------------------------------------------------------


def _error_at(harness: Harness, document: dict[str, Any]) -> tuple[str, str]:
    """The one error of `validate --all`, and the text of the resource file where it points."""
    path = harness.write_resources(document)
    result = harness.run("validate", "--all")
    assert result.code == 1, result.out + result.err
    assert harness.emu.request_log == []
    found = re.findall(rf"error: {re.escape(str(path))}:(\d+):(\d+): (.*)", result.err)
    assert len(found) == 1, result.err
    line, column, message = found[0]
    return message, path.read_text().splitlines()[int(line) - 1][int(column) - 1 :]


def _ladder(*transformations: str) -> dict[str, Any]:
    return {"representations": [{"transformation": t} for t in transformations]}


@pytest.mark.parametrize(
    ("profiles", "pointed_at", "message"),
    [
        (
            {"p": _ladder(TOP, "c_limit,w_640,,br_1m")},
            ",br_1m",
            "streaming_profile 'p': representations[1].transformation: invalid transformation",
        ),
        (
            {"p": _ladder(TOP, "t_thumbs/vc_h264")},
            "t_thumbs/vc_h264",
            "t_thumbs names a transformation that is not declared",
        ),
        ({"p": {"representations": []}}, "[]", "representations"),
        ({"p": {"display_name": "P"}}, "p:", "missing required key 'representations'"),
        ({"a/b": _ladder(TOP)}, "a/b", "streaming profile name 'a/b' has characters the Admin API"),
        ({"p": {**_ladder(TOP), "codec": "h264"}}, "codec", "codec"),
    ],
    ids=["syntax", "dangling-t_", "empty", "missing", "name", "unknown-key"],
)
def test_offline_errors_point_at_the_offending_value(
    harness: Harness, profiles: dict[str, Any], pointed_at: str, message: str
) -> None:
    error, text = _error_at(harness, resources(**profiles))
    assert message in error, error
    assert text.startswith(pointed_at), (error, text)


def test_a_reference_to_a_deleted_or_ignored_transformation(harness: Harness) -> None:
    tombstoned = {"transformations": {"thumb": {"absent": True}}, "streaming_profiles": {"p": PROFILE}}
    error, text = _error_at(harness, tombstoned)
    assert "t_thumb refers to a transformation this environment deletes" in error
    assert text.startswith(NAMED)
    harness.write(
        resources(p=_ladder("t_console_made/br_1m")),
        policy={"ignore": {"transformations": ["console_made"]}},
    )
    assert harness.run("validate", "--all").code == 0


# --- through the SDK to the emulator --------------------------------------------------------


def test_create_update_delete_converge_and_a_second_apply_writes_nothing(harness: Harness) -> None:
    harness.write(resources(product_video=PROFILE))
    harness.apply("test")
    # the SDK got strings: each representation reached the service exactly as written
    assert sent_representations(harness) == [[TOP, NAMED]]
    live = live_profiles(harness)["product_video"]
    assert live["display_name"] == "Product video" and live["predefined"] is False
    assert live["representations"][1]["transformation"] == [
        {"transformation": "thumb"},
        {"video_codec": "h264", "bit_rate": "1m"},
    ]
    assert harness.plan_is_empty("test")
    harness.emu.clear_log()
    harness.apply("test")
    assert harness.writes() == []

    harness.write(resources(product_video={"representations": [{"transformation": "c_limit,w_1280,br_3m"}]}))
    harness.emu.clear_log()
    harness.apply("test")
    assert harness.writes() == ["PUT streaming_profiles/product_video"]
    assert sent_representations(harness) == [["c_limit,w_1280,br_3m"]]
    # a display name the config leaves out is left as it is live
    assert live_profiles(harness)["product_video"]["display_name"] == "Product video"
    assert harness.plan_is_empty("test")

    harness.write(resources(product_video={"absent": True}))
    refused = harness.run("apply", "--env", "test", "--auto-approve")
    assert refused.code == 3, refused.out + refused.err
    deleted = harness.run("apply", "--env", "test", "--auto-approve", "--allow-delete")
    assert deleted.code == 0, deleted.out + deleted.err
    assert "product_video" not in live_profiles(harness)
    assert harness.plan_is_empty("test")


def test_a_builtin_is_updated_then_reverted_by_a_tombstone(harness: Harness) -> None:
    harness.write(resources(hd={"absent": True}))
    harness.apply("test")
    # a tombstone on a built-in at its definition has nothing to revert
    assert harness.plan_is_empty("test")

    harness.write(resources(hd=HD_OURS))
    planned = harness.run("plan", "--env", "test")
    assert "~ streaming_profile hd" in planned.out and "updates a built-in profile" in planned.out
    harness.apply("test")
    assert live_profiles(harness)["hd"]["representations"] == [
        {
            "transformation": [
                {"crop": "limit", "width": 1280, "height": 720, "video_codec": "h264", "bit_rate": "3m"}
            ]
        }
    ]
    assert harness.plan_is_empty("test")

    harness.write(resources(hd={"absent": True}))
    planned = harness.run("plan", "--env", "test")
    assert "- streaming_profile hd  (delete)" in planned.out, planned.out
    assert "reverts to the built-in" in planned.out
    refused = harness.run("apply", "--env", "test", "--auto-approve")
    assert refused.code == 3, refused.out + refused.err  # like every tombstone: --allow-delete
    reverted = harness.run("apply", "--env", "test", "--auto-approve", "--allow-delete")
    assert reverted.code == 0, reverted.out + reverted.err
    hd = live_profiles(harness)["hd"]
    assert hd["predefined"] is True and len(hd["representations"]) == len(BUILTIN_REPRESENTATIONS["hd"])
    assert harness.plan_is_empty("test")


def test_builtins_are_never_unmanaged_nor_pruned(harness: Harness) -> None:
    harness.write(resources(), policy={"prune": ["streaming_profiles"]})
    harness.apply("test")
    harness.sdk(CLOUD, "create_streaming_profile", "console_made", representations=[TOP])
    harness.sdk(CLOUD, "update_streaming_profile", "sd", representations=["c_limit,w_320,br_300k"])
    planned = harness.run("plan", "--env", "test", "--format", "json")
    document = json.loads(planned.out)
    changes = [(c["kind"], c["name"], c["action"]) for c in document["changes"]]
    assert changes == [("streaming_profile", "console_made", "delete")]  # a changed built-in stays
    assert document["unmanaged"] == []

    harness.write(resources())  # no prune: the console's profile is unmanaged, built-ins are not
    drift = harness.run("drift", "--env", "test", "--format", "json")
    statuses = {(i["kind"], i["name"]): i["status"] for i in json.loads(drift.out)["items"]}
    assert statuses == {("streaming_profile", "console_made"): "unmanaged"}


def test_drift_shows_a_profile_changed_or_deleted_outside_the_config(harness: Harness) -> None:
    harness.write(resources(product_video=PROFILE, hd=HD_OURS))
    harness.apply("test")
    harness.sdk(CLOUD, "update_streaming_profile", "product_video", display_name="Renamed in the console")
    harness.sdk(CLOUD, "delete_streaming_profile", "hd")  # reverts the built-in
    drift = harness.run("drift", "--env", "test")
    assert drift.code == 2, drift.out + drift.err
    assert "~ streaming_profile product_video" in drift.out
    assert 'display_name: live "Renamed in the console", config "Product video"' in drift.out
    assert "~ streaming_profile hd" in drift.out  # back at its built-in: changed from the config

    harness.sdk(CLOUD, "delete_streaming_profile", "product_video")
    drift = harness.run("drift", "--env", "test", "--format", "json")
    statuses = {(i["kind"], i["name"]): i["status"] for i in json.loads(drift.out)["items"]}
    assert statuses[("streaming_profile", "product_video")] == "missing"


def test_target_plans_and_applies_one_profile(harness: Harness) -> None:
    harness.apply("test")  # the transformation the profile names exists (a target takes no dependency)
    harness.write(resources(product_video=PROFILE, other=_ladder("c_limit,w_640,br_800k")))
    result = harness.run(
        "apply", "--env", "test", "--auto-approve", "--target", "streaming_profile:product_video"
    )
    assert result.code == 0, result.out + result.err
    profiles = live_profiles(harness)
    assert "product_video" in profiles and "other" not in profiles
    assert harness.run("plan", "--env", "test", "--target", "streaming_profile:hd").code == 0


def test_import_then_plan_is_empty(harness: Harness, tmp_path: Path) -> None:
    harness.write(resources(product_video=PROFILE, hd=HD_OURS))
    harness.apply("test")
    out = tmp_path / "imported"
    imported = harness.run("import", "--env", "test", "--output", str(out))
    assert imported.code == 0, imported.err
    document = yaml.safe_load((out / "environments" / "common" / "streaming_profiles.yaml").read_text())
    # custom profiles, and the built-ins that differ from their definition: hd, not sd & co
    assert sorted(document["streaming_profiles"]) == ["hd", "product_video"]
    assert document["streaming_profiles"]["product_video"]["representations"][1] == {
        "transformation": "t_thumb/br_1m,vc_h264"
    }
    harness.config_dir = out
    harness.monkeypatch.setenv("UPLOAD_PRESET_PRODUCT_ASSETS_SETTINGS_NOTIFICATION_URL", WEBHOOK_SECRET)
    assert harness.plan_is_empty("test")


# --- canonical forms ------------------------------------------------------------------------


def test_the_detail_answer_and_the_config_body_compare_equal() -> None:
    answer = {
        "name": "p",
        "display_name": "P",
        "predefined": False,
        "external_id": "x1",
        "representations": [
            {
                "transformation": [
                    {"bit_rate": "5m", "crop": "limit", "height": 1080, "video_codec": "h264", "width": 1920}
                ]
            },
            {"transformation": [{"transformation": "thumb"}, {"video_codec": "h264", "bit_rate": "1m"}]},
        ],
    }
    live = STREAMING_PROFILES.live(answer)
    desired = STREAMING_PROFILES.canonical_desired(
        DesiredObject("streaming_profile", "p", {**PROFILE, "display_name": "P"})
    )
    assert live.canonical == desired
    assert STREAMING_PROFILES.builtin_definition(live) is None
    assert STREAMING_PROFILES.references(DesiredObject("streaming_profile", "p", PROFILE)) == [
        ("transformation", "thumb")
    ]


def test_a_builtin_at_its_definition_whatever_its_display_name() -> None:
    steps = [
        [{"crop": "limit", "width": w, "height": h, "video_codec": "h264", "bit_rate": b}]
        for w, h, b in ((640, 480, "800k"), (480, 360, "500k"), (320, 240, "192k"))
    ]
    representations = [{"transformation": s} for s in steps]
    answer = {
        "name": "sd",
        "display_name": "Whatever the service calls it",
        "predefined": True,
        "representations": representations,
    }
    live = STREAMING_PROFILES.live(answer)
    assert STREAMING_PROFILES.at_builtin_definition(live)
    changed = STREAMING_PROFILES.live({**answer, "representations": representations[:2]})
    assert STREAMING_PROFILES.differs_from_builtin(changed)
    unknown = STREAMING_PROFILES.live({**answer, "name": "8k"})  # a built-in this tool does not know
    assert STREAMING_PROFILES.at_builtin_definition(unknown)


# --- between environments ------------------------------------------------------------------


def test_promote_takes_console_profiles_and_changed_builtins_only(workspace: Harness) -> None:
    workspace.apply("staging")
    workspace.apply("production")
    workspace.sdk(STAGING, "create_streaming_profile", "teaser", display_name="Teaser", representations=[TOP])
    workspace.sdk(STAGING, "update_streaming_profile", "hd_lean", representations=["c_limit,w_960,br_1m"])
    workspace.use_env("production")
    result = workspace.run("promote", "--from", "staging", "--to", "production", "--write")
    assert result.code == 0, result.out + result.err
    assert "~ streaming_profile teaser: adds to" in result.out
    assert "~ streaming_profile hd_lean: adds to" in result.out
    assert "streaming_profile sd" not in result.out  # an unchanged built-in has nothing to promote
    assert planned_changes(result.out) == {
        ("streaming_profile", "teaser"): "create",
        ("streaming_profile", "hd_lean"): "update",
    }
    workspace.apply("production")
    assert workspace.plan_is_empty("production") and workspace.plan_is_empty("staging")


def test_diff_tells_a_real_profile_difference(workspace: Harness) -> None:
    shared = {**WORKSPACE_RESOURCES, "streaming_profiles": {"product_video": PROFILE}}
    workspace.write_resources(shared)
    workspace.write_environment(
        "production",
        overrides={"streaming_profiles": {"product_video": {"display_name": "Product video (prod)"}}},
    )
    result = workspace.run("diff", "staging", "production")
    assert result.code == 2, result.out + result.err
    assert "~ streaming_profile product_video" in result.out
    assert 'display_name: staging "Product video" | production "Product video (prod)"  (real difference)' in (
        result.out
    )
    workspace.write_environment("production")
    for env in ("staging", "production"):
        workspace.apply(env)
    live = workspace.run("diff", "staging", "production", "--live")
    assert live.code == 0, live.out


# --- a wrong built-in definition is caught, not hidden ---------------------------------------


class _MisinformedKind(StreamingProfileKind):
    """The kind with a definition of `sd` that the service does not have."""

    def builtin_definition(self, live: LiveObject) -> Mapping[str, Any] | None:
        known = super().builtin_definition(live)
        return {"representations": [comparable("c_limit,w_320,br_100k")]} if live.name == "sd" else known


def test_a_revert_the_service_finds_unneeded_fails_its_read_back_naming_the_fields() -> None:
    kind = _MisinformedKind()
    with emulated() as (emu, api):
        sd = kind.read_one(api, "sd")
        assert sd is not None and kind.differs_from_builtin(sd)  # so a tombstone plans a revert
        step = Step(Change(kind.kind, "sd", "delete", kind.rank), None, sd)
        with pytest.raises(ApplyFailed) as failed:
            apply_steps(api, [step], {kind.kind: kind})
        # the service answered "Cannot delete predefined profile" (400): the kind takes that as
        # done, and the read-back names what differs from the definition it was told
        assert [r.status for r in writes(emu)] == [400]
        (why,) = [why for _, why in failed.value.report.failed]
        assert "differs from its built-in definition after the revert in 1 field(s): representations" in why

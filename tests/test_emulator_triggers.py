"""Notification triggers in the emulator, driven through the real SDK over HTTP (reference §10)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cloudinary.api as api
import pytest
from cloudinary.exceptions import AlreadyExists, BadRequest, NotFound
from support.emulator import default_clouds, sdk_options

from cloudinary_state.emulator import EmulatorServer

HOOK = "https://hooks.example.com/cloudinary"


def test_create_answers_201_with_the_trigger(emu: EmulatorServer, opts: dict[str, Any]) -> None:
    created = api.create_trigger(HOOK, "upload", **opts)
    assert re.fullmatch(r"[0-9a-f]{32}", created["id"])
    assert created["uri"] == HOOK and created["event_type"] == "upload"
    assert created["uri_type"] == "webhook"  # sent as null by the SDK: the default applies
    assert re.fullmatch(r"[0-9a-f]{32}", created["product_environment_id"])
    assert created["created_at"].endswith("+00:00") and created["updated_at"] == created["created_at"]
    assert emu.request_log[-1].status == 201


def test_list_with_total_and_event_type_filter(opts: dict[str, Any]) -> None:
    upload = api.create_trigger(HOOK, "upload", **opts)
    delete = api.create_trigger(HOOK, "delete", **opts)
    poll = api.create_trigger("poll://uploads", "upload", uri_type="poll", **opts)
    everything = api.triggers(**opts)
    assert everything["total"] == 3
    assert [t["id"] for t in everything["triggers"]] == [upload["id"], delete["id"], poll["id"]]
    uploads = api.triggers(event_type="upload", **opts)
    assert uploads["total"] == 2 and {t["id"] for t in uploads["triggers"]} == {upload["id"], poll["id"]}
    with pytest.raises(BadRequest, match="Invalid value nope for parameter event_type"):
        api.triggers(event_type="nope", **opts)


def test_update_changes_only_the_uri(opts: dict[str, Any]) -> None:
    created = api.create_trigger(HOOK, "upload", **opts)
    assert "message" in api.update_trigger(created["id"], HOOK + "/v2", **opts)
    (stored,) = api.triggers(**opts)["triggers"]
    assert stored["uri"] == HOOK + "/v2"
    assert {k: v for k, v in stored.items() if k not in ("uri", "updated_at")} == {
        k: v for k, v in created.items() if k not in ("uri", "updated_at")
    }


def test_delete(opts: dict[str, Any]) -> None:
    created = api.create_trigger(HOOK, "upload", **opts)
    assert [t["id"] for t in api.triggers(**opts)["triggers"]] == [created["id"]]
    assert "message" in api.delete_trigger(created["id"], **opts)
    assert api.triggers(**opts) == {"triggers": [], "total": 0}


def test_test_endpoint_reports_the_filter(opts: dict[str, Any]) -> None:
    created = api.create_trigger(HOOK, "upload", **opts)
    result = api.test_trigger(created["id"], sample_data={"notification_type": "upload"}, **opts)
    assert result == {"trigger_id": created["id"], "filter_present": False, "filter_result": True}
    assert api.test_trigger(created["id"], **opts)["trigger_id"] == created["id"]


def test_duplicate_uri_and_event_type_is_already_exists(opts: dict[str, Any]) -> None:
    first = api.create_trigger(HOOK, "upload", **opts)
    with pytest.raises(AlreadyExists, match="record_already_exists"):
        api.create_trigger(HOOK, "upload", **opts)
    api.create_trigger(HOOK, "delete", **opts)  # same uri, other event type: fine
    other = api.create_trigger(HOOK + "/other", "upload", **opts)
    with pytest.raises(AlreadyExists, match="record_already_exists"):
        api.update_trigger(other["id"], first["uri"], **opts)


def test_unknown_trigger_is_not_found(opts: dict[str, Any]) -> None:
    calls: list[Callable[[], object]] = [
        lambda: api.update_trigger("0" * 32, HOOK, **opts),
        lambda: api.delete_trigger("0" * 32, **opts),
        lambda: api.test_trigger("0" * 32, **opts),
    ]
    for call in calls:
        with pytest.raises(NotFound, match="record_not_found"):
            call()


def test_invalid_attributes_are_bad_requests(opts: dict[str, Any]) -> None:
    with pytest.raises(BadRequest, match="Invalid value sometimes for parameter event_type"):
        api.create_trigger(HOOK, "sometimes", **opts)
    with pytest.raises(BadRequest, match="invalid_or_malformed_attribute"):
        api.create_trigger("not a url", "upload", **opts)
    with pytest.raises(BadRequest, match="uri_type"):
        api.create_trigger(HOOK, "upload", uri_type="carrier_pigeon", **opts)
    with pytest.raises(BadRequest, match="missing_attributes"):
        api.create_trigger(None, "upload", **opts)  # JSON null is an absent attribute
    created = api.create_trigger(HOOK, "upload", **opts)
    with pytest.raises(BadRequest, match="invalid_sample_data_json"):
        api.test_trigger(created["id"], sample_data="{not json", **opts)
    assert api.triggers(**opts)["total"] == 1


def test_thirty_uris_per_event_type(opts: dict[str, Any]) -> None:
    for i in range(30):
        api.create_trigger(f"{HOOK}/{i}", "upload", **opts)
    with pytest.raises(BadRequest, match="limit_reached"):
        api.create_trigger(f"{HOOK}/30", "upload", **opts)
    api.create_trigger(f"{HOOK}/30", "delete", **opts)  # the limit is per event type


def test_triggers_keep_their_order_across_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    (cloud,) = default_clouds()
    with EmulatorServer([cloud], state_file=state_file) as first:
        options = sdk_options(first, cloud)
        ids = [api.create_trigger(f"{HOOK}/{i}", "upload", **options)["id"] for i in range(5)]
        before = api.triggers(**options)
    with EmulatorServer([cloud], state_file=state_file) as second:
        options["upload_prefix"] = second.url
        after = api.triggers(**options)
    assert after == before
    assert [t["id"] for t in after["triggers"]] == ids

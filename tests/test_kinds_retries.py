"""Writes stay correct when an attempt's answer is lost and the client retries it."""

from __future__ import annotations

from typing import Any

import pytest
from support.kinds_emulator import CLOUD, assert_live_matches, emulated, obj

from cloudinary_state.client import AdminClient, Credentials
from cloudinary_state.desired import KindName
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.errors import PermanentApiError
from cloudinary_state.kinds import get_kind

CASES: list[tuple[KindName, str, dict[str, Any], dict[str, Any], str]] = [
    (
        "transformation",
        "thumb",
        {"transformation": "c_fill,w_100"},
        {"transformation": "w_1"},
        "transformations",
    ),
    (
        "metadata_field",
        "sku",
        {"type": "string", "label": "SKU"},
        {"type": "string", "label": "X"},
        "metadata_fields",
    ),
    (
        "upload_preset",
        "p",
        {"settings": {"folder": "a", "tags": ["x"]}},
        {"settings": {"folder": "b"}},
        "upload_presets",
    ),
    (
        "upload_mapping",
        "m",
        {"template": "https://a.example/"},
        {"template": "https://b.example/"},
        "upload_mappings",
    ),
    (  # written through the SDK's generic JSON call instead of create_upload_mapping
        "upload_mapping",
        "m",
        {"template": "https://a.example/", "upload_preset_name": "p"},
        {"template": "https://a.example/", "upload_preset_name": "q"},
        "upload_mappings",
    ),
]


@pytest.mark.parametrize(("kind_name", "name", "body", "other", "path"), CASES)
def test_create_whose_answer_was_lost_is_not_an_error(
    kind_name: KindName, name: str, body: dict[str, Any], other: dict[str, Any], path: str
) -> None:
    kind = get_kind(kind_name)
    with emulated() as (emu, api):
        emu.inject(kind="drop_after", count=1, path_prefix=path)
        kind.create(api, name, body)  # made by the first attempt; the retry meets a conflict
        statuses = [r.status for r in emu.request_log if r.method == "POST"]
        assert statuses[0] == 0 and statuses[1] in (400, 409)
        assert_live_matches(kind, api, obj(kind_name, name, body))


@pytest.mark.parametrize(("kind_name", "name", "body", "other", "path"), CASES)
def test_create_over_a_different_existing_object_is_an_error(
    kind_name: KindName, name: str, body: dict[str, Any], other: dict[str, Any], path: str
) -> None:
    kind = get_kind(kind_name)
    with emulated() as (_, api):
        kind.create(api, name, other)
        with pytest.raises(PermanentApiError) as caught:
            kind.create(api, name, body)
        assert caught.value.status in (400, 409)


@pytest.mark.parametrize(("kind_name", "name", "body", "other", "path"), CASES)
def test_delete_whose_answer_was_lost_is_not_an_error(
    kind_name: KindName, name: str, body: dict[str, Any], other: dict[str, Any], path: str
) -> None:
    kind = get_kind(kind_name)
    with emulated() as (emu, api):
        kind.create(api, name, body)
        live = kind.read_one(api, name)
        assert live is not None
        emu.inject(kind="drop_after", count=1, path_prefix=path)
        kind.delete(api, name, live)  # deleted by the first attempt; the retry meets a 404
        assert [r.status for r in emu.request_log if r.method == "DELETE"] == [0, 404]
        assert kind.read_one(api, name) is None


def test_a_datasource_update_that_meets_one_in_progress_is_retried_until_it_ends() -> None:
    """420 "metadata field is already updating" is not the hourly quota: a short backoff."""
    kind = get_kind("metadata_field")
    before = {"type": "enum", "label": "C", "datasource": {"values": [{"external_id": "a", "value": "A"}]}}
    after = {
        **before,
        "datasource": {"values": [{"external_id": "a", "value": "A"}, {"external_id": "b", "value": "B"}]},
    }
    cloud = CloudConfig(name=CLOUD, api_key="k", api_secret="secret-xyz", datasource_update_s=0.3)
    with EmulatorServer([cloud]) as emu:
        api = AdminClient(Credentials.from_url(emu.cloudinary_url(CLOUD)), base_delay=0.01, seed=1)
        kind.create(api, "colors", before)
        api.call("update_metadata_field_datasource", "colors", [{"external_id": "z", "value": "Z"}])
        live = kind.read_one(api, "colors")
        assert live is not None
        kind.update(api, "colors", after, live)  # meets the update still running, then waits it out
        upserts = [r.status for r in emu.request_log if r.path == "metadata_fields/colors/datasource"]
        assert upserts[0] == 200 and 420 in upserts and upserts[-1] == 200
        values = api.call("metadata_field_by_field_id", "colors")["datasource"]["values"]
        assert [v["external_id"] for v in values if v["state"] == "active"] == ["a", "b"]

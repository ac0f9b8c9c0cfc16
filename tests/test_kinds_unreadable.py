"""Odd live answers, through the real SDK and the emulator.

An answer a kind cannot read at all (a list item without its name key, a list item that is no
mapping, a name flag that is no boolean) is an UnreadableLiveError naming the kind and the
item, from `read_all` and `read_many` alike (a saved plan's apply re-reads with `read_many`).
A live transformation definition the grammar cannot read is kept as answered instead: it
differs from the desired one, so it shows as a diff, and the update writes the desired
definition over it.

Where the emulator's stored state can be edited into the odd answer, it is; shapes the state
cannot hold (a list item that is no mapping, a list item without `name`) come from an emulator
whose answer to one request is rewritten on its way out, as the real service might send it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from support.kinds_emulator import CLOUD, obj

from cloudinary_state.client import AdminClient, Credentials
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.emulator.routing import Request
from cloudinary_state.emulator.state import CloudState
from cloudinary_state.errors import UnreadableLiveError
from cloudinary_state.kinds.base import Kind, LiveObject
from cloudinary_state.kinds.metadata_fields import METADATA_FIELDS
from cloudinary_state.kinds.transformations import TRANSFORMATIONS
from cloudinary_state.kinds.triggers import TRIGGERS
from cloudinary_state.kinds.upload_mappings import UPLOAD_MAPPINGS
from cloudinary_state.kinds.upload_presets import UPLOAD_PRESETS
from cloudinary_state.transformation import comparable

Rewrite = Callable[[Request, Any], Any]


class RewritingEmulator(EmulatorServer):
    """The emulator, with the successful GET answers of a path passed through its rewrite."""

    rewrites: dict[str, Rewrite]

    def _dispatch(self, cloud: CloudState, request: Request) -> tuple[int, Any]:
        status, payload = super()._dispatch(cloud, request)
        rewrite = self.rewrites.get(request.path)
        if rewrite is None or status != 200 or request.method != "GET":
            return status, payload
        return status, rewrite(request, payload)


@contextmanager
def emulated() -> Iterator[tuple[RewritingEmulator, AdminClient]]:
    config = CloudConfig(name=CLOUD, api_key="k", api_secret="secret-xyz", addons=frozenset())
    emu = RewritingEmulator([config], port=0)
    emu.rewrites = {}
    with emu:
        yield emu, AdminClient(Credentials.from_url(emu.cloudinary_url(CLOUD)), base_delay=0.01, seed=1)


# read_all, and read_many of two names (one name of a transformation is its detail GET, not the list)
READS: dict[str, Callable[[Kind, AdminClient], object]] = {
    "read_all": lambda kind, api: kind.read_all(api, 2),
    "read_many": lambda kind, api: kind.read_many(api, ["a", "b"], 2),
}


def assert_unreadable(kind: Kind, api: AdminClient, read: str, *shown: str) -> None:
    with pytest.raises(UnreadableLiveError) as caught:
        READS[read](kind, api)
    message = str(caught.value)
    assert message.startswith(f"{kind.kind} "), message
    assert "the Admin API answered it in a form this tool cannot read" in message
    for text in shown:
        assert text in message, message


def append_to(items_key: str, item: object) -> Rewrite:
    """A list answer with one more item; detail answers of the same path pass unchanged."""

    def rewrite(request: Request, payload: Any) -> Any:
        if items_key not in payload:
            return payload
        return {**payload, items_key: [*payload[items_key], item]}

    return rewrite


# --- finding the name: the same clear error from every read -----------------------------------


@pytest.mark.parametrize("read", READS)
def test_a_mapping_without_its_folder(read: str) -> None:
    with emulated() as (emu, api):
        api.call("create_upload_mapping", "a", template="https://a.example/")
        record = emu.state(CLOUD).upload_mappings["a"]
        del record["folder"]
        assert_unreadable(UPLOAD_MAPPINGS, api, read, "KeyError", record["external_id"])


@pytest.mark.parametrize("read", READS)
@pytest.mark.parametrize(
    ("kind", "path", "items_key"),
    [
        (UPLOAD_MAPPINGS, "upload_mappings", "mappings"),
        (UPLOAD_PRESETS, "upload_presets", "presets"),
        (TRANSFORMATIONS, "transformations", "transformations"),
        (METADATA_FIELDS, "metadata_fields", "metadata_fields"),
        (TRIGGERS, "triggers", "triggers"),
    ],
)
def test_a_list_item_that_is_no_mapping(kind: Kind, path: str, items_key: str, read: str) -> None:
    with emulated() as (emu, api):
        emu.rewrites[path] = append_to(items_key, "a")
        assert_unreadable(kind, api, read, f"{kind.kind} ?:")


@pytest.mark.parametrize("read", READS)
def test_a_preset_without_its_name(read: str) -> None:
    with emulated() as (emu, api):
        emu.rewrites["upload_presets"] = append_to("presets", {"unsigned": False, "settings": {}})
        assert_unreadable(UPLOAD_PRESETS, api, read, "KeyError")


@pytest.mark.parametrize("read", READS)
def test_a_metadata_field_without_its_external_id(read: str) -> None:
    with emulated() as (emu, api):
        METADATA_FIELDS.create(api, "a", {"type": "string", "label": "A"})
        del emu.state(CLOUD).metadata_fields["a"]["external_id"]
        emu.rewrites["metadata_fields"] = append_to("metadata_fields", {"type": "string", "label": "B"})
        assert_unreadable(METADATA_FIELDS, api, read, "KeyError")


@pytest.mark.parametrize("read", READS)
def test_a_trigger_without_its_url(read: str) -> None:
    with emulated() as (emu, api):
        TRIGGERS.create(api, "a", {"event_type": "upload", "uri": "https://a.example/"})
        [record] = emu.state(CLOUD).triggers.values()
        del record["uri"]
        assert_unreadable(TRIGGERS, api, read, "KeyError")


def odd_flag(request: Request, payload: Any) -> Any:
    """Every transformation answered with a `named` flag that is no boolean."""
    if "transformations" in payload:  # the list
        return {"transformations": [{**item, "named": "sometimes"} for item in payload["transformations"]]}
    return {**payload, "named": "sometimes"}  # a detail GET


def no_name(request: Request, payload: Any) -> Any:
    """Every transformation answered without its name."""
    if "transformations" in payload:
        return {"transformations": [{"named": True} for _ in payload["transformations"]]}
    return {key: value for key, value in payload.items() if key != "name"}


@pytest.mark.parametrize("read", [*READS, "read_one"])
@pytest.mark.parametrize("rewrite", [odd_flag, no_name], ids=["odd-flag", "no-name"])
def test_a_transformation_whose_name_cannot_be_read(rewrite: Rewrite, read: str) -> None:
    with emulated() as (emu, api):
        TRANSFORMATIONS.create(api, "a", {"transformation": "c_fill,w_100"})
        emu.rewrites["transformations"] = rewrite
        if read == "read_one":  # the detail GET, as a single-name read_many makes it
            with pytest.raises(UnreadableLiveError, match=r"^transformation .*cannot read"):
                TRANSFORMATIONS.read_one(api, "a")
        else:
            assert_unreadable(TRANSFORMATIONS, api, read)


# --- a definition the grammar cannot read: a diff, never a failed read ------------------------


def info_rewrite(odd_info: object) -> Rewrite:
    """Detail GETs answer `odd_info` for the definition; the list passes unchanged."""

    def rewrite(request: Request, payload: Any) -> Any:
        return payload if "transformations" in payload else {**payload, "info": odd_info}

    return rewrite


# each odd definition, and what of it the kept live form shows
ODD_INFOS: dict[str, tuple[object, str]] = {
    # a parameter this grammar does not know (the service adds parameters over time)
    "unknown-parameter": ([{"crop": "fill", "width": 100, "future_param": "on"}], '"future_param": "on"'),
    # a step that is no mapping, and a definition answered as a string the grammar rejects
    "step-no-mapping": ([{"crop": "fill"}, ["width", 100]], '["width", 100]'),
    "string-unknown-parameter": ("c_fill,w_100,zz_3", "c_fill,w_100,zz_3"),
}


@pytest.mark.parametrize(("odd_info", "shown"), ODD_INFOS.values(), ids=ODD_INFOS.keys())
def test_a_named_transformation_the_grammar_cannot_read_shows_as_a_diff(odd_info: object, shown: str) -> None:
    desired = {"transformation": "c_fill,w_100"}
    with emulated() as (emu, api):
        TRANSFORMATIONS.create(api, "a", desired)
        TRANSFORMATIONS.create(api, "b", {"transformation": "w_200"})
        emu.rewrites["transformations"] = info_rewrite(odd_info)
        want = TRANSFORMATIONS.canonical_desired(obj("transformation", "a", desired))
        reads: list[LiveObject | None] = [
            TRANSFORMATIONS.read_all(api, 2)["a"],
            TRANSFORMATIONS.read_many(api, ["a", "b"], 2)["a"],
            TRANSFORMATIONS.read_one(api, "a"),
        ]
        for live in reads:
            assert live is not None
            kept = live.canonical["transformation"]
            assert shown in kept and kept != want["transformation"]
            assert live.canonical["allowed_for_strict"] == want["allowed_for_strict"]

        assert reads[0] is not None
        emu.clear_log()
        TRANSFORMATIONS.update(api, "a", desired, reads[0])  # the apply writes the desired definition
        [update] = [r for r in emu.request_log if r.method != "GET"]
        assert update.query_and_body_params["unsafe_update"] == "c_fill,w_100"
        emu.rewrites.clear()
        after = TRANSFORMATIONS.read_one(api, "a")
        assert after is not None and dict(after.canonical) == want


def test_a_preset_definition_the_grammar_cannot_read_shows_as_a_diff() -> None:
    body = {"settings": {"folder": "p", "transformation": "c_fill,w_100", "eager": ["w_200", "w_300"]}}
    with emulated() as (emu, api):
        UPLOAD_PRESETS.create(api, "a", body)
        UPLOAD_PRESETS.create(api, "b", {"settings": {"folder": "b"}})
        want = UPLOAD_PRESETS.canonical_desired(obj("upload_preset", "a", body))
        # the list answers the stored wire strings: edited to hold a parameter the grammar lacks
        stored = emu.state(CLOUD).upload_presets["a"]["settings"]
        stored.update(transformation="c_fill,w_100,zz_3", eager="w_200|zz_3")
        for live in (UPLOAD_PRESETS.read_all(api, 2)["a"], UPLOAD_PRESETS.read_many(api, ["a", "b"], 2)["a"]):
            assert live is not None
            settings = live.canonical["settings"]
            assert settings["transformation"] == "c_fill,w_100,zz_3"
            assert settings["eager"] == [comparable("w_200"), "zz_3"]  # the readable item still compares
            assert settings["folder"] == "p" and settings != want["settings"]

        # the detail GET answers parsed steps: one with a parameter and one step of a wrong shape
        stored.update(transformation="c_fill,w_100", eager="w_200|w_300")
        odd_eager = [[{"width": 200}], [{"width": 300, "future_param": "on"}], "not steps"]

        def parsed_oddly(request: Request, payload: Any) -> Any:
            return {**payload, "settings": {**payload["settings"], "eager": odd_eager}}

        emu.rewrites["upload_presets/a"] = parsed_oddly
        one = UPLOAD_PRESETS.read_one(api, "a")
        assert one is not None
        readable, unknown_parameter, not_steps = one.canonical["settings"]["eager"]
        assert readable == comparable("w_200") and not_steps == "not steps"
        assert '"future_param": "on"' in unknown_parameter
        assert one.canonical["settings"]["transformation"] == want["settings"]["transformation"]

        UPLOAD_PRESETS.update(api, "a", body, one)  # the apply writes the desired settings
        emu.rewrites.clear()
        after = UPLOAD_PRESETS.read_one(api, "a")
        assert after is not None and dict(after.canonical) == want

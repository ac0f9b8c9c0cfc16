"""Conformance: every emulated endpoint answers, in successes and errors, as the published API does.

The response schemas in `tests/response_schemas/` were written for this test from Cloudinary's
published OpenAPI schemas (`cloudinary/api-schemas`: environment-config, structured-metadata and
the combined api schema, with its changelog) and the project's reference; each place where the
reference was followed over a schema carries a `$comment` beginning "Reference over schema".

The endpoints are driven over real HTTP (raw JSON requests, as pycloudinary ≥ 1.42.2 sends
them, through urllib3, the SDK's own transport) against an emulator on 127.0.0.1. Every exchange
is recorded under the endpoint key it exercises ("GET upload_presets/{name}"), then:

- each answer validates against the schema for its endpoint and status;
- each (endpoint, status) answered has a schema, and each one a schema describes was answered;
- each route the emulator serves was answered at least once with a success and once with an error.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import urllib3
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.emulator.routing import ROUTES, Route, find_route

SCHEMAS = Path(__file__).parent / "response_schemas"
BASE_URI = "https://cloudinary-state.invalid/response_schemas/"
KEY, SECRET = "conform-key", "conform-secret"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x40\x00\x00\x00\x20" + b"\x00" * 16
PNG_URI = "data:image/png;base64," + base64.b64encode(PNG).decode()


@dataclass(frozen=True)
class Exchange:
    key: str  # the endpoint: "METHOD path-template[?query-template]"
    route: Route
    status: int
    body: Any


@dataclass
class Driver:
    """Raw HTTP to one emulated cloud; records each exchange."""

    url: str
    cloud: str
    http: urllib3.PoolManager = field(default_factory=urllib3.PoolManager)
    exchanges: list[Exchange] = field(default_factory=list)

    def call(
        self,
        key: str,
        body: Any = None,
        *,
        query: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        auth: tuple[str, str] = (KEY, SECRET),
        **names: str,
    ) -> tuple[int, Any]:
        method, template = key.split(" ", 1)
        path_template, _, query_template = template.partition("?")
        path = path_template.format(**names)
        query_text = "&".join(
            p
            for p in (
                query_template.format(**{k: quote(v, safe="") for k, v in names.items()}),
                urlencode(query or {}),
            )
            if p
        )
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
        data = json.dumps(body) if body is not None else None
        if form is not None:
            headers["Content-Type"], data = "application/x-www-form-urlencoded", urlencode(form)
        url = f"{self.url}/v1_1/{self.cloud}/{quote(path, safe='/')}" + (
            f"?{query_text}" if query_text else ""
        )
        response = self.http.request(method, url, body=data, headers=headers)
        answer = json.loads(response.data)
        found = find_route(method, path)
        assert found is not None, f"{key}: no emulator route serves {method} {path}"
        self.exchanges.append(Exchange(key, found[0], response.status, answer))
        return response.status, answer


# --- the schemas -----------------------------------------------------------------------------


def _documents() -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMAS.glob("*.json"))}


def _registry(documents: dict[str, dict[str, Any]]) -> Registry[Any]:
    resources = [
        (BASE_URI + name, Resource.from_contents(doc, default_specification=DRAFT202012))
        for name, doc in documents.items()
    ]
    return Registry().with_resources(resources)


def _pointer(*parts: str) -> str:
    return "".join("/" + quote(part.replace("~", "~0").replace("/", "~1"), safe="") for part in parts)


def _schema_index(documents: dict[str, dict[str, Any]]) -> dict[tuple[str, str], str]:
    """(endpoint key, status) -> the $ref of its schema."""
    index: dict[tuple[str, str], str] = {}
    for name, doc in documents.items():
        for key, by_status in doc.get("responses", {}).items():
            for status in by_status:
                if status.isdigit():
                    assert (key, status) not in index, f"{key} {status} is described twice"
                    index[key, status] = f"{BASE_URI}{name}#{_pointer('responses', key, status)}"
    return index


# --- driving the endpoints -------------------------------------------------------------------


def account(d: Driver) -> None:
    assert d.call("GET ping")[0] == 200
    assert d.call("GET ping", auth=(KEY, "wrong"))[0] == 401
    assert d.call("GET config", query={"settings": "true"})[0] == 200
    assert d.call("GET config", auth=("nobody", SECRET))[0] == 401
    assert d.call("GET usage")[0] == 200
    assert d.call("GET usage", auth=(KEY, ""))[0] == 401


def transformations(d: Driver) -> None:
    create = "POST transformations"
    assert d.call(create, {"name": "thumb", "transformation": "c_fill,w_100,h_100"})[0] == 200
    assert d.call(create, {"name": "half", "transformation": "w_0.5,c_scale/jpg"})[0] == 200
    assert d.call(create, {"name": "thumb", "transformation": "w_10"})[0] == 409
    assert d.call(create, {"name": "broken", "transformation": "w_"})[0] == 400
    assert d.call("GET transformations", query={"named": "true"})[0] == 200
    assert d.call("GET transformations", query={"max_results": "0"})[0] == 400
    assert d.call("GET transformations?transformation={t}", t="thumb")[0] == 200
    assert d.call("GET transformations?transformation={t}", t="missing")[0] == 404
    status, half = d.call("GET transformations/{t}", t="t_half")
    assert status == 200 and half["info"][0]["width"] == 0.5 and half["info"][-1]["extension"] == "jpg"
    assert d.call("GET transformations/{t}", t="missing")[0] == 404
    update = "PUT transformations"
    assert d.call(update, {"transformation": "thumb", "allowed_for_strict": False})[0] == 200
    assert d.call(update, {"transformation": "missing", "allowed_for_strict": False})[0] == 404
    assert d.call(update, {"transformation": "thumb", "unsafe_update": "w_"})[0] == 400
    assert d.call("DELETE transformations", {"transformation": "half"})[0] == 200
    assert d.call("DELETE transformations", {"transformation": "half"})[0] == 404


RICH_PRESET: dict[str, Any] = {
    # as a client that does not go through the SDK's string encoding may send them
    "tags": ["a", "b"],
    "context": {"team": "web", "note": "x=y|z"},
    "transformation": "c_fill,w_10,h_10",
    "eager": ["c_fit,w_5", "e_sepia"],
    "allowed_formats": "jpg,png",
    "colors": True,
    "use_filename": "1",
    "categorization": "google_tagging",
    "auto_tagging": 0.7,
    "access_control": [{"access_type": "anonymous"}],
    "headers": {"X-Robots-Tag": "noindex"},
    "face_coordinates": [[1, 2, 3, 4]],
    "disallow_public_id": True,
    "folder": "incoming",
}


def upload_presets(d: Driver) -> None:
    create = "POST upload_presets"
    assert d.call(create, {"name": "rich", "unsigned": False, **RICH_PRESET})[0] == 200
    assert d.call(create, {"name": "open", "unsigned": True, "tags": "u"})[0] == 200
    assert d.call(create, {"name": "rich"})[0] == 409
    assert d.call(create, {"name": "bad", "transformation": "w_"})[0] == 400
    status, listed = d.call("GET upload_presets")
    rich = next(p for p in listed["presets"] if p["name"] == "rich")
    assert status == 200 and rich["settings"]["tags"] == "a,b" and rich["settings"]["colors"] is True
    assert d.call("GET upload_presets", query={"order_by": "size"})[0] == 400
    assert d.call("GET upload_presets", auth=(KEY, "wrong"))[0] == 401
    status, detail = d.call("GET upload_presets/{name}", name="rich")
    assert status == 200 and detail["settings"]["tags"] == ["a", "b"]
    assert d.call("GET upload_presets/{name}", name="missing")[0] == 404
    assert d.call("PUT upload_presets/{name}", {"tags": "c"}, name="rich")[0] == 200
    assert d.call("PUT upload_presets/{name}", {"tags": "c"}, name="missing")[0] == 404
    assert d.call("PUT upload_presets/{name}", {"eager": "w_"}, name="rich")[0] == 400
    assert d.call("DELETE upload_presets/{name}", name="rich")[0] == 200
    assert d.call("DELETE upload_presets/{name}", name="rich")[0] == 404


def upload_mappings(d: Driver) -> None:
    create = "POST upload_mappings"
    assert (
        d.call(create, {"folder": "docs", "template": "https://docs.example/", "upload_preset_name": "open"})[
            0
        ]
        == 200
    )
    assert d.call(create, {"folder": "plain", "template": "https://plain.example/"})[0] == 200
    assert d.call(create, {"folder": "docs", "template": "https://docs.example/"})[0] == 409
    assert d.call(create, {"folder": "bad", "template": "not a url"})[0] == 400
    assert d.call("GET upload_mappings", query={"max_results": "1"})[0] == 200
    assert d.call("GET upload_mappings", query={"max_results": "0"})[0] == 400
    status, docs = d.call("GET upload_mappings?folder={folder}", folder="docs")
    assert status == 200 and docs["upload_preset_name"] == "open"
    assert d.call("GET upload_mappings?folder={folder}", folder="missing")[0] == 404
    update = "PUT upload_mappings"
    assert (
        d.call(update, {"folder": "docs", "template": "https://d.example/", "upload_preset_name": None})[0]
        == 200
    )
    assert d.call(update, {"folder": "missing", "template": "https://d.example/"})[0] == 404
    assert d.call(update, {"folder": "docs", "template": "ftp:/x"})[0] == 400
    replace = "PUT upload_mappings/replace"
    assert d.call(replace, {"mappings": [{"folder": "docs", "template": "https://r.example/"}]})[0] == 200
    assert d.call(replace, {"mappings": "docs"})[0] == 400
    assert d.call("DELETE upload_mappings", query={"folder": "docs"})[0] == 200
    assert d.call("DELETE upload_mappings", query={"folder": "docs"})[0] == 404


def _colors() -> dict[str, Any]:
    values = [{"external_id": "red", "value": "Red"}, {"external_id": "blue", "value": "Blue"}]
    return {
        "type": "set",
        "external_id": "colors",
        "label": "Colors",
        "datasource": {"values": values},
        "default_value": ["red"],
    }


def metadata_fields(d: Driver) -> None:
    create = "POST metadata_fields"
    assert d.call(create, _colors())[0] == 200
    title = {
        "type": "string",
        "external_id": "title",
        "label": "Title",
        "validation": {"type": "strlen", "max": 10},
    }
    assert d.call(create, title)[0] == 200
    assert d.call(create, title)[0] == 400  # a duplicate external_id is a 400 (reference §8.2)
    assert d.call("GET metadata_fields")[0] == 200
    assert d.call("GET metadata_fields/{id}", id="colors")[0] == 200
    assert d.call("GET metadata_fields/{id}", id="missing")[0] == 404
    assert d.call("PUT metadata_fields/{id}", {"label": "Headline"}, id="title")[0] == 200
    assert d.call("PUT metadata_fields/{id}", {"label": "Headline"}, id="missing")[0] == 404
    assert d.call("PUT metadata_fields/{id}", {"default_value": "far too long here"}, id="title")[0] == 400
    assert d.call("PUT metadata_fields/order", {"order_by": "label", "direction": "desc"})[0] == 200
    assert d.call("PUT metadata_fields/order", {"order_by": "colour"})[0] == 400
    assert d.call("PUT metadata_fields/{id}/reorder", {"position": 1}, id="title")[0] == 200
    assert d.call("PUT metadata_fields/{id}/reorder", {"position": 99}, id="title")[0] == 400
    assert d.call("PUT metadata_fields/{id}/reorder", {"position": 1}, id="missing")[0] == 404
    datasource(d)
    metadata_rules(d)  # a rule reads title: before title goes
    assert d.call("DELETE metadata_fields/{id}", id="title")[0] == 200
    assert d.call("DELETE metadata_fields/{id}", id="title")[0] == 404


def datasource(d: Driver) -> None:
    upsert = "PUT metadata_fields/{id}/datasource"
    status, answer = d.call(upsert, {"values": [{"external_id": "green", "value": "Green"}]}, id="colors")
    assert status == 200 and all(set(v) == {"external_id", "value"} for v in answer["values"])
    assert d.call(upsert, {"values": [{"value": ""}]}, id="colors")[0] == 400
    assert d.call(upsert, {"values": []}, id="missing")[0] == 404
    assert d.call("DELETE metadata_fields/{id}/datasource", {"external_ids": ["blue"]}, id="colors")[0] == 200
    assert d.call("DELETE metadata_fields/{id}/datasource", {}, id="colors")[0] == 400
    assert d.call("DELETE metadata_fields/{id}/datasource", {"external_ids": []}, id="missing")[0] == 404
    status, field = d.call("GET metadata_fields/{id}", id="colors")
    states = [(v["external_id"], v["state"], v["position"]) for v in field["datasource"]["values"]]
    assert states == [("red", "active", 1), ("blue", "inactive", 2), ("green", "active", 3)]
    restore = "POST metadata_fields/{id}/datasource_restore"
    assert d.call(restore, {"external_ids": ["blue"]}, id="colors")[0] == 200
    assert d.call(restore, {"external_ids": "blue"}, id="colors")[0] == 400
    assert d.call(restore, {"external_ids": ["blue"]}, id="missing")[0] == 404
    for method in ("PUT", "POST"):
        order = f"{method} metadata_fields/{{id}}/datasource/order"
        assert d.call(order, {"order_by": "value", "direction": "desc"}, id="colors")[0] == 200
        assert d.call(order, {"order_by": "label"}, id="colors")[0] == 400
    assert d.call("PUT metadata_fields/{id}/datasource/order", {"order_by": "value"}, id="missing")[0] == 404
    search = "POST metadata_fields/{id}/datasource/search"
    assert d.call(search, {"term": "re"}, id="colors")[0] == 200
    assert d.call(search, {"term": "re", "max_results": 0}, id="colors")[0] == 400
    assert d.call(search, {"term": "re"}, id="missing")[0] == 404
    assert d.call("POST metadata_fields/datasource/search", {"term": "b"})[0] == 200
    assert d.call("POST metadata_fields/datasource/search", {"term": 5})[0] == 400


def metadata_rules(d: Driver) -> None:
    rule = {
        "metadata_field_id": "colors",
        "name": "r1",
        "result": {"disable": True},
        "condition": {"metadata_field_id": "title", "populated": True},
    }
    status, created = d.call("POST metadata_rules", rule)
    assert status == 200
    assert d.call("POST metadata_rules", {"name": "incomplete"})[0] == 400
    assert d.call("GET metadata_rules")[0] == 200
    rule_id = created["external_id"]
    assert d.call("PUT metadata_rules/{id}", {"name": "r2"}, id=rule_id)[0] == 200
    assert d.call("PUT metadata_rules/{id}", {"state": "paused"}, id=rule_id)[0] == 400
    assert d.call("PUT metadata_rules/{id}", {"name": "r2"}, id="missing")[0] == 404
    assert d.call("DELETE metadata_rules/{id}", id=rule_id)[0] == 200
    assert d.call("DELETE metadata_rules/{id}", id=rule_id)[0] == 404


def triggers(d: Driver) -> None:
    hook = {"uri": "https://hooks.example/x", "event_type": "upload"}
    status, created = d.call("POST triggers", hook)
    assert status == 201
    assert d.call("POST triggers", hook)[0] == 409
    assert d.call("POST triggers", {**hook, "event_type": "everything"})[0] == 400
    assert d.call("GET triggers")[0] == 200
    assert d.call("GET triggers", query={"event_type": "everything"})[0] == 400
    trigger_id = created["id"]
    assert d.call("PUT triggers/{id}", {"new_uri": "https://hooks.example/y"}, id=trigger_id)[0] == 200
    assert d.call("PUT triggers/{id}", {}, id=trigger_id)[0] == 400
    assert d.call("PUT triggers/{id}", {"new_uri": "https://hooks.example/y"}, id="0" * 32)[0] == 404
    assert d.call("POST triggers/{id}/test", {"sample_data": {"tags": ["a"]}}, id=trigger_id)[0] == 200
    assert d.call("POST triggers/{id}/test", {"sample_data": 5}, id=trigger_id)[0] == 400
    assert d.call("POST triggers/{id}/test", {}, id="0" * 32)[0] == 404
    assert d.call("DELETE triggers/{id}", id=trigger_id)[0] == 200
    assert d.call("DELETE triggers/{id}", id=trigger_id)[0] == 404


def streaming_profiles(d: Driver) -> None:
    ladder = json.dumps([{"transformation": "c_limit,w_1280,h_720,br_2m"}])
    assert d.call("GET streaming_profiles")[0] == 200
    assert d.call("GET streaming_profiles", auth=(KEY, "wrong"))[0] == 401
    assert d.call("POST streaming_profiles", {"name": "custom", "representations": ladder})[0] == 200
    assert d.call("POST streaming_profiles", {"name": "custom", "representations": ladder})[0] == 409
    assert d.call("POST streaming_profiles", {"name": "other"})[0] == 400
    assert d.call("GET streaming_profiles/{name}", name="custom")[0] == 200
    assert d.call("GET streaming_profiles/{name}", name="missing")[0] == 404
    update = "PUT streaming_profiles/{name}"
    assert d.call(update, {"display_name": "Custom", "representations": ladder}, name="custom")[0] == 200
    assert d.call(update, {"representations": "[]"}, name="custom")[0] == 400
    assert d.call(update, {"representations": ladder}, name="missing")[0] == 404
    assert d.call("DELETE streaming_profiles/{name}", name="custom")[0] == 200
    assert d.call("DELETE streaming_profiles/{name}", name="hd")[0] == 400  # an unchanged built-in
    assert d.call("DELETE streaming_profiles/{name}", name="custom")[0] == 404


def upload(d: Driver) -> None:
    assert d.call("POST image/upload", form={"file": PNG_URI, "upload_preset": "open"})[0] == 200
    assert (
        d.call("POST image/upload", form={"file": "data:image/png;base64,AAAA", "upload_preset": "open"})[0]
        == 400
    )
    assert d.call("POST image/upload", form={"file": PNG_URI})[0] == 400  # unsigned, without a preset
    forged = {"file": PNG_URI, "api_key": KEY, "timestamp": "1767225600", "signature": "0" * 40}
    assert d.call("POST image/upload", form=forged)[0] == 401


def search(d: Driver) -> None:
    """After `upload`: the account holds an asset."""
    status, found = d.call("POST resources/search", {"expression": "", "max_results": 10})
    assert status == 200 and found["total_count"] >= 1
    assert d.call("POST resources/search", {"expression": "tags=x"})[0] == 400
    assert d.call("GET resources/search", query={"max_results": "5"})[0] == 200
    assert d.call("GET resources/search", query={"max_results": "501"})[0] == 400


def not_entitled(d: Driver) -> None:
    """A cloud whose plan lacks every entitlement: each operation the schemas give a 403 has one."""
    for key, body in (
        ("GET transformations", None),
        ("POST transformations", {"name": "x", "transformation": "w_1"}),
        ("PUT transformations", {"transformation": "x"}),
        ("DELETE transformations", {"transformation": "x"}),
        ("GET metadata_fields", None),
        ("POST metadata_fields", {"type": "string", "label": "x"}),
        ("GET metadata_rules", None),
        ("POST metadata_rules", {"name": "x"}),
    ):
        assert d.call(key, body)[0] == 403, key
    for key in ("GET transformations/{t}", "GET transformations?transformation={t}"):
        assert d.call(key, t="x")[0] == 403
    for key in ("GET", "PUT", "DELETE"):
        assert d.call(f"{key} metadata_fields/{{id}}", {}, id="x")[0] == 403
    assert d.call("POST metadata_fields/{id}/datasource_restore", {"external_ids": []}, id="x")[0] == 403
    for key in ("PUT", "DELETE"):
        assert d.call(f"{key} metadata_rules/{{id}}", {}, id="x")[0] == 403
    for key in ("POST", "GET"):  # an account without the Search API (search_api=False)
        assert d.call(f"{key} resources/search")[0] == 403


def already_updating(d: Driver, now: list[float]) -> None:
    """A datasource update that arrives while the field's previous one runs is a 420."""
    assert d.call("POST metadata_fields", _colors())[0] == 200
    teal = {"values": [{"external_id": "teal", "value": "Teal"}]}
    assert d.call("PUT metadata_fields/{id}/datasource", teal, id="colors")[0] == 200
    status, answer = d.call("PUT metadata_fields/{id}/datasource", teal, id="colors")
    assert status == 420 and "already updating" in answer["error"]["message"]
    now[0] += 31  # the update is done: the next one goes through
    assert d.call("PUT metadata_fields/{id}/datasource", teal, id="colors")[0] == 200


# --- the test --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exchanges() -> Iterator[list[Exchange]]:
    now = [1_767_225_600.0]
    clouds = [
        CloudConfig("conform", KEY, SECRET, addons=frozenset({"google_tagging"})),
        CloudConfig(
            "unentitled",
            KEY,
            SECRET,
            not_entitled=frozenset({"transformations", "metadata_fields", "metadata_rules"}),
            search_api=False,
        ),
        CloudConfig("busy", KEY, SECRET, datasource_update_s=30),  # a datasource update takes 30 s
    ]
    with (
        EmulatorServer(clouds, clock=lambda: now[0]) as emu,
        EmulatorServer(clouds[:1], rate_limit=1) as tight,
    ):
        d = Driver(emu.url, "conform")
        for scenario in (
            account,
            transformations,
            upload_presets,
            upload_mappings,
            metadata_fields,
            triggers,
            streaming_profiles,
            upload,
            search,
        ):
            scenario(d)
        already_updating(Driver(emu.url, "busy", d.http, d.exchanges), now)
        not_entitled(Driver(emu.url, "unentitled", d.http, d.exchanges))
        limited = Driver(tight.url, "conform", d.http, d.exchanges)  # an hourly budget of 1 call
        assert limited.call("GET ping")[0] == 200
        assert limited.call("GET ping")[0] == 420
        assert limited.call("GET transformations")[0] == 420
        d.http.clear()
        yield d.exchanges


def test_every_answer_validates_against_its_schema(exchanges: list[Exchange]) -> None:
    documents = _documents()
    index, registry = _schema_index(documents), _registry(documents)
    problems = []
    for ex in exchanges:
        ref = index.get((ex.key, str(ex.status)))
        if ref is None:
            problems.append(f"{ex.key} answered {ex.status}, which no schema describes: {ex.body}")
            continue
        validator = Draft202012Validator({"$ref": ref}, registry=registry)
        problems += [
            f"{ex.key} {ex.status}: {e.message} at {list(e.absolute_path)}"
            for e in validator.iter_errors(ex.body)
        ]
    assert not problems, "\n".join(problems)


def test_every_described_answer_was_seen(exchanges: list[Exchange]) -> None:
    seen = {(ex.key, str(ex.status)) for ex in exchanges}
    assert sorted(set(_schema_index(_documents())) - seen) == []


def test_every_route_answers_a_success_and_an_error(exchanges: list[Exchange]) -> None:
    missing = [
        f"{route.method} {route.pattern.pattern}: {what}"
        for route in ROUTES
        for what, seen in (
            ("no success", any(ex.route is route and ex.status < 400 for ex in exchanges)),
            ("no error", any(ex.route is route and ex.status >= 400 for ex in exchanges)),
        )
        if not seen
    ]
    assert missing == []


def test_the_schemas_note_where_they_follow_the_reference() -> None:
    """Each deliberate departure from a published schema says so, with its evidence."""
    notes = [
        comment
        for doc in _documents().values()
        for comment in _comments(doc)
        if comment.startswith("Reference over schema")
    ]
    assert len(notes) >= 10 and all("reference" in n.lower() and "schema" in n.lower() for n in notes)


def _comments(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$comment" and isinstance(value, str):
                yield value
            else:
                yield from _comments(value)
    elif isinstance(node, list):
        for item in node:
            yield from _comments(item)

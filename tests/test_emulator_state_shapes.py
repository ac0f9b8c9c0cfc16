"""The emulator's state file holds only what the emulator itself could have written.

A hand-edited or damaged file whose stores hold objects of a shape the handlers cannot read
(a store that is no object, an object that is no object, a missing identity, a nested value of
the wrong type, a counter that is no integer) is refused when the emulator starts, naming the
file, the store and the key: `--emulator` runs and `emulator serve` exit 1 with that one line,
before any API call (once, each such file loaded, and every request that read it answered 500
and was retried for a minute). A property test mutates a real saved state file: each mutant is
refused, or it loads and every list route, and the detail route of each stored object, answers
without a 500.

A handler that still fails unexpectedly answers 500 as the live service would; the embedded
emulator logs the traceback at -vv, never on the terminal of a normal run.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import cloudinary.api as api
import cloudinary.uploader as uploader
import pytest
import urllib3
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support.cli_runner import run_cli, run_main
from support.mutations import structure_edit

from cloudinary_state.cli import main
from cloudinary_state.emulator import CloudConfig, EmulatorServer, EmulatorStateError
from cloudinary_state.emulator.routing import ROUTES, find_route
from cloudinary_state.emulator.state import CONFIGURATION, STORE_CHECKS, CloudState

EXAMPLES = Path(__file__).resolve().parents[1] / "environments"
CLOUD = "acme-staging"  # the example staging environment's cloud
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x40\x00\x00\x00\x20" + b"\x00" * 16


def state_path(config_dir: Path) -> Path:
    return config_dir / ".cloudinary-state" / "emulator" / "staging.json"


@pytest.fixture(scope="module")
def applied_state(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The state file the example staging environment's apply leaves, as a document."""
    config_dir = tmp_path_factory.mktemp("applied")
    shutil.copytree(EXAMPLES, config_dir / "environments")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDINARY_URL")}
    apply = ("apply", "--env", "staging", "--emulator", "--auto-approve")
    command = [sys.executable, "-m", "cloudinary_state", "--config-dir", str(config_dir), *apply]
    subprocess.run(command, check=True, capture_output=True, env=environ)
    document: dict[str, Any] = json.loads(state_path(config_dir).read_text())
    return document


# --- corrupt files through the CLI ----------------------------------------------------------------

Corruption = Callable[[dict[str, Any]], None]


def _store_not_an_object(cloud: dict[str, Any]) -> None:
    cloud["transformations"] = []


def _member_not_an_object(cloud: dict[str, Any]) -> None:
    cloud["transformations"]["x"] = 5


def _identity_missing(cloud: dict[str, Any]) -> None:
    del cloud["upload_presets"]["product_assets"]["name"]


def _nested_value_of_the_wrong_type(cloud: dict[str, Any]) -> None:
    cloud["metadata_fields"]["category"]["datasource"]["values"][0]["value"] = 5


def _counter_not_an_integer(cloud: dict[str, Any]) -> None:
    cloud["counters"]["transformation_seq"] = "2"


def _unparsable_representation(cloud: dict[str, Any]) -> None:
    cloud["streaming_profiles"]["hd"]["representations"][0] = "not a transformation"


# (corruption, what the one error line says after the file's name)
CORRUPTIONS: dict[str, tuple[Corruption, str]] = {
    "store": (_store_not_an_object, "store transformations: must be an object"),
    "member": (
        _member_not_an_object,
        "store transformations, object 'x': must be an object with name: string, named: boolean",
    ),
    "identity": (_identity_missing, "store upload_presets, object 'product_assets': name is missing"),
    "nested": (
        _nested_value_of_the_wrong_type,
        "store metadata_fields, object 'category': "
        "datasource.values[0].value must be a string, not an integer",
    ),
    "counter": (
        _counter_not_an_integer,
        "store counters, counter 'transformation_seq': must be an integer, not a string",
    ),
    "representation": (
        _unparsable_representation,
        "store streaming_profiles, object 'hd': representations[0] is no transformation",
    ),
}
COMMANDS = {
    "plan": ("plan", "--env", "staging", "--emulator"),
    "apply": ("apply", "--env", "staging", "--emulator", "--auto-approve"),
    "drift": ("drift", "--env", "staging", "--emulator"),
}


def write_corrupted(path: Path, applied: dict[str, Any], corrupt: Corruption) -> None:
    document = copy.deepcopy(applied)
    corrupt(document["clouds"][CLOUD])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("damage", sorted(CORRUPTIONS))
def test_a_state_file_the_emulator_could_not_have_written_is_refused_before_any_call(
    config_dir: Path,
    capsys: pytest.CaptureFixture[str],
    applied_state: dict[str, Any],
    damage: str,
    command: str,
) -> None:
    corrupt, says = CORRUPTIONS[damage]
    path = state_path(config_dir)
    write_corrupted(path, applied_state, corrupt)
    code, out, err = run_cli(config_dir, capsys, *COMMANDS[command])  # fails on a traceback
    assert code == 1, out + err
    [line] = err.strip().splitlines()  # one line
    assert line.startswith("error: the embedded emulator cannot start for 'staging': "), line
    assert f"emulator state file {path} is corrupt: cloud '{CLOUD}': {says}" in line
    assert "delete it to start from an empty emulated account" in line
    # refused at start: no request was made, so none was retried (the summary counts calls)
    assert "Admin API calls" not in out + err and "gave up" not in err


def test_emulator_serve_refuses_such_a_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], applied_state: dict[str, Any]
) -> None:
    path = tmp_path / "state.json"
    write_corrupted(path, applied_state, _identity_missing)
    code, out, err = run_main(capsys, "emulator", "serve", "--state", str(path), "--cloud", CLOUD)
    assert code == 1, out + err
    [line] = err.strip().splitlines()
    assert f"emulator state file {path} is corrupt: cloud '{CLOUD}': store upload_presets" in line
    assert out == ""  # never served: no URL printed


def test_a_cloud_the_server_does_not_serve_is_not_its_to_refuse(
    tmp_path: Path, applied_state: dict[str, Any]
) -> None:
    path = tmp_path / "state.json"
    write_corrupted(path, applied_state, _member_not_an_object)
    with EmulatorServer([CloudConfig("another-cloud")], state_file=path) as emu:
        emu.persist()
    # kept as read, for the server that serves it to judge
    assert json.loads(path.read_text())["clouds"][CLOUD]["transformations"]["x"] == 5


# --- what the emulator writes, it reads back ------------------------------------------------------


def test_every_store_states_the_shape_of_what_it_holds() -> None:
    stores = {f.name for f in fields(CloudState) if f.name not in CONFIGURATION}
    assert set(STORE_CHECKS) == stores


def test_odd_values_where_the_handlers_only_pass_them_on_still_load(
    tmp_path: Path, applied_state: dict[str, Any]
) -> None:
    """The state file is also how an odd live answer is staged (tests/test_cli_clear_errors.py):
    a value the handlers answer as stored, whatever its type, or an extra field, is kept."""
    document = copy.deepcopy(applied_state)
    cloud = document["clouds"][CLOUD]
    cloud["upload_presets"]["product_assets"]["settings"]["auto_tagging"] = "high"
    cloud["metadata_fields"]["category"]["mandatory"] = "sometimes"
    cloud["transformations"]["product_images"]["from_a_newer_emulator"] = {"any": ["thing"]}
    [rule] = cloud["metadata_rules"].values()
    del rule["result"]
    path = tmp_path / "state.json"
    path.write_text(json.dumps(document))
    with EmulatorServer([CloudConfig(CLOUD)], state_file=path) as emu:
        state = emu.state(CLOUD)
        assert state.upload_presets["product_assets"]["settings"]["auto_tagging"] == "high"
        assert state.transformations["product_images"]["from_a_newer_emulator"] == {"any": ["thing"]}


@pytest.fixture(scope="module")
def rich_state(tmp_path_factory: pytest.TempPathFactory, applied_state: dict[str, Any]) -> dict[str, Any]:
    """The applied state, then an upload (an asset with metadata, eager derivatives registering
    an unnamed transformation), a soft-deleted datasource value, a modified built-in profile:
    every store holds what its handlers write."""
    path = tmp_path_factory.mktemp("rich") / "state.json"
    path.write_text(json.dumps(applied_state))
    with EmulatorServer([CloudConfig(CLOUD)], state_file=path) as emu:
        o = {
            "cloud_name": CLOUD,
            "api_key": "emulator-key",
            "api_secret": "emulator-secret",
            "upload_prefix": emu.url,
        }
        uploader.upload(
            PNG,
            public_id="shoe",
            eager=["t_pdp_product_images", "c_scale,w_40/png"],
            metadata={"category": "shoes"},
            **o,
        )
        api.delete_datasource_entries("category", ["apparel"], **o)
        api.update_streaming_profile("hd", display_name="HD, ours", **o)
    document: dict[str, Any] = json.loads(path.read_text())
    stores = document["clouds"][CLOUD]
    assert stores["assets"] and any(not t["named"] for t in stores["transformations"].values())
    return document


def test_a_state_the_emulator_wrote_loads(tmp_path: Path, rich_state: dict[str, Any]) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(rich_state))
    with EmulatorServer([CloudConfig(CLOUD)], state_file=path) as emu:
        assert emu.state(CLOUD).assets.keys() == {"shoe"}
        assert_no_read_answers_500(emu, rich_state["clouds"][CLOUD])


# --- mutated state files: refused, or served without a 500 ------------------------------------------

# Every read route without a parameter in its path: the lists, and ping, config, search.
LIST_PATHS = sorted(r.pattern.pattern for r in ROUTES if r.method == "GET" and r.pattern.groups == 0)
HTTP = urllib3.PoolManager(retries=False, timeout=10)
AUTH = urllib3.make_headers(basic_auth="emulator-key:emulator-secret")


def read_paths(stores: Any) -> Iterator[tuple[str, str, dict[str, Any] | None]]:
    """(method, path, JSON body) of every read request the stores can be met by."""
    for path in LIST_PATHS:
        yield "GET", path, None
    yield "POST", "metadata_fields/datasource/search", {"term": ""}
    yield "GET", "usage", None
    if not isinstance(stores, dict):
        return
    for store, records in stores.items():
        for key in records if isinstance(records, dict) else ():
            path = f"{store}/{quote(str(key), safe='')}"
            found = find_route("GET", f"{store}/{key}")
            if found is not None and found[0].pattern.pattern.startswith(store + "/"):
                yield "GET", path, None


def assert_no_read_answers_500(emu: EmulatorServer, stores: Any) -> None:
    for method, path, body in read_paths(stores):
        url = f"{emu.url}/v1_1/{CLOUD}/{path}"
        data = None if body is None else json.dumps(body).encode()
        headers = {**AUTH, "Content-Type": "application/json"}
        response = HTTP.request(method, url, body=data, headers=headers)
        assert response.status != 500, (method, path, response.data[:500])


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_mutated_state_file_is_refused_or_served_without_a_500(
    tmp_path: Path, rich_state: dict[str, Any], data: st.DataObject
) -> None:
    document = copy.deepcopy(rich_state)
    cloud = document["clouds"][CLOUD]
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        cloud = data.draw(structure_edit(cloud), label="cloud")
    document["clouds"][CLOUD] = cloud
    path = tmp_path / "state.json"
    path.write_text(json.dumps(document))
    emu = EmulatorServer([CloudConfig(CLOUD)], state_file=path, rate_limit=1_000_000)
    try:
        emu.start()
    except EmulatorStateError as e:
        event("refused")
        assert str(path) in str(e)
        return
    event("loaded")
    try:
        assert_no_read_answers_500(emu, cloud)
    finally:
        emu.stop()


# --- a handler's unexpected failure -------------------------------------------------------------------


@pytest.fixture
def failing_once() -> Iterator[list[int]]:
    """The upload presets list fails once with an unexpected exception (a handler's bug: the
    state checks leave none known), then answers as usual; yields how often it failed."""
    failures: list[int] = []
    index, route = next(
        (i, r) for i, r in enumerate(ROUTES) if (r.method, r.pattern.pattern) == ("GET", "upload_presets")
    )

    def handler(cloud: CloudState, request: Any, **groups: str) -> tuple[int, Any]:
        if not failures:
            failures.append(1)
            raise RuntimeError("a bug in a handler")
        return route.handler(cloud, request, **groups)

    ROUTES[index] = replace(route, handler=handler)
    try:
        yield failures
    finally:
        ROUTES[index] = route


def test_a_handler_failure_answers_500_and_is_logged_not_printed(
    failing_once: list[int], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cloudinary_state.emulator")
    with EmulatorServer([CloudConfig(CLOUD)], internal_error_level=logging.DEBUG) as emu:
        response = HTTP.request("GET", f"{emu.url}/v1_1/{CLOUD}/upload_presets", headers=AUTH)
    assert response.status == 500
    assert json.loads(response.data) == {
        "error": {"message": "Internal emulator error: RuntimeError: a bug in a handler"}
    }
    assert "Traceback" not in capsys.readouterr().err
    [record] = [r for r in caplog.records if r.name.startswith("cloudinary_state.emulator")]
    assert record.levelno == logging.DEBUG and "GET upload_presets" in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)


def test_the_embedded_emulator_shows_a_handler_failure_only_at_vv(
    config_dir: Path, capsys: pytest.CaptureFixture[str], failing_once: list[int]
) -> None:
    code, out, err = run_cli(config_dir, capsys, "plan", "--env", "staging", "--emulator")
    assert code == 0, out + err  # the client retried the 500
    assert failing_once == [1]
    assert "a bug in a handler" not in out + err  # and run_cli saw no traceback
    failing_once.clear()
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(["--config-dir", str(config_dir), "-vv", "plan", "--env", "staging", "--emulator"])
    _, err = capsys.readouterr()
    assert exited.value.code == 0, err
    assert failing_once == [1]
    assert "Traceback" in err and "RuntimeError: a bug in a handler" in err

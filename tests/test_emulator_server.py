"""The emulator's HTTP layer through the real SDK: auth, errors, rate limit, faults, encodings,
concurrency and persistence (reference §1-§4)."""

from __future__ import annotations

import base64
import email.utils
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import cloudinary.api as api
import pytest
from cloudinary.exceptions import (
    AuthorizationRequired,
    BadRequest,
    GeneralError,
    NotAllowed,
    NotFound,
    RateLimited,
)
from support.cli_runner import run_main

from cloudinary_state.emulator import CloudConfig, EmulatorServer, EmulatorStateError

CLOUD, KEY, SECRET = "acme-staging", "key-1", "secret-1"


def sdk_options(
    emu: EmulatorServer, cloud: str = CLOUD, key: str = KEY, secret: str = SECRET
) -> dict[str, Any]:
    return {"cloud_name": cloud, "api_key": key, "api_secret": secret, "upload_prefix": emu.url}


@pytest.fixture(scope="module")
def emulated_clouds() -> list[CloudConfig]:
    return [CloudConfig(CLOUD, KEY, SECRET), CloudConfig("acme-prod", "key-2", "secret-2")]


def raw_request(
    emu: EmulatorServer,
    method: str,
    path: str,
    body: bytes | None = None,
    content_type: str | None = None,
    auth: tuple[str, str] | None = (KEY, SECRET),
) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(f"{emu.url}{path}", data=body, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read())


# --- auth, routing, errors ---------------------------------------------------------------------


def test_ping_config_usage(emu: EmulatorServer) -> None:
    o = sdk_options(emu)
    assert api.ping(**o) == {"status": "ok"}
    assert api.config(settings=True, **o)["settings"] == {"folder_mode": "dynamic"}
    assert api.config(**o)["cloud_name"] == CLOUD
    assert "media_limits" in api.usage(**o)


def test_wrong_secret_is_authorization_required(emu: EmulatorServer) -> None:
    with pytest.raises(AuthorizationRequired, match="Error 401 - Invalid credentials"):
        api.ping(**sdk_options(emu, secret="wrong"))
    # another cloud's credentials do not open this cloud
    with pytest.raises(AuthorizationRequired):
        api.ping(**sdk_options(emu, key="key-2", secret="secret-2"))
    assert api.ping(**sdk_options(emu, cloud="acme-prod", key="key-2", secret="secret-2"))["status"] == "ok"


def test_missing_credentials_answer_401_json(emu: EmulatorServer) -> None:
    status, headers, body = raw_request(emu, "GET", f"/v1_1/{CLOUD}/ping", auth=None)
    assert status == 401
    assert body == {"error": {"message": "Invalid credentials"}}
    assert headers["Content-Type"].startswith("application/json")


def test_unknown_cloud_is_not_found(emu: EmulatorServer) -> None:
    with pytest.raises(NotFound):
        api.ping(**sdk_options(emu, cloud="someone-else"))


def test_unknown_endpoint_and_bad_json_are_json_errors(emu: EmulatorServer) -> None:
    status, _, body = raw_request(emu, "GET", f"/v1_1/{CLOUD}/no_such_thing")
    assert status == 404 and "message" in body["error"]
    status, _, body = raw_request(
        emu, "POST", f"/v1_1/{CLOUD}/upload_mappings", b"{not json", "application/json"
    )
    assert status == 400 and "Invalid JSON" in body["error"]["message"]
    status, _, body = raw_request(emu, "GET", "/not-an-api-path")
    assert status == 404 and "error" in body


def test_double_slashes_collapse(emu: EmulatorServer) -> None:
    o = sdk_options(emu)
    o["upload_prefix"] = emu.url + "/"  # the SDK then asks for //v1_1/...
    assert api.ping(**o) == {"status": "ok"}


# --- headers and rate limit --------------------------------------------------------------------


def test_rate_limit_headers_on_every_admin_response(emu: EmulatorServer) -> None:
    o = sdk_options(emu)
    first = api.ping(**o)
    second = api.upload_presets(**o)
    assert first.rate_limit_allowed == 2000
    assert (first.rate_limit_remaining, second.rate_limit_remaining) == (1999, 1998)
    reset = email.utils.mktime_tz((*second.rate_limit_reset_at[:9], 0))
    assert 0 < reset - time.time() <= 3600
    assert first.request_id and first.request_id != second.request_id
    # error answers carry them too
    status, headers, _ = raw_request(emu, "GET", f"/v1_1/{CLOUD}/upload_presets/missing")
    assert status == 404
    assert {
        "X-FeatureRateLimit-Limit",
        "X-FeatureRateLimit-Remaining",
        "X-FeatureRateLimit-Reset",
        "X-Request-Id",
    } <= set(headers)


def _reset_epoch(response: Any) -> float:
    return float(email.utils.mktime_tz((*response.rate_limit_reset_at[:9], 0)))


def test_the_hourly_window_opens_at_the_first_request_not_on_the_wall_clock_hour() -> None:
    start = 1_700_000_000  # 800 s past a wall-clock hour
    now = [start + 0.75]
    with EmulatorServer([CloudConfig(CLOUD, KEY, SECRET)], rate_limit=2, clock=lambda: now[0]) as emu:
        o = sdk_options(emu)
        first = api.ping(**o)
        assert (first.rate_limit_remaining, _reset_epoch(first)) == (1, start + 3600)
        now[0] = start + 3599.9  # the window's last moment: still the same budget
        second = api.ping(**o)
        assert (second.rate_limit_remaining, _reset_epoch(second)) == (0, start + 3600)
        with pytest.raises(RateLimited):
            api.ping(**o)
        now[0] = start + 3600  # the Reset the headers announced: a new window, a full budget
        third = api.ping(**o)
        assert (third.rate_limit_remaining, _reset_epoch(third)) == (1, start + 7200)
        assert [r.status for r in emu.request_log] == [200, 200, 420, 200]


def test_answers_for_no_served_cloud_carry_a_full_uncharged_budget(emu: EmulatorServer) -> None:
    for path in ("/not-an-api-path", "/v1_1/someone-else/ping"):
        status, headers, _ = raw_request(emu, "GET", path)
        assert status == 404
        assert headers["X-FeatureRateLimit-Limit"] == headers["X-FeatureRateLimit-Remaining"] == "2000"
        assert email.utils.parsedate_to_datetime(headers["X-FeatureRateLimit-Reset"]).tzinfo is not None
        assert headers["X-Request-Id"]
    # no served cloud's budget was charged
    assert api.ping(**sdk_options(emu)).rate_limit_remaining == 1999
    assert api.ping(**sdk_options(emu, "acme-prod", "key-2", "secret-2")).rate_limit_remaining == 1999


def test_spent_budget_answers_420_per_cloud() -> None:
    clouds = [CloudConfig(CLOUD, KEY, SECRET), CloudConfig("acme-prod", "key-2", "secret-2")]
    with EmulatorServer(clouds, rate_limit=3) as emu:
        o = sdk_options(emu)
        assert [api.ping(**o).rate_limit_remaining for _ in range(3)] == [2, 1, 0]
        with pytest.raises(RateLimited, match="Error 420 - Rate limit exceeded"):
            api.ping(**o)
        # the other cloud has its own budget
        assert api.ping(**sdk_options(emu, "acme-prod", "key-2", "secret-2")).rate_limit_remaining == 2
        emu.reset_budget(CLOUD)
        assert api.ping(**o).rate_limit_remaining == 2


# --- faults ------------------------------------------------------------------------------------


@pytest.mark.fresh_emulator  # injects faults
def test_injected_statuses_map_to_sdk_errors(emu: EmulatorServer) -> None:
    o = sdk_options(emu)
    emu.inject(kind="status", status=500)
    with pytest.raises(GeneralError, match="Error 500"):
        api.ping(**o)
    emu.inject(kind="status", status=503, count=2)
    for _ in range(2):
        with pytest.raises(GeneralError, match="Error 503"):
            api.ping(**o)
    emu.inject(kind="status", status=420)
    with pytest.raises(RateLimited):
        api.ping(**o)
    emu.inject(kind="status", status=502)
    with pytest.raises(Exception, match="Error 502") as info:
        api.ping(**o)
    assert type(info.value) is Exception
    assert api.ping(**o) == {"status": "ok"}  # the queue is spent


@pytest.mark.fresh_emulator  # injects faults
def test_injected_faults_honour_the_path_prefix(emu: EmulatorServer) -> None:
    o = sdk_options(emu)
    emu.inject(kind="status", status=503, path_prefix="upload_mappings")
    assert api.ping(**o) == {"status": "ok"}
    with pytest.raises(GeneralError):
        api.upload_mappings(**o)
    assert api.upload_mappings(**o)["mappings"] == []


@pytest.mark.fresh_emulator  # injects faults
def test_dropped_connections(emu: EmulatorServer) -> None:
    o = sdk_options(emu)
    emu.inject(kind="drop")
    with pytest.raises(GeneralError):
        api.create_upload_mapping("before", template="https://a.example/", **o)
    assert "before" not in emu.state(CLOUD).upload_mappings  # dropped before the handler ran
    emu.inject(kind="drop_after")
    with pytest.raises(GeneralError):
        api.create_upload_mapping("after", template="https://a.example/", **o)
    assert "after" in emu.state(CLOUD).upload_mappings  # the change happened, the answer was lost
    assert [r.status for r in emu.request_log] == [0, 0]


def test_latency_is_recorded_per_request() -> None:
    with EmulatorServer([CloudConfig(CLOUD, KEY, SECRET)], latency_ms=5) as emu:
        o = sdk_options(emu)
        emu.inject(kind="latency", latency_ms=150, path_prefix="upload_mappings")
        api.ping(**o)
        api.upload_mappings(**o)
        api.upload_mappings(**o)
        # the configured latency on every request, the injected one added once where it matched
        assert [(r.path, r.delay_ms) for r in emu.request_log] == [
            ("ping", 5),
            ("upload_mappings", 155),
            ("upload_mappings", 5),
        ]


def _outcomes(seed: int) -> tuple[list[str], list[int]]:
    with EmulatorServer([CloudConfig(CLOUD, KEY, SECRET)], fault_rate=0.4, fault_seed=seed) as emu:
        o = sdk_options(emu)
        outcomes = []
        for _ in range(25):
            try:
                api.ping(**o)
                outcomes.append("ok")
            except Exception as e:
                outcomes.append(type(e).__name__ + ":" + str(e)[:9])
        # urllib3 itself retries a GET whose answer was cut, so the log can be longer
        logged = [r.status for r in emu.request_log]
    return outcomes, logged


def test_seeded_faults_replay() -> None:
    first, again, other = _outcomes(7), _outcomes(7), _outcomes(8)
    assert first == again
    assert first != other
    outcomes, logged = first
    assert "ok" in outcomes and any(o != "ok" for o in outcomes)
    assert 200 in logged and {500, 502, 503, 420} & set(logged)


# --- encodings ---------------------------------------------------------------------------------


def test_urlencoded_and_multipart_bodies_with_lists(emu: EmulatorServer) -> None:
    status, _, _ = raw_request(
        emu,
        "POST",
        f"/v1_1/{CLOUD}/upload_presets",
        b"name=form&tags[]=a&tags[]=b&use_filename=true",
        "application/x-www-form-urlencoded",
    )
    assert status == 200
    boundary = "XyZ"
    parts = [("name", "multi"), ("allowed_formats[1]", "png"), ("allowed_formats[0]", "jpg")]
    body = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in parts
        )
        + f"--{boundary}--\r\n"
    )
    status, _, _ = raw_request(
        emu,
        "POST",
        f"/v1_1/{CLOUD}/upload_presets",
        body.encode(),
        f"multipart/form-data; boundary={boundary}",
    )
    assert status == 200
    o = sdk_options(emu)
    assert api.upload_preset("form", **o)["settings"] == {"tags": ["a", "b"], "use_filename": True}
    assert api.upload_preset("multi", **o)["settings"] == {"allowed_formats": ["jpg", "png"]}


def test_json_null_is_absent_and_delete_reads_the_query(emu: EmulatorServer) -> None:
    o = sdk_options(emu)
    status, _, _ = raw_request(
        emu,
        "POST",
        f"/v1_1/{CLOUD}/upload_presets",
        json.dumps({"name": "nulls", "folder": None, "tags": "x"}).encode(),
        "application/json",
    )
    assert status == 200
    assert api.upload_preset("nulls", **o)["settings"] == {"tags": ["x"]}
    api.create_upload_mapping("docs", template="https://d.example/", **o)
    status, _, body = raw_request(emu, "DELETE", f"/v1_1/{CLOUD}/upload_mappings?folder=docs")
    assert (status, body["message"]) == (200, "deleted")


def test_request_log_records_params(emu: EmulatorServer) -> None:
    o = sdk_options(emu)
    api.transformations(named=True, max_results=5, **o)
    [record] = emu.request_log
    assert (record.method, record.cloud, record.path, record.status) == ("GET", CLOUD, "transformations", 200)
    assert record.query_and_body_params == {"named": "true", "max_results": "5"}
    emu.clear_log()
    assert emu.request_log == []


# --- concurrency and persistence ---------------------------------------------------------------


def test_eight_concurrent_writers_leave_a_consistent_store(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    with EmulatorServer([CloudConfig(CLOUD, KEY, SECRET)], state_file=state_file) as emu:
        o = sdk_options(emu)
        errors: list[BaseException] = []

        def writer(n: int) -> None:
            try:
                for i in range(6):
                    api.create_transformation(f"w{n}_{i}", f"w_{n * 10 + i}", **o)
                    api.create_upload_preset(name=f"p{n}_{i}", tags=[f"t{n}"], **o)
                    api.create_upload_mapping(f"f{n}_{i}", template="https://m.example/", **o)
                    if i % 2:
                        api.delete_upload_preset(f"p{n}_{i}", **o)
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        listed = api.transformations(max_results=500, **o)["transformations"]
        assert len(listed) == 48
        presets = api.upload_presets(max_results=500, **o)["presets"]
        assert sorted(p["name"] for p in presets) == sorted(f"p{n}_{i}" for n in range(8) for i in (0, 2, 4))
        assert api.upload_mappings(max_results=500, **o)["total_entries"] == 48
    saved = json.loads(state_file.read_text())["clouds"][CLOUD]
    assert (len(saved["transformations"]), len(saved["upload_presets"]), len(saved["upload_mappings"])) == (
        48,
        24,
        48,
    )
    assert not [p for p in tmp_path.iterdir() if p.name != "state.json"]  # no temp files left behind


def _start_cli(state_file: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cloudinary_state",
            "emulator",
            "serve",
            "--port",
            "0",
            "--state",
            str(state_file),
            "--cloud",
            f"{CLOUD}:{KEY}:{SECRET}",
            "--addons",
            "google_tagging",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), process.stderr.read() if process.stderr else url
    return process, url


def _stop(process: subprocess.Popen[str]) -> str:
    os.kill(process.pid, signal.SIGTERM)
    _, stderr = process.communicate(timeout=10)
    return stderr


def test_a_fresh_process_sees_the_persisted_state(tmp_path: Path) -> None:
    state_file = tmp_path / "emulator.json"
    process, url = _start_cli(state_file)
    try:
        o = {"cloud_name": CLOUD, "api_key": KEY, "api_secret": SECRET, "upload_prefix": url}
        api.create_transformation("kept", "c_fill,w_100", **o)
        api.create_upload_preset(name="kept", categorization="google_tagging", **o)
    finally:
        stderr = _stop(process)
    assert SECRET not in stderr
    process, url = _start_cli(state_file)
    try:
        o = {"cloud_name": CLOUD, "api_key": KEY, "api_secret": SECRET, "upload_prefix": url}
        assert api.transformation("kept", **o)["info"] == [{"crop": "fill", "width": 100}]
        assert api.upload_preset("kept", **o)["settings"] == {"categorization": "google_tagging"}
    finally:
        _stop(process)


def test_a_corrupt_state_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state_file = tmp_path / "broken.json"
    state_file.write_text('{"format": "cloudinary-state/emulator-state@1", "clouds": ')
    with pytest.raises(EmulatorStateError, match=str(state_file)):
        EmulatorServer([CloudConfig(CLOUD, KEY, SECRET)], state_file=state_file).start()
    # nested past the JSON decoder's recursion (once a RecursionError traceback)
    state_file.write_text('{"format": "cloudinary-state/emulator-state@1", "clouds": ' + "[" * 100_000)
    with pytest.raises(EmulatorStateError, match="is unreadable: nested too deeply"):
        EmulatorServer([CloudConfig(CLOUD, KEY, SECRET)], state_file=state_file).start()
    state_file.write_text('{"some": "other file"}')
    with pytest.raises(EmulatorStateError, match="not an emulator state file"):
        EmulatorServer([CloudConfig(CLOUD, KEY, SECRET)], state_file=state_file).start()
    code, _, stderr = run_main(capsys, "emulator", "serve", "--state", str(state_file))
    assert code == 1
    assert str(state_file) in stderr


def test_remote_hosts_need_an_explicit_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="allow_remote"):
        EmulatorServer([CloudConfig(CLOUD)], host="0.0.0.0")
    code, _, stderr = run_main(capsys, "emulator", "serve", "--host", "0.0.0.0")
    assert code == 1 and "--allow-remote" in stderr  # the CLI's flag, not the Python parameter


def test_a_port_in_use_says_to_choose_another(capsys: pytest.CaptureFixture[str]) -> None:
    with EmulatorServer([CloudConfig(CLOUD)]) as taken:
        port = urlsplit(taken.url).port
        assert port is not None
        code, _, stderr = run_main(capsys, "emulator", "serve", "--port", str(port))
    assert code == 1 and "Traceback" not in stderr
    assert f"127.0.0.1:{port}" in stderr and "another --port" in stderr


def test_serve_emulates_a_plan_without_entitlements_and_slow_datasource_updates(tmp_path: Path) -> None:
    process, url = _start_cli(
        tmp_path / "state.json", "--not-entitled", "metadata_rules", "--datasource-update-s", "60"
    )
    try:
        o = {"cloud_name": CLOUD, "api_key": KEY, "api_secret": SECRET, "upload_prefix": url}
        with pytest.raises(NotAllowed, match="Error 403"):
            api.list_metadata_rules(**o)
        values = [{"external_id": "a", "value": "A"}]
        api.add_metadata_field(
            {"type": "enum", "external_id": "f", "label": "F", "datasource": {"values": values}}, **o
        )
        api.update_metadata_field_datasource("f", [{"value": "B"}], **o)
        with pytest.raises(RateLimited, match="already updating"):
            api.update_metadata_field_datasource("f", [{"value": "C"}], **o)
    finally:
        _stop(process)


def test_an_unknown_entitlement_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run_main(capsys, "emulator", "serve", "--not-entitled", "streaming")
    assert code == 1 and "unknown entitlements ['streaming']" in stderr


def test_bad_cloud_spec_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = run_main(capsys, "emulator", "serve", "--cloud", "a:b")
    assert code == 64 and "NAME:KEY:SECRET" in stderr


def test_cloudinary_url_points_the_sdk_at_the_emulator(emu: EmulatorServer) -> None:
    assert emu.cloudinary_url(CLOUD) == f"cloudinary://{KEY}:{SECRET}@{CLOUD}?upload_prefix={emu.url}"
    with pytest.raises(BadRequest):
        api.transformations(max_results=501, **sdk_options(emu))


def test_a_stopped_emulator_serves_nothing_on_kept_alive_connections() -> None:
    first = EmulatorServer([CloudConfig("old-cloud", KEY, SECRET)]).start()
    port = first.port
    assert (
        api.ping(**sdk_options(first, cloud="old-cloud"))["status"] == "ok"
    )  # the SDK pools this connection
    first.stop()
    with EmulatorServer([CloudConfig(CLOUD, KEY, SECRET)], port=port) as second:
        assert api.ping(**sdk_options(second))["status"] == "ok"
        with pytest.raises(NotFound):
            api.ping(**sdk_options(second, cloud="old-cloud"))
        assert [r.cloud for r in second.request_log] == [CLOUD, "old-cloud"]


def test_unknown_addons_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown add-ons"):
        EmulatorServer([CloudConfig(CLOUD, addons=frozenset({"google_taggin"}))])


def test_credentials_are_checked_before_the_body_is_read(emu: EmulatorServer) -> None:
    status, headers, body = raw_request(
        emu, "POST", f"/v1_1/{CLOUD}/upload_mappings", b"{not json", "application/json", auth=(KEY, "wrong")
    )
    assert status == 401 and body["error"]["message"] == "Invalid credentials"
    assert "X-FeatureRateLimit-Remaining" in headers


def test_saving_keeps_clouds_this_server_does_not_serve(tmp_path: Path) -> None:
    state_file = tmp_path / "shared.json"
    with EmulatorServer([CloudConfig("acme-prod", "key-2", "secret-2")], state_file=state_file) as emu:
        api.create_upload_mapping(
            "prod", template="https://p.example/", **sdk_options(emu, "acme-prod", "key-2", "secret-2")
        )
    with EmulatorServer([CloudConfig(CLOUD, KEY, SECRET)], state_file=state_file) as emu:
        api.create_upload_mapping("staging", template="https://s.example/", **sdk_options(emu))
    with EmulatorServer([CloudConfig("acme-prod", "key-2", "secret-2")], state_file=state_file) as emu:
        assert list(emu.state("acme-prod").upload_mappings) == ["prod"]


def _write_until_killed(url: str, first: int, kill_after: float, process: subprocess.Popen[str]) -> int:
    """Create transformations w{first}, w{first+1}, ... until `kill -9` lands; returns how many were
    acknowledged."""
    o = {"cloud_name": CLOUD, "api_key": KEY, "api_secret": SECRET, "upload_prefix": url}
    killer = threading.Timer(kill_after, os.kill, args=(process.pid, signal.SIGKILL))
    killer.start()
    acknowledged = 0
    try:
        while True:
            api.create_transformation(f"w{first + acknowledged}", f"w_{first + acknowledged + 1}", **o)
            acknowledged += 1
    except Exception:  # the server died under the call: the write may or may not have landed
        pass
    finally:
        killer.join()
        process.communicate(timeout=10)
    return acknowledged


def _persisted_count(state_file: Path, url: str) -> int:
    """How many writes the restarted server holds, asserting they are a prefix w0..w(n-1)."""
    if state_file.exists():  # absent only when the kill came before the first write
        document = json.loads(state_file.read_text())  # parses: never torn
        assert document["format"] == "cloudinary-state/emulator-state@1"
    o = {"cloud_name": CLOUD, "api_key": KEY, "api_secret": SECRET, "upload_prefix": url}
    listed = api.transformations(max_results=500, **o)["transformations"]
    names = {t["name"].removeprefix("t_") for t in listed}
    assert names == {f"w{i}" for i in range(len(names))}, sorted(names)
    return len(names)


def test_kill_9_at_any_moment_leaves_a_readable_prefix_and_no_temp_files(tmp_path: Path) -> None:
    state_file = tmp_path / "emulator.json"
    unrelated = tmp_path / "notes.tmp"  # not of the emulator's naming: never touched
    unrelated.write_text("mine")
    written = 0
    process, url = _start_cli(state_file)
    for kill_after in (0.0, 0.05, 0.13, 0.3, 0.21, 0.08, 0.4):
        acknowledged = _write_until_killed(url, written, kill_after, process)
        # What a kill mid-save leaves (also planted, since a kill rarely lands inside the save).
        (tmp_path / f".{state_file.name}.k9stale1.tmp").write_text('{"format": ')
        process, url = _start_cli(state_file)
        persisted = _persisted_count(state_file, url)
        # Every acknowledged write is kept; at most the one in flight at the kill landed too.
        assert written + acknowledged <= persisted <= written + acknowledged + 1
        assert {p.name for p in tmp_path.iterdir()} - {"emulator.json"} == {"notes.tmp"}
        written = persisted
    _stop(process)
    assert written > 0

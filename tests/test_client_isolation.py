"""The client has no side effects: offline commands never load the SDK, the SDK's process-wide
state survives a plan, and a malformed credentials variable only stops what uses it.

What happens at import time is only visible in a fresh interpreter (another test may have
loaded the SDK already), so these run real processes: the CLI as `python -m cloudinary_state`,
and a small host program, against the real emulator.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import FunctionType

import pytest

from cloudinary_state.client import AdminClient, Credentials
from cloudinary_state.emulator import CloudConfig, EmulatorServer

REPO = Path(__file__).resolve().parent.parent
CLOUD = "iso-cloud"
SECRET = "a-secret-that-must-never-show"
OFFLINE_COMMANDS = [["validate", "--all"], ["schema", "--check"], ["--help"], ["--version"]]
# What pycloudinary meets in CLOUDINARY_URL when imported: values it rejects with ValueError (no
# URL, another scheme, an unparsable one), and a partial one it loads into its global config.
MALFORMED_URLS = ["garbage", f"cloudinary://key:{SECRET}@", f"http://key:{SECRET}@{CLOUD}", "cloudinary://["]


def _run(
    args: list[str], *, cwd: Path = REPO, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDINARY_")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )


def _imported(args: list[str]) -> set[str]:
    """Every module `python -X importtime ARGS` imported (its stderr lists one per line)."""
    done = _run(["-X", "importtime", *args])
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:") and "|" in line]
    return {line.rsplit("|", 1)[1].strip() for line in lines}


def _of_package(modules: set[str], package: str) -> set[str]:
    return {m for m in modules if m == package or m.startswith(package + ".")}


# --- offline commands never import the SDK ---------------------------------------------------


@pytest.mark.parametrize("args", OFFLINE_COMMANDS, ids=" ".join)
def test_offline_commands_import_neither_the_sdk_nor_deepdiff(args: list[str]) -> None:
    imported = _imported(["-m", "cloudinary_state", *args])
    assert "cloudinary_state.cli" in imported  # the probe sees the CLI's own imports
    assert _of_package(imported, "cloudinary") == set()
    assert _of_package(imported, "deepdiff") == set()


def test_importing_the_package_imports_no_sdk() -> None:
    imported = _imported(["-c", "import cloudinary_state"])
    assert "cloudinary_state" in imported
    assert _of_package(imported, "cloudinary") == set()


def test_the_probe_sees_the_sdk_once_a_client_is_built() -> None:
    code = "from cloudinary_state import AdminClient, Credentials; AdminClient(Credentials('c', 'k', 's'))"
    assert "cloudinary.api" in _imported(["-c", code])


@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_a_malformed_cloudinary_url_leaves_validate_alone(url: str) -> None:
    done = _run(["-m", "cloudinary_state", "validate", "--all"], env={"CLOUDINARY_URL": url})
    assert done.returncode == 0, done.stderr
    assert "production: ok" in done.stdout and "staging: ok" in done.stdout


# --- online commands: only the variable the environment names matters ----------------------


@pytest.fixture(scope="module")
def emulated_clouds() -> list[CloudConfig]:
    """`emu` serves one cloud, whose secret must never show."""
    return [CloudConfig(name=CLOUD, api_secret=SECRET)]


def _config_dir(tmp_path: Path, credentials_variable: str) -> Path:
    """One environment on CLOUD, its credentials in `credentials_variable`, one mapping to create."""
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "test.yaml").write_text(
        f"cloud_name: {CLOUD}\ncredentials: {credentials_variable}\ninclude: [resources.yaml]\n"
    )
    (tmp_path / "environments" / "resources.yaml").write_text(
        "upload_mappings:\n  shop: {template: 'https://shop.example.test/'}\n"
    )
    return tmp_path


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    "url",
    [
        *MALFORMED_URLS,
        # a whole URL the SDK loads into its global config: none of it may reach our calls
        "cloudinary://leak-key:leak-secret@leak-cloud?upload_prefix=http://127.0.0.1:{closed_port}",
    ],
)
def test_a_bad_cloudinary_url_leaves_an_environment_that_uses_another_variable_alone(
    url: str, emu: EmulatorServer, tmp_path: Path
) -> None:
    config_dir = _config_dir(tmp_path, "CLOUDINARY_URL_TEST")
    url = url.replace("{closed_port}", str(_closed_port()))
    env = {"CLOUDINARY_URL": url, "CLOUDINARY_URL_TEST": emu.cloudinary_url(CLOUD)}
    done = _run(["-m", "cloudinary_state", "--config-dir", str(config_dir), "plan", "--env", "test"], env=env)
    assert done.returncode == 0, done.stderr
    assert "+ upload_mapping shop" in done.stdout
    assert {r.method for r in emu.request_log} == {"GET"}  # the plan read the emulated account


@pytest.mark.parametrize(
    ("variable", "url"),
    [*(("CLOUDINARY_URL", url) for url in MALFORMED_URLS), ("CLOUDINARY_URL_STAGING", MALFORMED_URLS[1])],
)
def test_a_malformed_variable_the_environment_uses_is_a_clear_error(
    variable: str, url: str, emu: EmulatorServer, tmp_path: Path
) -> None:
    config_dir = _config_dir(tmp_path, variable)
    done = _run(
        ["-m", "cloudinary_state", "--config-dir", str(config_dir), "plan", "--env", "test"],
        env={variable: url},
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: environment variable {variable} must look like cloudinary://"), (
        done.stderr
    )
    assert "Traceback" not in done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert emu.request_log == []


def test_a_url_the_sdk_fails_to_load_is_a_clear_error_not_a_traceback(
    emu: EmulatorServer, tmp_path: Path
) -> None:
    """pycloudinary also fails at import on nested query keys that clash (`x` and `x[y]`), a case
    the client does not foresee: the online command says what to check instead of crashing."""
    config_dir = _config_dir(tmp_path, "CLOUDINARY_URL_TEST")
    env = {
        "CLOUDINARY_URL": f"cloudinary://k:{SECRET}@c?x=1&x[y]=2",
        "CLOUDINARY_URL_TEST": emu.cloudinary_url(CLOUD),
    }
    done = _run(["-m", "cloudinary_state", "--config-dir", str(config_dir), "plan", "--env", "test"], env=env)
    assert done.returncode == 1
    assert done.stderr.startswith(
        "error: the cloudinary SDK failed to load (TypeError): it reads CLOUDINARY_URL"
    )
    assert "Traceback" not in done.stderr and SECRET not in done.stderr


def test_a_closed_client_reconnects_on_its_next_call(emu: EmulatorServer) -> None:
    client = AdminClient(Credentials.from_url(emu.cloudinary_url(CLOUD)))
    client.probe()
    client.close()
    assert client.probe() == {"status": "ok"} and client.calls == 2


def test_every_admin_function_reaches_the_network_only_through_the_clients_pool() -> None:
    """The client re-creates pycloudinary's api functions over a private namespace whose `_http`
    is its pool. That holds only while every function there is plain module code: one that came
    from elsewhere, or a closure (a decorator), would still reach the SDK's shared pool. A new
    pycloudinary release that breaks this fails here rather than in a host program."""
    import cloudinary.api
    import cloudinary.api_client.call_api as call_api

    sdk_functions = {n: f for n, f in vars(cloudinary.api).items() if isinstance(f, FunctionType)}
    assert {f.__module__ for f in sdk_functions.values()} == {cloudinary.api.__name__, call_api.__name__}
    assert all(
        f.__closure__ is None
        for f in [*sdk_functions.values(), *vars(call_api).values()]
        if isinstance(f, FunctionType)
    )

    client = AdminClient(Credentials("c", "k", "s"))
    ping = client._functions.get("ping")
    assert ping is not None and ping is not cloudinary.api.ping
    namespace = ping.__globals__
    for name in sdk_functions:
        assert namespace[name].__globals__ is not vars(cloudinary.api), name
    transport = namespace["call_api"].__globals__
    assert transport["_http"] is client._pool is not call_api._http
    assert transport["_call_api"].__globals__ is transport


# --- a host program's pycloudinary state survives a plan -------------------------------------

HOST_PROGRAM = """
import sys
from pathlib import Path

import cloudinary
import cloudinary.api_client.call_api as call_api

cloudinary.config(cloud_name="host-cloud", api_key="host-key", api_secret="host-secret", timeout=7)
config, pool = cloudinary.config(), call_api._http
values, pool_settings = dict(vars(config)), dict(pool.connection_pool_kw)

from cloudinary_state import Project

# through the facade, as a program embedding this library plans (the embedded emulator)
with Project.open(Path(sys.argv[1])).connect("test", emulator=True) as conn:
    plan = conn.plan()
    assert plan.has_changes and conn.api_calls > 0, plan
    served = conn.api_calls

assert cloudinary.config() is config and dict(vars(config)) == values, (vars(config), values)
assert call_api._http is pool, "the SDK's shared pool was replaced"
assert dict(pool.connection_pool_kw) == pool_settings, "the SDK's shared pool was reconfigured"
assert len(pool.pools) == 0, "a call went through the SDK's shared pool"
print(f"unchanged after {served} requests")
"""


def test_a_program_using_pycloudinary_keeps_its_config_and_pool(tmp_path: Path) -> None:
    config_dir = _config_dir(tmp_path, "CLOUDINARY_URL_TEST")
    done = _run(["-c", HOST_PROGRAM, str(config_dir)])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("unchanged after "), done.stdout


def test_uploads_reach_the_network_only_through_the_clients_pool(emu: EmulatorServer) -> None:
    import cloudinary.uploader as uploader

    shared, before = uploader._http, len(uploader._http.pools)
    client = AdminClient(Credentials.from_url(emu.cloudinary_url(CLOUD)))
    pixel = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(16)
    assert client.upload(("pixel.png", pixel), public_id="iso")["public_id"] == "iso"
    assert client._upload is not None
    assert client._upload.upload.__globals__["_http"] is client._pool.pool  # the same connections, unwatched
    assert uploader._http is shared and len(shared.pools) == before

"""Test-wide settings and the shared fixtures.

Hypothesis: property tests here drive HTTP round trips to the emulator, so a per-example
deadline would measure the machine's load, not the code; no test relies on one. Developers'
runs explore new random examples every time (that is how the suite found, e.g., a transformation
named like its own definition); CI (`.ci/run` sets HYPOTHESIS_PROFILE=ci) runs a fixed,
derandomized set so a landing is reproducible, and prints the blob to replay any failure.

Fixtures (the helpers behind them live in tests/support/):
- `emu`: the Admin API emulator on 127.0.0.1, serving `emulated_clouds`, like new for each test;
  `opts`: the SDK's per-call options for its first cloud.
- `harness`: a config directory with one environment (`test`) on an emulated cloud, and the CLI
  run through its console entry point; `workspace`: the same with two environments
  (`staging`, `production`) on two clouds.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from support.emulator import default_clouds, reset_emulator, sdk_options
from support.harness import Harness, one_environment, two_environments

from cloudinary_state.emulator import CloudConfig, EmulatorServer

settings.register_profile("dev", deadline=None, print_blob=True)
settings.register_profile("ci", deadline=None, print_blob=True, derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fresh_emulator: `emu` is a server of the test's own (for tests that inject faults, "
        "which a reset does not clear), not the module's shared one",
    )


# --- the emulator -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emulated_clouds() -> list[CloudConfig]:
    """The clouds `emu` serves (`opts` talks to the first). A test module overrides this
    fixture to serve other clouds, add-ons or flags."""
    return default_clouds()


@pytest.fixture(scope="module")
def _module_emulator(emulated_clouds: list[CloudConfig]) -> Iterator[EmulatorServer]:
    with EmulatorServer(emulated_clouds) as server:
        yield server


@pytest.fixture
def emu(request: pytest.FixtureRequest, emulated_clouds: list[CloudConfig]) -> Iterator[EmulatorServer]:
    """The emulator, like new: the module's server with its stores emptied, its request log
    cleared and its budgets restored, or (marked `fresh_emulator`) a server of the test's own."""
    if request.node.get_closest_marker("fresh_emulator") is not None:
        with EmulatorServer(emulated_clouds) as server:
            yield server
        return
    shared: EmulatorServer = request.getfixturevalue("_module_emulator")
    reset_emulator(shared)
    yield shared


@pytest.fixture
def opts(emu: EmulatorServer, emulated_clouds: list[CloudConfig]) -> dict[str, Any]:
    """The SDK's per-call options for the first emulated cloud (never the SDK's global config)."""
    return sdk_options(emu, emulated_clouds[0])


# --- the CLI on a config directory, against the emulator -----------------------------------------


@pytest.fixture
def harness(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Harness]:
    """One environment, `test`, on one emulated cloud, with the base resources written."""
    with one_environment(tmp_path, monkeypatch, capsys) as h:
        yield h


@pytest.fixture
def workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Harness]:
    """Two environments, `staging` and `production`, on two emulated clouds, resources written."""
    with two_environments(tmp_path / "config", monkeypatch, capsys) as ws:
        yield ws


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's example config, with no credentials in the environment (the
    offline and `--emulator` runs must not need them). A module may define its own."""
    shutil.copytree(Path(__file__).resolve().parents[1] / "environments", tmp_path / "environments")
    for var in ("CLOUDINARY_URL_STAGING", "CLOUDINARY_URL_PRODUCTION", "CLOUDINARY_URL"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path

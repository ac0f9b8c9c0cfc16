"""The emulator as the tests use it: the default cloud, a reset between tests, the SDK's options.

The `emu` and `opts` fixtures (tests/conftest.py) are built from these: one emulator per test
module, made like new for each test, serving the module's `emulated_clouds`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from cloudinary_state.emulator import CloudConfig, EmulatorServer

CLOUD, KEY, SECRET = "test-cloud", "test-key", "test-secret"


def default_clouds() -> list[CloudConfig]:
    """What `emulated_clouds` serves unless a module overrides it: one cloud, no add-ons."""
    return [CloudConfig(CLOUD, KEY, SECRET)]


def reset_emulator(emu: EmulatorServer) -> None:
    """Empty every store of every served cloud, clear the request log, restore the budgets.

    Stores are found from CloudState's fields (every dict is state; credentials, add-ons and
    flags are configuration), so a store added later is emptied too. Queued faults are not
    state: a test that injects faults asks for a server of its own (the `fresh_emulator` mark).
    """
    with emu.store_lock:
        for name in emu.clouds:
            state = emu.state(name)
            for store in dataclasses.fields(state):
                value = getattr(state, store.name)
                if isinstance(value, dict):
                    value.clear()
    emu.clear_log()
    emu.reset_budget()


def sdk_options(emu: EmulatorServer, cloud: CloudConfig) -> dict[str, Any]:
    """The SDK's per-call options for `cloud` on `emu` (never the SDK's global config, so tests
    on several clouds cannot leak into each other)."""
    return {
        "cloud_name": cloud.name,
        "api_key": cloud.api_key,
        "api_secret": cloud.api_secret,
        "upload_prefix": emu.url,
    }

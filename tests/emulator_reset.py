"""A module-scoped emulator made like new between tests, so no test depends on another's leftovers."""

from __future__ import annotations

import dataclasses
from typing import Any

from cloudinary_state.emulator import EmulatorServer


def reset_emulator(emu: EmulatorServer) -> None:
    """Empty every store of every served cloud, clear the request log, restore the budgets.

    Stores are found from CloudState's fields (every dict is state; credentials, add-ons and
    flags are configuration), so a store added later is emptied too.
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


def fresh_sdk_options(emu: EmulatorServer, cloud: str, key: str, secret: str) -> dict[str, Any]:
    """Reset the emulator, then the SDK's per-call options for `cloud` on it (never the SDK's
    global config, so tests on several clouds cannot leak into each other)."""
    reset_emulator(emu)
    return {"cloud_name": cloud, "api_key": key, "api_secret": secret, "upload_prefix": emu.url}

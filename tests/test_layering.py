"""DESIGN.md section 7: layers import downward only, also at run time.

The engine and the kinds sit above the desired-state contract and below the config layer's
callers, but they never need the config loader (YAML, includes, pydantic models): a process
that only plans or applies must not import it. Each check runs in a fresh interpreter so that
modules other tests have imported cannot hide an import.
"""

from __future__ import annotations

import subprocess
import sys

import pytest


def _imported_by(module: str, prefix: str) -> list[str]:
    code = (
        f"import sys, {module}; "
        f"print('\\n'.join(sorted(m for m in sys.modules if (m + '.').startswith({prefix!r} + '.'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return result.stdout.split()


@pytest.mark.parametrize(
    "module",
    [
        "cloudinary_state.engine.apply",
        "cloudinary_state.engine.plan",
        "cloudinary_state.engine.live",
        "cloudinary_state.kinds",
        "cloudinary_state.envdiff",
    ],
)
def test_engine_and_kinds_do_not_import_the_config_layer(module: str) -> None:
    assert _imported_by(module, "cloudinary_state.config") == []


def test_the_check_sees_the_config_layer_where_it_is_imported() -> None:
    # the probe itself must be able to fail: the loader does pull in the config models
    loaded = _imported_by("cloudinary_state.config.loader", "cloudinary_state.config")
    assert {"cloudinary_state.config.loader", "cloudinary_state.config.models"} <= set(loaded)

"""DESIGN.md section 7: layers import downward only, also at run time.

The config layer sits below the kinds (each kind's package holds its config model and checks,
built on the config layer's vocabulary) and far below the client, the engine and the jobs: it
never imports them, so the loader takes the registry from its caller. Each check runs in a
fresh interpreter so that modules other tests have imported cannot hide an import.
"""

from __future__ import annotations

import subprocess
import sys

import pytest


def _imported_by(module: str, prefix: str) -> list[str]:
    """What importing `module` and all its submodules imports under `prefix`."""
    code = (
        f"import importlib, pkgutil, sys, {module} as probed; "
        "[importlib.import_module(f'{probed.__name__}.{m.name}') "
        "for m in pkgutil.iter_modules(getattr(probed, '__path__', []))]; "
        f"print('\\n'.join(sorted(m for m in sys.modules if (m + '.').startswith({prefix!r} + '.'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return result.stdout.split()


@pytest.mark.parametrize(
    "upper",
    ["cloudinary_state.kinds", "cloudinary_state.engine", "cloudinary_state.client", "cloudinary_state.cli"],
)
def test_the_config_layer_imports_nothing_above_it(upper: str) -> None:
    assert _imported_by("cloudinary_state.config", upper) == []


def test_the_check_sees_a_layer_where_it_is_imported() -> None:
    # the probe itself must be able to fail: the engine does pull in the kinds
    loaded = _imported_by("cloudinary_state.engine.plan", "cloudinary_state.kinds")
    assert {"cloudinary_state.kinds", "cloudinary_state.kinds.base"} <= set(loaded)

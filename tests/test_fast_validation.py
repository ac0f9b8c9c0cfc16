"""`validate` checks each document against its packaged schema first (config/fastschema.py): a
valid config is validated without importing pydantic, an invalid document is explained by its
model exactly as before, and both paths give the same desired state.

Imports are only visible in a fresh interpreter, so the first tests run real processes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cloudinary_state.canonical_json import canonical_json
from cloudinary_state.config import load_environment, loader
from cloudinary_state.kinds import REGISTRY

REPO = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ["staging", "production"]


def _run_imports(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDINARY_")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cloudinary_state", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:") and "|" in line]
    return done, {line.rsplit("|", 1)[1].strip() for line in lines}


def _pydantic(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in ("pydantic", "pydantic_core")}


@pytest.mark.parametrize("args", [["validate", "--all"], ["--help"], ["--version"]], ids=" ".join)
def test_a_valid_config_is_validated_without_pydantic(args: list[str]) -> None:
    done, imported = _run_imports(args, REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "cloudinary_state.cli" in imported  # the probe sees the CLI's own imports
    assert _pydantic(imported) == set()


def test_an_invalid_object_is_explained_by_its_model(tmp_path: Path) -> None:
    shutil.copytree(REPO / "environments", tmp_path / "environments")
    (tmp_path / "environments" / "common" / "zz-bad.yaml").write_text(
        "transformations:\n  broken:\n    transformation: 42\n", encoding="utf-8"
    )
    done, imported = _run_imports(["validate", "--env", "staging"], tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr[-2000:]
    assert "environments/common/zz-bad.yaml:3:21" in done.stdout + done.stderr
    assert "pydantic" in imported  # the model explained it
    assert "Traceback" not in done.stderr


class _NeverAccepts:
    """A fast check that accepts nothing: every document goes to its model."""

    def check(self, document: object) -> None:
        return None


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_fast_path_and_the_models_give_the_same_state(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = load_environment(REPO, env, REGISTRY, require_env=False)
    never: Any = lambda *_: _NeverAccepts()  # noqa: E731
    monkeypatch.setattr(loader, "_body_check", never)
    monkeypatch.setattr(loader, "_environment_check", never)
    by_models = load_environment(REPO, env, REGISTRY, require_env=False)
    assert fast == by_models
    assert fast.objects  # the comparison covered objects
    # == holds 1 == 1.0; the bodies' JSON does not (an int in a float field is dumped as a float)
    assert [canonical_json(o.body) for o in fast.objects] == [
        canonical_json(o.body) for o in by_models.objects
    ]
    assert repr(fast.policy) == repr(by_models.policy)

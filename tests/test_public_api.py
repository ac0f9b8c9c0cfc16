"""The public API re-exported from the package root, and the exception tree's shape."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import cloudinary_state
from cloudinary_state import errors


@pytest.mark.parametrize("name", sorted(set(cloudinary_state.__all__) - {"__version__"}))
def test_every_export_resolves(name: str) -> None:
    assert getattr(cloudinary_state, name) is not None


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = cloudinary_state.does_not_exist


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (errors.ConfigError, errors.CloudinaryStateError),
        (errors.ApiError, errors.CloudinaryStateError),
        (errors.RetryableApiError, errors.ApiError),
        (errors.PermanentApiError, errors.ApiError),
        (errors.NotFoundError, errors.PermanentApiError),
        (errors.PolicyRefusal, errors.CloudinaryStateError),
        (errors.StalePlanError, errors.PolicyRefusal),
        (errors.PlanFileError, errors.CloudinaryStateError),
        (errors.RefusedPlanError, errors.PlanFileError),
        (errors.RefusedPlanError, errors.PolicyRefusal),
        (errors.ApplyError, errors.CloudinaryStateError),
    ],
)
def test_exception_tree(child: type[Exception], parent: type[Exception]) -> None:
    assert issubclass(child, parent)


def test_exit_codes_follow_the_design() -> None:
    assert errors.ConfigError([]).exit_code == 1
    assert errors.RetryableApiError("x").exit_code == 1
    assert errors.PolicyRefusal("x").exit_code == 3
    assert errors.StalePlanError("x").exit_code == 3
    assert errors.PlanFileError("x").exit_code == 1  # unreadable input is an error
    assert errors.RefusedPlanError("x").exit_code == 3  # tampered or another env's: refused


def test_retryable_classification() -> None:
    assert errors.RetryableApiError("x", status=503).retryable
    assert not errors.PermanentApiError("x", status=400).retryable
    assert not errors.NotFoundError("x", status=404).retryable


def test_diagnostic_names_file_line_column_and_fix() -> None:
    d = errors.Diagnostic("environments/staging.yaml", 3, 7, "unknown key 'foo'", "remove it")
    assert str(d) == "environments/staging.yaml:3:7: unknown key 'foo'\n    fix: remove it"


def test_importing_the_emulator_does_not_load_the_engine() -> None:
    # The emulator must stay independent of the engine (DESIGN.md section 6), also at run time.
    code = (
        "import sys, cloudinary_state.emulator; "
        "bad = [m for m in sys.modules if m.startswith('cloudinary_state.') "
        "and not m.startswith('cloudinary_state.emulator')]; "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_engine_never_imports_the_emulator() -> None:
    code = (
        "import sys, cloudinary_state.engine.apply, cloudinary_state.engine.plan, "
        "cloudinary_state.engine.live, cloudinary_state.kinds, cloudinary_state.client, "
        "cloudinary_state.config; "
        "bad = [m for m in sys.modules if m.startswith('cloudinary_state.emulator')]; "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_all_lists_exactly_the_exports() -> None:
    assert set(cloudinary_state.__all__) - {"__version__"} == set(cloudinary_state._EXPORTS)


FACADE = {
    "Project",
    "Connection",
    "ApplyResult",
    "ImportRun",
    "PlanFile",
    "ValidationRun",
    "ApplyReport",
    "ApplyFailed",
    "DriftReport",
    "EnvDiff",
    "ImportResult",
    "Promotion",
    "TargetError",
}


def test_the_facade_and_what_it_returns_are_exported() -> None:
    from cloudinary_state import runner

    assert set(cloudinary_state.__all__) >= FACADE
    assert cloudinary_state.Project is runner.Project
    assert cloudinary_state.Connection is runner.Connection


def _loaded_after(code: str) -> list[str]:
    """Modules of the SDK, the emulator and the engine that `code` loaded, in a fresh interpreter."""
    probe = (
        f"import sys\n{code}\n"
        "heavy = ('cloudinary', 'cloudinary_state.emulator', 'cloudinary_state.engine', 'deepdiff')\n"
        "print('\\n'.join(m for m in sys.modules if any(m == h or m.startswith(h + '.') for h in heavy)))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return result.stdout.split()


def test_importing_the_package_and_the_facade_stays_cheap() -> None:
    # neither the SDK nor the emulator nor the engine (deepdiff) at import time
    assert _loaded_after("import cloudinary_state; from cloudinary_state import Project, Connection") == []


def test_offline_validation_through_the_facade_connects_nothing(tmp_path: Path) -> None:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "dev.yaml").write_text("cloud_name: dev\ncredentials: CLOUDINARY_URL_DEV\n")
    code = (
        f"from cloudinary_state import Project; assert not Project.open({str(tmp_path)!r}).validate().errors"
    )
    assert _loaded_after(code) == []


def test_validate_on_the_command_line_loads_no_engine_nor_emulator(tmp_path: Path) -> None:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "dev.yaml").write_text("cloud_name: dev\ncredentials: CLOUDINARY_URL_DEV\n")
    code = (
        "import contextlib, io\nfrom cloudinary_state.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        f"    main(['--config-dir', {str(tmp_path)!r}, 'validate', '--all'])"
    )
    # the SDK is the client's to keep out (client.py); the facade and the renderers load lazily
    loaded = [m for m in _loaded_after(code) if not (m + ".").startswith("cloudinary.")]
    assert loaded == []

"""cloudinary-state: a Cloudinary account's configuration as code.

The public API, re-exported here. Attributes load lazily (PEP 562) so that importing the
package stays cheap (neither the `cloudinary` SDK nor the emulator), and importing a
subpackage — notably the independent `cloudinary_state.emulator` — does not drag in the
engine, nor the engine the emulator.

The facade (`cloudinary_state.runner`, what the CLI itself uses; see docs/python-api.md):

    from cloudinary_state import Project

    with Project.open(".").connect("staging", emulator=True) as conn:
        result = conn.apply(conn.plan())

The building blocks under it:

    from cloudinary_state import load_environment, AdminClient, Credentials, read_live, build_plan
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # the facade, and what its jobs return
    "Project": "cloudinary_state.runner",
    "Connection": "cloudinary_state.runner",
    "ApplyResult": "cloudinary_state.runner",
    "ImportRun": "cloudinary_state.runner",
    "ShownPlan": "cloudinary_state.runner",
    "PlanFile": "cloudinary_state.engine.saved_plan",
    "ValidationRun": "cloudinary_state.config",
    "ApplyReport": "cloudinary_state.engine.apply",
    "ApplyFailed": "cloudinary_state.engine.apply",
    "ApplyInterrupted": "cloudinary_state.engine.apply",
    "DriftReport": "cloudinary_state.audit",
    "EnvDiff": "cloudinary_state.envdiff",
    "ImportResult": "cloudinary_state.importer",
    "Promotion": "cloudinary_state.promote",
    "TargetError": "cloudinary_state.engine.plan",
    "TryPresetResult": "cloudinary_state.trypreset",
    "TryPresetError": "cloudinary_state.trypreset",
    # config -> desired state
    "load_environment": "cloudinary_state.runner",
    "list_environments": "cloudinary_state.config",
    "DesiredState": "cloudinary_state.desired",
    "DesiredObject": "cloudinary_state.desired",
    "Policy": "cloudinary_state.desired",
    # the Admin API
    "AdminClient": "cloudinary_state.client",
    "Credentials": "cloudinary_state.client",
    # plan / apply
    "read_live": "cloudinary_state.engine.live",
    "build_plan": "cloudinary_state.engine.plan",
    "Plan": "cloudinary_state.engine.plan",
    "Change": "cloudinary_state.engine.plan",
    "FieldDiff": "cloudinary_state.engine.plan",
    # errors
    "CloudinaryStateError": "cloudinary_state.errors",
    "ConfigError": "cloudinary_state.errors",
    "Diagnostic": "cloudinary_state.errors",
    "ApiError": "cloudinary_state.errors",
    "RetryableApiError": "cloudinary_state.errors",
    "PermanentApiError": "cloudinary_state.errors",
    "NotFoundError": "cloudinary_state.errors",
    "PolicyRefusal": "cloudinary_state.errors",
    "StalePlanError": "cloudinary_state.errors",
    "PlanFileError": "cloudinary_state.errors",
    "OutputFileError": "cloudinary_state.errors",
    "RefusedPlanError": "cloudinary_state.errors",
    "ApplyError": "cloudinary_state.errors",
}

__all__ = [
    "AdminClient",
    "ApiError",
    "ApplyError",
    "ApplyFailed",
    "ApplyInterrupted",
    "ApplyReport",
    "ApplyResult",
    "Change",
    "CloudinaryStateError",
    "ConfigError",
    "Connection",
    "Credentials",
    "DesiredObject",
    "DesiredState",
    "Diagnostic",
    "DriftReport",
    "EnvDiff",
    "FieldDiff",
    "ImportResult",
    "ImportRun",
    "NotFoundError",
    "OutputFileError",
    "PermanentApiError",
    "Plan",
    "PlanFile",
    "PlanFileError",
    "Policy",
    "PolicyRefusal",
    "Project",
    "Promotion",
    "RefusedPlanError",
    "RetryableApiError",
    "ShownPlan",
    "StalePlanError",
    "TargetError",
    "TryPresetError",
    "TryPresetResult",
    "ValidationRun",
    "__version__",
    "build_plan",
    "list_environments",
    "load_environment",
    "read_live",
]

if TYPE_CHECKING:
    from cloudinary_state.audit import DriftReport
    from cloudinary_state.client import AdminClient, Credentials
    from cloudinary_state.config import ValidationRun, list_environments
    from cloudinary_state.desired import DesiredObject, DesiredState, Policy
    from cloudinary_state.engine.apply import ApplyFailed, ApplyInterrupted, ApplyReport
    from cloudinary_state.engine.live import read_live
    from cloudinary_state.engine.plan import Change, FieldDiff, Plan, TargetError, build_plan
    from cloudinary_state.engine.saved_plan import PlanFile
    from cloudinary_state.envdiff import EnvDiff
    from cloudinary_state.errors import (
        ApiError,
        ApplyError,
        CloudinaryStateError,
        ConfigError,
        Diagnostic,
        NotFoundError,
        OutputFileError,
        PermanentApiError,
        PlanFileError,
        PolicyRefusal,
        RefusedPlanError,
        RetryableApiError,
        StalePlanError,
    )
    from cloudinary_state.importer import ImportResult
    from cloudinary_state.promote import Promotion
    from cloudinary_state.runner import (
        ApplyResult,
        Connection,
        ImportRun,
        Project,
        ShownPlan,
        load_environment,
    )
    from cloudinary_state.trypreset import TryPresetError, TryPresetResult


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cloudinary_state' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__

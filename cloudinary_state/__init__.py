"""cloudinary-state: a Cloudinary account's configuration as code.

The public API, re-exported here. Attributes load lazily (PEP 562) so that importing a
subpackage — notably the independent `cloudinary_state.emulator` — does not drag in the
engine, and the engine does not drag in the emulator.

    from cloudinary_state import load_environment, AdminClient, Credentials, read_live, build_plan
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # config -> desired state
    "load_environment": "cloudinary_state.config",
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
    "RefusedPlanError": "cloudinary_state.errors",
    "ApplyError": "cloudinary_state.errors",
}

__all__ = [
    "AdminClient",
    "ApiError",
    "ApplyError",
    "Change",
    "CloudinaryStateError",
    "ConfigError",
    "Credentials",
    "DesiredObject",
    "DesiredState",
    "Diagnostic",
    "FieldDiff",
    "NotFoundError",
    "PermanentApiError",
    "Plan",
    "PlanFileError",
    "Policy",
    "PolicyRefusal",
    "RefusedPlanError",
    "RetryableApiError",
    "StalePlanError",
    "__version__",
    "build_plan",
    "list_environments",
    "load_environment",
    "read_live",
]

if TYPE_CHECKING:
    from cloudinary_state.client import AdminClient, Credentials
    from cloudinary_state.config import list_environments, load_environment
    from cloudinary_state.desired import DesiredObject, DesiredState, Policy
    from cloudinary_state.engine.live import read_live
    from cloudinary_state.engine.plan import Change, FieldDiff, Plan, build_plan
    from cloudinary_state.errors import (
        ApiError,
        ApplyError,
        CloudinaryStateError,
        ConfigError,
        Diagnostic,
        NotFoundError,
        PermanentApiError,
        PlanFileError,
        PolicyRefusal,
        RefusedPlanError,
        RetryableApiError,
        StalePlanError,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cloudinary_state' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__

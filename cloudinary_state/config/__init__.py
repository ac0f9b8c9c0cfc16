"""The config layer: YAML environments and resource documents -> `DesiredState`.

The names below load lazily (PEP 562), so that a module of the layer can be imported without
the loader: `config.fastschema`, the fast path of validation, must not import pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "LoadResult",
    "ValidationRun",
    "check_environment",
    "included_documents",
    "list_environments",
    "load_environment",
    "validate_environments",
]

if TYPE_CHECKING:
    from cloudinary_state.config.loader import (
        LoadResult,
        ValidationRun,
        check_environment,
        included_documents,
        list_environments,
        load_environment,
        validate_environments,
    )


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'cloudinary_state.config' has no attribute {name!r}")
    return getattr(importlib.import_module("cloudinary_state.config.loader"), name)


def __dir__() -> list[str]:
    return __all__

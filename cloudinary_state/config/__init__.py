"""The config layer: YAML environments and resource documents -> `DesiredState`."""

from cloudinary_state.config.loader import (
    LoadResult,
    ValidationRun,
    check_environment,
    included_documents,
    list_environments,
    load_environment,
    validate_environments,
)

__all__ = [
    "LoadResult",
    "ValidationRun",
    "check_environment",
    "included_documents",
    "list_environments",
    "load_environment",
    "validate_environments",
]

"""The config layer: YAML environments and resource documents -> `DesiredState`."""

from cloudinary_state.config.loader import check_environment, list_environments, load_environment

__all__ = ["check_environment", "list_environments", "load_environment"]

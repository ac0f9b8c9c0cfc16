"""The config body of a notification trigger (reference §10). The key a trigger is declared
under is a name in the config only: in the account a trigger is its event type and URL."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field

from cloudinary_state.config.models import Model, NonEmpty

# The reference's enum (§10, from Cloudinary's OpenAPI schema); the API refuses any other value
# ("Invalid value ... for parameter event_type").
EventType = Literal[
    "all", "access_control_changed", "bulk_refresh_auto_fetch", "create_folder", "delete",
    "delete_by_token", "delete_folder", "eager", "error", "explode", "generate_archive", "info",
    "invalidate_custom_cdn", "moderation", "moderation_summary", "move",
    "move_or_rename_asset_folder", "multi", "publish", "rename", "report",
    "resource_context_changed", "resource_display_name_changed", "resource_metadata_changed",
    "resource_tags_changed", "restore_asset_version", "sprite", "upload",
]  # fmt: skip
EVENT_TYPES: tuple[str, ...] = get_args(EventType)


class TriggerModel(Model):
    """A webhook notified of one event type."""

    event_type: EventType = Field(description="the event that sends the notification")
    uri: NonEmpty = Field(
        description="the http(s) URL notified; a token in it belongs in ${env.*}",
    )

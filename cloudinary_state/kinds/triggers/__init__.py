"""Notification triggers (webhooks): model, checks, pairing by content, reads and writes
(reference §10)."""

from cloudinary_state.kinds.triggers.kind import TriggerKind

TRIGGERS = TriggerKind()

__all__ = ["TRIGGERS", "TriggerKind"]

"""The config body of a named transformation (reference §5)."""

from __future__ import annotations

from pydantic import Field

from cloudinary_state.config.models import Model, NonEmpty


class TransformationModel(Model):
    transformation: NonEmpty = Field(description="chained transformation string, e.g. c_fill,w_100/f_auto")
    allowed_for_strict: bool | None = None

"""Types of structured upload-preset setting values (access control rules, responsive
breakpoints, coordinates...), which the settings catalogue gives its settings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from cloudinary_state.config.models import Model, NonEmpty


def _iso8601(value: str, field: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field} must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z") from None


class AccessControlRule(Model):
    access_type: Literal["token", "anonymous"]
    key: str | None = Field(default=None, min_length=1, description="token access: the key that signs tokens")
    start: str | None = Field(default=None, description="ISO 8601 date-time; anonymous access starts here")
    end: str | None = Field(default=None, description="ISO 8601 date-time; anonymous access ends here")

    @model_validator(mode="after")
    def _consistent(self) -> AccessControlRule:
        if self.access_type == "token" and (self.start or self.end):
            raise ValueError("start/end apply to access_type anonymous; token access is limited by its key")
        if self.access_type == "anonymous" and self.key:
            raise ValueError("key applies to access_type token only")
        start = _iso8601(self.start, "start") if self.start else None
        end = _iso8601(self.end, "end") if self.end else None
        if start and end:
            if (start.tzinfo is None) != (end.tzinfo is None):
                raise ValueError("give start and end both with or both without a time zone")
            if start >= end:
                raise ValueError("start must be before end")
        return self


class ResponsiveBreakpoint(Model):
    create_derived: bool
    format: str | None = None
    transformation: str | None = None
    max_width: int | None = Field(default=None, ge=1)
    min_width: int | None = Field(default=None, ge=1)
    bytes_step: int | None = Field(default=None, ge=1)
    max_images: int | None = Field(default=None, ge=1)


class AutoTranscription(Model):
    translate: list[NonEmpty] = Field(min_length=1)


Box = Annotated[list[int], Field(min_length=4, max_length=4, description="x, y, width, height")]
StringList = list[NonEmpty] | str
MetadataValue = str | int | list[str]
Region = Annotated[list[int], Field(min_length=2, max_length=2, description="x, y")]

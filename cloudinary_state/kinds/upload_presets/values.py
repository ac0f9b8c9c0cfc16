"""Types of structured upload-preset setting values (access control rules, responsive
breakpoints, coordinates...), which the settings catalogue gives its settings."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from cloudinary_state.config.models import Model, NonEmpty


# How the fields of a rule fit together (start/end with anonymous access, key with token, valid
# and ordered dates) is held by the kind's checks (checks.access_control_problem), not by a
# validator here: a model checks nothing beyond its JSON Schema.
class AccessControlRule(Model):
    access_type: Literal["token", "anonymous"]
    key: str | None = Field(default=None, min_length=1, description="token access: the key that signs tokens")
    start: str | None = Field(default=None, description="ISO 8601 date-time; anonymous access starts here")
    end: str | None = Field(default=None, description="ISO 8601 date-time; anonymous access ends here")


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

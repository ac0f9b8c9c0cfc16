"""The config body of an adaptive streaming profile (reference §11); the profile's name is the
key it is declared under."""

from __future__ import annotations

from pydantic import Field

from cloudinary_state.config.models import Model, NonEmpty


class Representation(Model):
    """One rendition of the profile's ladder."""

    transformation: NonEmpty = Field(
        description="a transformation string, e.g. c_limit,w_1280,h_720,vc_h264,br_3m; "
        "a named transformation as t_NAME"
    )


class StreamingProfileModel(Model):
    display_name: NonEmpty | None = Field(
        default=None, description="the name the console shows; left as it is live when not given"
    )
    representations: list[Representation] = Field(
        min_length=1, description="the renditions, in order (the whole list is written on each change)"
    )

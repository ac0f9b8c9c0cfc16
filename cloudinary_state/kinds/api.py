"""What a kind reads and writes through: the Admin API protocol and the live object."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from cloudinary_state.desired import KindName


class AdminApi(Protocol):
    """What kinds need from the client.

    `call("upload_presets", max_results=500)` invokes the pycloudinary function of that name
    in `cloudinary.api` with the environment's credentials, retries, timeouts and call
    counting added by the client; it returns the response as a plain dict and raises
    `errors.ApiError` subclasses (`NotFoundError` on 404). A write the server would repeat
    (a create of an object without a unique name) passes `already_done`, asked before each
    retry whether a failed attempt took effect after all.
    """

    def call(
        self,
        function: str,
        /,
        *args: Any,
        already_done: Callable[[], bool] | None = None,
        **params: Any,
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class LiveObject:
    kind: KindName
    name: str  # same identity key as DesiredObject.name
    canonical: Mapping[str, Any]  # server-managed fields stripped, normalized
    raw: Mapping[str, Any] = field(default_factory=dict)  # as read, e.g. for `used`


@dataclass(frozen=True)
class AssetImpact:
    """How many assets a destructive change reaches (`Kind.impact`): `assets` is a number, or
    None when it could not be read, and then `reason` says why (the plan never guesses)."""

    what: str  # what is counted: "assets holding a value in this field"
    assets: int | None
    reason: str | None = None

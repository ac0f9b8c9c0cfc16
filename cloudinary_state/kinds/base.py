"""The contract every kind module implements (octoDNS-style: one module per kind).

A kind knows how to read its objects from the Admin API with the fewest calls, how to turn
both a desired object and a live object into the *same canonical form* (so the server's
normalization never shows as a change), and how to write. It decides nothing about whether
to write: that is the plan's job.

Kinds never import `cloudinary`: they talk to the Admin API through the `AdminApi`
protocol, which `client.AdminClient` implements (layers import downward only).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from cloudinary_state.desired import DesiredObject, KindName

Action = Literal["create", "update", "replace", "delete"]


class AdminApi(Protocol):
    """What kinds need from the client.

    `call("upload_presets", max_results=500)` invokes the pycloudinary function of that name
    in `cloudinary.api` with the environment's credentials, retries, timeouts and call
    counting added by the client; it returns the response as a plain dict and raises
    `errors.ApiError` subclasses (`NotFoundError` on 404).
    """

    def call(self, function: str, /, *args: Any, **params: Any) -> dict[str, Any]: ...


@dataclass(frozen=True)
class LiveObject:
    kind: KindName
    name: str  # same identity key as DesiredObject.name (no t_ prefix for transformations)
    canonical: Mapping[str, Any]  # server-managed fields stripped, normalized
    raw: Mapping[str, Any] = field(default_factory=dict)  # as read, e.g. for `used`


class Kind(Protocol):
    kind: KindName
    rank: int  # creates/updates run by ascending rank, deletes by descending

    def references(self, obj: DesiredObject) -> list[tuple[KindName, str]]:
        """Objects this one depends on (e.g. a preset's t_NAME and metadata keys)."""
        ...

    def canonical_desired(self, obj: DesiredObject) -> dict[str, Any]:
        """The canonical form of a desired object, with server defaults filled in."""
        ...

    def canonical_live(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The canonical form of a live object as any read endpoint returns it."""
        ...

    def comparable_live(self, desired: Mapping[str, Any], live: Mapping[str, Any]) -> Mapping[str, Any]:
        """The live canonical form as it compares with this desired canonical form: aspects the
        desired form leaves open (e.g. a datasource order the API cannot set) are dropped, so
        they never show as a change the API could not make."""
        ...

    def read_all(self, api: AdminApi, parallelism: int) -> dict[str, LiveObject]:
        """Every live object of this kind, keyed by name, with the fewest calls."""
        ...

    def read_one(self, api: AdminApi, name: str) -> LiveObject | None:
        """One live object (None when it does not exist), by its detail GET: e.g. to check
        what a create whose answer was lost left behind."""
        ...

    def read_many(
        self, api: AdminApi, names: Collection[str], parallelism: int
    ) -> dict[str, LiveObject | None]:
        """The named live objects, keyed by every name asked for (None where one does not
        exist), with the fewest calls this kind has: for saved plans and the per-wave read-back.
        No names, no calls."""
        ...

    def needs_replace(self, desired: Mapping[str, Any], live: LiveObject) -> bool:
        """True when the difference cannot be updated in place (delete + create)."""
        ...

    def sensitive_canonical_paths(self, body_paths: Collection[str]) -> frozenset[str]:
        """The canonical-form paths that hold the values at these body paths (where the config
        used `${env.*}`), so masking matches the form plans and diffs are made of. A canonical
        field that takes any sensitive body value is sensitive whole."""
        ...

    @property
    def replace_refusal(self) -> str | None:
        """Why a replace of this kind cannot be carried out on the live service, and what to do
        instead; None when delete + create works. Safety refuses such a replace before any write
        (the plan still shows it, so the user sees what the config asks for)."""
        ...

    def notes(self, action: Action, desired: Mapping[str, Any] | None, live: LiveObject | None) -> list[str]:
        """Human notes for the plan: e.g. "transformation is in use"."""
        ...

    def export(self, live: LiveObject) -> dict[str, Any]:
        """The live object as a config body (DESIGN.md §3 format), server defaults left out:
        used by `import`; loading the exported body must give back `live.canonical`."""
        ...

    def create(self, api: AdminApi, name: str, desired: Mapping[str, Any]) -> None: ...

    def update(self, api: AdminApi, name: str, desired: Mapping[str, Any], live: LiveObject) -> None: ...

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None: ...

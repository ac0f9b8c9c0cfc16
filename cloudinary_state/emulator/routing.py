"""Routing contract inside the emulator: resource modules register handlers here.

The HTTP layer (server.py) parses a request into `Request`, finds the route, holds the
store lock, calls the handler and renders its result as JSON. A handler raises `ApiError`
to answer with `{"error": {"message": ...}}` and the given status.

Nothing in `cloudinary_state/emulator/` imports the rest of the package (DESIGN.md §6).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Request:
    method: str  # GET, POST, PUT, DELETE
    cloud: str
    path: str  # below /v1_1/<cloud>/, no leading slash, percent-decoded, e.g. "upload_presets/p1"
    params: dict[str, Any]  # query + body merged; JSON nulls dropped; `k[]=` / `k[0]=` made lists
    body: Any = None  # the parsed JSON body when it was JSON, else None
    files: dict[str, bytes] = field(default_factory=dict)  # multipart file parts
    filenames: dict[str, str] = field(default_factory=dict)  # the file name each file part carries
    received_at: float = 0.0  # the emulator's clock (epoch seconds) when the request arrived


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# handler(cloud_state, request, **named_groups_of_the_pattern) -> (status, json_body)
Handler = Callable[..., tuple[int, Any]]


# The entitlements a cloud can lack (`CloudConfig.not_entitled`): the resources whose
# operations the published schemas answer 403 (`[S]`: "Forbidden" on every transformations
# operation, "insufficient permissions" on metadata fields and rules).
ENTITLEMENTS = ("transformations", "metadata_fields", "metadata_rules")


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    entitlement: str | None = None  # a cloud without it is answered 403 (ENTITLEMENTS)


ROUTES: list[Route] = []


def route(method: str, pattern: str, entitlement: str | None = None) -> Callable[[Handler], Handler]:
    """Register a handler for METHOD and a full-match regex over `Request.path`; `entitlement`
    for an operation the schemas document a 403 for."""
    if entitlement is not None and entitlement not in ENTITLEMENTS:
        raise ValueError(f"unknown entitlement {entitlement!r}")

    def register(handler: Handler) -> Handler:
        ROUTES.append(Route(method, re.compile(pattern), handler, entitlement))
        return handler

    return register


def find_route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for r in ROUTES:
        if r.method == method:
            m = r.pattern.fullmatch(path)
            if m:
                return r, m.groupdict()
    return None

"""The Search API, as far as a plan needs it: how many assets hold a value in a structured
metadata field.

`POST resources/search` (pycloudinary's `Search().execute()` posts a JSON body [P]; part of the
Admin API, so rate-limited like it [D search_api]) over the assets this emulator knows from its
upload endpoint. The answer is `{total_count, time, resources, next_cursor?}` [D search_api],
`max_results` at most 500 [D] (the default: 50 [INF], sources say 10 or 50).

Expressions: the emulator evaluates only what it needs, terms joined by `AND`:
- `metadata=<external_id>`: assets with a value in the field [D support 360016991039];
- `-metadata=<external_id>`: assets without one [D same article];
- an empty expression: every asset [D].
A backslash escapes the next character [D search_expressions]. Any other term is refused with
400 (a limit of the emulator, not of the service) so that a query it cannot evaluate never
answers a wrong count.

An account whose Search API is off (`search_api=False`) answers 403 (the SDK's `NotAllowed`);
the live service's exact status and message for it are not documented [?], and a permission
error is 403 [P]. Tier 2 features (aggregations, image analysis) are not emulated.
"""

from __future__ import annotations

import re
from typing import Any

from cloudinary_state.emulator.routing import ApiError, Request, route
from cloudinary_state.emulator.state import CloudState

MAX_RESULTS = 500
DEFAULT_MAX_RESULTS = 50
_TERM = re.compile(r"(?P<negated>-?)metadata=(?P<field>(?:\\.|[^\s\\])+)")
_ESCAPED = re.compile(r"\\(.)")
NOT_ENABLED = "Search API is not enabled for this product environment"


def _matcher(term: str) -> tuple[str, bool]:
    """(external_id, wanted): assets whose field has a value (`wanted`) or has none."""
    match = _TERM.fullmatch(term)
    if match is None:
        raise ApiError(400, f"Unsupported search expression term: {term}")
    return _ESCAPED.sub(r"\1", match["field"]), not match["negated"]


def _has_value(asset: dict[str, Any], field: str) -> bool:
    value = (asset.get("metadata") or {}).get(field)
    return value not in (None, "", [])


def _max_results(params: dict[str, Any]) -> int:
    raw = params.get("max_results", DEFAULT_MAX_RESULTS)
    if isinstance(raw, str) and raw.isdigit():
        raw = int(raw)
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw <= MAX_RESULTS:
        raise ApiError(400, f"max_results must be between 0 and {MAX_RESULTS}")
    return raw


def _summary(asset: dict[str, Any]) -> dict[str, Any]:
    keys = ("asset_id", "public_id", "resource_type", "type", "format", "created_at", "bytes")
    return {key: asset[key] for key in keys if key in asset}


def search(cloud: CloudState, request: Request) -> tuple[int, Any]:
    if not cloud.search_api:
        raise ApiError(403, NOT_ENABLED)
    expression = str(request.params.get("expression") or "").strip()
    terms = [_matcher(t) for t in re.split(r"\s+AND\s+", expression)] if expression else []
    hits = [
        asset
        for _, asset in sorted(cloud.assets.items())
        if all(_has_value(asset, field) == wanted for field, wanted in terms)
    ]
    limit = _max_results(request.params)
    cursor = str(request.params.get("next_cursor") or "0")  # opaque to clients; an offset here
    if not cursor.isdigit():
        raise ApiError(400, f"Invalid next_cursor {cursor}")
    start = int(cursor)
    page = hits[start : start + limit]
    body: dict[str, Any] = {"total_count": len(hits), "time": 1, "resources": [_summary(a) for a in page]}
    if start + limit < len(hits) and limit:
        body["next_cursor"] = str(start + limit)
    return 200, body


route("POST", r"resources/search")(search)
route("GET", r"resources/search")(search)

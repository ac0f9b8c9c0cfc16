"""Named (and unnamed) transformations, reference §5.

Store: `cloud.transformations[key]` with key = the bare name for a named one, the definition
string for an unnamed one. Record: {name, named, definition, allowed_for_strict, used, seq,
derived}. Responses render named ones as `t_<name>`; `t_<name>` is accepted as input.
Both URL styles work: `transformations/<t>` and `transformations?transformation=<t>`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from cloudinary_state.emulator import txparse
from cloudinary_state.emulator.routing import ApiError, Request, route
from cloudinary_state.emulator.shapes import (
    ANY,
    ARRAY,
    BOOLEAN,
    INTEGER,
    STRING,
    TRANSFORMATION,
    Record,
    check_identity,
)
from cloudinary_state.emulator.state import CloudState, stored
from cloudinary_state.emulator.values import coerce_bool, paginate

SEQ_COUNTER = "transformation_seq"

# What the handlers read of a stored record (shapes.py says what is checked and why).
STORED = Record(
    {
        "name": STRING,
        "named": BOOLEAN,
        "definition": TRANSFORMATION,  # `find` parses each unnamed one's
        "allowed_for_strict": ANY,
        "used": ANY,
        "seq": INTEGER,  # the list's order
    },
    {"derived": ARRAY},
)


@stored("transformations")
def check_stored(key: str, record: Any) -> None:
    STORED.check(record, "")
    check_identity(record, "name" if record["named"] else "definition", key)


def _next_seq(cloud: CloudState) -> int:
    cloud.counters[SEQ_COUNTER] = cloud.counters.get(SEQ_COUNTER, 0) + 1
    return cloud.counters[SEQ_COUNTER]


def _bare(name: str) -> str:
    return name[2:] if name.startswith("t_") else name


def parse_definition(definition: Any) -> list[dict[str, Any]]:
    if not isinstance(definition, str):
        raise ApiError(400, "Invalid transformation: expected a string")
    try:
        return txparse.parse(definition)
    except txparse.TransformationSyntaxError as e:
        raise ApiError(400, str(e)) from None


def find(cloud: CloudState, ident: str) -> dict[str, Any] | None:
    """A transformation by name (bare or `t_`), by its exact string, or by an equal parse."""
    store = cloud.transformations
    for key in (_bare(ident), ident):
        record = store.get(key)
        if record is not None and record["named"]:
            return record
    record = store.get(ident)
    if record is not None:
        return record
    try:
        wanted = txparse.parse(ident)
    except txparse.TransformationSyntaxError:
        return None
    for record in store.values():
        if not record["named"] and txparse.parse(record["definition"]) == wanted:
            return record
    return None


def _require(cloud: CloudState, ident: Any) -> dict[str, Any]:
    if not isinstance(ident, str) or not ident:
        raise ApiError(400, "Must specify transformation")
    record = find(cloud, ident)
    if record is None:
        raise ApiError(404, f"Transformation {ident} not found")
    return record


def _key(record: dict[str, Any]) -> str:
    return str(record["name"]) if record["named"] else str(record["definition"])


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": f"t_{record['name']}" if record["named"] else record["definition"],
        "allowed_for_strict": record["allowed_for_strict"],
        "used": record["used"],
        "named": record["named"],
    }


def register_unnamed(cloud: CloudState, definition: str, allowed_for_strict: bool) -> dict[str, Any]:
    """Find or add an unnamed transformation (eager/derived ones are born not allowed for strict)."""
    existing = find(cloud, definition)
    if existing is not None and not existing["named"]:
        return existing
    parse_definition(definition)
    record = {
        "name": definition,
        "named": False,
        "definition": definition,
        "allowed_for_strict": allowed_for_strict,
        "used": False,
        "seq": _next_seq(cloud),
        "derived": [],
    }
    cloud.transformations[definition] = record
    return record


def named_references(definition: str) -> list[str]:
    """The bare names a definition refers to with `t_<name>` components, URL-decoded: a name
    with characters a transformation string cannot carry is written encoded (`t_my%20name`
    refers to `my name`), as every other value in a URL is [INF from reference §1.2: the SDK
    percent-encodes what it puts in a URL path]. `t_a.b` names two, applied in turn [SDK:
    pycloudinary's generate_transformation_string joins a list of names with "." after `t_`]."""
    return [
        unquote(name)
        for step in parse_definition(definition)
        if isinstance(step.get("transformation"), str)
        for name in str(step["transformation"]).split(".")
    ]


def check_references(cloud: CloudState, definitions: list[str]) -> None:
    """Refuse (400) a definition naming a transformation that does not exist: checked before an
    upload registers anything, so a failing upload changes nothing."""
    for definition in definitions:
        if not definition:
            continue
        for ref in named_references(definition):
            if find(cloud, f"t_{ref}") is None:
                raise ApiError(400, f"Transformation t_{ref} not found")


# --- endpoints ---------------------------------------------------------------------------------


@route("GET", r"transformations", entitlement="transformations")
def list_or_get(cloud: CloudState, request: Request) -> tuple[int, Any]:
    if "transformation" in request.params:
        return get_one(cloud, request, ident=request.params["transformation"])
    records = sorted(cloud.transformations.values(), key=lambda r: int(r["seq"]))
    if "named" in request.params:
        named = coerce_bool(request.params["named"], "named")
        records = [r for r in records if r["named"] == named]
    page, cursor = paginate(records, [f"{int(r['seq']):012d}" for r in records], request.params)
    body: dict[str, Any] = {"transformations": [_summary(r) for r in page]}
    if cursor:
        body["next_cursor"] = cursor
    return 200, body


@route("GET", r"transformations/(?P<ident>.+)", entitlement="transformations")
def get_one(cloud: CloudState, request: Request, ident: str) -> tuple[int, Any]:
    record = _require(cloud, ident)
    derived: list[dict[str, Any]] = list(record.get("derived", []))
    page, cursor = paginate(derived, [f"{i:012d}" for i in range(len(derived))], request.params)
    body = {**_summary(record), "info": parse_definition(record["definition"]), "derived": page}
    if cursor:
        body["next_cursor"] = cursor
    return 200, body


@route("POST", r"transformations(?:/(?P<name>.+))?", entitlement="transformations")
def create(cloud: CloudState, request: Request, name: str | None = None) -> tuple[int, Any]:
    raw_name = name if name is not None else request.params.get("name")
    definition = request.params.get("transformation")
    if not isinstance(raw_name, str) or not raw_name:
        raise ApiError(400, "Must specify name")
    if not isinstance(definition, str) or not definition:
        raise ApiError(400, "Must specify transformation")
    parse_definition(definition)
    allowed = coerce_bool(request.params.get("allowed_for_strict", True), "allowed_for_strict")
    if raw_name == definition:  # the reference's way of registering an explicit unnamed one
        if definition in cloud.transformations or find(cloud, definition) is not None:
            raise ApiError(409, f"Transformation {definition} already exists")
        register_unnamed(cloud, definition, allowed_for_strict=allowed)
        return 200, {"message": "created"}
    bare = _bare(raw_name)
    if any(ch in bare for ch in "/,") or not bare.strip():
        raise ApiError(400, f"Invalid transformation name {raw_name!r}")
    if bare in cloud.transformations:
        raise ApiError(409, f"Transformation {bare} already exists")
    if bare in named_references(definition):
        raise ApiError(400, f"Invalid transformation: {bare} refers to itself")
    cloud.transformations[bare] = {
        "name": bare,
        "named": True,
        "definition": definition,
        "allowed_for_strict": allowed,
        "used": False,
        "seq": _next_seq(cloud),
        "derived": [],
    }
    return 200, {"message": "created"}


@route("PUT", r"transformations(?:/(?P<ident>.+))?", entitlement="transformations")
def update(cloud: CloudState, request: Request, ident: str | None = None) -> tuple[int, Any]:
    record = _require(cloud, ident if ident is not None else request.params.get("transformation"))
    allowed = record["allowed_for_strict"]
    if "allowed_for_strict" in request.params:
        allowed = coerce_bool(request.params["allowed_for_strict"], "allowed_for_strict")
    definition = request.params.get("unsafe_update", record["definition"])
    parse_definition(definition)
    if not record["named"] and definition != record["definition"]:
        # an unnamed one is identified by its string: re-key it
        if find(cloud, definition) is not None:
            raise ApiError(409, f"Transformation {definition} already exists")
        del cloud.transformations[_key(record)]
        record["name"] = definition
        cloud.transformations[definition] = record
    record["definition"] = definition
    record["allowed_for_strict"] = allowed
    return 200, {"message": "updated"}


@route("DELETE", r"transformations(?:/(?P<ident>.+))?", entitlement="transformations")
def delete(cloud: CloudState, request: Request, ident: str | None = None) -> tuple[int, Any]:
    record = _require(cloud, ident if ident is not None else request.params.get("transformation"))
    del cloud.transformations[_key(record)]
    return 200, {"message": "deleted"}

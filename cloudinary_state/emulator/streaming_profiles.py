"""Emulated adaptive streaming profiles (reference §11).

Storage: `cloud.streaming_profiles[name]` = {name, display_name, predefined, external_id,
representations: [transformation string, ...], _modified: bool, _seq: int}. `_seq` keeps the
list order (built-ins first, then custom ones by creation): the state file sorts keys. The
strings are the source of truth; responses parse each into
`{"transformation": [step dict, ...]}` with the emulator's own parser (txparse): always an
array of steps, numbers as JSON numbers.

The seven built-in profiles exist in every cloud: they are seeded on first access when the
store lacks them. A built-in can be updated (`_modified` becomes true); DELETE of a modified
built-in reverts it to its definition, DELETE of an unmodified one is 400.

The list answers `name, display_name, predefined, external_id` per profile (no
representations: a reader gets each profile for those), single-profile answers are wrapped
in `{"data": ...}`. A representation that names a transformation (`t_NAME`) that does not
exist is refused with a 400, as the live service refuses an unknown named transformation.

The built-ins' representations are the definitions the engine knows, copied here (the
emulator shares no code with the engine): docs/emulator.md says how far they are evidenced;
keep the two copies in step. The display names are not documented (the engine never
compares them).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from cloudinary_state.emulator import transformations, txparse
from cloudinary_state.emulator.routing import ApiError, Request, route
from cloudinary_state.emulator.shapes import (
    ANY,
    BOOLEAN,
    INTEGER,
    STRING,
    TRANSFORMATION,
    ArrayOf,
    Record,
    ShapeError,
    check_identity,
)
from cloudinary_state.emulator.state import CloudState, stored

NAME = r"(?P<name>[^/]+)"
# Rungs shared between ladders: the 16:9 profiles take the 4k ladder from their top
# resolution down, the lean ones a ladder of lower bit rates [INF, as the ladders are].
_WIDE = (
    "c_limit,w_3840,h_2160,vc_h264,br_18m",
    "c_limit,w_2560,h_1440,vc_h264,br_12m",
    "c_limit,w_1920,h_1080,vc_h264,br_5.5m",
    "c_limit,w_1280,h_720,vc_h264,br_3.5m",
    "c_limit,w_960,h_540,vc_h264,br_2m",
    "c_limit,w_640,h_360,vc_h264,br_800k",
    "c_limit,w_480,h_270,vc_h264,br_500k",
    "c_limit,w_320,h_180,vc_h264,br_192k",
)
_LEAN = (
    "c_limit,w_1920,h_1080,vc_h264,br_4.5m",
    "c_limit,w_1280,h_720,vc_h264,br_2m",
    "c_limit,w_960,h_540,vc_h264,br_1.2m",
    "c_limit,w_640,h_360,vc_h264,br_500k",
)
# name -> (display name, representations highest rung first)
_BUILTINS: dict[str, tuple[str, tuple[str, ...]]] = {
    "4k": ("4K (2160p)", _WIDE),
    "full_hd": ("Full HD (1080p)", _WIDE[2:]),
    "hd": ("HD (720p)", _WIDE[3:]),
    "sd": (
        "SD (480p)",
        (
            "c_limit,w_640,h_480,vc_h264,br_800k",
            "c_limit,w_480,h_360,vc_h264,br_500k",
            "c_limit,w_320,h_240,vc_h264,br_192k",
        ),
    ),
    "full_hd_wifi": ("Full HD WiFi (1080p)", _WIDE[2:6]),
    "full_hd_lean": ("Full HD Lean (1080p)", _LEAN),
    "hd_lean": ("HD Lean (720p)", _LEAN[1:]),
}


BUILTIN_NAMES = tuple(_BUILTINS)
CUSTOM_SEQ_START = 1000  # custom profiles list after the built-ins


def _builtin(name: str) -> dict[str, Any]:
    display_name, representations = _BUILTINS[name]
    return {
        "name": name,
        "display_name": display_name,
        "predefined": True,
        "external_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"streaming_profile:{name}")),
        "representations": list(representations),
        "_modified": False,
        "_seq": BUILTIN_NAMES.index(name),
    }


# What the handlers read of a stored profile (shapes.py says what is checked and why).
STORED = Record(
    {
        "name": STRING,
        "display_name": ANY,
        "predefined": BOOLEAN,
        "external_id": ANY,
        "representations": ArrayOf(TRANSFORMATION),  # each parsed by the single GET
        "_modified": BOOLEAN,  # whether a DELETE reverts a built-in
        "_seq": INTEGER,  # the list's order
    }
)


@stored("streaming_profiles")
def check_stored(key: str, profile: Any) -> None:
    STORED.check(profile, "")
    check_identity(profile, "name", key)
    if profile["predefined"] and key not in _BUILTINS:  # a DELETE would revert it to no definition
        raise ShapeError(f"predefined is true, but no built-in profile is named {key!r}")


def _profiles(cloud: CloudState) -> dict[str, dict[str, Any]]:
    """The store, with any missing built-in seeded (lazily, so restored state needs no migration)."""
    store = cloud.streaming_profiles
    for name in BUILTIN_NAMES:
        if name not in store:
            store[name] = _builtin(name)
    return store


def _find(cloud: CloudState, name: str) -> dict[str, Any]:
    profile = _profiles(cloud).get(name)
    if profile is None:
        raise ApiError(404, f"Streaming profile {name} not found")
    return profile


def _summary(profile: dict[str, Any]) -> dict[str, Any]:
    return {key: profile[key] for key in ("name", "display_name", "predefined", "external_id")}


def render(profile: dict[str, Any]) -> dict[str, Any]:
    out = _summary(profile)
    out["representations"] = [{"transformation": txparse.parse(t)} for t in profile["representations"]]
    return out


def _representations(cloud: CloudState, raw: Any) -> list[str]:
    """`representations` arrives as a JSON-encoded string (§11); a JSON array is accepted too."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ApiError(400, f"representations is not valid JSON: {exc.msg}") from None
    if not isinstance(raw, list) or not raw:
        raise ApiError(400, "representations must be a non-empty array")
    strings = []
    for item in raw:
        transformation = item.get("transformation") if isinstance(item, dict) else None
        if not isinstance(transformation, str):
            raise ApiError(400, "each representation must be {transformation: string}")
        _check_transformation(cloud, transformation)
        strings.append(transformation)
    return strings


def _check_transformation(cloud: CloudState, transformation: str) -> None:
    """A representation must parse, and every named transformation it uses must exist."""
    try:
        txparse.parse(transformation)
    except txparse.TransformationSyntaxError as exc:
        raise ApiError(400, str(exc)) from None
    for ref in transformations.named_references(transformation):
        if transformations.find(cloud, f"t_{ref}") is None:
            raise ApiError(400, f"Transformation t_{ref} not found")


def _display_name(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ApiError(400, "display_name must be a string")
    return raw


@route("GET", r"streaming_profiles")
def list_profiles(cloud: CloudState, req: Request) -> tuple[int, Any]:
    ordered = sorted(_profiles(cloud).values(), key=lambda p: int(p["_seq"]))
    return 200, {"data": [_summary(p) for p in ordered]}


@route("POST", r"streaming_profiles")
def create_profile(cloud: CloudState, req: Request) -> tuple[int, Any]:
    name = req.params.get("name")
    if name is None:
        raise ApiError(400, "Missing required parameter - name")
    if not isinstance(name, str) or not name or "/" in name:
        raise ApiError(400, "name is invalid")
    if "representations" not in req.params:
        raise ApiError(400, "Missing required parameter - representations")
    store = _profiles(cloud)
    if name in store:
        raise ApiError(409, f"Streaming profile {name} already exists")
    sequence = cloud.counters.get("streaming_profile_seq", CUSTOM_SEQ_START) + 1
    profile = {
        "name": name,
        "display_name": _display_name(req.params.get("display_name", name)),
        "predefined": False,
        "external_id": str(uuid.uuid4()),
        "representations": _representations(cloud, req.params["representations"]),
        "_modified": False,
        "_seq": sequence,
    }
    cloud.counters["streaming_profile_seq"] = sequence
    store[name] = profile
    return 200, {"data": render(profile)}


@route("GET", rf"streaming_profiles/{NAME}")
def get_profile(cloud: CloudState, req: Request, name: str) -> tuple[int, Any]:
    return 200, {"data": render(_find(cloud, name))}


@route("PUT", rf"streaming_profiles/{NAME}")
def update_profile(cloud: CloudState, req: Request, name: str) -> tuple[int, Any]:
    profile = _find(cloud, name)
    updated = dict(profile)
    if "display_name" in req.params:
        updated["display_name"] = _display_name(req.params["display_name"])
    if "representations" in req.params:
        updated["representations"] = _representations(cloud, req.params["representations"])
    if updated["predefined"] and updated != profile:
        updated["_modified"] = True
    cloud.streaming_profiles[name] = updated
    return 200, {"message": "updated", "data": render(updated)}


@route("DELETE", rf"streaming_profiles/{NAME}")
def delete_profile(cloud: CloudState, req: Request, name: str) -> tuple[int, Any]:
    profile = _find(cloud, name)
    if profile["predefined"]:
        if not profile["_modified"]:
            raise ApiError(400, "Cannot delete predefined profile")
        cloud.streaming_profiles[name] = _builtin(name)  # a delete reverts a modified built-in
    else:
        del cloud.streaming_profiles[name]
    return 200, {"message": "deleted"}

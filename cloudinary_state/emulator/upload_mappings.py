"""Upload mappings, reference §7. Identity = folder; the mutable attributes are template and
upload_preset_name.

Store: `cloud.upload_mappings[folder]` = {folder, template, external_id, upload_preset_name}.

`upload_preset_name` is in every mapping object the API answers, `null` when no preset is
associated (`[S]`: the schemas' `upload_mapping` types it `string | null`, "Name of an upload
preset if one is associated"; the reference §7 lists it on list items). The schemas document no
request parameter for it; the emulator takes `upload_preset_name`, the response's own name, on
create, update and replace `[INF]`. An update without it keeps the association (so the SDK's
`update_upload_mapping`, which sends only the template, changes nothing else); an explicit JSON
`null` or `""` removes it `[INF]`, as a field update clears a metadata default. The name is not
checked against the account's presets (`[?]`: nothing documents a refusal).
"""

from __future__ import annotations

import uuid
from typing import Any

from cloudinary_state.emulator.routing import ApiError, Request, route
from cloudinary_state.emulator.shapes import ANY, STRING, Record, check_identity
from cloudinary_state.emulator.state import CloudState, stored
from cloudinary_state.emulator.values import paginate

# What the handlers read of a stored mapping (shapes.py says what is checked and why): the
# template and the preset's name are answered as stored.
STORED = Record({"folder": STRING, "external_id": ANY})


@stored("upload_mappings")
def check_stored(key: str, mapping: Any) -> None:
    STORED.check(mapping, "")
    check_identity(mapping, "folder", key)


def _folder(request: Request) -> str:
    folder = request.params.get("folder")
    if not isinstance(folder, str) or not folder:
        raise ApiError(400, "Must specify folder")
    return folder


def _template(request: Request) -> str:
    template = request.params.get("template")
    if not isinstance(template, str) or not template:
        raise ApiError(400, "Must specify template")
    if not template.startswith(("http://", "https://", "s3://", "gs://")):
        raise ApiError(400, f"Invalid template {template!r}: expected a URL prefix")
    return template


def _preset_name(request: Request, current: str | None) -> str | None:
    """The association a create, update or replace entry asks for (see the module docstring)."""
    body = request.body if isinstance(request.body, dict) else {}
    if "upload_preset_name" in body and body["upload_preset_name"] is None:
        return None  # an explicit null: the transport drops it from params, the body keeps it
    name = request.params.get("upload_preset_name", current)
    if name is None or name == "":
        return None
    if not isinstance(name, str):
        raise ApiError(400, "upload_preset_name must be a string")
    return name


def _require(cloud: CloudState, folder: str) -> dict[str, Any]:
    mapping = cloud.upload_mappings.get(folder)
    if mapping is None:
        raise ApiError(404, f"Upload mapping for folder {folder} not found")
    return mapping


def _render(mapping: dict[str, Any]) -> dict[str, Any]:
    """A mapping as the API answers it; state from before upload_preset_name shows it null."""
    return {"upload_preset_name": None, **mapping}


@route("GET", r"upload_mappings")
def list_or_get(cloud: CloudState, request: Request) -> tuple[int, Any]:
    if "folder" in request.params:
        return 200, _render(_require(cloud, _folder(request)))
    folders = sorted(cloud.upload_mappings)
    page, cursor = paginate(folders, folders, request.params)
    body: dict[str, Any] = {
        "mappings": [_render(cloud.upload_mappings[f]) for f in page],
        "total_entries": len(folders),
    }
    if cursor:
        body["next_cursor"] = cursor
    return 200, body


@route("POST", r"upload_mappings")
def create(cloud: CloudState, request: Request) -> tuple[int, Any]:
    folder, template = _folder(request), _template(request)
    if folder in cloud.upload_mappings:
        raise ApiError(409, f"Upload mapping for folder {folder} already exists")
    preset = _preset_name(request, None)
    external_id = uuid.uuid4().hex
    cloud.upload_mappings[folder] = {
        "folder": folder,
        "template": template,
        "external_id": external_id,
        "upload_preset_name": preset,
    }
    return 200, {"message": "created", "folder": folder, "external_id": external_id}


@route("PUT", r"upload_mappings/replace")
def replace_all(cloud: CloudState, request: Request) -> tuple[int, Any]:
    entries = request.params.get("mappings")
    if not isinstance(entries, list):
        raise ApiError(400, "Must specify mappings")
    replacement: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise ApiError(400, "Each mapping must be an object with folder and template")
        sub = Request(request.method, request.cloud, request.path, dict(entry), body=entry)
        folder, template = _folder(sub), _template(sub)
        if folder in replacement:
            raise ApiError(400, f"Duplicate folder {folder} in mappings")
        previous = cloud.upload_mappings.get(folder)
        external_id = previous["external_id"] if previous else uuid.uuid4().hex
        replacement[folder] = {
            "folder": folder,
            "template": template,
            "external_id": external_id,
            "upload_preset_name": _preset_name(sub, None),
        }
    cloud.upload_mappings = replacement
    return 200, {"message": "replaced"}


@route("PUT", r"upload_mappings")
def update(cloud: CloudState, request: Request) -> tuple[int, Any]:
    mapping = _require(cloud, _folder(request))
    template = _template(request)
    mapping["upload_preset_name"] = _preset_name(request, mapping.get("upload_preset_name"))
    mapping["template"] = template
    return 200, {"message": "updated", "external_id": mapping["external_id"]}


@route("DELETE", r"upload_mappings")
def delete(cloud: CloudState, request: Request) -> tuple[int, Any]:
    mapping = _require(cloud, _folder(request))
    del cloud.upload_mappings[mapping["folder"]]
    return 200, {"message": "deleted", "external_id": mapping["external_id"]}

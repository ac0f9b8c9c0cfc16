"""Upload mappings (reference §7): identity is the folder, the only attribute the template.

The simplest kind, and the example of the contract (`kinds/base.py`): a model, one check, the
canonical form, and three writes; reads come from the base class (the `upload_mappings` list,
paginated, and the `upload_mapping` detail GET).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from cloudinary_state.config.checks import CheckedObject, Report, Universe, check_url
from cloudinary_state.config.models import Model, NonEmpty
from cloudinary_state.desired import DesiredObject
from cloudinary_state.kinds._common import call_create, call_delete
from cloudinary_state.kinds.base import AdminApi, Kind, LiveObject, TriedUpload, UploadEffect


class UploadMappingModel(Model):
    """An upload mapping; its folder is the key it is declared under."""

    template: NonEmpty = Field(description="URL prefix, e.g. https://media.example.com/uploads/")


class UploadMappingKind(Kind):
    kind = "upload_mapping"
    section = "upload_mappings"
    rank = 50
    model = UploadMappingModel
    description = "upload mappings, by folder"
    list_call = "upload_mappings"
    list_items_key = "mappings"
    identity_field = "folder"
    detail_call = "upload_mapping"  # answers the bare mapping object

    def check(self, report: Report, universe: Universe, obj: CheckedObject) -> None:
        check_url(report, obj, ("template",), obj.model.template)

    def canonical_desired(self, obj: DesiredObject) -> dict[str, Any]:
        return {"template": str(obj.body["template"])}

    def canonical_live(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {"template": str(raw.get("template", ""))}

    def upload_effects(self, obj: DesiredObject, upload: TriedUpload) -> list[UploadEffect]:
        """A mapping acts on delivery URLs under its folder (auto-upload): whether the tried
        asset's public ID lies there."""
        public_id = str(upload.asset.get("public_id", ""))
        folder = public_id.rsplit("/", 1)[0] if "/" in public_id else ""
        template = str(obj.body.get("template", ""))
        if folder == obj.name or folder.startswith(f"{obj.name}/"):
            detail = (
                f"the asset is in the mapped folder {obj.name}/: a delivery URL there for an asset not "
                f"stored is fetched from {template}; this one is stored, so it is delivered as uploaded"
            )
            return [UploadEffect(self.kind, obj.name, True, detail)]
        where = f"folder {folder}/" if folder else "no folder"
        detail = f"did not match: the asset's public ID is in {where}, the mapping covers {obj.name}/"
        return [UploadEffect(self.kind, obj.name, False, detail)]

    def create(self, api: AdminApi, name: str, desired: Mapping[str, Any]) -> None:
        template = str(desired["template"])

        def made_already() -> bool:
            live = self.read_one(api, name)
            return live is not None and live.canonical["template"] == template

        call_create(api, made_already, "create_upload_mapping", name, template=template)

    def update(self, api: AdminApi, name: str, desired: Mapping[str, Any], live: LiveObject) -> None:
        api.call("update_upload_mapping", name, template=str(desired["template"]))

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
        call_delete(api, "delete_upload_mapping", name)


UPLOAD_MAPPINGS = UploadMappingKind()

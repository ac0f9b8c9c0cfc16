"""Upload mappings (reference §7): identity is the folder; the attributes are the template and
the upload preset associated with it (`upload_preset_name`, which every mapping the API
answers carries, `null` without one).

The simplest kind, and the example of the contract (`kinds/base.py`): a model (`model.py`),
its checks, the canonical form, and three writes; reads come from the base class (the
`upload_mappings` list, paginated, and the `upload_mapping` detail GET).

pycloudinary's `create_upload_mapping`/`update_upload_mapping` send only the folder and the
template, so a write that sets or clears the preset goes through the SDK's generic JSON call
(`call_json_api`) with the same body plus `upload_preset_name` (an explicit `null` clears it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudinary_state.config.checks import CheckedObject, Report, Universe, check_url
from cloudinary_state.config.interpolate import did_you_mean
from cloudinary_state.desired import DesiredObject, KindName
from cloudinary_state.kinds._common import call_create, call_delete
from cloudinary_state.kinds.base import AdminApi, Kind, LiveObject, ModelRef, TriedUpload, UploadEffect

PRESET: KindName = "upload_preset"


def _preset_of(body: Mapping[str, Any]) -> str | None:
    name = body.get("upload_preset_name")
    return str(name) if name not in (None, "") else None


def check_preset(report: Report, universe: Universe, obj: CheckedObject) -> None:
    """The associated preset is declared (not as a tombstone), or managed outside the config."""
    name = obj.fields.get("upload_preset_name")
    if name is None:
        return
    presets = universe.declared(PRESET)
    target = presets.get(name)
    if target is not None and target.body is not None:
        return
    if target is None and universe.trusted(PRESET, name):
        return  # managed outside this config: trusted to exist
    path = ("upload_preset_name",)
    if target is not None:
        report.error(
            obj.marks.at(path),
            f"{obj.label(path)}: '{name}' is an upload preset this environment deletes (absent: true)",
            "remove the association or the tombstone",
        )
        return
    report.error(
        obj.marks.at(path),
        f"{obj.label(path)}: upload preset '{name}' is not declared",
        did_you_mean(name, set(presets))
        or f"declare upload_presets.{name}, or list it under policy.ignore.upload_presets "
        "if it is managed outside this config",
    )


class UploadMappingKind(Kind):
    kind = "upload_mapping"
    section = "upload_mappings"
    rank = 50
    model = ModelRef("cloudinary_state.kinds.upload_mappings.model", "UploadMappingModel")
    description = "upload mappings, by folder"
    guide = """
`upload_preset_name` associates an upload preset with the mapping, as the Admin API reports it
on every mapping (`null` without one). Removing it from the config removes the association on
the next apply; a mapping declared without it compares equal to one with none.
"""
    list_call = "upload_mappings"
    list_items_key = "mappings"
    identity_field = "folder"
    detail_call = "upload_mapping"  # answers the bare mapping object

    def check(self, report: Report, universe: Universe, obj: CheckedObject) -> None:
        check_url(report, obj, ("template",), obj.fields["template"])
        check_preset(report, universe, obj)

    def references(self, obj: DesiredObject) -> list[tuple[KindName, str]]:
        preset = _preset_of(obj.body)
        return [(PRESET, preset)] if preset else []

    def live_references(self, live: LiveObject) -> list[tuple[KindName, str]]:
        preset = _preset_of(live.canonical)
        return [(PRESET, preset)] if preset else []

    def canonical_desired(self, obj: DesiredObject) -> dict[str, Any]:
        return _canonical(obj.body.get("template"), _preset_of(obj.body))

    def canonical_live(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return _canonical(raw.get("template", ""), _preset_of(raw))

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
        want = _canonical(desired["template"], _preset_of(desired))

        def made_already() -> bool:
            live = self.read_one(api, name)
            return live is not None and dict(live.canonical) == want

        if "upload_preset_name" in want:
            body = {"folder": name, **want}
            call_create(api, made_already, "call_json_api", "post", ["upload_mappings"], body)
        else:
            call_create(api, made_already, "create_upload_mapping", name, template=want["template"])

    def update(self, api: AdminApi, name: str, desired: Mapping[str, Any], live: LiveObject) -> None:
        template, preset = str(desired["template"]), _preset_of(desired)
        if preset is None and _preset_of(live.canonical) is None:
            api.call("update_upload_mapping", name, template=template)
            return
        # the SDK's helper would leave the association as it is: set it, or clear it with null
        body = {"folder": name, "template": template, "upload_preset_name": preset}
        api.call("call_json_api", "put", ["upload_mappings"], body)

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
        call_delete(api, "delete_upload_mapping", name)


def _canonical(template: Any, preset: str | None) -> dict[str, Any]:
    """The template; the associated preset only when there is one (so a mapping without one
    compares as it always has)."""
    return {"template": str(template), **({"upload_preset_name": preset} if preset else {})}


UPLOAD_MAPPINGS = UploadMappingKind()

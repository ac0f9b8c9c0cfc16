"""Upload mappings (reference §7): identity is the folder, the only attribute the template."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from cloudinary_state.desired import DesiredObject, KindName
from cloudinary_state.kinds._common import (
    call_create,
    call_delete,
    get_or_none,
    listed_by_name,
    live_object,
    paginate,
)
from cloudinary_state.kinds.base import Action, AdminApi, LiveObject


def _folder(item: Mapping[str, Any]) -> str:
    return str(item["folder"])


class UploadMappingKind:
    kind: KindName = "upload_mapping"
    rank = 50
    replace_refusal: str | None = None  # never replaces (needs_replace is False)

    def references(self, obj: DesiredObject) -> list[tuple[KindName, str]]:
        return []

    def canonical_desired(self, obj: DesiredObject) -> dict[str, Any]:
        return {"template": str(obj.body["template"])}

    def canonical_live(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {"template": str(raw.get("template", ""))}

    def _live(self, raw: Mapping[str, Any]) -> LiveObject:
        return live_object(self.kind, _folder, self.canonical_live, raw)

    def comparable_live(self, desired: Mapping[str, Any], live: Mapping[str, Any]) -> Mapping[str, Any]:
        return live  # every canonical field is settable: compare all of them

    def read_all(self, api: AdminApi, parallelism: int) -> dict[str, LiveObject]:
        return {live.name: live for live in map(self._live, paginate(api, "upload_mappings", "mappings"))}

    def read_one(self, api: AdminApi, name: str) -> LiveObject | None:
        raw = get_or_none(api, "upload_mapping", name)
        # the detail GET answers the bare mapping object
        return self._live(raw) if raw is not None and "folder" in raw else None

    def read_many(
        self, api: AdminApi, names: Collection[str], parallelism: int
    ) -> dict[str, LiveObject | None]:
        listed = listed_by_name(self.kind, api, "upload_mappings", "mappings", names, _folder)
        return {name: self._live(listed[name]) if name in listed else None for name in names}

    def needs_replace(self, desired: Mapping[str, Any], live: LiveObject) -> bool:
        return False

    def sensitive_canonical_paths(self, body_paths: Collection[str]) -> frozenset[str]:
        return frozenset(path.split(".", 1)[0] for path in body_paths)  # `template` either way

    def notes(self, action: Action, desired: Mapping[str, Any] | None, live: LiveObject | None) -> list[str]:
        return []

    def export(self, live: LiveObject) -> dict[str, Any]:
        return {"template": live.canonical["template"]}

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

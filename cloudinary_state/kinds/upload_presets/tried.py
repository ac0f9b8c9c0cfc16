"""A file uploaded through a preset (`try-preset`): which of its settings had no effect on the
asset, and why, and notes on the ones whose effect the emulated account cannot show whole.

Read against the environment's rendered preset (what was applied to the emulated account),
the upload's answer, and the parameters given beside the preset.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cloudinary_state.addons import ADDONS
from cloudinary_state.desired import DesiredObject, KindName
from cloudinary_state.kinds._common import to_bool
from cloudinary_state.kinds.tried import TriedUpload, UploadEffect
from cloudinary_state.kinds.upload_presets.addon_options import addons_needed
from cloudinary_state.kinds.upload_presets.catalogue import ADDON_OPTIONS

NAMING = ("public_id", "use_filename", "unique_filename")
NOTIFICATIONS = ("notification_url", "eager_notification_url")


class _Effects:
    """Collects one preset's effects, its values masked where they came from ${env.*}."""

    def __init__(self, kind: KindName, obj: DesiredObject) -> None:
        self.kind, self.obj = kind, obj
        self.settings: Mapping[str, Any] = obj.body.get("settings") or {}
        self.found: list[UploadEffect] = []

    def flag(self, name: str) -> bool:
        try:
            return to_bool(self.settings.get(name, False))
        except ValueError:
            return False

    def add(self, setting: str, applies: bool, detail: str, value: Any = None) -> None:
        if value is None:
            value = self.settings.get(setting)
        if f"settings.{setting}" in self.obj.sensitive_paths:
            value = "(sensitive)"
        self.found.append(UploadEffect(self.kind, self.obj.name, applies, detail, setting, value))


def _stripped(effects: _Effects) -> None:
    for option in effects.obj.stripped_options:
        names = [ADDONS.get(addon, addon) for addon in option.addon.split(",")]
        toggles = ", ".join(f"{addon}: false" for addon in option.addon.split(","))
        effects.add(
            option.path.removeprefix("settings."),
            False,
            f"stripped: this environment turns the {' and '.join(names)} add-on off (addons: {toggles})",
            option.value,
        )


def _naming(effects: _Effects, explicit: Mapping[str, Any]) -> None:
    named_by_call = bool(explicit.get("public_id"))
    if named_by_call and effects.flag("disallow_public_id"):
        effects.add("disallow_public_id", True, "the preset ignores the public ID given to the upload")
        named_by_call = False
    present = [name for name in NAMING if name in effects.settings]
    if named_by_call:
        for name in present:
            effects.add(name, False, "the upload gives its own public ID, which takes its place")
        return
    if "public_id" in effects.settings:
        for name in present[1:]:
            effects.add(name, False, "the preset's public_id names the asset")
    elif "unique_filename" in effects.settings and not effects.flag("use_filename"):
        effects.add("unique_filename", False, "it applies only with use_filename")


def _format(effects: _Effects, asset: Mapping[str, Any]) -> None:
    forced = effects.settings.get("format")
    if forced and effects.settings.get("allowed_formats") and asset.get("format") != forced:
        effects.add(
            "format",
            False,
            f"the file's format {asset.get('format')} is in allowed_formats: "
            "format converts only the formats allowed_formats does not list",
        )


def _unmentioned_addons(effects: _Effects, toggles: Mapping[str, bool]) -> Iterator[str]:
    for option in (*ADDON_OPTIONS, "auto_tagging"):
        for addon in addons_needed(effects.settings, option) if option in effects.settings else ():
            if addon not in toggles:
                yield option


def _notes(effects: _Effects, upload: TriedUpload) -> None:
    for option in dict.fromkeys(_unmentioned_addons(effects, upload.addons)):
        effects.add(
            option,
            True,
            "its add-on is not mentioned under addons: the emulated account has it; "
            "whether the account does decides (read-back verification tells)",
        )
    for name in NOTIFICATIONS:
        if name in effects.settings:
            effects.add(name, False, "nothing is notified: the file went to an emulated account")
    if effects.flag("eager_async"):
        effects.add(
            "eager_async",
            True,
            "the eager derivatives are built after the upload answers; shown as they will be once built",
        )
    if "auto_tagging" in effects.settings:
        effects.add(
            "auto_tagging",
            True,
            "tags come from the add-on results, which are emulated and find nothing: no tag was added",
        )
    if upload.asset.get("type") == "authenticated":
        effects.add("type", True, "an authenticated asset: its delivery URLs are signed")


def preset_effects(kind: KindName, obj: DesiredObject, upload: TriedUpload) -> list[UploadEffect]:
    """What the preset `obj` did to the asset of `upload`, or why a setting did nothing."""
    effects = _Effects(kind, obj)
    _stripped(effects)
    _naming(effects, upload.explicit)
    _format(effects, upload.asset)
    _notes(effects, upload)
    return effects.found

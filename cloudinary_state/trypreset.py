"""`try-preset`: what an upload preset does to a file, before anyone uploads through it.

The facade (`Project.try_preset`) starts a fresh emulated account; this job applies the
environment's rendered config to it, uploads the file through the preset with the SDK's upload
call, and reads the answer back as a `TryPresetResult`: where the asset landed, its tags,
context and metadata, the incoming transformation, the eager derivatives and their URLs, the
add-on results (emulated: they find nothing), and what every declared object did to the asset
or why it did nothing (the kinds' `upload_effects`, kinds/tried.py). No kind is named here:
the preset's kind is the registered kind that is a try target.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cloudinary_state.desired import DesiredObject, DesiredState, KindName
from cloudinary_state.errors import ApiError, ApplyError, CloudinaryStateError
from cloudinary_state.kinds.api import AdminApi
from cloudinary_state.kinds.base import Kind
from cloudinary_state.kinds.tried import TriedUpload, UploadEffect

FORMAT = "cloudinary-state/try-preset@1"
# the answer's keys that show where the asset landed and what it is, in this order
ASSET_KEYS = (
    "public_id",
    "asset_folder",
    "display_name",
    "original_filename",
    "resource_type",
    "type",
    "format",
    "width",
    "height",
    "bytes",
    "url",
    "secure_url",
    "tags",
)


class TryPresetError(CloudinaryStateError):
    """try-preset cannot run: an unknown preset, a file that cannot be read, or an upload the
    preset refuses (exit 1)."""


class Uploader(AdminApi, Protocol):
    """An Admin API client that can also upload (client.AdminClient)."""

    def upload(self, file: tuple[str, bytes], /, **params: Any) -> dict[str, Any]: ...


@dataclass(frozen=True)
class AddonResult:
    option: str  # the upload option that asked for it: categorization, detection, moderation...
    value: str  # the add-on or model, e.g. google_tagging
    status: str
    emulated: bool = True  # the emulated account finds nothing: no tags, captions or verdicts


@dataclass(frozen=True)
class TryPresetResult:
    environment: str
    cloud_name: str
    kind: KindName  # the kind of what the file went through
    preset: str
    file: str
    asset: Mapping[str, Any]  # where it landed and what it got (see `asset_view`)
    addon_results: tuple[AddonResult, ...] = ()
    no_effect: tuple[UploadEffect, ...] = ()  # the preset's settings that did nothing, and why
    notes: tuple[UploadEffect, ...] = ()  # the preset's settings whose effect needs a word
    related: tuple[UploadEffect, ...] = ()  # other declared objects: do they apply to the asset
    api_calls: int = 0  # Admin API calls made to the emulated account (the apply)
    answer: Mapping[str, Any] = field(default_factory=dict, repr=False)  # the upload's whole answer


# --- before anything starts ------------------------------------------------------------------


def target_kind(kinds: Mapping[KindName, Kind]) -> Kind:
    """The registered kind that try-preset uploads through."""
    found = [kind for kind in kinds.values() if kind.try_target]
    if len(found) != 1:
        raise TryPresetError(f"try-preset needs exactly one kind to upload through; found {len(found)}")
    return found[0]


def choose(desired: DesiredState, kind: Kind, name: str) -> DesiredObject:
    """The declared object `name` of `kind` (TryPresetError with a did-you-mean otherwise)."""
    declared = desired.by_kind(kind.kind)
    obj = declared.get(name)
    if obj is not None and not obj.absent:
        return obj
    if obj is not None:
        raise TryPresetError(
            f"{kind.kind} {name!r} is a tombstone (absent: true) in environment {desired.environment!r}"
        )
    known = sorted(n for n, o in declared.items() if not o.absent)
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f" (it has {', '.join(known) or 'none'})"
    raise TryPresetError(f"environment {desired.environment!r} declares no {kind.kind} {name!r}{hint}")


# Cloudinary takes a file of up to about 100 MB in one upload request, the call try-preset makes
# (larger ones go in parts, through the SDKs' upload_large: the upload guides and the SDKs' docs)
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


def read_file(path: str | os.PathLike[str]) -> tuple[str, bytes]:
    """(the file's name, its bytes): TryPresetError for a missing or unreadable file."""
    file = Path(path)
    try:
        with file.open("rb") as f:
            data = f.read(MAX_UPLOAD_BYTES + 1)  # bounded: a device or a pipe may never end
    except FileNotFoundError:
        raise TryPresetError(f"file not found: {file}") from None
    except IsADirectoryError:
        raise TryPresetError(f"{file} is a directory, not a file to upload") from None
    except OSError as e:
        raise TryPresetError(f"cannot read {file}: {e.strerror or e}") from None
    if len(data) > MAX_UPLOAD_BYTES:
        raise TryPresetError(
            f"{file} is larger than {MAX_UPLOAD_BYTES >> 20} MiB, more than one upload request takes "
            "(the SDK's upload_large sends a larger file in parts); try the preset on a smaller file"
        )
    return file.name, data


# --- the trial -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trial:
    """One try-preset run, checked and read before the emulated account starts."""

    desired: DesiredState
    kind: Kind
    preset: DesiredObject
    file_name: str
    data: bytes
    explicit: Mapping[str, Any] = field(default_factory=dict)  # parameters beside the preset's


def apply_config(api: AdminApi, trial: Trial, kinds: Mapping[KindName, Kind], digest_key: bytes) -> None:
    """Apply the environment's rendered config to the (fresh) emulated account."""
    from cloudinary_state.engine.apply import apply_plan
    from cloudinary_state.engine.live import read_and_plan

    plan, live = read_and_plan(api, trial.desired, kinds, digest_key=digest_key)
    try:
        apply_plan(api, trial.desired, plan, live, allow_delete=False, kinds=kinds)
    except ApplyError as e:
        raise TryPresetError(
            f"the environment's config could not be applied to the emulated account: {e}"
        ) from None


def upload(api: Uploader, trial: Trial) -> dict[str, Any]:
    """The file uploaded through the preset (TryPresetError when the service refuses it)."""
    params = {**trial.kind.upload_params(trial.preset.name), **trial.explicit, "resource_type": "auto"}
    try:
        return api.upload((trial.file_name, trial.data), **params)
    except ApiError as e:
        message = str(e).removeprefix(f"{e.operation}: ")
        raise TryPresetError(
            f"the upload of {trial.file_name} through {trial.kind.kind} {trial.preset.name!r} was "
            f"refused, as the live service would refuse it: {message}"
        ) from None


def run(
    api: Uploader,
    trial: Trial,
    kinds: Mapping[KindName, Kind],
    *,
    digest_key: bytes,
    calls: Callable[[], int],
) -> TryPresetResult:
    apply_config(api, trial, kinds, digest_key)
    answer = upload(api, trial)
    tried = TriedUpload(trial.preset, answer, trial.desired.addons, trial.explicit)
    return result_of(trial, tried, kinds, calls())


# --- the result ------------------------------------------------------------------------------


def asset_view(answer: Mapping[str, Any]) -> dict[str, Any]:
    """The upload's answer, as what the asset got."""
    view = {key: answer.get(key) for key in ASSET_KEYS}
    public_id = str(answer.get("public_id", ""))
    view["folder"] = public_id.rsplit("/", 1)[0] if "/" in public_id else ""
    view["context"] = dict((answer.get("context") or {}).get("custom") or {})
    view["metadata"] = dict(answer.get("metadata") or {})
    view["incoming_transformation"] = answer.get("transformation")
    view["eager"] = [
        {key: entry.get(key) for key in ("transformation", "format", "url", "secure_url")}
        for entry in answer.get("eager") or []
    ]
    view["access_control"] = answer.get("access_control")
    return view


def addon_results(answer: Mapping[str, Any]) -> tuple[AddonResult, ...]:
    found = [
        AddonResult(option, value, str(result.get("status", "")))
        for option, results in (answer.get("info") or {}).items()
        for value, result in results.items()
    ]
    found += [
        AddonResult("moderation", str(m.get("kind", "")), str(m.get("status", "")))
        for m in answer.get("moderation") or []
    ]
    return tuple(found)


def result_of(
    trial: Trial, tried: TriedUpload, kinds: Mapping[KindName, Kind], calls: int
) -> TryPresetResult:
    own = trial.kind.upload_effects(trial.preset, tried)
    related = [
        effect
        for kind in kinds.values()
        if kind is not trial.kind
        for obj in trial.desired.by_kind(kind.kind).values()
        if not obj.absent
        for effect in kind.upload_effects(obj, tried)
    ]
    return TryPresetResult(
        environment=trial.desired.environment,
        cloud_name=trial.desired.cloud,
        kind=trial.kind.kind,
        preset=trial.preset.name,
        file=trial.file_name,
        asset=asset_view(tried.asset),
        addon_results=addon_results(tried.asset),
        no_effect=tuple(e for e in own if not e.applies),
        notes=tuple(e for e in own if e.applies),
        related=tuple(related),
        api_calls=calls,
        answer=dict(tried.asset),
    )

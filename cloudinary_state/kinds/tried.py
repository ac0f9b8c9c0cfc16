"""What `try-preset` asks of kinds: a file uploaded through one object (a try target), and what
each declared object did to the asset that came out, or why it did nothing.

The job (`cloudinary_state/trypreset.py`) uploads through the object of the one kind whose
`Kind.try_target` is set, then asks every kind's `Kind.upload_effects` about each of its
declared objects: the tried object names its settings that had no effect and notes on the
ones that did; other objects say whether they apply to this asset (a rule whose condition
holds, a mapping whose folder holds the asset).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudinary_state.desired import DesiredObject, KindName


@dataclass(frozen=True)
class TriedUpload:
    """One upload of a file through `through`, and the Upload API's answer."""

    through: DesiredObject  # the object the file was uploaded through, as the environment renders it
    asset: Mapping[str, Any]  # the upload's answer
    addons: Mapping[str, bool]  # the environment's add-on toggles (unmentioned: not in the mapping)
    explicit: Mapping[str, Any] = field(default_factory=dict)  # parameters given beside the object's


@dataclass(frozen=True)
class UploadEffect:
    """What one declared object did to the uploaded asset. For the tried object: a setting
    that had no effect (`applies` False, with why), or a note on one that did; for any other
    object: whether it applies to this asset, and what it does."""

    kind: KindName
    name: str
    applies: bool
    detail: str
    setting: str | None = None  # the setting (a path inside the object's body) this is about
    value: Any = None  # its value, as the environment renders it ("(sensitive)" for ${env.*})

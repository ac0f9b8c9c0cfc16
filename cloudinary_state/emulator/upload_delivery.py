"""What an upload's answer says about delivery: URLs, the incoming transformation's effect, and
the eager derivatives (docs/emulator.md, "Upload").

Delivery URLs are laid out as the SDK builds them (`cloudinary.utils.cloudinary_url`):
`http://res.cloudinary.com/<cloud>/<resource_type>/<type>/[s--SIG--/][<transformation>/]v<version>/<public_id>.<format>`.
An `authenticated` asset's URLs carry the signature, the first 8 characters of the URL-safe
base64 SHA-1 of `<transformation>/<public_id>.<format>` followed by the API secret. The
emulator renders no pixels: the incoming transformation's dimensions are computed from the
crop modes' documented geometry, and its format from its extension or `f_` (not `f_auto`).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from cloudinary_state.emulator import media, transformations
from cloudinary_state.emulator.state import CloudState

MAX_NESTING = 8  # named transformations inside named transformations
SIGNED_TYPES = frozenset({"authenticated"})
# crop modes whose result, given both width and height, is exactly that box
BOX_CROPS = frozenset(
    {"fill", "lfill", "crop", "thumb", "pad", "lpad", "mpad", "fill_pad", "auto", "imagga_crop"}
)


@dataclass(frozen=True)
class Delivery:
    cloud: str
    api_secret: str
    resource_type: str
    type: str

    def url(
        self, transformation: str, public_id: str, fmt: str | None, version: int, secure: bool = False
    ) -> str:
        source = f"{public_id}.{fmt}" if fmt else public_id
        parts = [
            f"{'https' if secure else 'http'}://res.cloudinary.com/{self.cloud}",
            self.resource_type,
            self.type,
        ]
        if self.type in SIGNED_TYPES:
            to_sign = "/".join(p for p in (transformation, source) if p)
            digest = hashlib.sha1((to_sign + self.api_secret).encode("utf-8")).digest()
            parts.append(f"s--{base64.urlsafe_b64encode(digest)[:8].decode()}--")
        return "/".join([*parts, *([transformation] if transformation else []), f"v{version}", source])


def _split_extension(definition: str) -> tuple[str, str | None]:
    """A definition without a trailing format component (`c_scale,w_40/png`), and that format."""
    steps = transformations.parse_definition(definition)
    extension = steps[-1].get("extension")
    if extension is None:
        return definition, None
    head = definition.rsplit("/", 1)[0] if "/" in definition else definition
    return head, None if extension == "none" else str(extension)


def _expanded(cloud: CloudState, steps: list[dict[str, Any]], depth: int = 0) -> list[dict[str, Any]]:
    """Steps with each `t_<name>` replaced by the named transformation's own steps (named ones
    that refer to each other in a cycle stop expanding after a few levels)."""
    result: list[dict[str, Any]] = []
    for step in steps:
        named = "transformation" in step and depth < MAX_NESTING
        record = transformations.find(cloud, f"t_{step['transformation']}") if named else None
        if record is not None:
            inner = transformations.parse_definition(record["definition"])
            result.extend(_expanded(cloud, inner, depth + 1))
        else:
            result.append(step)
    return result


def _length(value: Any, original: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None  # a variable or an expression: unknown without rendering
    return round(original * value) if isinstance(value, float) and value <= 1 else round(value)


def _resized(step: dict[str, Any], width: int, height: int) -> tuple[int | None, int | None]:
    """The dimensions after one step, from the crop mode's geometry (None: unknown)."""
    w = _length(step["width"], width) if "width" in step else None
    h = _length(step["height"], height) if "height" in step else None
    if ("width" in step and w is None) or ("height" in step and h is None):
        return None, None
    crop = str(step.get("crop", "scale"))
    if w is not None and h is not None and crop in BOX_CROPS | {"scale"}:
        return w, h
    if width <= 0 or height <= 0:
        return None, None
    scale = min(
        r for r in (None if w is None else w / width, None if h is None else h / height) if r is not None
    )
    if crop == "limit":
        scale = min(scale, 1.0)
    elif crop == "mfit":
        scale = max(scale, 1.0)
    return round(width * scale), round(height * scale)


def _dimensions(
    steps: list[dict[str, Any]], width: int | None, height: int | None
) -> tuple[int | None, int | None]:
    for step in steps:
        if width is None or height is None:
            return None, None
        if "width" in step or "height" in step:
            width, height = _resized(step, width, height)
    return width, height


def incoming(cloud: CloudState, raw: Any, facts: media.FileFacts, fmt: str | None) -> dict[str, Any]:
    """The stored format and dimensions once the incoming transformation is applied."""
    if not raw:
        return {"format": fmt, "width": facts.width, "height": facts.height}
    head, extension = _split_extension(str(raw))
    steps = _expanded(cloud, transformations.parse_definition(head))
    fetched = [str(s["fetch_format"]) for s in steps if "fetch_format" in s and s["fetch_format"] != "auto"]
    width, height = _dimensions(steps, facts.width, facts.height)
    return {"format": extension or (fetched[-1] if fetched else fmt), "width": width, "height": height}


def _derived_entry(asset: dict[str, Any], delivery: Delivery, head: str, fmt: str) -> dict[str, Any]:
    version = int(asset["version"])
    return {
        "public_id": asset["public_id"],
        "resource_type": asset["resource_type"],
        "type": asset["type"],
        "format": fmt,
        "bytes": asset["bytes"],
        "url": delivery.url(head, asset["public_id"], fmt, version),
        "secure_url": delivery.url(head, asset["public_id"], fmt, version, secure=True),
        "id": uuid.uuid4().hex,
    }


def derive(
    cloud: CloudState, eager: list[str], asset: dict[str, Any], delivery: Delivery
) -> list[dict[str, Any]]:
    """The asset's eager derivatives; their transformations become `used` (and get registered)."""
    entries = []
    for definition in eager:
        head, extension = _split_extension(definition)
        fmt = extension or asset["format"]
        targets = [
            transformations.find(cloud, f"t_{ref}") for ref in transformations.named_references(definition)
        ]
        steps = transformations.parse_definition(definition)
        if not (len(steps) == 1 and set(steps[0]) <= {"transformation", "extension"}):
            # anything but a bare `t_<name>` is an implicit unnamed transformation
            targets.append(transformations.register_unnamed(cloud, definition, allowed_for_strict=False))
        derived = _derived_entry(asset, delivery, head, fmt)
        for record in targets:
            assert record is not None  # checked before the upload changed anything
            record["used"] = True
            record.setdefault("derived", []).append(derived)
        entries.append(
            {
                "transformation": definition,
                **{k: derived[k] for k in ("format", "bytes", "url", "secure_url")},
            }
        )
    return entries

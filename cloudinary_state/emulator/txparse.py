"""The emulator's own transformation-string parser: string -> `info`.

Deliberately independent of the engine's canonicalizer and of the SDK (DESIGN.md §6): if both
sides shared one, a bug in it would pass every test and still diff against the real service.

`info` is one dict per `/`-separated component, long parameter names as keys, integer and
decimal literals as JSON numbers, everything else as the string written after `k_`.
"""

from __future__ import annotations

import re
from typing import Any

SHORT_TO_LONG: dict[str, str] = {
    "a": "angle",
    "ac": "audio_codec",
    "af": "audio_frequency",
    "ar": "aspect_ratio",
    "b": "background",
    "bo": "border",
    "br": "bit_rate",
    "c": "crop",
    "co": "color",
    "cs": "color_space",
    "d": "default_image",
    "dl": "delay",
    "dn": "density",
    "dpr": "dpr",
    "du": "duration",
    "e": "effect",
    "eo": "end_offset",
    "f": "fetch_format",
    "fl": "flags",
    "fn": "custom_function",
    "fps": "fps",
    "g": "gravity",
    "h": "height",
    "if": "if",
    "ki": "keyframe_interval",
    "l": "overlay",
    "o": "opacity",
    "p": "prefix",
    "pg": "page",
    "q": "quality",
    "r": "radius",
    "so": "start_offset",
    "sp": "streaming_profile",
    "t": "transformation",
    "u": "underlay",
    "vc": "video_codec",
    "vs": "video_sampling",
    "w": "width",
    "x": "x",
    "y": "y",
    "z": "zoom",
}

_INTEGER = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?(?:\d+\.\d*|\.\d+)")
_VARIABLE = re.compile(r"\$[A-Za-z][A-Za-z0-9]*")
_FORMAT = re.compile(r"[A-Za-z0-9]{2,6}")


class TransformationSyntaxError(ValueError):
    """The string is not a transformation the service would accept."""


def parse(text: str) -> list[dict[str, Any]]:
    """Parse a transformation string into `info`. Raises TransformationSyntaxError.

    Whitespace (a literal space in layer text, a trailing newline) is kept as written, never
    refused: Cloudinary's docs ask for %20 in URLs, but no document says the Admin API refuses
    a stored transformation holding one [?], and the emulator refuses only what is documented."""
    if not isinstance(text, str) or not text.strip():
        raise TransformationSyntaxError("Transformation is empty")
    components = text.split("/")
    extension: str | None = None
    if components[-1] == "":
        extension = "none"
        components.pop()
    elif len(components) > 1 and _FORMAT.fullmatch(components[-1]) and "_" not in components[-1]:
        extension = components.pop()
    if not components:
        raise TransformationSyntaxError(f"Invalid transformation {text!r}: no component")
    info = [_parse_component(component, text) for component in components]
    if extension is not None:
        info[-1]["extension"] = extension
    return info


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except TransformationSyntaxError:
        return False
    return True


def _parse_component(component: str, whole: str) -> dict[str, Any]:
    if component == "":
        raise TransformationSyntaxError(f"Invalid transformation {whole!r}: empty component")
    step: dict[str, Any] = {}
    for param in component.split(","):
        key, value = _parse_param(param, whole)
        # A repeated parameter is not refused (the live service's handling is undocumented):
        # flags join into one set, as the SDKs mean them; any other key keeps its last value.
        if key == "flags" and key in step:
            step[key] = f"{step[key]}.{value}"
        else:
            step[key] = value
    return step


def _parse_param(param: str, whole: str) -> tuple[str, Any]:
    short, sep, raw = param.partition("_")
    if not sep or raw == "":
        raise TransformationSyntaxError(f"Invalid transformation component - {param!r} in {whole!r}")
    if short.startswith("$"):
        if not _VARIABLE.fullmatch(short):
            raise TransformationSyntaxError(f"Invalid variable name {short!r} in {whole!r}")
        return short, typed_value(raw)
    # A parameter newer than this table is kept under the key as written, not refused.
    return SHORT_TO_LONG.get(short, short), typed_value(raw)


def typed_value(raw: str) -> Any:
    """Integer literals -> int, decimal literals -> float, anything else stays the string."""
    if _INTEGER.fullmatch(raw):
        return int(raw)
    if _DECIMAL.fullmatch(raw):
        return float(raw)
    return raw

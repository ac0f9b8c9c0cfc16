"""Value validators, one per short key, and the table ``_VALIDATORS`` that the parser looks keys up in.

Each validator takes the raw value (what follows ``key_``) and returns None or a ``_Problem``
whose offset is relative to the value; the parser turns that into a positioned
``TransformationSyntaxError``. Video and audio validators live in ``media_values``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from cloudinary_state.transformation.media_values import (
    _check_audio_frequency,
    _check_bit_rate,
    _check_fps,
    _check_keyframe_interval,
    _check_offset,
    _check_streaming_profile,
    _check_video_codec,
    _check_video_sampling,
)
from cloudinary_state.transformation.model import _Problem, _Validator
from cloudinary_state.transformation.shared_checks import (
    _check_color,
    _check_condition,
    _check_expression,
    _check_url_text,
    _choice,
    _full,
    _hint_for,
    _numeric_or_expression,
    _shift,
)
from cloudinary_state.transformation.vocabulary import (
    _BASE64URL_RE,
    _ENCODED_NAME_RE,
    _IDENTIFIER_RE,
    _INTEGER_RE,
    _NAME_RE,
    _NUMBER_RE,
    _PUBLIC_ID_RE,
    _RATIO_RE,
    _UNSIGNED_RE,
    _VARIABLE_RE,
    ANGLE_MODES,
    AUDIO_CODECS,
    COLOR_SPACES,
    COMPASS_GRAVITIES,
    CROP_MODES,
    EFFECTS,
    FLAGS,
    FORMATS,
    GRAVITY_OBJECTS,
    LAYER_DELIVERY_TYPES,
    LAYER_RESOURCE_TYPES,
    QUALITY_LEVELS,
    SPECIAL_GRAVITIES,
)


def _check_crop(value: str) -> _Problem | None:
    if value in CROP_MODES:
        return None
    return _Problem(f"unknown crop mode '{value}'", 0, _hint_for(value, CROP_MODES, "crop modes", "c_"))


_GRAVITY_OPTION_RE = re.compile(r"[a-z0-9_;.\-]+")  # subject, cat_30, dog_avoid, obj_person;adaptive_true


def _check_gravity(value: str) -> _Problem | None:
    if _full(_VARIABLE_RE, value):
        return None
    head, _, rest = value.partition(":")
    known = COMPASS_GRAVITIES | SPECIAL_GRAVITIES | GRAVITY_OBJECTS
    if head not in known:
        return _Problem(
            f"unknown gravity '{head}'",
            0,
            _hint_for(head, COMPASS_GRAVITIES | SPECIAL_GRAVITIES, "gravities", "g_") + ", or an object name",
        )
    offset = len(head) + 1
    if rest or value.endswith(":"):
        for part in rest.split(":"):
            if not _full(_GRAVITY_OPTION_RE, part):
                return _Problem(
                    f"invalid gravity option '{part}'",
                    offset,
                    "options are lowercase words, e.g. g_auto:subject, g_face:center",
                )
            offset += len(part) + 1
    return None


_check_number_or_expression = _numeric_or_expression("value")
_check_dimension = _numeric_or_expression(
    "dimension", signed=False, example=" (w_100 is pixels, w_0.5 is relative to the original)"
)


def _check_width(value: str) -> _Problem | None:
    """A dimension, or automatic width: w_auto, w_auto:100:400, w_auto:breakpoints..."""
    if value == "auto":
        return None
    if value.startswith("auto:"):
        return _shift(_check_url_text(value[5:], "automatic width options"), 5)
    return _check_dimension(value)


def _check_aspect_ratio(value: str) -> _Problem | None:
    if _full(_RATIO_RE, value):
        return None
    return _numeric_or_expression("aspect ratio", signed=False, example="; or a ratio like 16:9")(value)


def _check_quality(value: str) -> _Problem | None:
    if _full(_VARIABLE_RE, value):
        return None
    head, sep, rest = value.partition(":")
    if head == "auto":
        if not sep or rest in QUALITY_LEVELS:
            return None
        return _Problem(
            f"unknown automatic quality level '{rest}'",
            len(head) + 1,
            _hint_for(rest, QUALITY_LEVELS, "levels", "q_auto:"),
        )
    if head == "jpegmini":
        return None if not sep or rest in {"0", "1", "2"} else _Problem("jpegmini takes 0, 1 or 2", 9)
    if _full(_UNSIGNED_RE, head):
        if not Decimal(head) <= 100:
            return _Problem(f"quality {head} is out of range", 0, "use 1-100, or q_auto")
        if sep and rest not in {"420", "422", "444"} and not rest.startswith("qmax_"):
            return _Problem(
                f"unknown chroma subsampling '{rest}'", len(head) + 1, "use 420, 422 or 444, e.g. q_80:444"
            )
        return None
    if "_" in value:
        return _check_expression(value)
    return _Problem(
        f"invalid quality '{value}'", 0, "use a number 1-100, q_auto, q_auto:good/best/eco/low, or q_80:444"
    )


def _check_format(value: str) -> _Problem | None:
    head, sep, rest = value.partition(":")
    if head == "auto":
        return None if not sep or _full(_IDENTIFIER_RE, rest) else _Problem("invalid f_auto option", 5)
    if value in FORMATS and not sep:
        return None
    return _Problem(f"unknown format '{value}'", 0, _hint_for(value, FORMATS | {"auto"}, "formats", "f_"))


def _check_effect(value: str) -> _Problem | None:
    name, sep, args = value.partition(":")
    # The effect itself may come from a variable: $efname_!blur!,e_$efname:100 (SDK tests).
    if name not in EFFECTS and not _full(_VARIABLE_RE, name):
        return _Problem(f"unknown effect '{name}'", 0, _hint_for(name, EFFECTS, "effects", "e_"))
    if sep and not args:
        return _Problem(
            f"effect '{name}' has an empty argument", len(name) + 1, f"write e_{name} or e_{name}:<value>"
        )
    return _shift(_check_url_text(args, "effect arguments"), len(name) + 1)


def _check_layer(value: str) -> _Problem | None:
    if _full(_VARIABLE_RE, value):
        return None
    parts = value.split(":")
    if parts[0] == "text" or (parts[0] == "subtitles" and len(parts) > 2):
        return _check_text_layer(value)
    if parts[0] == "fetch" or (len(parts) > 1 and parts[1] == "fetch"):
        prefix_len = value.index("fetch:") + len("fetch:") if "fetch:" in value else len(value)
        remote = value[prefix_len:]
        if not remote:
            return _Problem("fetch layer needs a URL", prefix_len, "write l_fetch:<base64url-encoded URL>")
        if "://" in remote or not _full(_BASE64URL_RE, remote):
            return _Problem(
                "a fetch layer's URL must be base64url-encoded",
                prefix_len,
                "encode the URL, e.g. l_fetch:aHR0cHM6Ly9...",
            )
        return None
    offset = 0
    index = 0
    if parts[0] in LAYER_RESOURCE_TYPES and len(parts) > 1:
        offset += len(parts[0]) + 1
        index = 1
        if parts[1] in LAYER_DELIVERY_TYPES and len(parts) > 2:
            offset += len(parts[1]) + 1
            index = 2
    for part in parts[index:]:
        if not part:
            return _Problem("empty segment in a layer's public ID", offset, "folders are separated by ':'")
        if not _full(_PUBLIC_ID_RE, part):
            return _Problem(
                f"invalid layer public ID segment '{part}'",
                offset,
                "write l_<public_id> (folders joined by ':'), l_text:<font>_<size>:<text> or l_fetch:<url>",
            )
        offset += len(part) + 1
    return None


def _check_text_layer(value: str) -> _Problem | None:
    kind, _, remainder = value.partition(":")
    style, sep, text = remainder.partition(":")
    style_at = len(kind) + 1
    if not style:
        return _Problem(
            "text layer needs a font style",
            style_at,
            f"write {kind}:<font>_<size>:<text>, e.g. text:Arial_60:Hello",
        )
    if not sep and kind == "text":
        return _Problem(
            "text layer needs a text after the style",
            len(value),
            "write text:<font>_<size>:<text>, e.g. text:Arial_60:Hello",
        )
    # pycloudinary writes a font family with its spaces (`text:Open Sans_40:...`: its
    # utils.process_layer escapes only the text), so a space in the style is known
    problem = _shift(_check_url_text(style.replace(" ", "%20"), "a text style"), style_at)
    if problem:
        return problem
    text_at = style_at + len(style) + 1
    if sep and not text:
        return _Problem(
            "text layer has an empty text", text_at, "write the text after the style, URL-encoded"
        )
    return _shift(_check_url_text(text, "layer text"), text_at)


def _check_flags(value: str) -> _Problem | None:
    offset = 0
    for flag in value.split("."):
        name, sep, args = flag.partition(":")
        if not name:
            return _Problem("empty flag", offset, "flags are joined by '.', e.g. fl_progressive.lossy")
        if name not in FLAGS:
            return _Problem(f"unknown flag '{name}'", offset, _hint_for(name, FLAGS, "flags", "fl_"))
        if sep and not args:
            return _Problem(f"flag '{name}' has an empty argument", offset + len(name) + 1)
        problem = _shift(_check_url_text(args, "flag arguments"), offset + len(name) + 1)
        if problem:
            return problem
        offset += len(flag) + 1
    return None


_BORDER_RE = re.compile(r"(\d+)px_solid_(.+)")


def _check_border(value: str) -> _Problem | None:
    if _full(_VARIABLE_RE, value):
        return None
    match = _BORDER_RE.fullmatch(value)
    if not match:
        return _Problem(
            f"invalid border '{value}'", 0, "write bo_<width>px_solid_<color>, e.g. bo_5px_solid_black"
        )
    return _shift(_check_color(match.group(2)), match.start(2))


def _check_background(value: str) -> _Problem | None:
    head, sep, rest = value.partition(":")
    if head in {"auto", "blurred", "gen_fill"}:
        if sep and not rest:
            return _Problem(f"b_{head} has an empty option", len(head) + 1)
        return _shift(_check_url_text(rest, "background options"), len(head) + 1)
    return _check_color(value)


_check_radius_corner = _numeric_or_expression("radius", signed=False, example="; or r_max")


def _check_radius(value: str) -> _Problem | None:
    if value == "max":
        return None
    corners = value.split(":")
    if len(corners) > 4:
        return _Problem("radius takes at most 4 values", 0, "write r_<all> or r_<tl>:<tr>:<br>:<bl>")
    offset = 0
    for corner in corners:
        problem = _shift(_check_radius_corner(corner), offset)
        if problem:
            return problem
        offset += len(corner) + 1
    return None


_check_angle_degrees = _numeric_or_expression("angle")


def _check_angle(value: str) -> _Problem | None:
    offset = 0
    for part in value.split("."):
        if part in ANGLE_MODES:
            offset += len(part) + 1
            continue
        problem = _check_angle_degrees(part)
        if problem:
            return _Problem(
                problem.message,
                problem.offset + offset,
                "write degrees (a_90, a_-20) or " + ", ".join(sorted(ANGLE_MODES)),
            )
        offset += len(part) + 1
    return None


_check_opacity_value = _numeric_or_expression("opacity", signed=False)
_check_dpr = _numeric_or_expression("DPR", signed=False, words={"auto"})


def _check_opacity(value: str) -> _Problem | None:
    if _full(_NUMBER_RE, value) and not 0 <= Decimal(value) <= 100:
        return _Problem(f"opacity {value} is out of range", 0, "use 0-100")
    return _check_opacity_value(value)


_PAGE_RE = re.compile(r"-?\d+(?:-\d*)?(?:;-?\d+(?:-\d*)?)*")


def _check_page(value: str) -> _Problem | None:
    if _full(_PAGE_RE, value) or _full(_VARIABLE_RE, value):
        return None
    head, sep, rest = value.partition(":")
    if sep and head in {"name", "embedded"} and rest:
        return _check_url_text(rest, "a page name")
    return _Problem(f"invalid page '{value}'", 0, "write pg_2, pg_2-4, pg_1;3;5 or pg_name:<layer>")


def _check_integer(label: str) -> _Validator:
    def check(value: str) -> _Problem | None:
        if (_full(_INTEGER_RE, value) and not value.startswith("-")) or _full(_VARIABLE_RE, value):
            return None
        return _Problem(f"invalid {label} '{value}'", 0, f"{label} is a whole number >= 0")

    return check


def _check_default_image(value: str) -> _Problem | None:
    offset = 0
    for part in value.split(":"):
        if not part or not _full(_PUBLIC_ID_RE, part):
            return _Problem(
                f"invalid default image '{value}'", offset, "write d_<public_id>.<ext>, folders joined by ':'"
            )
        offset += len(part) + 1
    return None


def _check_color_space(value: str) -> _Problem | None:
    if value in COLOR_SPACES or value == "srgb:truecolor":
        return None
    head, sep, rest = value.partition(":")
    if head == "icc" and sep and _full(_PUBLIC_ID_RE, rest):
        return None
    return _Problem(
        f"unknown colour space '{value}'",
        0,
        _hint_for(value, COLOR_SPACES, "colour spaces", "cs_") + ", icc:<id>",
    )


def _check_custom_function(value: str) -> _Problem | None:
    body = value.removeprefix("pre:")
    skipped = len(value) - len(body)
    kind, sep, source = body.partition(":")
    if kind not in {"wasm", "remote"} or not sep or not source:
        return _Problem(
            f"invalid custom function '{value}'",
            skipped,
            "write fn_wasm:<public_id> or fn_remote:<base64url URL>",
        )
    pattern = _PUBLIC_ID_RE if kind == "wasm" else _BASE64URL_RE
    for part in source.split(":") if kind == "wasm" else [source]:
        if not _full(pattern, part):
            return _Problem(
                f"invalid {kind} function source",
                skipped + len(kind) + 1,
                "a wasm source is a public ID (folders joined by ':'); a remote URL is base64url-encoded",
            )
    return None


def _check_named(value: str) -> _Problem | None:
    offset = 0
    for name in value.split("."):
        if not name or not _full(_ENCODED_NAME_RE, name):
            return _Problem(
                f"invalid named transformation '{name}'",
                offset,
                "names use letters, digits, '_' and '-', other characters URL-encoded "
                "(t_my%20name refers to 'my name'); chain with '.'",
            )
        offset += len(name) + 1
    return None


def _check_prefix(value: str) -> _Problem | None:
    return (
        None
        if _full(_NAME_RE, value)
        else _Problem(f"invalid prefix '{value}'", 0, "use letters, digits and '_'")
    )


def _check_variable_value(value: str) -> _Problem | None:
    """A user variable holds a number, a string (``!text!``), an expression or a reference."""
    if _full(_NUMBER_RE, value):
        return None
    if _check_expression(value) is None:
        return None
    # Structured values (ref:!public_id!, lists like !a:b!) are passed through if URL-safe.
    return _check_url_text(value, "a variable value")


_VALIDATORS: dict[str, _Validator] = {
    "a": _check_angle,
    "ac": _choice("audio codec", AUDIO_CODECS, "ac_"),
    "af": _check_audio_frequency,
    "ar": _check_aspect_ratio,
    "b": _check_background,
    "bl": _check_named,
    "bo": _check_border,
    "br": _check_bit_rate,
    "c": _check_crop,
    "co": _check_color,
    "cs": _check_color_space,
    "d": _check_default_image,
    "dl": _check_integer("delay"),
    "dn": _check_integer("density"),
    "dpr": _check_dpr,
    "du": _check_offset("duration", allow_auto=False),
    "e": _check_effect,
    "eo": _check_offset("end offset", allow_auto=False),
    "f": _check_format,
    "fl": _check_flags,
    "fn": _check_custom_function,
    "fps": _check_fps,
    "g": _check_gravity,
    "h": _check_dimension,
    "if": _check_condition,
    "ki": _check_keyframe_interval,
    "l": _check_layer,
    "o": _check_opacity,
    "p": _check_prefix,
    "pg": _check_page,
    "q": _check_quality,
    "r": _check_radius,
    "so": _check_offset("start offset", allow_auto=True),
    "sp": _check_streaming_profile,
    "t": _check_named,
    "u": _check_layer,
    "vc": _check_video_codec,
    "vs": _check_video_sampling,
    "w": _check_width,
    "x": _check_number_or_expression,
    "y": _check_number_or_expression,
    "z": _numeric_or_expression("zoom", signed=False),
}

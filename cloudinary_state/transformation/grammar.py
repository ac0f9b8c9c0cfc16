"""The transformation-string grammar: parse, validate and canonicalize.

A transformation string is a chain of components separated by ``/``; each component is a list of
``key_value`` parameters separated by ``,`` (``c_fill,w_100/e_sepia``). The last component may
instead be a bare format (``.../jpg``) or empty (a trailing ``/``): the Admin API records either as
an ``extension`` of the component before it.

The engine never compares raw strings: the same transformation can be spelled many ways
(``w_100,c_fill`` vs ``c_fill,w_100``; ``o_50`` vs ``o_50.0``) and the server answers with a parsed
``info`` list (one dict per component, long parameter names, numbers as JSON numbers). This module
turns both sides into one comparable form: :func:`to_info` for a string, :func:`canonical_info`
for a live ``info``. Both go through the same per-value normalisation, so they agree exactly
whenever they mean the same.

What the canonical form unifies (and what it deliberately keeps apart):

* parameter order inside a component: ``if`` first, then ``$variables`` in written order (a later
  one may use an earlier one), then the rest sorted by short key, as the SDK emits them;
* numbers: ``0.50`` -> ``0.5``, ``50.0`` -> ``50`` -- except for ``w``, ``h``, ``x``, ``y``, where a
  decimal is relative to the asset (``w_1.0`` is 100%, ``w_1`` one pixel), so ``1.0`` stays ``1.0``;
  numeric tokens inside ``e_``/``q_``/``r_``/``ar_`` arguments, expressions and conditions too;
* flags as a set (``fl_progressive.lossy`` == ``fl_lossy.progressive``);
* colours: case of hex digits and names, ``#ff0000`` -> ``rgb:ff0000`` (the SDK's rewrite);
* video offsets: ``35%`` and ``35P`` -> ``35p`` (the SDK's rewrite).

Chain order, effect defaults (``e_shadow`` vs ``e_shadow:40``), layer text and names stay as
written: they are real differences or we cannot prove they are not.

Sources of the vocabulary: the SDK's ``cloudinary.utils`` (short<->long names, the order that
``generate_transformation_string`` emits: ``if`` first, then variables, then sorted keys) and
Cloudinary's transformation reference (crop modes, gravities, effects, flags, conditions,
arithmetic expressions, layers). Pure code, no I/O. The emulator has its own, independent parser.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

__all__ = [
    "LONG_TO_SHORT",
    "SHORT_TO_LONG",
    "Component",
    "Param",
    "Transformation",
    "TransformationSyntaxError",
    "canonical_info",
    "canonical_string",
    "info_to_string",
    "named_references",
    "parse",
    "split_eager",
    "to_info",
]

# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

#: URL short key -> the long name the SDK and the Admin API's ``info`` use.
SHORT_TO_LONG: dict[str, str] = {
    "a": "angle",
    "ac": "audio_codec",
    "af": "audio_frequency",
    "ar": "aspect_ratio",
    "b": "background",
    # bl (baseline, a named transformation to cache as the base) is in Cloudinary's reference but
    # not in the SDK's table; "baseline" is the reference's own name for it.
    "bl": "baseline",
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
LONG_TO_SHORT: dict[str, str] = {long: short for short, long in SHORT_TO_LONG.items()}
# Long names the SDK also accepts for a key already listed above.
_LONG_ALIASES: dict[str, str] = {"custom_pre_function": "fn", "format": "f"}

CROP_MODES: frozenset[str] = frozenset(
    {
        "fill", "lfill", "fill_pad", "pad", "lpad", "mpad", "fit", "mfit", "limit", "scale",
        "crop", "thumb", "imagga_crop", "imagga_scale", "auto", "auto_pad",
    }
)  # fmt: skip

COMPASS_GRAVITIES: frozenset[str] = frozenset(
    {"north_west", "north", "north_east", "west", "center", "east", "south_west", "south", "south_east"}
)
SPECIAL_GRAVITIES: frozenset[str] = frozenset(
    {
        "auto", "face", "faces", "custom", "ocr_text", "xy_center", "adv_face", "adv_faces",
        "adv_eyes", "body", "liquid", "track_person", "clipping_path", "region",
    }
)  # fmt: skip
#: Objects that content-aware gravity can focus on (``g_cat``, ``g_auto:dog``); a generous list.
GRAVITY_OBJECTS: frozenset[str] = frozenset(
    {
        "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
        "traffic_light", "fire_hydrant", "stop_sign", "parking_meter", "bench", "bird", "cat",
        "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack",
        "umbrella", "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports_ball",
        "kite", "baseball_bat", "baseball_glove", "skateboard", "surfboard", "tennis_racket",
        "bottle", "wine_glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
        "sandwich", "orange", "broccoli", "carrot", "hot_dog", "pizza", "donut", "cake", "chair",
        "couch", "potted_plant", "bed", "dining_table", "toilet", "tv", "laptop", "mouse",
        "remote", "keyboard", "cell_phone", "microwave", "oven", "toaster", "sink", "aeroplane",
        "background", "diningtable", "motorbike", "pottedplant", "sofa", "tvmonitor",
        "refrigerator", "book", "clock", "vase", "scissors", "teddy_bear", "hair_drier",
        "toothbrush", "animal", "vehicle", "kitchenware", "electronics", "food", "furniture",
        "appliance", "accessory", "sports", "outdoor", "indoor", "subject", "eyes", "face",
        "faces", "bag", "dress", "hat", "shoe", "shoes", "glasses", "sunglasses", "jacket",
        "shirt", "pants", "skirt", "watch", "jewelry", "necklace", "ring", "belt", "sock",
    }
)  # fmt: skip

#: Effect names accepted after ``e_`` (arguments follow a ``:``). Deliberately generous.
EFFECTS: frozenset[str] = frozenset(
    {
        "accelerate", "adv_redeye", "anti_removal", "art", "assist_colorblind",
        "auto_brightness", "auto_color", "auto_contrast", "auto_enhance", "background_removal",
        "bgremoval", "blackwhite", "black_white", "blue", "blur", "blur_faces", "blur_region",
        "boomerang", "brightness", "brightness_hsb", "camera", "cartoonify", "colorize",
        "contrast", "cut_out", "dehaze", "deshake", "displace", "distort", "dropshadow",
        "enhance", "extract", "fade", "fill_light", "gamma", "gen_background_replace",
        "gen_fill", "gen_recolor", "gen_remove", "gen_replace", "gen_restore", "gradient_fade",
        "grayscale", "green", "hue", "improve", "light", "lightroom", "loop", "make_transparent",
        "mask", "morphology", "multiply", "negate", "noise", "oil_paint", "opacity_threshold",
        "ordered_dither", "outline", "overlay", "pixelate", "pixelate_faces", "pixelate_region",
        "preview", "progressbar", "recolor", "red", "redeye", "remove_background",
        "replace_color", "reverse", "saturation", "screen", "sepia", "shadow", "sharpen", "shear",
        "simulate_colorblind", "style_transfer", "swap_image", "theme", "tint", "transition",
        "trim", "unsharp_mask", "upscale", "vectorize", "vibrance", "viesus_correct", "vignette",
        "volume", "zoompan",
    }
)  # fmt: skip

#: Flag names accepted after ``fl_`` (dot-joined; a flag may carry ``:`` arguments).
FLAGS: frozenset[str] = frozenset(
    {
        "alternate", "animated", "any_format", "apng", "attachment", "awebp", "c2pa", "clip",
        "clip_evenodd", "cutter", "draco", "force_icc", "force_strip", "getinfo", "group4",
        "hlsv3", "ignore_aspect_ratio", "ignore_mask_channels", "immutable_cache",
        "keep_attribution", "keep_dar", "keep_iptc", "layer_apply", "lossy", "mono",
        "no_overflow", "no_stream", "png8", "png24", "png32", "preserve_transparency",
        "progressive", "rasterize", "region_relative", "relative", "replace_image", "sanitize",
        "splice", "streaming_attachment", "strip_profile", "text_disallow_overflow",
        "text_no_trim", "tiff8_lzw", "tiled", "truncate_ts", "waveform",
    }
)  # fmt: skip

#: Delivery formats: values of ``f_`` and of a bare trailing extension component.
FORMATS: frozenset[str] = frozenset(
    {
        "jpg", "jpeg", "jpe", "jpc", "jp2", "j2k", "jxr", "wdp", "hdp", "jxl", "png", "gif",
        "webp", "avif", "heic", "heif", "bmp", "tif", "tiff", "ico", "pdf", "eps", "eps3", "ept",
        "ps", "svg", "psd", "ai", "arw", "cr2", "cr3", "dng", "nef", "orf", "raf", "rw2", "tga",
        "flif", "djvu", "glb", "gltf", "usdz", "fbx", "obj", "ply", "webm", "mp4", "mov", "ogv",
        "ogg", "flv", "m3u8", "ts", "mpd", "mkv", "avi", "m2ts", "mts", "3gp", "3g2", "wmv",
        "mpeg", "mpg", "mp3", "aac", "wav", "m4a", "flac", "aiff", "aif", "opus", "weba", "amr",
        "wma", "json", "txt",
    }
)  # fmt: skip

NAMED_COLORS: frozenset[str] = frozenset(
    {
        "aliceblue", "antiquewhite", "aqua", "aquamarine", "azure", "beige", "bisque", "black",
        "blanchedalmond", "blue", "blueviolet", "brown", "burlywood", "cadetblue", "chartreuse",
        "chocolate", "coral", "cornflowerblue", "cornsilk", "crimson", "cyan", "darkblue",
        "darkcyan", "darkgoldenrod", "darkgray", "darkgreen", "darkgrey", "darkkhaki",
        "darkmagenta", "darkolivegreen", "darkorange", "darkorchid", "darkred", "darksalmon",
        "darkseagreen", "darkslateblue", "darkslategray", "darkslategrey", "darkturquoise",
        "darkviolet", "deeppink", "deepskyblue", "dimgray", "dimgrey", "dodgerblue", "firebrick",
        "floralwhite", "forestgreen", "fuchsia", "gainsboro", "ghostwhite", "gold", "goldenrod",
        "gray", "green", "greenyellow", "grey", "honeydew", "hotpink", "indianred", "indigo",
        "ivory", "khaki", "lavender", "lavenderblush", "lawngreen", "lemonchiffon", "lightblue",
        "lightcoral", "lightcyan", "lightgoldenrodyellow", "lightgray", "lightgreen",
        "lightgrey", "lightpink", "lightsalmon", "lightseagreen", "lightskyblue",
        "lightslategray", "lightslategrey", "lightsteelblue", "lightyellow", "lime",
        "limegreen", "linen", "magenta", "maroon", "mediumaquamarine", "mediumblue",
        "mediumorchid", "mediumpurple", "mediumseagreen", "mediumslateblue",
        "mediumspringgreen", "mediumturquoise", "mediumvioletred", "midnightblue", "mintcream",
        "mistyrose", "moccasin", "navajowhite", "navy", "oldlace", "olive", "olivedrab",
        "orange", "orangered", "orchid", "palegoldenrod", "palegreen", "paleturquoise",
        "palevioletred", "papayawhip", "peachpuff", "peru", "pink", "plum", "powderblue",
        "purple", "rebeccapurple", "red", "rosybrown", "royalblue", "saddlebrown", "salmon",
        "sandybrown", "seagreen", "seashell", "sienna", "silver", "skyblue", "slateblue",
        "slategray", "slategrey", "snow", "springgreen", "steelblue", "tan", "teal", "thistle",
        "tomato", "turquoise", "violet", "wheat", "white", "whitesmoke", "yellow", "yellowgreen",
        "transparent", "none",
    }
)  # fmt: skip

#: Asset characteristics usable in conditions and arithmetic (``if_w_gt_1000``, ``w_iw_div_2``).
PREDEFINED_VARIABLES: frozenset[str] = frozenset(
    {
        "w", "h", "iw", "ih", "ar", "iar", "tar", "cp", "pc", "fc", "ils", "du", "idu", "px", "py",
        "ow", "oh", "tags", "ctx", "md", "cpi", "idn", "pgnames",
    }
)  # fmt: skip
ARITHMETIC_OPERATORS: frozenset[str] = frozenset({"add", "sub", "mul", "div", "mod", "pow"})
COMPARISON_OPERATORS: frozenset[str] = frozenset({"eq", "ne", "lt", "gt", "lte", "gte", "in", "nin"})
CONJUNCTIONS: frozenset[str] = frozenset({"and", "or"})

VIDEO_CODECS: frozenset[str] = frozenset(
    {"auto", "none", "h264", "h265", "vp8", "vp9", "av1", "prores", "theora", "hevc"}
)
AUDIO_CODECS: frozenset[str] = frozenset({"none", "aac", "vorbis", "mp3", "opus"})
AUDIO_FREQUENCIES: frozenset[str] = frozenset(
    {"iaf", "8000", "11025", "16000", "22050", "32000", "37800", "44056", "44100", "47250",
     "48000", "88200", "96000", "176400", "192000"}
)  # fmt: skip
COLOR_SPACES: frozenset[str] = frozenset({"srgb", "tinysrgb", "cmyk", "no_cmyk", "keep_cmyk", "copy"})
QUALITY_LEVELS: frozenset[str] = frozenset({"best", "good", "eco", "low", "sensitive"})
ANGLE_MODES: frozenset[str] = frozenset({"auto_right", "auto_left", "ignore", "vflip", "hflip"})
LAYER_RESOURCE_TYPES: frozenset[str] = frozenset({"image", "video", "audio", "raw", "subtitles", "lut"})
LAYER_DELIVERY_TYPES: frozenset[str] = frozenset({"upload", "private", "authenticated", "fetch"})

# Parameters whose decimal values mean "relative to the asset" (w_1.0 is 100%, w_1 one pixel):
# for them 1.0 and 1 differ, everywhere else an integral decimal equals the integer.
RELATIVE_NUMBER_KEYS: frozenset[str] = frozenset({"w", "h", "x", "y"})

_NUMBER = r"-?\d+(?:\.\d+)?"
_NUMBER_RE = re.compile(_NUMBER)
_UNSIGNED_RE = re.compile(r"\d+(?:\.\d+)?")
_INTEGER_RE = re.compile(r"-?\d+")
_VARIABLE_RE = re.compile(r"\$[A-Za-z][A-Za-z0-9]*")
_RATIO_RE = re.compile(r"\d+(?:\.\d+)?:\d+(?:\.\d+)?")
_HEX_RE = re.compile(r"[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8}")
_PUBLIC_ID_RE = re.compile(r"[A-Za-z0-9_\-.@~%]+")
_IDENTIFIER_RE = re.compile(r"[a-z0-9_\-]+")
_NAME_RE = re.compile(r"[A-Za-z0-9_\-]+")
_BASE64URL_RE = re.compile(r"[A-Za-z0-9_\-=+]+")
# Characters a value may hold as written in a URL path segment (commas and slashes split it).
_URL_SAFE_RE = re.compile(r"[A-Za-z0-9\-._~!$&'()*+;=:@%]*")
_PERCENT_ESCAPE_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")


# --------------------------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------------------------


class TransformationSyntaxError(ValueError):
    """An invalid transformation string: what is wrong, where (0-based offset), what to do."""

    def __init__(self, message: str, position: int, hint: str = "") -> None:
        self.message = message
        self.position = position
        self.hint = hint
        super().__init__(f"{message} (at position {position})" + (f"; {hint}" if hint else ""))


@dataclass(frozen=True)
class Param:
    """One ``key_value`` parameter: short key (``w``, ``$foo``, ``if``) and the raw value."""

    key: str
    value: str

    def __str__(self) -> str:
        return f"{self.key}_{self.value}"


@dataclass(frozen=True)
class Component:
    """One ``/``-separated step. ``extension`` is a bare trailing format, ``""`` for a trailing ``/``."""

    params: tuple[Param, ...]
    extension: str | None = None


@dataclass(frozen=True)
class Transformation:
    components: tuple[Component, ...]


class _Problem(NamedTuple):
    """A value-level problem: offset is relative to the start of the value."""

    message: str
    offset: int = 0
    hint: str = ""


_Validator = Callable[[str], "_Problem | None"]


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _suggest(word: str, choices: Iterable[str], prefix: str = "") -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=3, cutoff=0.6)
    if not close:
        return ""
    return "did you mean " + " or ".join(f"'{prefix}{c}'" for c in close) + "?"


def _known(label: str, choices: Iterable[str], limit: int = 24) -> str:
    items = sorted(choices)
    shown = ", ".join(items[:limit]) + (", ..." if len(items) > limit else "")
    return f"known {label}: {shown}"


def _hint_for(word: str, choices: Iterable[str], label: str, prefix: str = "") -> str:
    choice_list = list(choices)
    suggestion = _suggest(word, choice_list, prefix)
    known = _known(label, choice_list)
    return f"{suggestion} {known}" if suggestion else known


def _full(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.fullmatch(text) is not None


def _shift(problem: _Problem | None, by: int) -> _Problem | None:
    """A problem found in a part of a value, moved to the part's offset within the value."""
    return problem._replace(offset=problem.offset + by) if problem else None


def _split_quoted(value: str, sep: str) -> list[tuple[int, str]] | _Problem:
    """Split on ``sep`` outside ``!...!`` string literals; each piece with its offset."""
    pieces: list[tuple[int, str]] = []
    start = 0
    quoted_at: int | None = None
    for index, char in enumerate(value):
        if char == "!":
            quoted_at = None if quoted_at is not None else index
        elif char == sep and quoted_at is None:
            pieces.append((start, value[start:index]))
            start = index + 1
    if quoted_at is not None:
        return _Problem("unterminated '!' string", quoted_at, "close the string with a second '!'")
    pieces.append((start, value[start:]))
    return pieces


def _is_operand(token: str) -> bool:
    """A value inside an expression or a condition."""
    if _full(_NUMBER_RE, token) or _full(_VARIABLE_RE, token) or _full(_RATIO_RE, token):
        return True
    if token in PREDEFINED_VARIABLES:
        return True
    if len(token) >= 2 and token.startswith("!") and token.endswith("!"):
        return True
    # ctx:!key!, md:!field!, md:!field!.length and similar characteristic lookups
    head, sep, rest = token.partition(":")
    return bool(sep) and head in {"ctx", "md", "tags"} and rest.startswith("!")


def _check_expression(value: str) -> _Problem | None:
    """``operand (op operand)*`` with ``_`` between tokens: ``iw_div_2``, ``$w_mul_0.5``."""
    pieces = _split_quoted(value, "_")
    if isinstance(pieces, _Problem):
        return pieces
    for index, (offset, token) in enumerate(pieces):
        if index % 2 == 0:
            if not _is_operand(token):
                return _Problem(
                    f"'{token}' is not a number, variable or asset characteristic",
                    offset,
                    _hint_for(token, PREDEFINED_VARIABLES, "characteristics"),
                )
        elif token not in ARITHMETIC_OPERATORS:
            return _Problem(
                f"'{token}' is not an arithmetic operator",
                offset,
                _hint_for(token, ARITHMETIC_OPERATORS, "operators"),
            )
    if len(pieces) % 2 == 0:
        return _Problem("expression ends with an operator", len(value), "add the missing operand")
    return None


def _numeric_or_expression(
    label: str, *, signed: bool = True, words: Iterable[str] = (), example: str = ""
) -> _Validator:
    """A number, a ``$variable``, an arithmetic expression, or one of ``words``."""
    allowed = frozenset(words)

    def check(value: str) -> _Problem | None:
        if value in allowed or _full(_VARIABLE_RE, value):
            return None
        if _full(_NUMBER_RE, value):
            if not signed and value.startswith("-"):
                return _Problem(f"{label} cannot be negative", 0, f"write a value >= 0{example}")
            return None
        if "_" in value or value in PREDEFINED_VARIABLES:
            return _check_expression(value)
        extra = f"; or one of: {', '.join(sorted(allowed))}" if allowed else ""
        return _Problem(
            f"invalid {label} '{value}'",
            0,
            f"expected a number, a $variable or an expression like iw_div_2{extra}{example}",
        )

    return check


def _check_color(value: str) -> _Problem | None:
    if _full(_VARIABLE_RE, value):
        return None
    if value.startswith("rgb:") or value.startswith("#"):
        digits = value[4:] if value.startswith("rgb:") else value[1:]
        if _full(_HEX_RE, digits):
            return None
        return _Problem(f"invalid RGB colour '{value}'", 0, "write 3, 4, 6 or 8 hex digits, e.g. rgb:ff0000")
    if value.lower() in NAMED_COLORS:
        return None
    return _Problem(
        f"unknown colour '{value}'",
        0,
        _hint_for(value.lower(), NAMED_COLORS, "colour names") + "; or rgb:RRGGBB",
    )


def _check_url_text(text: str, what: str) -> _Problem | None:
    """Text as written in a URL: only URL-safe characters, valid ``%XX`` escapes."""
    for index, char in enumerate(text):
        if not _full(_URL_SAFE_RE, char):
            return _Problem(
                f"character {char!r} is not allowed in {what}",
                index,
                "URL-encode it (space as %20, comma as %252C, slash as %252F)",
            )
    bad = _PERCENT_ESCAPE_RE.search(text)
    if bad:
        return _Problem(
            f"'%' in {what} must start a %XX escape", bad.start(), "write %25 for a literal percent sign"
        )
    return None


def _choice(label: str, choices: frozenset[str], prefix: str) -> _Validator:
    def check(value: str) -> _Problem | None:
        if value in choices:
            return None
        return _Problem(f"unknown {label} '{value}'", 0, _hint_for(value, choices, label + "s", prefix))

    return check


# --------------------------------------------------------------------------------------------
# Value validators, one per short key
# --------------------------------------------------------------------------------------------


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
    problem = _shift(_check_url_text(style, "a text style"), style_at)
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


# Seconds or a percentage of the duration; the SDK writes 35% and 35P as 35p.
_OFFSET_RE = re.compile(r"\d+(?:\.\d+)?[pP%]?")


def _check_offset(label: str, *, allow_auto: bool) -> _Validator:
    def check(value: str) -> _Problem | None:
        if _full(_OFFSET_RE, value) or (allow_auto and value == "auto"):
            return None
        if _full(_VARIABLE_RE, value) or ("_" in value and _check_expression(value) is None):
            return None
        return _Problem(
            f"invalid {label} '{value}'", 0, "write seconds (2.5), a percentage (10p), or a $variable"
        )

    return check


_CODEC_OPTIONS_RE = re.compile(r"[a-z0-9_.]+(?::[a-z0-9_.]+)*")  # profile, level, bframes_no


def _check_video_codec(value: str) -> _Problem | None:
    codec, _, rest = value.partition(":")
    if codec not in VIDEO_CODECS:
        return _Problem(
            f"unknown video codec '{codec}'", 0, _hint_for(codec, VIDEO_CODECS, "video codecs", "vc_")
        )
    if rest and not _full(_CODEC_OPTIONS_RE, rest):
        return _Problem(
            "invalid video codec options", len(codec) + 1, "write vc_<codec>[:<profile>[:<level>]]"
        )
    return None


_BIT_RATE_RE = re.compile(r"\d+(?:\.\d+)?[km]?(?::constant)?")


def _check_bit_rate(value: str) -> _Problem | None:
    if _full(_BIT_RATE_RE, value) or _full(_VARIABLE_RE, value):
        return None
    return _Problem(
        f"invalid bit rate '{value}'",
        0,
        "write bits per second with an optional k/m suffix, e.g. br_5m, br_500k",
    )


def _check_streaming_profile(value: str) -> _Problem | None:
    if _full(_IDENTIFIER_RE, value):
        return None
    return _Problem(
        f"invalid streaming profile name '{value}'", 0, "profile names are lowercase, e.g. sp_hd, sp_full_hd"
    )


_FPS_BOUND = r"(?:\d+(?:\.\d+)?|\$[A-Za-z][A-Za-z0-9]*)"
_FPS_RE = re.compile(rf"{_FPS_BOUND}?-?{_FPS_BOUND}?")


def _check_fps(value: str) -> _Problem | None:
    if value not in {"", "-"} and _full(_FPS_RE, value):
        return None
    return _Problem(
        f"invalid fps '{value}'",
        0,
        "write a rate (fps_24) or a range (fps_24-29.97, fps_25-, fps_-24, fps_24-$max)",
    )


def _check_keyframe_interval(value: str) -> _Problem | None:
    if (_full(_UNSIGNED_RE, value) and Decimal(value) > 0) or _full(_VARIABLE_RE, value):
        return None
    return _Problem(
        f"invalid keyframe interval '{value}'", 0, "write a positive number of seconds, e.g. ki_2.0"
    )


def _check_audio_frequency(value: str) -> _Problem | None:
    if value in AUDIO_FREQUENCIES:
        return None
    return _Problem(
        f"unsupported audio frequency '{value}'", 0, _hint_for(value, AUDIO_FREQUENCIES, "frequencies", "af_")
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


def _check_condition(value: str) -> _Problem | None:
    """``operand op operand`` joined by ``and``/``or``; operands may be arithmetic expressions."""
    if value in {"end", "else"}:
        return None
    pieces = _split_quoted(value, "_")
    if isinstance(pieces, _Problem):
        return pieces
    expect_operand = True
    compared = False
    for offset, token in pieces:
        if expect_operand:
            if not _is_operand(token):
                return _Problem(
                    f"'{token}' is not a number, string, variable or asset characteristic",
                    offset,
                    _hint_for(token, PREDEFINED_VARIABLES, "characteristics"),
                )
            expect_operand = False
        elif token in ARITHMETIC_OPERATORS:
            expect_operand = True
        elif token in COMPARISON_OPERATORS:
            if compared:
                return _Problem(
                    f"second comparison '{token}' without and/or",
                    offset,
                    "join conditions with _and_ or _or_",
                )
            compared = True
            expect_operand = True
        elif token in CONJUNCTIONS:
            if not compared:
                return _Problem(
                    f"'{token}' joins conditions, but no comparison precedes it",
                    offset,
                    "write e.g. if_w_gt_100_and_h_gt_100",
                )
            compared = False
            expect_operand = True
        else:
            return _Problem(
                f"'{token}' is not an operator",
                offset,
                _hint_for(token, COMPARISON_OPERATORS | CONJUNCTIONS | ARITHMETIC_OPERATORS, "operators"),
            )
    if expect_operand:
        return _Problem("condition ends with an operator", len(value), "add the missing operand")
    if not compared:
        return _Problem(
            f"condition '{value}' compares nothing",
            0,
            "write <characteristic>_<op>_<value>, e.g. if_w_gt_1000, or if_else / if_end",
        )
    return None


def _check_named(value: str) -> _Problem | None:
    offset = 0
    for name in value.split("."):
        if not name or not _full(_NAME_RE, name):
            return _Problem(
                f"invalid named transformation '{name}'",
                offset,
                "names use letters, digits, '_' and '-'; chain with '.'",
            )
        offset += len(name) + 1
    return None


_VIDEO_SAMPLING_RE = re.compile(r"\d+(?:\.\d+)?s?")


def _check_video_sampling(value: str) -> _Problem | None:
    if _full(_VIDEO_SAMPLING_RE, value):
        return None
    return _Problem(
        f"invalid video sampling '{value}'", 0, "write a frame count (vs_10) or an interval (vs_2.3s)"
    )


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


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


def parse(text: str) -> Transformation:
    """Parse and validate one chained transformation string."""
    return _parse_at(text, 0)


def _parse_at(text: str, base: int) -> Transformation:
    def fail(message: str, at: int, hint: str = "") -> TransformationSyntaxError:
        return TransformationSyntaxError(message, base + at, hint)

    if not text:
        raise fail("empty transformation", 0, "write at least one parameter, e.g. c_fill,w_100")
    for index, char in enumerate(text):
        if char.isspace():
            raise fail(
                "whitespace is not allowed in a transformation",
                index,
                "remove it, or URL-encode it as %20 in text",
            )
        if char == "|":
            raise fail(
                "'|' separates eager transformations, it cannot appear inside one",
                index,
                "list eager transformations separately, or split them with '|' only in an eager setting",
            )
    pieces: list[tuple[int, str]] = []
    start = 0
    for piece in text.split("/"):
        pieces.append((start, piece))
        start += len(piece) + 1

    components: list[Component] = []
    last = len(pieces) - 1
    for index, (at, piece) in enumerate(pieces):
        if piece == "":
            if index == last and components:
                components[-1] = replace(components[-1], extension="")
                continue
            where = "starts with '/'" if index == 0 else "has an empty component ('//')"
            raise fail(f"transformation {where}", at, "remove the extra '/'")
        if index == last and components and "_" not in piece and "," not in piece:
            if piece not in FORMATS:
                raise fail(
                    f"unknown format '{piece}' as the last component",
                    at,
                    (f"formats are lowercase: write '{piece.lower()}'; " if piece.lower() in FORMATS else "")
                    + _hint_for(piece, FORMATS, "formats")
                    + "; a '/' inside layer text or a URL must be encoded (%252F, or base64url for URLs)",
                )
            components[-1] = replace(components[-1], extension=piece)
            continue
        components.append(Component(_parse_component(piece, base + at)))
    _check_conditional_blocks(components, text, base)
    return Transformation(tuple(components))


def _parse_component(piece: str, base: int) -> tuple[Param, ...]:
    params: list[Param] = []
    seen: dict[str, int] = {}
    at = 0
    for raw in piece.split(","):
        param = _parse_param(raw, base + at)
        if param.key in seen:
            raise TransformationSyntaxError(
                f"parameter '{param.key}' appears twice in one component",
                base + at,
                "keep one, or chain a second component with '/'",
            )
        seen[param.key] = at
        params.append(param)
        at += len(raw) + 1
    condition = next((p.value for p in params if p.key == "if"), None)
    if "t" in seen and condition not in (None, "end", "else"):
        # Cloudinary's docs: "if_w_eq_h,t_trans is not supported".
        raise TransformationSyntaxError(
            "a named transformation cannot share a component with its condition",
            base + seen["t"],
            f"write if_{condition}/t_.../if_end",
        )
    return tuple(params)


def _parse_param(raw: str, at: int) -> Param:
    if raw == "":
        raise TransformationSyntaxError("empty parameter", at, "remove the extra ','")
    if raw.startswith("$"):
        match = re.match(r"\$[A-Za-z][A-Za-z0-9]*", raw)
        if not match:
            raise TransformationSyntaxError(
                f"invalid variable name in '{raw}'",
                at,
                "variable names start with a letter and use only letters and digits",
            )
        key = match.group(0)
        rest = raw[match.end() :]
        if not rest.startswith("_") or len(rest) == 1:
            raise TransformationSyntaxError(
                f"variable '{key}' has no value"
                if not rest or rest == "_"
                else f"invalid variable name in '{raw}'",
                at + match.end(),
                f"assign it as {key}_<value>, e.g. {key}_100; names use only letters and digits",
            )
        value = rest[1:]
        problem = _check_variable_value(value)
        if problem:
            raise TransformationSyntaxError(
                problem.message, at + match.end() + 1 + problem.offset, problem.hint
            )
        return Param(key, value)

    key, sep, value = raw.partition("_")
    if not sep:
        if raw in FORMATS:
            raise TransformationSyntaxError(
                f"bare format '{raw}' must be the last component", at, f"move it to the end, or write f_{raw}"
            )
        raise TransformationSyntaxError(
            f"parameter '{raw}' has no value",
            at,
            "parameters are written key_value, e.g. w_100"
            " (a ',' or '/' inside layer text must be encoded as %252C or %252F)",
        )
    if key not in SHORT_TO_LONG:
        raise TransformationSyntaxError(f"unknown parameter '{key}'", at, _unknown_key_hint(raw, key))
    if not value:
        raise TransformationSyntaxError(
            f"parameter '{key}' has an empty value", at + len(key) + 1, f"write {key}_<value>"
        )
    problem = _VALIDATORS[key](value)
    if problem:
        raise TransformationSyntaxError(problem.message, at + len(key) + 1 + problem.offset, problem.hint)
    return Param(key, value)


def _unknown_key_hint(raw: str, key: str) -> str:
    if key.lower() in SHORT_TO_LONG:
        return f"parameter keys are lowercase: did you mean '{key.lower()}_'?"
    for long in sorted({*LONG_TO_SHORT, *_LONG_ALIASES}, key=len, reverse=True):
        if raw.startswith(long + "_"):
            short = LONG_TO_SHORT.get(long) or _LONG_ALIASES[long]
            return f"URLs use short keys: write '{short}_{raw[len(long) + 1 :]}' for {long}"
    close_short = difflib.get_close_matches(key, sorted(SHORT_TO_LONG), n=3, cutoff=0.6)
    suggestion = "did you mean " + " or ".join(f"'{c}_'" for c in close_short) + "?" if close_short else ""
    if not suggestion:
        close_long = difflib.get_close_matches(key, sorted(LONG_TO_SHORT), n=1, cutoff=0.6)
        if close_long:
            suggestion = f"did you mean '{LONG_TO_SHORT[close_long[0]]}_' ({close_long[0]})?"
    known = _known("parameters", SHORT_TO_LONG, limit=64)
    return f"{suggestion} {known}" if suggestion else known


def _check_conditional_blocks(components: list[Component], text: str, base: int) -> None:
    """Check the nesting of conditional blocks.

    A component holding only ``if_<cond>`` opens a block that ``if_end`` closes; ``if_<cond>``
    with other parameters is an inline conditional for that component alone. ``if_else`` needs a
    preceding condition; per Cloudinary's docs it also ends the ``if`` branch, so a block whose
    else branch runs to the end of the chain is accepted without ``if_end``.
    """
    blocks: list[str] = []  # "if" or "else", innermost last
    previous_inline_if = False
    offsets = _component_offsets(text)
    for index, component in enumerate(components):
        condition = next((p.value for p in component.params if p.key == "if"), None)
        at = base + offsets[index]
        alone = len(component.params) == 1
        if condition == "end":
            if not blocks:
                raise TransformationSyntaxError(
                    "if_end without an open if_ block", at, "remove it, or open the block with if_<condition>"
                )
            blocks.pop()
        elif condition == "else":
            if blocks and blocks[-1] == "else":
                raise TransformationSyntaxError(
                    "second if_else in one conditional block", at, "close the block with if_end first"
                )
            if blocks:
                blocks[-1] = "else"
            elif not previous_inline_if:
                raise TransformationSyntaxError(
                    "if_else without a preceding if_ condition",
                    at,
                    "write if_<condition>/.../if_else/.../if_end",
                )
            elif alone:
                blocks.append("else")  # the else branch of an inline if, up to if_end or the end
        elif condition is not None and alone:
            blocks.append("if")
        previous_inline_if = condition not in (None, "end", "else") and not alone
    if "if" in blocks:
        raise TransformationSyntaxError(
            "conditional block is not closed",
            base + len(text),
            "add '/if_end' after the conditional components",
        )


def _component_offsets(text: str) -> list[int]:
    """Start offsets of the non-extension components (same walk as _parse_at)."""
    offsets: list[int] = []
    start = 0
    for piece in text.split("/"):
        if piece:
            offsets.append(start)
        start += len(piece) + 1
    return offsets


# --------------------------------------------------------------------------------------------
# Canonical values
# --------------------------------------------------------------------------------------------


def _canonical_number(text: str, *, keep_decimal: bool) -> str:
    """``"0.50"`` -> ``"0.5"``, ``"100.0"`` -> ``"100"`` (``"100.0"`` where decimals are relative)."""
    number = Decimal(text)
    rendered = "0" if number == 0 else format(number.normalize(), "f")
    if keep_decimal and "." in text and "." not in rendered:
        rendered += ".0"
    return rendered


def _canonical_numeric_tokens(value: str, sep: str) -> str:
    """Normalise every plain-number token of a separated value, leaving the rest as written."""
    pieces = _split_quoted(value, sep)
    if isinstance(pieces, _Problem):
        return value
    return sep.join(
        _canonical_number(token, keep_decimal=False) if _full(_NUMBER_RE, token) else token
        for _, token in pieces
    )


def _canonical_color(value: str) -> str:
    if value.startswith("#"):
        return "rgb:" + value[1:].lower()
    if value.startswith("rgb:"):
        return value.lower()
    if value.lower() in NAMED_COLORS:
        return value.lower()
    return value


_EXPRESSION_KEYS = frozenset({"w", "h", "x", "y", "o", "z", "dpr", "ar", "du", "so", "eo"})


def canonical_value(key: str, value: str) -> str:
    """The canonical spelling of one parameter value (``key`` is the short key or ``$name``)."""
    if _full(_NUMBER_RE, value):
        return _canonical_number(value, keep_decimal=key in RELATIVE_NUMBER_KEYS)
    if key == "fl":
        return ".".join(sorted(set(value.split("."))))
    if key in {"b", "co"}:
        return _canonical_color(value)
    if key == "bo":
        match = _BORDER_RE.fullmatch(value)
        return f"{match.group(1)}px_solid_{_canonical_color(match.group(2))}" if match else value
    if key in {"so", "eo", "du"} and _full(_OFFSET_RE, value):
        return _canonical_number(value[:-1], keep_decimal=False) + "p"  # 35% / 35P / 35.0p -> 35p
    if key in {"e", "q", "r", "ar", "fps"}:
        return _canonical_numeric_tokens(value, ":")
    if key == "a":
        return ".".join(
            _canonical_number(part, keep_decimal=False)
            if _full(_NUMBER_RE, part)
            else _canonical_numeric_tokens(part, "_")
            for part in value.split(".")
        )
    if key == "if" or key.startswith("$") or key in _EXPRESSION_KEYS:
        return _canonical_numeric_tokens(value, "_")
    return value


def _ordered(params: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Canonical order within a component: ``if`` first, variables as written, the rest by key.

    Order matters only for the condition and for variables (a later one may use an earlier one);
    everything else in a component applies together, as the SDK's sorted output shows.
    """
    items = list(params)
    conditions = [item for item in items if item[0] == "if"]
    variables = [item for item in items if item[0].startswith("$")]
    others = sorted(item for item in items if item[0] != "if" and not item[0].startswith("$"))
    return conditions + variables + others


def canonical_string(text: str) -> str:
    """A stable spelling of ``text``: equal results mean the same transformation."""
    transformation = parse(text)
    rendered: list[str] = []
    for component in transformation.components:
        pairs = _ordered((p.key, canonical_value(p.key, p.value)) for p in component.params)
        rendered.append(",".join(f"{key}_{value}" for key, value in pairs))
        if component.extension is not None:
            rendered.append(component.extension)
    return "/".join(rendered)


# --------------------------------------------------------------------------------------------
# The comparable structural form
# --------------------------------------------------------------------------------------------


def to_info(text: str) -> list[dict[str, str]]:
    """One dict per component: long names, canonical string values, ``extension`` as the API puts it."""
    info: list[dict[str, str]] = []
    for component in parse(text).components:
        entry = {_long_name(p.key): canonical_value(p.key, p.value) for p in component.params}
        if component.extension is not None:
            entry["extension"] = component.extension or "none"
        info.append(dict(sorted(entry.items())))
    return info


def _long_name(short: str) -> str:
    return short if short.startswith("$") else SHORT_TO_LONG[short]


def _short_name(name: str) -> str | None:
    """The short key for a long name (or a short key, or a ``$variable``); None when unknown."""
    if name.startswith("$"):
        return name
    if name in LONG_TO_SHORT:
        return LONG_TO_SHORT[name]
    if name in _LONG_ALIASES:
        return _LONG_ALIASES[name]
    if name in SHORT_TO_LONG:
        return name
    return None


def _live_value_text(short: str | None, value: object) -> str:
    """A live JSON value as the text it was written as in the transformation string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        try:
            return format(Decimal(repr(value)), "f")
        except InvalidOperation:  # inf / nan: nothing a transformation holds; keep visible
            return repr(value)
    if isinstance(value, list | tuple):
        joiner = "." if short in {"fl", "a", "t"} else ":"
        return joiner.join(_live_value_text(short, item) for item in value)
    if value is None:
        return ""
    return str(value)


def canonical_info(info: list[dict[str, object]]) -> list[dict[str, str]]:
    """Normalise a live ``info`` (GET transformation) into the same form as :func:`to_info`."""
    result: list[dict[str, str]] = []
    for component in info:
        entry: dict[str, str] = {}
        for name, value in component.items():
            if name == "extension":
                text = _live_value_text(None, value)
                entry["extension"] = text.lower() if text else "none"
                continue
            if name == "variables" and isinstance(value, list):
                for pair in value:
                    if isinstance(pair, list | tuple) and len(pair) == 2:
                        var_name = str(pair[0])
                        entry[var_name] = canonical_value(var_name, _live_value_text(var_name, pair[1]))
                continue
            short = _short_name(name)
            text = _live_value_text(short, value)
            if short is None:
                entry[name] = text  # unknown to us: kept as-is so a diff shows it
            else:
                entry[_long_name(short)] = canonical_value(short, text)
        result.append(dict(sorted(entry.items())))
    # Tolerate the extension as a step of its own: it belongs to the step before it.
    if len(result) >= 2 and set(result[-1]) == {"extension"} and "extension" not in result[-2]:
        extension = result.pop()
        result[-1] = dict(sorted({**result[-1], **extension}.items()))
    return result


def info_to_string(info: list[dict[str, object]]) -> str:
    """Render a parsed info list (long names) back into a transformation string.

    Raises TransformationSyntaxError for a parameter name we do not know, and for a result that
    does not parse (the string must be valid, since it is sent back to the API).
    """
    rendered: list[str] = []
    for index, component in enumerate(info):
        pairs: list[tuple[str, str]] = []
        extension: str | None = None
        for name, value in component.items():
            if name == "extension":
                extension = _live_value_text(None, value)
                continue
            if name == "variables" and isinstance(value, list):  # the SDK's ordered form
                pairs.extend(
                    (str(pair[0]), _live_value_text(str(pair[0]), pair[1]))
                    for pair in value
                    if isinstance(pair, list | tuple) and len(pair) == 2
                )
                continue
            short = _short_name(name)
            if short is None:
                raise TransformationSyntaxError(
                    f"unknown transformation parameter '{name}' in step {index + 1}",
                    0,
                    _hint_for(name, LONG_TO_SHORT, "parameter names"),
                )
            text = _live_value_text(short, value)
            if text != "":
                pairs.append((short, text))
        # Keep the caller's order for if/variables; sort the rest like the SDK does.
        if pairs or extension is None or not rendered:
            rendered.append(",".join(f"{key}_{value}" for key, value in _ordered(pairs)))
        if extension is not None:
            if index != len(info) - 1:
                raise TransformationSyntaxError(
                    f"'extension' is only allowed on the last step (found on step {index + 1})", 0
                )
            rendered.append("" if extension in {"", "none"} else extension)
    text = "/".join(rendered)
    parse(text)
    return text


# --------------------------------------------------------------------------------------------
# References and eager lists
# --------------------------------------------------------------------------------------------


def split_eager(text: str) -> list[str]:
    """``"c_fill,w_320|c_fill,w_768"`` -> the transformation strings, in order."""
    pieces: list[str] = []
    at = 0
    for piece in text.split("|"):
        if not piece:
            raise TransformationSyntaxError("empty eager transformation", at, "remove the extra '|'")
        pieces.append(piece)
        at += len(piece) + 1
    return pieces


def named_references(text: str) -> list[str]:
    """Names of the named transformations ``text`` uses (``t_NAME``, chained ``t_a.b``), no ``t_``.

    Accepts an eager list joined by ``|`` as well. Raises TransformationSyntaxError on bad syntax.
    """
    names: list[str] = []
    at = 0
    for piece in split_eager(text):
        for component in _parse_at(piece, at).components:
            for param in component.params:
                if param.key != "t":
                    continue
                for name in param.value.split("."):
                    if name not in names:
                        names.append(name)
        at += len(piece) + 1
    return names


def comparable(definition: str | Sequence[Mapping[str, object]]) -> str:
    """The form in which plans compare and show a transformation definition.

    `definition` is a string as the user writes it or an `info` list as the server returns it.
    Both go through the structural form (`to_info` / `canonical_info`), so equal results mean
    the same transformation; rendering that back as a string keeps plans readable for the
    people who wrote strings. A live parameter this grammar does not know yet still compares
    exactly, as sorted JSON of the structure, instead of failing the whole read.
    """
    if isinstance(definition, str):
        info = to_info(definition)
    else:
        info = canonical_info([dict(step) for step in definition])
    steps: list[dict[str, object]] = [dict(step) for step in info]
    try:
        return info_to_string(steps)
    except TransformationSyntaxError:
        return json.dumps(steps, sort_keys=True)

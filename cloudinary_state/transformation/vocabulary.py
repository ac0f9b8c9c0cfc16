"""The vocabulary of transformation strings: parameter names, the values each accepts, and the
regular expressions shared by the value validators.

Sources: the SDK's ``cloudinary.utils`` (short<->long names) and Cloudinary's transformation
reference (crop modes, gravities, effects, flags, formats, conditions, arithmetic, layers). Data
only, so the lists can be read and extended without reading any parsing code.
"""

from __future__ import annotations

import re

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
# A named transformation as a t_ reference: any other character of its name URL-encoded.
_ENCODED_NAME_RE = re.compile(r"(?:[A-Za-z0-9_\-]|%[0-9A-Fa-f]{2})+")
_BASE64URL_RE = re.compile(r"[A-Za-z0-9_\-=+]+")
# Characters a value may hold as written in a URL path segment (commas and slashes split it).
_URL_SAFE_RE = re.compile(r"[A-Za-z0-9\-._~!$&'()*+;=:@%]*")
_PERCENT_ESCAPE_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")

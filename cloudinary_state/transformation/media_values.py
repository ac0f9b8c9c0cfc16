"""Value validators for the video and audio parameters: offsets and durations, codecs, bit rate,
streaming profile, frame rate, keyframe interval, audio frequency and video sampling.

Split from ``values`` only to keep each module readable in one sitting; ``values`` puts them in
the validator table with the rest.
"""

from __future__ import annotations

import re
from decimal import Decimal

from cloudinary_state.transformation.model import _Problem, _Validator
from cloudinary_state.transformation.shared_checks import _check_expression, _full, _hint_for
from cloudinary_state.transformation.vocabulary import (
    _IDENTIFIER_RE,
    _UNSIGNED_RE,
    _VARIABLE_RE,
    AUDIO_FREQUENCIES,
    VIDEO_CODECS,
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


_VIDEO_SAMPLING_RE = re.compile(r"\d+(?:\.\d+)?s?")


def _check_video_sampling(value: str) -> _Problem | None:
    if _full(_VIDEO_SAMPLING_RE, value):
        return None
    return _Problem(
        f"invalid video sampling '{value}'", 0, "write a frame count (vs_10) or an interval (vs_2.3s)"
    )

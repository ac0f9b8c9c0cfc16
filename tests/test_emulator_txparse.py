"""The emulator's own transformation parser: real-world strings -> `info`."""

from __future__ import annotations

from typing import Any

import pytest

from cloudinary_state.emulator.txparse import TransformationSyntaxError, is_valid, parse, typed_value

CASES: list[tuple[str, list[dict[str, Any]]]] = [
    ("w_100", [{"width": 100}]),
    ("c_fill,h_150,w_100", [{"crop": "fill", "height": 150, "width": 100}]),
    ("w_100,c_fill", [{"width": 100, "crop": "fill"}]),
    ("c_scale,w_102/", [{"crop": "scale", "width": 102, "extension": "none"}]),
    ("c_fill,w_100,h_100/jpg", [{"crop": "fill", "width": 100, "height": 100, "extension": "jpg"}]),
    (
        "e_background_removal/c_pad,b_white,h_1600,w_1600/e_shadow",
        [
            {"effect": "background_removal"},
            {"crop": "pad", "background": "white", "height": 1600, "width": 1600},
            {"effect": "shadow"},
        ],
    ),
    ("l_text:arial_20:x", [{"overlay": "text:arial_20:x"}]),
    (
        "l_text:Arial_60_bold:Hello%2C%20World,co_rgb:FF0000,g_south,y_20",
        [
            {
                "overlay": "text:Arial_60_bold:Hello%2C%20World",
                "color": "rgb:FF0000",
                "gravity": "south",
                "y": 20,
            }
        ],
    ),
    ("q_auto:good", [{"quality": "auto:good"}]),
    ("q_auto,f_auto", [{"quality": "auto", "fetch_format": "auto"}]),
    ("w_iw_div_2", [{"width": "iw_div_2"}]),
    ("o_0.5", [{"opacity": 0.5}]),
    ("o_50", [{"opacity": 50}]),
    ("dpr_2.0", [{"dpr": 2.0}]),
    ("dpr_auto", [{"dpr": "auto"}]),
    ("ar_16:9,c_fill,g_auto", [{"aspect_ratio": "16:9", "crop": "fill", "gravity": "auto"}]),
    ("ar_1.5,c_crop", [{"aspect_ratio": 1.5, "crop": "crop"}]),
    ("r_max", [{"radius": "max"}]),
    ("r_20:0:20:0", [{"radius": "20:0:20:0"}]),
    ("a_-20", [{"angle": -20}]),
    ("x_-10,y_-5", [{"x": -10, "y": -5}]),
    ("bo_4px_solid_black", [{"border": "4px_solid_black"}]),
    ("fl_progressive.lossy", [{"flags": "progressive.lossy"}]),
    ("fl_layer_apply,g_north_east", [{"flags": "layer_apply", "gravity": "north_east"}]),
    ("t_thumb", [{"transformation": "thumb"}]),
    ("t_product_images/e_sepia", [{"transformation": "product_images"}, {"effect": "sepia"}]),
    ("e_sepia:50", [{"effect": "sepia:50"}]),
    ("e_blur_faces:400", [{"effect": "blur_faces:400"}]),
    ("e_gen_remove:prompt_text", [{"effect": "gen_remove:prompt_text"}]),
    ("u_site_bg,w_1.0,fl_relative", [{"underlay": "site_bg", "width": 1.0, "flags": "relative"}]),
    ("d_avatar.png", [{"default_image": "avatar.png"}]),
    ("pg_2,dn_300", [{"page": 2, "density": 300}]),
    ("cs_srgb", [{"color_space": "srgb"}]),
    ("so_2.5,eo_10,du_7.5", [{"start_offset": 2.5, "end_offset": 10, "duration": 7.5}]),
    ("so_10p", [{"start_offset": "10p"}]),
    ("vc_h264:baseline:3.1,ac_aac", [{"video_codec": "h264:baseline:3.1", "audio_codec": "aac"}]),
    ("br_5m,c_limit,h_1200,w_1200", [{"bit_rate": "5m", "crop": "limit", "height": 1200, "width": 1200}]),
    ("sp_hd/m3u8", [{"streaming_profile": "hd", "extension": "m3u8"}]),
    ("fps_15-25", [{"fps": "15-25"}]),
    ("fps_24", [{"fps": 24}]),
    ("ki_2.0", [{"keyframe_interval": 2.0}]),
    ("af_22050", [{"audio_frequency": 22050}]),
    ("dl_200", [{"delay": 200}]),
    ("z_1.5,c_thumb,g_face", [{"zoom": 1.5, "crop": "thumb", "gravity": "face"}]),
    ("fn_wasm:blur.wasm", [{"custom_function": "wasm:blur.wasm"}]),
    (
        "if_w_gt_1000,c_scale,w_1000/if_end",
        [{"if": "w_gt_1000", "crop": "scale", "width": 1000}, {"if": "end"}],
    ),
    ("$small_150,w_$small", [{"$small": 150, "width": "$small"}]),
    ("$ratio_0.5/w_$ratio_mul_iw", [{"$ratio": 0.5}, {"width": "$ratio_mul_iw"}]),
    ("co_white,e_colorize:40", [{"color": "white", "effect": "colorize:40"}]),
    (
        "b_auto:predominant,c_pad,h_400,w_400",
        [{"background": "auto:predominant", "crop": "pad", "height": 400, "width": 400}],
    ),
    ("b_rgb:00000080", [{"background": "rgb:00000080"}]),
    ("e_trim:10/f_webp", [{"effect": "trim:10"}, {"fetch_format": "webp"}]),
    ("c_scale,w_100/webp", [{"crop": "scale", "width": 100, "extension": "webp"}]),
    ("h_0.25,c_scale", [{"height": 0.25, "crop": "scale"}]),
    ("vs_40", [{"video_sampling": 40}]),
    ("p_sprite", [{"prefix": "sprite"}]),
]


@pytest.mark.parametrize(("text", "info"), CASES, ids=[c[0] for c in CASES])
def test_parses_real_strings(text: str, info: list[dict[str, Any]]) -> None:
    assert parse(text) == info
    assert is_valid(text)


def test_values_keep_their_json_types() -> None:
    [step] = parse("w_100,o_0.5,c_fill")
    assert type(step["width"]) is int
    assert type(step["opacity"]) is float
    assert type(step["crop"]) is str


def test_leading_zeros_and_signs() -> None:
    assert typed_value("007") == 7
    assert typed_value("-3") == -3
    assert typed_value(".5") == 0.5
    assert typed_value("1e5") == "1e5"
    assert typed_value("16:9") == "16:9"


INVALID = [
    "",
    " ",
    "w_",
    "w100",
    "c_fill,,w_100",
    "c_fill//w_100",
    "$1bad_3",
    "/jpg",
]


def test_unknown_and_repeated_parameters_are_not_refused() -> None:
    # the live service's vocabulary is larger than ours; a repeated key's handling is undocumented
    assert parse("zz_1,c_fill") == [{"zz": 1, "crop": "fill"}]
    assert parse("c_fill,c_scale") == [{"crop": "scale"}]
    assert parse("fl_cutter,fl_layer_apply") == [{"flags": "cutter.layer_apply"}]


def test_whitespace_is_kept_as_written_not_refused() -> None:
    # no document says the Admin API refuses it: the emulator refuses only what is documented
    assert parse("w_100 ") == [{"width": "100 "}]
    assert parse("l_text:Arial_40:Hello World") == [{"overlay": "text:Arial_40:Hello World"}]


@pytest.mark.parametrize("text", INVALID)
def test_rejects_invalid_strings(text: str) -> None:
    with pytest.raises(TransformationSyntaxError):
        parse(text)
    assert not is_valid(text)


def test_a_bare_format_is_only_an_extension_at_the_end() -> None:
    with pytest.raises(TransformationSyntaxError):
        parse("jpg/w_100")
    assert parse("w_100/png") == [{"width": 100, "extension": "png"}]

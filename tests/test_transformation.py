"""The transformation-string grammar: parsing, validation, canonical forms.

The server-style `info` dicts below are written by hand the way GET transformation returns them
(cloudinary-admin-api.md §5): long names, integers and decimals as JSON numbers,
everything else as the string after `k_`. None of it comes from the emulator's parser.
"""

from __future__ import annotations

import json
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.strategies_transformation import eager_strings, transformation_strings

from cloudinary_state.transformation import (
    COMPASS_GRAVITIES,
    CROP_MODES,
    EFFECTS,
    FLAGS,
    FORMATS,
    GRAVITY_OBJECTS,
    LONG_TO_SHORT,
    NAMED_COLORS,
    PREDEFINED_VARIABLES,
    SHORT_TO_LONG,
    SPECIAL_GRAVITIES,
    Component,
    Param,
    Transformation,
    TransformationSyntaxError,
    canonical_info,
    canonical_string,
    comparable,
    info_to_string,
    named_references,
    parse,
    split_eager,
    to_info,
)

# --------------------------------------------------------------------------------------------
# Valid strings: real-world transformations from the docs, the SDK tests and the guide
# --------------------------------------------------------------------------------------------

VALID = [
    # the product-asset guide
    "e_background_removal/c_pad,b_white,h_1600,w_1600/e_shadow",
    "c_fill,g_auto,f_auto,q_auto",
    "c_fill,g_auto,w_320/f_auto,q_auto",
    "c_fill,w_768/f_auto/q_auto",
    # crop modes
    "c_fill,w_100",
    "w_100,c_fill",
    "c_pad,h_300,w_300,b_auto:predominant",
    "c_lpad,w_400,h_400",
    "c_mpad,w_400,h_400",
    "c_fit,w_500",
    "c_mfit,w_500",
    "c_limit,w_1200,h_1200",
    "c_scale,w_0.5",
    "c_crop,x_10,y_-20,w_200,h_100",
    "c_thumb,g_face,w_150,h_150",
    "c_imagga_crop,w_300",
    "c_imagga_scale,w_300",
    "c_auto,g_auto,w_400,h_300",
    "c_auto_pad,g_auto,w_400,h_300,b_white",
    "c_fill_pad,g_auto,w_300,h_400,b_auto",
    "c_lfill,w_300,h_300",
    # gravity
    "c_fill,g_north_west,w_100,h_100",
    "c_fill,g_south_east,w_100,h_100",
    "c_fill,g_auto:subject,w_400,h_400",
    "c_fill,g_auto:face,ar_1:1,w_300",
    "c_thumb,g_faces,w_300,h_300",
    "c_crop,g_custom",
    "c_crop,g_ocr_text",
    "c_crop,g_xy_center,x_100,y_100,w_50,h_50",
    "c_fill,g_cat,w_300",
    "c_thumb,g_face:center,w_100",
    "c_fill,g_auto:dog_avoid,w_100",
    # dimensions and arithmetic
    "w_0.5",
    "w_auto",
    "w_auto:100:400,c_limit",
    "w_iw_div_2",
    "h_ih_mul_0.5",
    "w_$width",
    "$width_300/w_$width,c_scale",
    "w_iw_mul_2_add_ih_mul_2",
    "c_scale,w_iw_sub_100",
    "$w_100,$h_$w_mul_2/c_fill,w_$w,h_$h",
    "$img_ref_!sample!",
    "$text_!Hello%20World!",
    # aspect ratio, quality, format
    "ar_16:9,c_fill,w_1280",
    "ar_1.5,c_crop",
    "q_auto",
    "q_auto:good",
    "q_auto:best",
    "q_auto:eco",
    "q_auto:low",
    "q_80",
    "q_80:444",
    "q_jpegmini",
    "f_auto",
    "f_webp",
    "f_avif,q_auto",
    "f_auto:image",
    # effects
    "e_background_removal",
    "e_shadow",
    "e_shadow:50",
    "e_sharpen:100",
    "e_gen_fill",
    "e_trim",
    "e_trim:10:white",
    "e_volume:-50",
    "e_blur:300",
    "e_grayscale",
    "e_sepia:50",
    "e_colorize:40,co_red",
    "e_gen_remove:prompt_phone",
    "e_gen_remove:prompt_(cup;phone)",
    "e_gen_replace:from_cat;to_dog",
    "e_gen_background_replace",
    "e_gen_recolor:prompt_shirt;to-color_blue",
    "e_tint:50:green:yellow",
    "e_improve:outdoor:80",
    "e_vignette:30",
    "e_pixelate_faces:15",
    "e_blur_faces",
    "e_cartoonify",
    "e_outline:20,co_black",
    "e_make_transparent:10,co_white",
    "e_upscale",
    "e_enhance",
    "e_art:al_dente",
    "e_brightness:30",
    "e_accelerate:100",
    "e_reverse",
    "e_loop:2",
    "e_fade:2000",
    "e_noise:50",
    "e_style_transfer,l_lighthouse/fl_layer_apply",
    "e_replace_color:maroon:80:2b38aa",
    "e_auto_contrast",
    "e_unsharp_mask:200",
    # overlays and underlays
    "l_logo",
    "l_logo,w_100/fl_layer_apply,g_north_east,x_10,y_10",
    "l_text:Arial_60_bold:Hello%20World",
    "l_text:arial_20:x",
    "l_text:Roboto_40_bold_italic_letter_spacing_5:50%25%20off,co_white/fl_layer_apply,g_south",
    "l_text:Arial_60:$(name)",
    "l_fetch:aHR0cHM6Ly9leGFtcGxlLmNvbS9sb2dvLnBuZw==",
    "u_background_texture,w_1.0,h_1.0,fl_relative/fl_layer_apply",
    "u_docs:paper",
    "l_video:dog,so_2,eo_5/fl_layer_apply",
    "l_audio:music/fl_layer_apply",
    "l_subtitles:sample_sub_en.srt",
    "l_subtitles:arial_20:sample_sub_en.srt",
    "l_lut:iwltbap_aspen.3dl",
    "l_image:upload:logo",
    "l_folder:subfolder:logo,o_50",
    "l_$img",
    # flags
    "fl_attachment",
    "fl_attachment:my_file",
    "fl_progressive.lossy",
    "fl_progressive:semi",
    "fl_relative",
    "fl_keep_iptc.strip_profile",
    "fl_layer_apply",
    "fl_png8",
    "fl_splice,l_video:intro/fl_layer_apply",
    # border, background, colour, radius, angle, opacity, position
    "bo_5px_solid_black",
    "bo_2px_solid_rgb:ff0000",
    "b_white",
    "b_rgb:ff0000",
    "b_rgb:F00",
    "b_auto:predominant",
    "b_auto:border_contrast",
    "b_blurred:400:15,c_pad,w_500,h_500",
    "b_gen_fill,c_pad,ar_16:9,w_1500",
    "co_rgb:ffffff,e_colorize",
    "co_white,e_outline",
    "r_max",
    "r_20",
    "r_20:0:20:0",
    "a_90",
    "a_-45",
    "a_auto_right",
    "a_vflip",
    "a_90.hflip",
    "o_50",
    "o_0.5",
    "x_10",
    "y_-20",
    "x_0.25,y_0.75,fl_relative",
    "z_1.5,c_thumb,g_face",
    # dpr, page, density, default image, delay
    "dpr_auto",
    "dpr_2.0",
    "dpr_3",
    "pg_2",
    "pg_2-4",
    "pg_1;3;5",
    "pg_name:record_cover",
    "dn_300",
    "d_avatar.png",
    "d_defaults:avatar.png",
    "dl_200",
    "cs_srgb",
    "cs_no_cmyk",
    "cs_icc:profile_file.icc",
    # video
    "so_2.5",
    "so_10p",
    "so_auto",
    "eo_5",
    "eo_90p",
    "du_30",
    "du_30p",
    "so_2,eo_8",
    "vc_h264",
    "vc_h264:baseline:3.1",
    "vc_auto",
    "vc_none",
    "ac_none",
    "ac_aac",
    "br_5m",
    "br_500k",
    "br_2m:constant",
    "sp_hd",
    "sp_full_hd",
    "sp_my_profile",
    "fps_24",
    "fps_24-29.97",
    "fps_25-",
    "ki_2.0",
    "af_44100",
    "af_iaf",
    "vs_10",
    "vs_2.3s",
    "br_5m,c_limit,h_1200,w_1200",
    # custom functions
    "fn_wasm:blur.wasm",
    "fn_remote:aHR0cHM6Ly9teS5leGFtcGxlLmNvbS9mbg==",
    "fn_pre:remote:aHR0cHM6Ly9teS5leGFtcGxlLmNvbS9mbg==",
    # conditionals
    "if_w_gt_1000/c_scale,w_1000/if_end",
    "if_w_gt_1000,c_scale,w_1000",
    "if_ar_gt_3:4_and_w_gt_300_and_h_gt_200,c_crop,w_300,h_200",
    "if_iw_lte_400/c_fill,h_120,w_240/if_else/c_fill,h_240,w_400/if_end",
    "if_fc_gte_1/e_pixelate_faces/if_end",
    "if_!sale!_in_tags/l_sale_badge/fl_layer_apply/if_end",
    "if_ctx:!productType!_eq_!shoes!/e_sepia/if_end",
    "if_w_ne_h,c_pad,w_500,h_500",
    "if_ar_gt_1.0_or_w_lt_100,c_fill,ar_1.0",
    "if_w_mul_2_gt_h,c_scale,w_100",
    "c_fill,w_300,h_400/if_ctx:!license!_eq_!cc!/l_cc0,h_50/fl_layer_apply/if_else/l_ccby,w_100/fl_layer_apply/if_end",
    "$size_100/if_w_gt_$size/c_scale,w_$size/if_end",
    "if_w_gt_1000/c_scale,w_1000/if_else/c_scale,w_500",  # if_else also ends the if branch
    "if_w_gt_1000,c_scale,w_1000/if_else,c_scale,w_500",
    "if_w_gt_1000,c_scale,w_1000/if_else/c_scale,w_500/if_end",
    "if_w_gt_1/if_h_gt_1/c_fill/if_end/if_end",  # nested blocks
    # named references
    "t_product_images",
    "t_a.b",
    "t_thumb/e_sepia",
    "c_fill,w_100/t_watermark",
    # trailing format and slash
    "c_scale,w_102/",
    "c_fill,w_100/jpg",
    "e_sepia/c_scale,w_100/webp",
    "w_100/mp4",
    # from the SDK's own tests (cloudinary/pycloudinary test/test_utils.py)
    "h_100,w_200/c_fill,w_200,x_100,y_100/r_10/c_fill,e_grayscale,q_auto",
    "e_art:incognito,f_png",
    "$efname_!blur!,e_$efname:100",
    "if_fc_gt_2,$z_5,$foo_$z_mul_2,c_scale,w_$foo_mul_200",
    "$foo_10/if_fc_gt_2/c_scale,w_$foo_mul_200_div_fc/if_end",
    "if_w_eq_0_and_h_ne_0_or_ar_lt_0_and_pc_gt_0_and_fc_lte_0_and_w_gte_0,e_grayscale",
    "if_du_gt_30,c_scale,w_100",
    "if_idu_gt_30,c_scale,w_100",
    "w_iw_pow_2",
    "$width_10/w_$width_add_10_add_w",
    "e_preview:duration_2",
    "fps_-24",
    "fps_$v",
    "fps_24-$v",
    "fps_24.973",
    "ki_10.0",
    "ki_0.05",
    "so_35%",
    "so_20P",
    "eo_70.5p,so_35.5p",
    "eo_3.21,so_2.66",
    "sp_some-profile",
    "bo_5px_solid_rgb:ffaabbdd",
    "bo_1px_solid_blue",
    "b_rgb:112233",
    "ar_1.0",
    "ar_3:2",
    "vc_h264:basic:3.1",
    "br_2048",
    "br_44k",
    "vs_20",
    "l_private:logo",
    "l_logo.png",
    "l_text:Arial_18:Hello%20World%252C%20Nice%20to%20meet%20you%3F",
    "l_text:Arial_18_bold_italic_letter_spacing_4_line_spacing_3:Hello%20World%252C%20Nice%20to%20meet%20you%3F",
    "l_text:Arial_18_antialias_best_hinting_medium:Hello%20World",
    "l_subtitles:Arial_40:sample_sub_he.srt",
    "c_scale,l_text:Arial_18:$(start)Hello%20$(name)$(ext)%252C%20%24%28no%20%29$(end)",
    "l_fetch:aHR0cDovL2Nsb3VkaW5hcnkuY29tL2ltYWdlcy9vbGRfbG9nby5wbmc=",
    "c_crop,h_20,w_10",
    "c_limit,w_auto",
    "a_0",
    # baseline and more gravity objects
    "bl_my_baseline/e_sepia",
    "c_fill,g_auto:aeroplane,w_300",
    "c_thumb,g_adv_eyes,w_100",
    # url-encoded text and special characters
    "l_text:Arial_60:%E2%82%AC10",
    "l_text:Arial_60:Hello%252C%20World",
    "l_text:Arial_60:a%252Fb",
]


@pytest.mark.parametrize("text", VALID)
def test_valid_strings_parse(text: str) -> None:
    parsed = parse(text)
    assert parsed.components
    assert canonical_string(canonical_string(text)) == canonical_string(text)
    assert to_info(canonical_string(text)) == to_info(text)


@pytest.mark.parametrize("text", VALID)
def test_valid_strings_agree_with_server_style_info(text: str) -> None:
    assert to_info(text) == canonical_info(_server_style_info(text))


# --------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------


def test_parse_structure() -> None:
    assert parse("c_fill,w_100/e_sepia:50") == Transformation(
        (
            Component((Param("c", "fill"), Param("w", "100"))),
            Component((Param("e", "sepia:50"),)),
        )
    )


def test_trailing_slash_and_format_are_extensions_of_the_last_component() -> None:
    assert parse("c_scale,w_102/").components == (Component((Param("c", "scale"), Param("w", "102")), ""),)
    assert parse("c_scale/jpg").components == (Component((Param("c", "scale"),), "jpg"),)


def test_variable_and_condition_keys() -> None:
    params = parse("if_w_gt_1000,$img_ref_!sample!,w_$w").components[0].params
    assert params == (Param("if", "w_gt_1000"), Param("$img", "ref_!sample!"), Param("w", "$w"))


def test_every_short_key_has_a_long_name_and_back() -> None:
    assert {LONG_TO_SHORT[long]: long for long in LONG_TO_SHORT} == SHORT_TO_LONG
    # spot checks against the SDK's table (cloudinary.utils)
    assert SHORT_TO_LONG["f"] == "fetch_format"
    assert SHORT_TO_LONG["l"] == "overlay"
    assert SHORT_TO_LONG["fn"] == "custom_function"
    assert SHORT_TO_LONG["ki"] == "keyframe_interval"


@pytest.mark.parametrize(
    ("template", "vocabulary"),
    [
        ("c_{}", sorted(CROP_MODES)),
        ("e_{}", sorted(EFFECTS)),
        ("fl_{}", sorted(FLAGS)),
        ("f_{}", sorted(FORMATS)),
        ("c_scale/{}", sorted(FORMATS)),
        ("g_{}", sorted(COMPASS_GRAVITIES | SPECIAL_GRAVITIES | GRAVITY_OBJECTS)),
        ("b_{}", sorted(NAMED_COLORS)),
        ("if_{}_gt_1,c_fill", sorted(PREDEFINED_VARIABLES - {"tags", "ctx", "md"})),
    ],
)
def test_every_word_of_the_vocabulary_parses(template: str, vocabulary: list[str]) -> None:
    rejected = []
    for word in vocabulary:
        try:
            parse(template.format(word))
        except TransformationSyntaxError as error:
            rejected.append(f"{word}: {error.message}")
    assert rejected == []


def test_error_carries_message_position_and_hint() -> None:
    [error] = parse("w_100,c_fil").warnings
    assert error.message == "unknown crop mode 'fil'"
    assert error.position == 8
    assert "did you mean 'c_fill'" in error.hint
    assert isinstance(error, ValueError)
    assert "position 8" in str(error)


# --------------------------------------------------------------------------------------------
# Canonical equivalences and real differences
# --------------------------------------------------------------------------------------------

EQUIVALENT = [
    ("w_100,c_fill", "c_fill,w_100"),
    ("h_1600,w_1600,c_pad,b_white", "c_pad,b_white,h_1600,w_1600"),
    ("o_50.0", "o_50"),
    ("o_0.50", "o_0.5"),
    ("dpr_2.0", "dpr_2"),
    ("q_80.0", "q_80"),
    ("a_90.0", "a_90"),
    ("w_0.50", "w_0.5"),
    ("x_0.250", "x_0.25"),
    ("fl_progressive.lossy", "fl_lossy.progressive"),
    ("b_rgb:FF0000", "b_rgb:ff0000"),
    ("co_rgb:ABCDEF", "co_rgb:abcdef"),
    ("b_White", "b_white"),
    ("bo_5px_solid_rgb:FF0000", "bo_5px_solid_rgb:ff0000"),
    ("e_sharpen:100.0", "e_sharpen:100"),
    ("w_iw_mul_0.50", "w_iw_mul_0.5"),
    ("if_ar_gt_1.50,c_fill", "c_fill,if_ar_gt_1.5"),
    ("$w_100,c_scale,w_$w", "$w_100,w_$w,c_scale"),
    ("c_fill,w_100/e_sepia", "w_100,c_fill/e_sepia"),
    ("so_2.50", "so_2.5"),
    ("ar_1.50", "ar_1.5"),
    ("r_20.0:0", "r_20:0"),
    ("c_scale,w_102/", "w_102,c_scale/"),
    ("g_auto,c_fill/jpg", "c_fill,g_auto/jpg"),
    ("so_35%", "so_35p"),
    ("du_20P", "du_20p"),
    ("eo_70.50p", "eo_70.5p"),
]


@pytest.mark.parametrize(("left", "right"), EQUIVALENT)
def test_equivalent_spellings_have_one_canonical_form(left: str, right: str) -> None:
    assert canonical_string(left) == canonical_string(right)
    assert to_info(left) == to_info(right)


DIFFERENT = [
    ("c_fill,w_100", "c_fill,w_101"),
    ("c_fill,w_100", "c_fit,w_100"),
    ("w_1", "w_1.0"),  # one pixel vs 100% of the original
    ("x_2", "x_2.0"),
    ("c_fill/e_sepia", "e_sepia/c_fill"),  # chain order matters
    ("c_scale,w_100", "c_scale,w_100/"),
    ("c_scale,w_100/jpg", "c_scale,w_100/png"),
    ("e_shadow", "e_shadow:50"),
    ("t_a.b", "t_b.a"),
    ("l_text:Arial_60:100.0", "l_text:Arial_60:100"),  # text is not a number
    ("q_auto", "q_auto:good"),
    ("if_w_gt_100,c_fill", "if_w_lt_100,c_fill"),
]


@pytest.mark.parametrize(("left", "right"), DIFFERENT)
def test_real_changes_stay_visible(left: str, right: str) -> None:
    assert canonical_string(left) != canonical_string(right)
    assert to_info(left) != to_info(right)


CANONICAL = [
    ("w_100,c_fill", "c_fill,w_100"),
    ("w_100,if_w_gt_10,$v_2,c_fill", "if_w_gt_10,$v_2,c_fill,w_100"),
    ("fl_progressive.lossy,o_50.0", "fl_lossy.progressive,o_50"),
    ("c_scale,w_102/", "c_scale,w_102/"),
    ("b_#FF0000", "b_rgb:ff0000"),
    (
        "e_background_removal/c_pad,b_white,h_1600,w_1600/e_shadow",
        "e_background_removal/b_white,c_pad,h_1600,w_1600/e_shadow",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CANONICAL)
def test_canonical_string(text: str, expected: str) -> None:
    assert canonical_string(text) == expected


# --------------------------------------------------------------------------------------------
# to_info against hand-written server-style info
# --------------------------------------------------------------------------------------------

SERVER_INFO: list[tuple[str, list[dict[str, object]]]] = [
    ("w_100,c_fill", [{"crop": "fill", "width": 100}]),
    ("c_fill,w_100", [{"width": "100", "crop": "fill"}]),
    ("c_scale,w_102/", [{"crop": "scale", "width": 102, "extension": "none"}]),
    ("c_fill,w_100/jpg", [{"crop": "fill", "width": 100, "extension": "jpg"}]),
    ("o_0.50", [{"opacity": 0.5}]),
    ("o_50.0", [{"opacity": 50}]),
    ("dpr_2.0", [{"dpr": 2.0}]),
    ("w_1.0,h_1.0,fl_relative", [{"width": 1.0, "height": 1.0, "flags": "relative"}]),
    ("x_0.5", [{"x": 0.5}]),
    ("y_-20", [{"y": -20}]),
    ("l_text:arial_20:x", [{"overlay": "text:arial_20:x"}]),
    ("q_auto:good", [{"quality": "auto:good"}]),
    ("q_80", [{"quality": 80}]),
    ("w_iw_div_2", [{"width": "iw_div_2"}]),
    ("e_background_removal", [{"effect": "background_removal"}]),
    ("e_volume:-50", [{"effect": "volume:-50"}]),
    ("t_foo", [{"transformation": "foo"}]),
    ("t_thumb/e_sepia", [{"transformation": "thumb"}, {"effect": "sepia"}]),
    ("f_auto,q_auto", [{"fetch_format": "auto", "quality": "auto"}]),
    ("ar_16:9,c_fill,w_1280", [{"aspect_ratio": "16:9", "crop": "fill", "width": 1280}]),
    ("ar_1.5", [{"aspect_ratio": 1.5}]),
    ("bo_5px_solid_black", [{"border": "5px_solid_black"}]),
    ("b_rgb:FF0000", [{"background": "rgb:ff0000"}]),
    ("fl_progressive.lossy", [{"flags": "lossy.progressive"}]),
    ("fl_progressive.lossy", [{"flags": ["progressive", "lossy"]}]),
    ("so_2.5,eo_8,du_5.5", [{"start_offset": 2.5, "end_offset": 8, "duration": 5.5}]),
    ("sp_hd,br_5m", [{"streaming_profile": "hd", "bit_rate": "5m"}]),
    ("vc_h264:baseline:3.1", [{"video_codec": "h264:baseline:3.1"}]),
    ("fn_wasm:blur.wasm", [{"custom_function": "wasm:blur.wasm"}]),
    ("d_avatar.png", [{"default_image": "avatar.png"}]),
    ("pg_2,dn_300", [{"page": 2, "density": 300}]),
    ("a_-45", [{"angle": -45}]),
    ("r_max", [{"radius": "max"}]),
    ("$w_100,w_$w", [{"$w": 100, "width": "$w"}]),
    (
        "if_w_gt_1000/c_scale,w_1000/if_end",
        [{"if": "w_gt_1000"}, {"crop": "scale", "width": 1000}, {"if": "end"}],
    ),
    (
        "e_background_removal/c_pad,b_white,h_1600,w_1600/e_shadow",
        [
            {"effect": "background_removal"},
            {"background": "white", "crop": "pad", "height": 1600, "width": 1600},
            {"effect": "shadow"},
        ],
    ),
    ("q_80:444", [{"quality": "80:444"}]),
    ("e_sharpen:100.0", [{"effect": "sharpen:100"}]),
    ("a_90.hflip", [{"angle": ["90", "hflip"]}]),
    ("z_1.5,c_thumb,g_face", [{"zoom": 1.5, "crop": "thumb", "gravity": "face"}]),
    ("dpr_auto,w_auto,c_limit", [{"dpr": "auto", "width": "auto", "crop": "limit"}]),
    ("fps_24-29.97,ki_2.0", [{"fps": "24-29.97", "keyframe_interval": 2.0}]),
    ("fps_24", [{"fps": 24}]),
    ("ac_none,af_44100", [{"audio_codec": "none", "audio_frequency": 44100}]),
    ("so_35%,eo_70.5p", [{"start_offset": "35p", "end_offset": "70.5p"}]),
    ("cs_srgb,dl_200", [{"color_space": "srgb", "delay": 200}]),
    ("vs_2.3s", [{"video_sampling": "2.3s"}]),
    ("bl_base", [{"baseline": "base"}]),
    ("u_texture,fl_relative,w_1.0", [{"underlay": "texture", "flags": "relative", "width": 1.0}]),
    ("l_text:Arial_60_bold:Hello%20World", [{"overlay": "text:Arial_60_bold:Hello%20World"}]),
    ("if_ar_gt_1.0,c_fill,ar_1.0", [{"if": "ar_gt_1", "crop": "fill", "aspect_ratio": 1}]),
    ("$size_100/w_$size_mul_2", [{"$size": 100}, {"width": "$size_mul_2"}]),
    ("t_a.b", [{"transformation": ["a", "b"]}]),
    ("b_#FF0000", [{"background": "rgb:ff0000"}]),
    ("fl_attachment:my_file", [{"flags": "attachment:my_file"}]),
    (
        "if_iw_lte_400/c_fill,h_120,w_240/if_else/c_fill,h_240,w_400/if_end",
        [
            {"if": "iw_lte_400"},
            {"crop": "fill", "height": 120, "width": 240},
            {"if": "else"},
            {"crop": "fill", "height": 240, "width": 400},
            {"if": "end"},
        ],
    ),
    (
        "l_logo,w_100/fl_layer_apply,g_north_east,x_10,y_10",
        [
            {"overlay": "logo", "width": 100},
            {"flags": "layer_apply", "gravity": "north_east", "x": 10, "y": 10},
        ],
    ),
]


@pytest.mark.parametrize(("text", "info"), SERVER_INFO)
def test_to_info_matches_server_info(text: str, info: list[dict[str, object]]) -> None:
    assert to_info(text) == canonical_info(info)


SERVER_INFO_CHANGED: list[tuple[str, list[dict[str, object]]]] = [
    ("w_100,c_fill", [{"crop": "fill", "width": 200}]),
    ("c_scale,w_102/", [{"crop": "scale", "width": 102}]),
    ("c_fill,w_100/jpg", [{"crop": "fill", "width": 100, "extension": "png"}]),
    ("w_1.0", [{"width": 1}]),
    ("c_fill", [{"crop": "fill", "gravity": "auto"}]),
    ("c_fill/e_sepia", [{"crop": "fill"}]),
    ("e_shadow", [{"effect": "shadow:50"}]),
]


@pytest.mark.parametrize(("text", "info"), SERVER_INFO_CHANGED)
def test_to_info_shows_a_real_change(text: str, info: list[dict[str, object]]) -> None:
    assert to_info(text) != canonical_info(info)


def test_to_info_form() -> None:
    assert to_info("w_100,c_fill/e_sepia:50/") == [
        {"crop": "fill", "width": "100"},
        {"effect": "sepia:50", "extension": "none"},
    ]
    info = to_info("h_1,w_2,c_fill,b_white")
    assert list(info[0]) == sorted(info[0])


def test_to_info_hands_out_its_own_steps() -> None:
    # each step's form is memoised per component: a caller that edits its copy (as
    # `comparable` and the kinds do) must not change what the next caller of the same
    # component gets
    first = to_info("c_scale,w_320/f_auto")
    first[0]["width"] = "999"
    first[1].clear()
    assert to_info("t_x/c_scale,w_320/f_auto") == [
        {"transformation": "x"},
        {"crop": "scale", "width": "320"},
        {"fetch_format": "auto"},
    ]


def test_variables_keep_their_written_order_before_the_sorted_rest() -> None:
    assert list(to_info("$b_2,$a_1,w_$a,c_scale")[0]) == ["$b", "$a", "crop", "width"]


def test_canonical_info_keeps_unknown_keys_visible() -> None:
    assert canonical_info([{"crop": "fill", "mystery": 3}]) == [{"crop": "fill", "mystery": "3"}]


def test_canonical_info_tolerates_the_extension_as_its_own_step() -> None:
    assert canonical_info([{"crop": "scale", "width": 102}, {"extension": "none"}]) == to_info(
        "c_scale,w_102/"
    )
    assert canonical_info([{"crop": "scale"}, {"extension": "jpg"}]) == to_info("c_scale/jpg")
    assert info_to_string([{"crop": "scale"}, {"extension": "jpg"}]) == "c_scale/jpg"
    assert info_to_string([{"crop": "scale"}, {"extension": "none"}]) == "c_scale/"


def test_canonical_info_accepts_short_keys_and_variables_list() -> None:
    assert canonical_info([{"c": "fill", "w": 100}]) == to_info("c_fill,w_100")
    assert canonical_info([{"variables": [["$w", 100]], "width": "$w"}]) == to_info("$w_100,w_$w")


# --------------------------------------------------------------------------------------------
# Invalid strings: message, position, hint
# --------------------------------------------------------------------------------------------

INVALID = [
    ("", "empty transformation", 0, "c_fill"),
    ("c_fil", "unknown crop mode 'fil'", 2, "did you mean 'c_fill'"),
    ("c_fill,w_100,c_fit", "parameter 'c' appears twice", 13, "chain"),
    ("c_filll,w_100", "unknown crop mode 'filll'", 2, "c_fill"),
    ("c_zoom", "unknown crop mode 'zoom'", 2, "known crop modes"),
    ("wdth_100", "unknown parameter 'wdth'", 0, "'w_' (width)"),
    ("width_100", "unknown parameter 'width'", 0, "w_100"),
    ("aspect_ratio_16:9", "unknown parameter 'aspect'", 0, "ar_16:9"),
    ("W_100", "unknown parameter 'W'", 0, "lowercase"),
    ("zz_1", "unknown parameter 'zz'", 0, "known parameters"),
    ("dppr_2", "unknown parameter 'dppr'", 0, "did you mean 'dpr_'"),
    ("c_fill/JPG", "unknown format 'JPG'", 7, "write 'jpg'"),
    ("w_", "parameter 'w' has an empty value", 2, "w_<value>"),
    ("w100", "parameter 'w100' has no value", 0, "key_value"),
    ("c_fill,w100", "parameter 'w100' has no value", 7, "key_value"),
    ("c_fill,,w_100", "empty parameter", 7, "','"),
    ("c_fill,", "empty parameter", 7, "','"),
    ("/c_fill", "starts with '/'", 0, "'/'"),
    ("c_fill//w_100", "empty component", 7, "'/'"),
    ("c_fill/jpg/w_100", "bare format 'jpg' must be the last component", 7, "f_jpg"),
    ("c_fill/jpgg", "unknown format 'jpgg'", 7, "jpg"),
    ("w_-100", "dimension cannot be negative", 2, ">= 0"),
    ("w_100px", "invalid dimension '100px'", 2, "pixels"),
    ("w_iw_dvi_2", "'dvi' is not an arithmetic operator", 5, "div"),
    ("w_iw_div", "expression ends with an operator", 8, "operand"),
    ("h_foo_mul_2", "'foo' is not a number", 2, "characteristics"),
    ("g_nrth", "unknown gravity 'nrth'", 2, "g_north"),
    ("g_auto:Subject", "invalid gravity option 'Subject'", 7, "lowercase"),
    ("q_auto:great", "unknown automatic quality level 'great'", 7, "good"),
    ("q_200", "quality 200 is out of range", 2, "1-100"),
    ("q_80:555", "unknown chroma subsampling '555'", 5, "444"),
    ("q_high", "invalid quality 'high'", 2, "q_auto"),
    ("f_jpgg", "unknown format 'jpgg'", 2, "f_jpg"),
    ("e_backgroundremoval", "unknown effect 'backgroundremoval'", 2, "e_background_removal"),
    ("e_sepai:50", "unknown effect 'sepai'", 2, "e_sepia"),
    ("e_sepia:", "effect 'sepia' has an empty argument", 8, "e_sepia"),
    ("e_shadow:<50>", "character '<' is not allowed in effect arguments", 9, "URL-encode"),
    ("l_text:Arial_60:Hello World", "a literal space in layer text", 21, "%20"),
    ("l_text:Arial_60:50%off", "'%' in layer text must start a %XX escape", 18, "%25"),
    ("l_text:Arial_60:caf\u00e9", "character '\u00e9' is not allowed in layer text", 19, "URL-encode"),
    ("l_text:Arial_60", "text layer needs a text after the style", 15, "text:<font>_<size>:<text>"),
    ("l_text::Hello", "text layer needs a font style", 7, "<font>_<size>"),
    ("l_text:Arial_60:", "text layer has an empty text", 16, "URL-encoded"),
    ("l_fetch:https:%2F%2Fexample.com", "must be base64url-encoded", 8, "encode"),
    ("l_fetch:", "fetch layer needs a URL", 8, "base64url"),
    ("l_logo::x", "empty segment in a layer's public ID", 7, "':'"),
    ("l_lo<go", "invalid layer public ID segment 'lo<go'", 2, "l_<public_id>"),
    ("fl_progresive", "unknown flag 'progresive'", 3, "fl_progressive"),
    ("fl_progressive..lossy", "empty flag", 15, "'.'"),
    ("fl_lossy.attachement", "unknown flag 'attachement'", 9, "fl_attachment"),
    ("bo_5_solid_black", "invalid border '5_solid_black'", 3, "bo_5px_solid_black"),
    ("bo_5px_solid_blak", "unknown colour 'blak'", 13, "black"),
    ("b_whit", "unknown colour 'whit'", 2, "white"),
    ("b_rgb:ff00", "", 0, ""),  # 4 hex digits is RGBA shorthand: valid, see below
    ("b_rgb:ff00z0", "invalid RGB colour 'rgb:ff00z0'", 2, "hex digits"),
    ("co_rgb:12345", "invalid RGB colour", 3, "hex"),
    ("r_1:2:3:4:5", "radius takes at most 4 values", 2, "r_<tl>"),
    ("r_big", "invalid radius 'big'", 2, "r_max"),
    ("a_sideways", "invalid angle 'sideways'", 2, "auto_right"),
    ("o_150", "opacity 150 is out of range", 2, "0-100"),
    ("x_left", "invalid value 'left'", 2, "number"),
    ("dpr_high", "invalid DPR 'high'", 4, "auto"),
    ("pg_two", "invalid page 'two'", 3, "pg_2"),
    ("dn_72.5", "invalid density '72.5'", 3, "whole number"),
    ("dl_-5", "invalid delay '-5'", 3, "whole number"),
    ("d_avatar png", "whitespace", 8, ""),
    ("d_a::b", "invalid default image", 4, "d_<public_id>"),
    ("cs_rgb", "unknown colour space 'rgb'", 3, "srgb"),
    ("so_two", "invalid start offset 'two'", 3, "seconds"),
    ("du_-5", "invalid duration '-5'", 3, "percentage"),
    ("vc_h266", "unknown video codec 'h266'", 3, "h264"),
    ("vc_h264:Main", "invalid video codec options", 8, "vc_<codec>"),
    ("ac_flac", "unknown audio codec 'flac'", 3, "known audio codecs"),
    ("br_fast", "invalid bit rate 'fast'", 3, "br_5m"),
    ("sp_HD", "invalid streaming profile name 'HD'", 3, "lowercase"),
    ("fps_fast", "invalid fps 'fast'", 4, "fps_24"),
    ("ki_0", "invalid keyframe interval '0'", 3, "positive"),
    ("af_44000", "unsupported audio frequency '44000'", 3, "af_44100"),
    ("fn_js:code", "invalid custom function 'js:code'", 3, "fn_wasm"),
    ("fn_wasm:", "invalid custom function 'wasm:'", 3, "fn_wasm"),
    ("fn_remote:http:x", "invalid remote function source", 10, "base64url"),
    ("if_w_gt_1000/c_scale", "conditional block is not closed", 20, "/if_end"),
    ("if_end", "if_end without an open if_ block", 0, "if_<condition>"),
    ("c_fill/if_else/e_sepia/if_end", "if_else without a preceding if_ condition", 7, "if_<condition>"),
    ("if_w_gt_1/c_fill/if_else/c_fit/if_else/c_pad/if_end", "second if_else", 31, "if_end"),
    ("if_w_gt_1/c_fill/if_end/if_end", "if_end without an open if_ block", 24, ""),
    ("if_w_gt_1/if_h_gt_1/c_fill/if_end", "conditional block is not closed", 33, "/if_end"),
    ("if_w_gtt_1000,c_fill", "'gtt' is not an operator", 5, "gt"),
    (
        "if_width_gt_1000,c_fill",
        "'width' is not a number, string, variable or asset characteristic",
        3,
        "characteristics",
    ),
    ("if_w_gt,c_fill", "condition ends with an operator", 7, "operand"),
    ("if_w,c_fill", "condition 'w' compares nothing", 3, "if_w_gt_1000"),
    ("if_w_gt_1_h_gt_2,c_fill", "'h' is not an operator", 10, "operators"),
    ("if_and_w_gt_1,c_fill", "'and' is not a number", 3, ""),
    ("if_w_gt_1_and,c_fill", "condition ends with an operator", 13, "operand"),
    ("if_w_gt_1_gt_2,c_fill", "second comparison 'gt' without and/or", 10, "_and_"),
    ("if_!sale_in_tags,c_fill", "unterminated '!' string", 3, "'!'"),
    ("if_w_eq_h,t_trans", "a named transformation cannot share a component with its condition", 10, "if_end"),
    ("$1w_100", "invalid variable name in '$1w_100'", 0, "start with a letter"),
    ("$w", "variable '$w' has no value", 2, "$w_<value>"),
    ("$w_", "variable '$w' has no value", 2, "$w_100"),
    ("$my-var_100", "invalid variable name in '$my-var_100'", 3, "letters and digits"),
    ("$w_100,$w_200", "parameter '$w' appears twice", 7, "chain"),
    ("t_", "parameter 't' has an empty value", 2, "t_<value>"),
    ("t_a..b", "invalid named transformation ''", 4, "chain with '.'"),
    ("t_my name", "whitespace", 4, ""),
    ("t_caf\u00e9", "invalid named transformation 'caf\u00e9'", 2, "letters, digits"),
    ("c_fill,w_100|c_fit", "'|' separates eager transformations", 12, "eager"),
    ("c_fill\tw_100", "whitespace", 6, ""),
    ("l_text:Arial_60:Hello/World", "unknown format 'World'", 22, "%252F"),
    ("l_text:Arial_60:Hello,World/e_sepia", "parameter 'World' has no value", 22, "%252C"),
    ("e_$1:100", "unknown effect '$1'", 2, ""),
    ("fps_24-$", "invalid fps '24-$'", 4, "fps_24-29.97"),
    ("so_35q", "invalid start offset '35q'", 3, "10p"),
    ("bl_a.", "invalid named transformation ''", 5, "chain"),
]

_INVALID_CASES = [case for case in INVALID if case[1]]


@pytest.mark.parametrize(("text", "message", "position", "hint"), _INVALID_CASES)
def test_invalid_strings_are_reported_precisely(text: str, message: str, position: int, hint: str) -> None:
    # refused (the shape is wrong) or warned (the vocabulary does not know it): either is precise
    try:
        error = parse(text).warnings[0]
    except TransformationSyntaxError as refused:
        error = refused
    assert message in error.message
    assert error.position == position
    assert hint in error.hint


def test_rgba_shorthand_is_a_colour() -> None:
    assert to_info("b_rgb:ff00") == [{"background": "rgb:ff00"}]


def test_variable_order_is_part_of_the_meaning() -> None:
    # Variables are evaluated in order ($b_$a needs $a first): reordering them is a change
    # the plan must apply, in every form the engine compares.
    assert canonical_string("$a_1,$b_$a") != canonical_string("$b_$a,$a_1")
    assert list(to_info("$a_1,$b_$a")[0]) == ["$a", "$b"]
    assert list(to_info("$b_$a,$a_1")[0]) == ["$b", "$a"]
    assert comparable("$a_1,$b_$a") != comparable("$b_$a,$a_1")
    assert comparable("c_fill,$b_2,$a_1") == "$b_2,$a_1,c_fill"
    # the live side keeps the order it is answered in, as a list or as keys
    live = canonical_info([{"variables": [["$b", "$a"], ["$a", 1]]}])
    assert comparable(live) == comparable("$b_$a,$a_1") != comparable("$a_1,$b_$a")
    assert comparable([{"$a": 1, "$b": "$a"}]) == comparable("$a_1,$b_$a")


# --------------------------------------------------------------------------------------------
# References, eager lists, re-serialisation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("t_product_images", ["product_images"]),
        ("c_fill,w_100/t_watermark", ["watermark"]),
        ("t_a.b/e_sepia/t_c", ["a", "b", "c"]),
        ("t_a/t_a", ["a"]),
        ("c_fill,w_100", []),
        ("t_thumb|t_large,f_auto", ["thumb", "large"]),
        ("if_w_gt_100/t_big/if_else/t_small/if_end", ["big", "small"]),
        ("l_t_logo", []),  # a layer whose public ID starts with t_ is not a reference
    ],
)
def test_named_references(text: str, names: list[str]) -> None:
    assert named_references(text) == names


def test_named_references_reports_positions_in_eager_lists() -> None:
    with pytest.raises(TransformationSyntaxError) as caught:
        named_references("c_fill,w_100|c_fill,")
    assert caught.value.position == 20


def test_split_eager() -> None:
    assert split_eager("c_fill,w_320|c_fill,w_768") == ["c_fill,w_320", "c_fill,w_768"]
    assert split_eager("c_fill,w_320") == ["c_fill,w_320"]
    with pytest.raises(TransformationSyntaxError) as caught:
        split_eager("c_fill,w_320||w_1")
    assert caught.value.position == 13


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ([{"width": 100, "crop": "scale"}], "c_scale,w_100"),
        (
            [{"crop": "fill", "width": 320}, {"fetch_format": "auto", "quality": "auto"}],
            "c_fill,w_320/f_auto,q_auto",
        ),
        ([{"crop": "scale", "width": 102, "extension": "none"}], "c_scale,w_102/"),
        ([{"crop": "scale", "extension": "jpg"}], "c_scale/jpg"),
        ([{"transformation": "product_images"}], "t_product_images"),
        ([{"bit_rate": "5m", "height": 1200, "width": 1200, "crop": "limit"}], "br_5m,c_limit,h_1200,w_1200"),
        ([{"opacity": 0.5, "width": 1.0}], "o_0.5,w_1.0"),
        ([{"flags": ["progressive", "lossy"]}], "fl_progressive.lossy"),
        ([{"width": "$w", "$w": 100, "if": "w_gt_10"}], "if_w_gt_10,$w_100,w_$w"),
        ([{"variables": [["$z", 5], ["$foo", "$z_mul_2"]], "crop": "scale"}], "$z_5,$foo_$z_mul_2,c_scale"),
    ],
)
def test_info_to_string(info: list[dict[str, object]], expected: str) -> None:
    assert info_to_string(info) == expected
    assert canonical_info(info) == to_info(expected)


def test_info_to_string_rejects_unknown_names_and_misplaced_extension() -> None:
    with pytest.raises(TransformationSyntaxError, match="unknown transformation parameter 'new_name'"):
        info_to_string([{"new_name": 100}])
    assert info_to_string([{"wdith": 100}]) == "wdith_100"  # an unknown key, rendered as written
    with pytest.raises(TransformationSyntaxError, match="only allowed on the last step"):
        info_to_string([{"crop": "fill", "extension": "jpg"}, {"width": 100}])
    assert info_to_string([{"crop": "nonsense"}]) == "c_nonsense"  # unknown to us, not refused


# --------------------------------------------------------------------------------------------
# Properties over generated strings
# --------------------------------------------------------------------------------------------

_INTEGER_LITERAL = re.compile(r"-?\d+")
_DECIMAL_LITERAL = re.compile(r"-?\d+\.\d+")


def _server_value(raw: str, rng: random.Random) -> object:
    """How the API answers a raw value: integers and decimals as JSON numbers, the rest as written."""
    if _INTEGER_LITERAL.fullmatch(raw):
        return int(raw) if rng.random() < 0.8 else raw
    if _DECIMAL_LITERAL.fullmatch(raw):
        return float(raw)
    return raw


def _server_style_info(text: str, seed: int = 0) -> list[dict[str, object]]:
    """A GET-transformation-style info for ``text``: long names, JSON numbers, keys shuffled.

    Built from the parse (the split into components and params), not from to_info, and passed
    through a JSON round trip like a real response.
    """
    rng = random.Random(seed)
    info: list[dict[str, object]] = []
    for component in parse(text).components:
        entry: dict[str, object] = {}
        for param in component.params:
            name = param.key if param.key.startswith("$") else SHORT_TO_LONG[param.key]
            entry[name] = _server_value(param.value, rng)
        if component.extension is not None:
            entry["extension"] = component.extension or "none"
        items = list(entry.items())
        rng.shuffle(items)
        info.append(dict(items))
    decoded: list[dict[str, object]] = json.loads(json.dumps(info))
    return decoded


@settings(max_examples=300, deadline=None)
@given(text=transformation_strings(), seed=st.integers(min_value=0, max_value=2**16))
def test_generated_strings_agree_with_their_server_info(text: str, seed: int) -> None:
    assert to_info(text) == canonical_info(_server_style_info(text, seed))


@settings(max_examples=300, deadline=None)
@given(text=transformation_strings())
def test_canonical_string_is_idempotent_and_keeps_meaning(text: str) -> None:
    canonical = canonical_string(text)
    assert canonical_string(canonical) == canonical
    assert to_info(canonical) == to_info(text)


@settings(max_examples=200, deadline=None)
@given(text=transformation_strings(), seed=st.integers(min_value=0, max_value=2**16))
def test_info_round_trips_through_a_string(text: str, seed: int) -> None:
    rendered = info_to_string(_server_style_info(text, seed))
    assert to_info(rendered) == to_info(text)


@settings(max_examples=200, deadline=None)
@given(text=transformation_strings(), data=st.data())
def test_shuffling_params_within_a_component_does_not_change_meaning(text: str, data: st.DataObject) -> None:
    components = parse(text).components
    pieces: list[str] = []
    for component in components:
        params = [str(p) for p in component.params]
        fixed = [p for p in params if p.startswith(("if_", "$"))]
        movable = [p for p in params if not p.startswith(("if_", "$"))]
        pieces.append(",".join(fixed + data.draw(st.permutations(movable))))
        if component.extension is not None:
            pieces.append(component.extension)
    assert canonical_string("/".join(pieces)) == canonical_string(text)


@settings(max_examples=100, deadline=None)
@given(eager=eager_strings())
def test_eager_lists_split_into_valid_transformations(eager: str) -> None:
    pieces = split_eager(eager)
    assert "|".join(pieces) == eager
    names: list[str] = []
    for piece in pieces:
        for name in named_references(piece):
            if name not in names:
                names.append(name)
    assert named_references(eager) == names


@settings(max_examples=200, deadline=None)
@given(text=transformation_strings())
def test_the_canonical_info_renders_back_to_the_same_transformation(text: str) -> None:
    canonical: list[dict[str, object]] = [dict(step) for step in to_info(text)]
    assert to_info(info_to_string(canonical)) == to_info(text)

"""Hypothesis strategies for valid Cloudinary transformation strings.

Only well-evidenced spellings are generated (forms the SDK itself emits or the docs show), since
other suites send these strings to the emulator: accepted-but-unusual spellings (`b_#ff0000`,
`so_35%`) are covered by the unit tests instead.

`transformation_strings()` draws chained transformations from the grammar that
`cloudinary_state.transformation` accepts: resize and crop, gravity, effects with arguments,
layers (public IDs, text, fetch) with `fl_layer_apply`, flags, colours, arithmetic and
variables, conditional blocks, named references and a trailing format or slash. Other
property tests import it, so every string it yields must parse.
"""

from __future__ import annotations

from hypothesis import strategies as st

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True).filter(lambda s: not s.endswith("_"))
VARIABLE_NAMES = st.from_regex(r"\$[a-z][a-zA-Z0-9]{0,6}", fullmatch=True)

integers = st.integers(min_value=0, max_value=4000).map(str)
signed_integers = st.integers(min_value=-500, max_value=500).map(str)
decimals = st.decimals(min_value=0, max_value=3, places=2, allow_nan=False, allow_infinity=False).map(
    lambda d: format(d, "f")
)
percent = st.integers(min_value=0, max_value=100).map(str)

colors = st.one_of(
    st.sampled_from(["white", "black", "red", "transparent", "lightblue", "WHITE"]),
    st.from_regex(r"rgb:[0-9a-fA-F]{6}", fullmatch=True),
    st.from_regex(r"rgb:[0-9a-f]{3}", fullmatch=True),
)

expressions = st.builds(
    lambda a, op, b: f"{a}_{op}_{b}",
    st.sampled_from(["iw", "ih", "w", "h", "$size"]),
    st.sampled_from(["div", "mul", "add", "sub"]),
    st.one_of(st.integers(1, 9).map(str), st.sampled_from(["0.5", "0.50", "1.5"])),
)

dimensions = st.one_of(integers, decimals, expressions, st.just("$size"))

VALUES: dict[str, st.SearchStrategy[str]] = {
    "c": st.sampled_from(
        ["fill", "pad", "lpad", "mpad", "fit", "mfit", "limit", "scale", "crop", "thumb", "auto", "fill_pad"]
    ),
    "g": st.sampled_from(
        [
            "auto",
            "auto:subject",
            "face",
            "faces",
            "center",
            "north_east",
            "south",
            "custom",
            "ocr_text",
            "cat",
        ]
    ),
    "w": st.one_of(dimensions, st.just("auto")),
    "h": dimensions,
    "ar": st.one_of(st.sampled_from(["16:9", "1:1", "4:3"]), decimals.filter(lambda d: d != "0.00")),
    "q": st.one_of(
        st.sampled_from(["auto", "auto:good", "auto:best", "auto:eco", "80:444"]),
        st.integers(1, 100).map(str),
    ),
    "f": st.sampled_from(["auto", "webp", "avif", "jpg", "png"]),
    "e": st.one_of(
        st.sampled_from(
            ["background_removal", "shadow", "grayscale", "trim", "gen_fill", "sepia", "improve"]
        ),
        st.builds(
            lambda name, n: f"{name}:{n}",
            st.sampled_from(["shadow", "sharpen", "blur", "sepia", "colorize", "volume", "brightness"]),
            st.integers(-100, 300).map(str),
        ),
        st.just("gen_remove:prompt_phone"),
        st.just("$effect:100"),
    ),
    "b": st.one_of(colors, st.sampled_from(["auto", "auto:predominant", "blurred:400:15"])),
    "co": colors,
    "bo": st.builds(lambda n, c: f"{n}px_solid_{c}", st.integers(1, 20), colors),
    "r": st.one_of(st.just("max"), integers, st.just("20:0:20:0")),
    "a": st.one_of(signed_integers, st.sampled_from(["auto_right", "auto_left", "vflip", "90.hflip"])),
    "o": percent,
    "x": st.one_of(signed_integers, decimals),
    "y": st.one_of(signed_integers, decimals),
    "z": decimals.filter(lambda d: d != "0.00"),
    "dpr": st.one_of(st.sampled_from(["auto", "2.0", "1.5", "3"])),
    "fl": st.lists(
        st.sampled_from(["progressive", "lossy", "attachment", "relative", "keep_iptc", "strip_profile"]),
        min_size=1,
        max_size=3,
        unique=True,
    ).map(".".join),
    "pg": st.sampled_from(["2", "1-3", "1;3;5"]),
    "dn": st.integers(72, 600).map(str),
    "d": st.sampled_from(["avatar.png", "defaults:missing.jpg"]),
    "so": st.sampled_from(["2.5", "10p", "auto", "0", "35.5p"]),
    "eo": st.sampled_from(["10", "90p", "3.50", "70.5p"]),
    "du": st.sampled_from(["5", "30p", "2.0", "$length"]),
    "vc": st.sampled_from(["h264", "h265:main:3.1", "vp9", "auto", "none"]),
    "ac": st.sampled_from(["none", "aac", "mp3"]),
    "br": st.sampled_from(["5m", "500k", "2m:constant"]),
    "sp": st.sampled_from(["hd", "full_hd", "4k"]),
    "fps": st.sampled_from(["24", "24-29.97", "25-", "-24", "24-$max"]),
    "ki": st.sampled_from(["2.0", "1", "0.5"]),
    "af": st.sampled_from(["44100", "22050", "iaf"]),
    "dl": st.integers(0, 500).map(str),
    "cs": st.sampled_from(["srgb", "no_cmyk", "tinysrgb"]),
    "vs": st.sampled_from(["20", "2.3s"]),
    "fn": st.sampled_from(["wasm:blur.wasm", "remote:aHR0cHM6Ly9teS5leGFtcGxlLmNvbS9mbg=="]),
}

PARAM_KEYS = sorted(VALUES)

layer_sources = st.one_of(
    NAMES,
    st.builds(lambda folder, name: f"{folder}:{name}", NAMES, NAMES),
    st.builds(
        lambda font, size, text: f"text:{font}_{size}:{text}",
        st.sampled_from(["Arial", "arial", "Roboto"]),
        st.integers(8, 120),
        st.sampled_from(["Hello", "Hello%20World", "50%25%20off", "Sale%21"]),
    ),
    st.just("fetch:aHR0cHM6Ly9leGFtcGxlLmNvbS9sb2dvLnBuZw=="),
    st.builds(lambda name: f"video:{name}", NAMES),
)


@st.composite
def parameter_components(draw: st.DrawFn) -> str:
    """One component of 1-5 distinct parameters, in random order, maybe with variables."""
    keys = draw(st.lists(st.sampled_from(PARAM_KEYS), min_size=1, max_size=5, unique=True))
    params = [f"{key}_{draw(VALUES[key])}" for key in keys]
    if draw(st.booleans()) and draw(st.booleans()):
        name = draw(VARIABLE_NAMES)
        value = draw(st.one_of(integers, decimals, st.just("!text!"), expressions))
        params.insert(0, f"{name}_{value}")
    return ",".join(params)


@st.composite
def layer_components(draw: st.DrawFn) -> list[str]:
    """An overlay/underlay, optionally with a component applying it."""
    kind = draw(st.sampled_from(["l", "u"]))
    first = f"{kind}_{draw(layer_sources)}"
    if draw(st.booleans()):
        first += f",w_{draw(integers)}"
    if draw(st.booleans()):
        apply = ["fl_layer_apply"]
        if draw(st.booleans()):
            apply.append(f"g_{draw(VALUES['g'])}")
        return [first, ",".join(apply)]
    return [first]


@st.composite
def conditional_block(draw: st.DrawFn) -> list[str]:
    condition = draw(
        st.sampled_from(
            ["w_gt_1000", "ar_gt_1.0", "iw_lte_400", "fc_gte_1", "ar_gt_3:4_and_w_gt_300", "!sale!_in_tags"]
        )
    )
    body = draw(st.lists(parameter_components(), min_size=1, max_size=2))
    parts = [f"if_{condition}", *body]
    if draw(st.booleans()):
        parts += ["if_else", draw(parameter_components())]
        if draw(st.booleans()) and draw(st.booleans()):
            return parts  # if_else also ends the if branch; the else branch runs to the end
    return [*parts, "if_end"]


@st.composite
def transformation_strings(draw: st.DrawFn) -> str:
    """A valid chained transformation string."""
    steps: list[str] = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        choice = draw(st.integers(min_value=0, max_value=9))
        if choice <= 5:
            steps.append(draw(parameter_components()))
        elif choice == 6:
            steps.extend(draw(layer_components()))
        elif choice == 7:
            steps.extend(draw(conditional_block()))
        elif choice == 8:
            names = draw(st.lists(NAMES, min_size=1, max_size=2))
            steps.append("t_" + ".".join(names))
        else:
            condition = draw(st.sampled_from(["w_gt_100", "h_lt_50"]))
            steps.append(f"if_{condition},{draw(parameter_components())}")
    ending = draw(st.sampled_from(["", "", "", "/", "/jpg", "/webp"]))
    return "/".join(steps) + ending


def eager_strings(max_size: int = 4) -> st.SearchStrategy[str]:
    """An eager list as one string: valid transformations joined by '|'."""
    return st.lists(transformation_strings(), min_size=1, max_size=max_size).map("|".join)

"""Properties of rendering: a body is exactly what the user set, minus what the add-ons strip."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudinary_state.addons import ADDONS
from cloudinary_state.config import load_environment
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.upload_presets.addon_options import addon_for, elements

OPTION_VALUES: dict[str, list[Any]] = {
    "folder": ["products", "a/b"],
    "use_filename": [True, False],
    "unique_filename": [True, False],
    "overwrite": [True, False],
    "tags": [["a"], ["a", "b"], "a,b"],
    "context": [{"alt": "x"}, "alt=x|caption=y"],
    "transformation": ["c_limit,w_2000", "t_thumb/f_auto"],
    "eager": [["w_100", "t_thumb"], "w_100|w_200"],
    "allowed_formats": [["jpg", "png"]],
    "categorization": ["google_tagging", "aws_rek_tagging", "google_tagging,imagga_tagging:fr"],
    "detection": ["captioning", "coco_v2,adv_face"],
    "auto_tagging": [0.5, 0.9],
    "moderation": ["manual", "aws_rek|manual", "webpurify"],
    "background_removal": ["cloudinary_ai", "pixelz"],
    "ocr": ["adv_ocr"],
    "raw_convert": ["extract_text", "aspose"],
    "access_control": [
        [{"access_type": "token"}],
        [{"access_type": "anonymous", "start": "2026-01-01T00:00:00Z"}],
    ],
    "notification_url": ["https://hooks.example.com/x"],
}

presets = st.dictionaries(st.sampled_from(sorted(OPTION_VALUES)), st.none(), min_size=1, max_size=8).flatmap(
    lambda keys: st.fixed_dictionaries({k: st.sampled_from(OPTION_VALUES[k]) for k in keys})
)
toggles = st.dictionaries(st.sampled_from(sorted(ADDONS)), st.booleans())


def expected(settings: dict[str, Any], addons: dict[str, bool]) -> dict[str, Any]:
    """The strip rule written out directly, as the docs state it: only an add-on turned off
    strips; one the environment does not mention is unknown and keeps its options."""
    out = dict(settings)
    for option in ("categorization", "detection", "moderation", "background_removal", "ocr", "raw_convert"):
        if option in out:
            separator = "|" if option == "moderation" else ","
            kept = [
                e
                for e in elements(option, out[option])
                if (a := addon_for(option, e)) is None or addons.get(a) is not False
            ]
            if kept:
                out[option] = (
                    separator.join(kept) if len(kept) != len(elements(option, out[option])) else out[option]
                )
            else:
                del out[option]
    if "auto_tagging" in out and "categorization" not in out and "detection" not in out:
        del out["auto_tagging"]
    return out


@settings(max_examples=120, deadline=None)
@given(presets, toggles)
def test_body_is_what_was_written_minus_stripped_options(
    preset: dict[str, Any], addons: dict[str, bool]
) -> None:
    if "auto_tagging" in preset and not {"categorization", "detection"} & set(preset):
        preset = {**preset, "categorization": "google_tagging"}
    resources = {
        "transformations": {"thumb": {"transformation": "c_fill,w_100"}},
        "upload_presets": {"p": {"settings": preset}},
    }
    env = {"cloud_name": "demo", "credentials": "C", "include": ["r.yaml"], "addons": addons}
    with TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "environments").mkdir()
        (root / "environments" / "e.yaml").write_text(yaml.safe_dump(env))
        (root / "environments" / "r.yaml").write_text(yaml.safe_dump(resources))
        state = load_environment(root, "e", REGISTRY, environ={})
    body = state.by_kind("upload_preset")["p"].body
    assert body == {"settings": expected(preset, addons)}
    stripped = state.by_kind("upload_preset")["p"].stripped_options
    assert all(addons.get(a) is False for s in stripped for a in s.addon.split(","))
    assert state.by_kind("transformation")["thumb"].body == {"transformation": "c_fill,w_100"}

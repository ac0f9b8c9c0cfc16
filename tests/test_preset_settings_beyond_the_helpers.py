"""Every setting of the upload-preset catalogue can be managed (issue 11, part 3): the settings
pycloudinary's create/update_upload_preset helpers drop (`access_mode`, `clear_invalid`,
`parameter_whitelist`, and `headers`, which collides with the helper's own argument) go through
the SDK's lower-level JSON call, with the body the helpers would have built, and converge on the
emulator (apply, then an empty plan; changed, then applied again)."""

from __future__ import annotations

from typing import Any

import cloudinary.utils
import pytest
from support.harness import BASE_RESOURCES, CLOUD, Harness

from cloudinary_state.kinds.upload_presets.catalogue import NOT_BY_HELPER
from cloudinary_state.kinds.upload_presets.kind import serialise_settings, wire_body

BEYOND = {
    "access_mode": "authenticated",
    "clear_invalid": True,
    "parameter_whitelist": ["folder", "tags"],
    "headers": {"X-Robots-Tag": "noindex", "Link": "<https://example.test/a>; rel=canonical"},
}
# settings of every shape beside them, so that the lower-level body is checked for each
BESIDE: dict[str, Any] = {
    "folder": "product_assets",
    "use_filename": True,
    "overwrite": False,
    "tags": ["product", "catalog"],
    "context": {"alt": "a=b|c"},
    "transformation": "c_fill,w_100/e_sepia",
    "eager": ["c_scale,w_400", "t_thumb/jpg"],
    "auto_tagging": 0.5,
    "categorization": "google_tagging",
    "access_control": [{"access_type": "anonymous", "start": "2030-01-01T00:00:00Z"}],
    "face_coordinates": [[10, 20, 30, 40]],
    "disallow_public_id": True,
}


def _with_preset(settings: dict[str, Any], unsigned: bool = False) -> dict[str, Any]:
    presets = {"beyond": {"unsigned": unsigned, "settings": settings}}
    return {**BASE_RESOURCES, "upload_presets": {**BASE_RESOURCES["upload_presets"], **presets}}


def test_the_dropped_settings_are_exactly_four() -> None:
    assert set(BEYOND) == NOT_BY_HELPER


def test_the_lower_level_body_is_what_the_helpers_build() -> None:
    # for the settings the helpers do send, the body holds what they would put in it
    params = serialise_settings("p", BESIDE)
    built = cloudinary.utils.cleanup_params(cloudinary.utils.build_upload_params(**params))
    built.update({k: params[k] for k in ("disallow_public_id",)})  # sent beside, as JSON booleans
    built.pop("timestamp")
    body = wire_body("p", {"settings": BESIDE}, with_name=True)
    assert body.pop("name") == "p" and body.pop("unsigned") is False
    assert body == built


@pytest.mark.parametrize("key", sorted(BEYOND))
def test_each_dropped_setting_converges(harness: Harness, key: str) -> None:
    harness.write(_with_preset({**BESIDE, key: BEYOND[key]}))
    harness.apply("test")
    assert harness.plan_is_empty("test")
    preset = harness.sdk(CLOUD, "upload_preset", "beyond")
    assert key in preset["settings"], preset
    # and an update that keeps it, changes it, then drops it converges too
    harness.write(_with_preset({**BESIDE, "folder": "elsewhere", key: BEYOND[key]}, unsigned=True))
    harness.apply("test")
    assert harness.plan_is_empty("test")
    harness.write(_with_preset(BESIDE))
    harness.apply("test")
    assert harness.plan_is_empty("test")
    assert key not in harness.sdk(CLOUD, "upload_preset", "beyond")["settings"]


def test_all_four_together_validate_strictly_and_converge(harness: Harness) -> None:
    harness.write(_with_preset({**BESIDE, **BEYOND, "parameter_whitelist": "none"}))
    strict = harness.run("validate", "--env", "test", "--strict")
    assert strict.code == 0, strict.out + strict.err
    harness.apply("test")
    assert harness.plan_is_empty("test")
    writes = [w for w in harness.writes() if "upload_presets" in w]
    assert "POST upload_presets" in writes

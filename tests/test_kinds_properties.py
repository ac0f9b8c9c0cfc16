"""Property tests of the kinds through the real SDK: whatever valid shape is written and however
the server answers, a create or an update reads back canonically equal to the config."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from deepdiff import DeepDiff
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.kinds_emulator import emulated, obj
from support.strategies_transformation import transformation_strings

from cloudinary_state.client import AdminClient
from cloudinary_state.emulator import EmulatorServer
from cloudinary_state.kinds._common import paginate
from cloudinary_state.kinds.metadata_fields import METADATA_FIELDS
from cloudinary_state.kinds.upload_presets import UPLOAD_PRESETS

# One emulated cloud for all examples (a server start/stop per example is slow); each example
# works on objects with fresh names.
_names = itertools.count()


@pytest.fixture(scope="module")
def cloud() -> Iterator[tuple[EmulatorServer, AdminClient]]:
    with emulated() as pair:
        yield pair


WORDS = st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True)
TEXT = st.text(alphabet="abcXYZ 019=|,:-_", min_size=1, max_size=12).filter(lambda s: s.strip() == s and s)


def _bool_shape(value: bool) -> st.SearchStrategy[Any]:
    return st.sampled_from([value, "true" if value else "false", "1" if value else "0"])


def _list_shape(items: list[str]) -> st.SearchStrategy[Any]:
    return st.sampled_from([items, ",".join(items)])


@st.composite
def preset_settings(draw: st.DrawFn) -> dict[str, Any]:
    """A random subset of the settings catalogue, each in one of the shapes a user may write."""
    candidates: dict[str, st.SearchStrategy[Any]] = {
        "folder": WORDS,
        "asset_folder": WORDS,
        "public_id_prefix": WORDS,
        "use_filename": st.booleans().flatmap(_bool_shape),
        "unique_filename": st.booleans().flatmap(_bool_shape),
        "overwrite": st.booleans().flatmap(_bool_shape),
        "colors": st.booleans().flatmap(_bool_shape),
        "disallow_public_id": st.booleans().flatmap(_bool_shape),
        "tags": st.lists(WORDS, min_size=1, max_size=3, unique=True).flatmap(_list_shape),
        "allowed_formats": st.lists(st.sampled_from(["jpg", "png", "webp"]), min_size=1, unique=True).flatmap(
            _list_shape
        ),
        "context": st.dictionaries(WORDS, TEXT, min_size=1, max_size=3),
        "transformation": transformation_strings(),
        "eager": st.lists(transformation_strings(), min_size=1, max_size=2),
        "auto_tagging": st.sampled_from([0.5, 0.7, 1, "0.6"]),
        "categorization": st.just("google_tagging"),
        "access_control": st.sampled_from(
            [[{"access_type": "anonymous"}], '[{"access_type": "token"}]', {"access_type": "anonymous"}]
        ),
        "notification_url": st.just("https://hooks.example/x"),
        "live": st.booleans().flatmap(_bool_shape),
        "moderation": st.just("manual"),
        "face_coordinates": st.sampled_from([[[1, 2, 3, 4]], "10,20,30,40|1,2,3,4"]),
        "regions": st.sampled_from([{"box": [[1, 2], [3, 4]]}, '{"box": [[5, 6], [7, 8]]}']),
        "auto_transcription": st.sampled_from([True, False, {"translate": ["fr"]}]),
        "responsive_breakpoints": st.just([{"create_derived": True, "max_width": 1000, "bytes_step": 20000}]),
        "eval": st.just("upload_options['tags'] = 'x'"),
    }
    keys = draw(st.lists(st.sampled_from(sorted(candidates)), min_size=1, max_size=8, unique=True))
    if "auto_tagging" in keys and "categorization" not in keys:
        keys.append("categorization")  # the server drops auto_tagging without a tagging add-on option
    return {key: draw(candidates[key]) for key in keys}


def _create_referenced(api: Any, desired: Any) -> None:
    """Named references (t_NAME drawn by the grammar strategy) must exist before the preset."""
    existing = {item["name"] for item in paginate(api, "transformations", "transformations", named=True)}
    for kind, name in UPLOAD_PRESETS.references(desired):
        if kind == "transformation" and f"t_{name}" not in existing:
            api.call("create_transformation", name, "w_10")
            existing.add(f"t_{name}")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=preset_settings(), second=preset_settings(), unsigned=st.booleans())
def test_preset_create_and_update_read_back_equal(
    cloud: tuple[EmulatorServer, AdminClient], first: dict[str, Any], second: dict[str, Any], unsigned: bool
) -> None:
    emu, api = cloud
    emu.reset_budget()  # many examples share one cloud: each gets a fresh hourly budget
    name = f"p{next(_names)}"
    created = obj("upload_preset", name, {"settings": first})
    _create_referenced(api, created)
    UPLOAD_PRESETS.create(api, name, created.body)
    for live in (UPLOAD_PRESETS.read_all(api, 2)[name], UPLOAD_PRESETS.read_one(api, name)):
        assert live is not None
        assert DeepDiff(UPLOAD_PRESETS.canonical_desired(created), dict(live.canonical)) == {}
        exported = obj("upload_preset", name, UPLOAD_PRESETS.export(live))
        assert UPLOAD_PRESETS.canonical_desired(exported) == dict(live.canonical)

    updated = obj("upload_preset", name, {"unsigned": unsigned, "settings": second})
    _create_referenced(api, updated)
    assert live is not None
    UPLOAD_PRESETS.update(api, name, updated.body, live)
    for live in (UPLOAD_PRESETS.read_all(api, 2)[name], UPLOAD_PRESETS.read_one(api, name)):
        assert live is not None
        assert DeepDiff(UPLOAD_PRESETS.canonical_desired(updated), dict(live.canonical)) == {}


VALUE_TEXTS = st.sampled_from(["Alpha", "Beta", "Gamma", "Delta", "alpha", "Zulu", "Echo", "Mike"])


@st.composite
def datasources(draw: st.DrawFn) -> list[dict[str, str]]:
    ids = draw(st.lists(st.sampled_from(list("abcdefgh")), min_size=0, max_size=6, unique=True))
    values = [{"external_id": i, "value": draw(VALUE_TEXTS)} for i in ids]
    arrangement = draw(st.sampled_from(["as drawn", "asc", "desc"]))
    if arrangement != "as drawn":
        values.sort(key=lambda v: v["value"], reverse=arrangement == "desc")
    return values


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    field_type=st.sampled_from(["enum", "set"]),
    before=datasources(),
    edits=st.lists(datasources(), min_size=1, max_size=3),
)
def test_datasource_edits_converge_through_the_datasource_endpoints(
    cloud: tuple[EmulatorServer, AdminClient],
    field_type: str,
    before: list[dict[str, str]],
    edits: list[list[dict[str, str]]],
) -> None:
    emu, api = cloud
    emu.reset_budget()
    kind = METADATA_FIELDS
    name = f"f{next(_names)}"
    kind.create(api, name, {"type": field_type, "label": "F", "datasource": {"values": before}})
    for values in edits:
        desired = obj(
            "metadata_field", name, {"type": field_type, "label": "F", "datasource": {"values": values}}
        )
        live = kind.read_one(api, name)
        assert live is not None
        kind.update(api, name, desired.body, live)
        after = kind.read_one(api, name)
        assert after is not None
        want = kind.canonical_desired(desired)
        residual = DeepDiff(want, dict(kind.comparable_live(want, after.canonical)))
        assert residual == {}
    # the field was created once and never recreated for datasource changes
    creates = [r for r in emu.request_log if (r.method, r.path) == ("POST", "metadata_fields")]
    assert [r.query_and_body_params["external_id"] for r in creates].count(name) == 1

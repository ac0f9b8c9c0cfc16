"""The core property over generated configs of all four kinds, through the loader, the real
SDK and the emulator: apply, then the plan is empty and a second apply writes nothing; then a
random edit (another generated config), apply, and the plan is empty again."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies_transformation import transformation_strings

from cloudinary_state.client import AdminClient, Credentials
from cloudinary_state.config import load_environment
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.engine.apply import apply_steps, build_steps
from cloudinary_state.engine.live import read_live
from cloudinary_state.engine.plan import Plan, build_plan, default_kinds
from cloudinary_state.transformation import named_references

CLOUD = "acme-prop"
names = st.from_regex(r"[a-z][a-z0-9_]{0,8}[a-z0-9]", fullmatch=True)
# a transformation named t_x would read as a reference to x: the config rejects the prefix
transformation_names = names.filter(lambda n: not n.startswith("t_"))
labels = st.text(st.characters(codec="ascii", categories=("L", "N", "Zs")), min_size=1, max_size=20).map(
    lambda s: s.strip() or "label"
)
plain_transformations = transformation_strings().filter(lambda s: not named_references(s))


@st.composite
def metadata_fields(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["string", "integer", "date", "enum", "set"]))
    field: dict[str, Any] = {"type": kind, "label": draw(labels)}
    if draw(st.booleans()):
        field["restrictions"] = {"readonly_ui": draw(st.booleans())}
    if kind == "string" and draw(st.booleans()):
        field["validation"] = {
            "type": "strlen",
            "min": draw(st.integers(0, 3)),
            "max": draw(st.integers(4, 64)),
        }
    if kind == "integer" and draw(st.booleans()):
        field["validation"] = {
            "type": "less_than",
            "value": draw(st.integers(1, 1000)),
            "equals": draw(st.booleans()),
        }
    if kind in ("enum", "set"):
        ids = draw(st.lists(names, min_size=1, max_size=4, unique=True))
        field["datasource"] = {"values": [{"external_id": i, "value": draw(labels)} for i in ids]}
    return field


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    transformations = draw(
        st.dictionaries(
            transformation_names, plain_transformations.map(lambda s: {"transformation": s}), max_size=3
        ).filter(lambda d: all(body["transformation"] != name for name, body in d.items()))
    )
    presets = {}
    for name in draw(st.lists(names, max_size=2, unique=True)):
        settings_: dict[str, Any] = {"folder": draw(names)}
        if draw(st.booleans()):
            settings_["tags"] = draw(st.lists(names, min_size=1, max_size=3, unique=True))
        if draw(st.booleans()):
            settings_["use_filename"] = draw(st.booleans())
        if transformations and draw(st.booleans()):
            settings_["transformation"] = "t_" + draw(st.sampled_from(sorted(transformations)))
        if draw(st.booleans()):
            settings_["categorization"] = "google_tagging"
            settings_["auto_tagging"] = draw(st.sampled_from([0.5, 0.7, 0.9]))
        presets[name] = {"unsigned": draw(st.booleans()), "settings": settings_}
    mappings = draw(
        st.dictionaries(names, names.map(lambda n: {"template": f"https://m.example.test/{n}/"}), max_size=2)
    )
    return {
        "metadata_fields": draw(st.dictionaries(names, metadata_fields(), max_size=3)),
        "transformations": transformations,
        "upload_presets": presets,
        "upload_mappings": mappings,
    }


def converge(config_dir: Path, resources: dict[str, Any], client: AdminClient) -> Plan:
    (config_dir / "environments" / "common" / "r.yaml").write_text(yaml.safe_dump(resources))
    desired = load_environment(config_dir, "prop", environ={})
    kinds = default_kinds()
    live = read_live(client, kinds, policy=desired.policy)
    plan = build_plan(desired, live, kinds=kinds)
    by_key = {(k, n): o for k, objects in live.items() for n, o in objects.items()}
    declared = {(o.kind, o.name): o for o in desired.objects}
    apply_steps(client, build_steps(plan.changes, declared, by_key), kinds)
    return build_plan(desired, read_live(client, kinds, policy=desired.policy), kinds=kinds)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=configs(), second=configs())
def test_apply_then_plan_is_empty_and_stays_empty_after_an_edit(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config_dir = Path(tmp)
        (config_dir / "environments" / "common").mkdir(parents=True)
        env = {
            "cloud_name": CLOUD,
            "credentials": "UNUSED",
            "include": ["common/*.yaml"],
            "addons": {"google_tagging": True},
        }
        (config_dir / "environments" / "prop.yaml").write_text(yaml.safe_dump(env))
        cloud = CloudConfig(name=CLOUD, addons=frozenset({"google_tagging"}))
        with EmulatorServer([cloud]) as emu:
            client = AdminClient(Credentials.from_url(emu.cloudinary_url(CLOUD)))
            after_first = converge(config_dir, first, client)
            assert after_first.changes == (), after_first.changes
            after_edit = converge(config_dir, second, client)
            assert after_edit.changes == (), after_edit.changes
            emu.clear_log()
            again = converge(config_dir, second, client)
            assert again.changes == ()
            assert [r for r in emu.request_log if r.method != "GET"] == []

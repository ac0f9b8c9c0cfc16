"""The core property over generated configs of every kind, through the loader, the real
SDK and the emulator: apply, then the plan is empty and a second apply writes nothing; then a
random edit (another generated config), apply, and the plan is empty again. An edit that
changes a metadata field's type is refused with nothing written; the edit as the refusal
advises (the field under a new external_id, the old one tombstoned) converges.

The configs cover fields of every type with defaults and validation rules (strlen, comparisons,
`and`), and presets with flags, lists, context, metadata fitting the declared fields,
incoming and eager transformations, access control and an add-on option, metadata rules
with atomic and nested conditions and every result form, and streaming profiles whose
representations are plain strings or build on the generated transformations (t_NAME), some of
them built-ins updated or reverted by a tombstone."""

from __future__ import annotations

import copy
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support.strategies_transformation import transformation_strings

from cloudinary_state.client import AdminClient, Credentials
from cloudinary_state.config import check_environment, load_environment
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.engine.apply import apply_plan
from cloudinary_state.engine.live import read_live
from cloudinary_state.engine.plan import Plan, build_plan, default_kinds
from cloudinary_state.errors import PolicyRefusal
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.transformation import named_references

CLOUD = "acme-prop"
names = st.from_regex(r"[a-z][a-z0-9_]{0,8}[a-z0-9]", fullmatch=True)
# a transformation named t_x would read as a reference to x: the config rejects the prefix
transformation_names = names.filter(lambda n: not n.startswith("t_"))
labels = st.text(st.characters(codec="ascii", categories=("L", "N", "Zs")), min_size=1, max_size=20).map(
    lambda s: s.strip() or "label"
)
plain_transformations = transformation_strings().filter(lambda s: not named_references(s))


WORDS = st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True)
TEXT = st.text(alphabet="abcXYZ 019=|,:-_", min_size=1, max_size=12).filter(lambda s: s.strip() == s and s)
DATES = st.dates(date(2000, 1, 1), date(2030, 12, 31)).map(date.isoformat)
ACCESS_CONTROL = [
    [{"access_type": "anonymous"}],
    [{"access_type": "token"}],
    [{"access_type": "anonymous", "start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"}],
    [{"access_type": "token"}, {"access_type": "anonymous", "start": "2026-03-01T00:00:00Z"}],
]


@st.composite
def bounds(draw: st.DrawFn, values: st.SearchStrategy[Any]) -> tuple[dict[str, Any], Any]:
    """(a comparison or `and` rule, a value that satisfies it) for integer or date fields."""
    low, value, high = sorted(draw(st.lists(values, min_size=3, max_size=3)))
    greater = {"type": "greater_than", "value": low, "equals": True}
    less = {"type": "less_than", "value": high, "equals": True}
    if low < value and draw(st.booleans()):
        greater["equals"] = False
    if value < high and draw(st.booleans()):
        less["equals"] = False
    shape = draw(st.sampled_from(["greater", "less", "and"]))
    rule = {"greater": greater, "less": less, "and": {"type": "and", "rules": [greater, less]}}[shape]
    return rule, value


@st.composite
def metadata_fields(draw: st.DrawFn) -> dict[str, Any]:
    """A field of any type, maybe with a validation rule and a default that satisfies it."""
    kind = draw(st.sampled_from(["string", "integer", "date", "enum", "set"]))
    field: dict[str, Any] = {"type": kind, "label": draw(labels)}
    if draw(st.booleans()):
        field["restrictions"] = {"readonly_ui": draw(st.booleans())}
    default: Any = None
    if kind == "string":
        low, high = draw(st.integers(0, 3)), draw(st.integers(4, 64))
        if draw(st.booleans()):
            field["validation"] = {"type": "strlen", "min": low, "max": high}
        default = draw(st.text(alphabet="abcxyz", min_size=max(low, 1), max_size=min(high, 10)))
    if kind in ("integer", "date"):
        rule, default = draw(bounds(st.integers(-1000, 1000) if kind == "integer" else DATES))
        if draw(st.booleans()):
            field["validation"] = rule
    if kind in ("enum", "set"):
        ids = draw(st.lists(names, min_size=1, max_size=4, unique=True))
        texts = draw(st.lists(labels, min_size=len(ids) + 1, max_size=len(ids) + 1, unique=True))
        field["datasource"] = {
            "values": [{"external_id": i, "value": t} for i, t in zip(ids, texts, strict=False)]
        }
        for entry in field["datasource"]["values"]:
            if draw(st.booleans()):
                entry["state"] = "active"  # as the API returns it
        if draw(st.booleans()):  # a value without an id: the API assigns one, matched by its text
            field["datasource"]["values"].append({"value": texts[-1]})
        chosen = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        default = chosen[0] if kind == "enum" else chosen
    if draw(st.booleans()):
        field["default_value"] = default
        field["mandatory"] = draw(st.booleans())  # a mandatory field with its default
    return field


def field_values(field: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values a preset may set for `field` (its validation satisfied)."""
    kind = field["type"]
    if kind in ("enum", "set"):
        ids = _ids(field)
        if kind == "enum":
            return st.sampled_from(ids)
        return st.lists(st.sampled_from(ids), min_size=1, unique=True)
    rule = field.get("validation")
    if kind == "string":
        low, high = (rule["min"], rule["max"]) if rule else (1, 10)
        return st.text(alphabet="abcxyz", min_size=max(low, 1), max_size=min(high, 10))
    values = st.integers(-1000, 1000) if kind == "integer" else DATES
    return values.filter(lambda v: rule is None or _satisfies(v, rule))


def _satisfies(value: Any, rule: dict[str, Any]) -> bool:
    if rule["type"] == "and":
        return all(_satisfies(value, r) for r in rule["rules"])
    bound, equals = rule["value"], rule["equals"]
    if rule["type"] == "greater_than":
        return bool(value > bound or (equals and value == bound))
    return bool(value < bound or (equals and value == bound))


@st.composite
def preset_settings(
    draw: st.DrawFn, transformations: dict[str, Any], fields: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Settings of every family: strings and flags, lists, context, metadata that fits the
    declared fields, incoming and eager transformations, access control, an add-on option."""
    settings_: dict[str, Any] = {"folder": draw(names)}
    optional: dict[str, st.SearchStrategy[Any]] = {
        "tags": st.lists(names, min_size=1, max_size=3, unique=True),
        "use_filename": st.booleans(),
        "unique_filename": st.booleans(),
        "allowed_formats": st.lists(st.sampled_from(["jpg", "png", "webp"]), min_size=1, unique=True).flatmap(
            lambda formats: st.sampled_from([formats, ",".join(formats)])
        ),
        "context": st.dictionaries(WORDS, TEXT, min_size=1, max_size=3),
        "eager": st.lists(plain_transformations, min_size=1, max_size=2).flatmap(
            lambda eager: st.sampled_from([eager, "|".join(eager)])
        ),
        "access_control": st.sampled_from(ACCESS_CONTROL),
        # settings pycloudinary's preset helpers drop, sent through its lower-level call
        "access_mode": st.sampled_from(["public", "authenticated"]),
        "clear_invalid": st.booleans(),
    }
    for key in draw(st.lists(st.sampled_from(sorted(optional)), max_size=len(optional), unique=True)):
        settings_[key] = draw(optional[key])
    if bool(transformations) and draw(st.booleans()):
        settings_["transformation"] = "t_" + draw(st.sampled_from(sorted(transformations)))
    if bool(fields) and draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, unique=True))
        settings_["metadata"] = {name: draw(field_values(fields[name])) for name in chosen}
    if draw(st.booleans()):
        settings_["categorization"] = "google_tagging"
        settings_["auto_tagging"] = draw(st.sampled_from([0.5, 0.7, 0.9]))
    return settings_


def _ids(field: dict[str, Any]) -> list[str]:
    """The ids a value may name: those the config declares (an id-less value's is assigned)."""
    return [v["external_id"] for v in field.get("datasource", {}).get("values", []) if "external_id" in v]


@st.composite
def atomic_conditions(
    draw: st.DrawFn, fields: dict[str, dict[str, Any]], readable: list[str]
) -> dict[str, Any]:
    """A test of one field of `readable`: populated, or its values for enum and set fields."""
    name = draw(st.sampled_from(readable))
    ids = _ids(fields[name])
    if not ids or draw(st.booleans()):
        return {"metadata_field_id": name, "populated": draw(st.booleans())}
    chosen = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    if draw(st.booleans()):
        return {"metadata_field_id": name, "includes": chosen}
    return {"metadata_field_id": name, "equals": chosen[0] if draw(st.booleans()) else chosen}


@st.composite
def rule_results(draw: st.DrawFn, target: dict[str, Any]) -> dict[str, Any]:
    """One or two result forms the target field can take."""
    forms: dict[str, st.SearchStrategy[Any]] = {
        "set_mandatory": st.booleans(),
        "hide": st.booleans(),
        "disable": st.booleans(),
        "apply_value": field_values(target).map(lambda v: {"value": v})
        | field_values(target).map(lambda v: {"value": v, "mode": "override"}),
    }
    if _ids(target):
        forms["activate_values"] = st.just("all") | st.lists(
            st.sampled_from(_ids(target)), min_size=1, unique=True
        ).map(lambda ids: {"external_ids": ids, "mode": "override"})
    chosen = draw(st.lists(st.sampled_from(sorted(forms)), min_size=1, max_size=2, unique=True))
    return {form: draw(forms[form]) for form in chosen}


@st.composite
def metadata_rules(draw: st.DrawFn, fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Rules on declared fields, each conditioned on other fields (atomic, or `and`/`or`)."""
    if len(fields) < 2:
        return {}
    rules: dict[str, Any] = {}
    for name in draw(st.lists(names, max_size=2, unique=True)):
        target = draw(st.sampled_from(sorted(fields)))
        readable = sorted(set(fields) - {target})
        atoms = draw(st.lists(atomic_conditions(fields, readable), min_size=1, max_size=2))
        condition = atoms[0] if len(atoms) == 1 else {draw(st.sampled_from(["and", "or"])): atoms}
        rule = {
            "metadata_field_id": target,
            "condition": condition,
            "result": draw(rule_results(fields[target])),
        }
        if draw(st.booleans()):
            rule["state"] = draw(st.sampled_from(["active", "inactive"]))
        rules[name] = rule
    return rules


BUILTIN_PROFILES = ["4k", "full_hd", "hd", "sd", "full_hd_wifi", "full_hd_lean", "hd_lean"]
VIDEO_RUNGS = st.builds(
    "c_limit,w_{},h_{},vc_h264,br_{}k".format,
    st.integers(160, 3840),
    st.integers(90, 2160),
    st.integers(100, 20000),
)


def representations(transformations: dict[str, Any]) -> st.SearchStrategy[str]:
    """A video rung, any plain transformation string, or one built on a declared transformation."""
    sources = [VIDEO_RUNGS, plain_transformations]
    if transformations:
        named = st.sampled_from(sorted(transformations))
        sources.append(named.map("t_{}".format) | named.map("t_{}/vc_h264,br_1m".format))
    return st.one_of(*sources)


@st.composite
def streaming_profiles(draw: st.DrawFn, transformations: dict[str, Any]) -> dict[str, Any]:
    """Custom profiles and built-ins (updated, or reverted by a tombstone)."""
    profiles: dict[str, Any] = {}
    for name in draw(st.lists(names | st.sampled_from(BUILTIN_PROFILES), max_size=2, unique=True)):
        if name in BUILTIN_PROFILES and draw(st.booleans()):
            profiles[name] = {"absent": True}
            continue
        ladder = draw(st.lists(representations(transformations), min_size=1, max_size=3))
        profiles[name] = {"representations": [{"transformation": t} for t in ladder]}
        if draw(st.booleans()):
            profiles[name]["display_name"] = draw(labels)
    return profiles


# Few event types, hosts and paths: independent configs often share triggers, or differ from
# the account only in one URL or one event type (pairs: an update, a replace) or in several of
# one event type (pairs nothing: creates, the old ones left unmanaged).
TRIGGER_EVENTS = st.sampled_from(["upload", "delete", "rename"])
TRIGGER_URLS = st.builds(
    "https://{}.example.test/{}".format, st.sampled_from(["pim", "erp", "dam"]), st.sampled_from(["a", "b"])
)


@st.composite
def triggers(draw: st.DrawFn) -> dict[str, Any]:
    """Webhooks, each event type and URL declared once (the config refuses a repeat)."""
    contents = draw(st.lists(st.tuples(TRIGGER_EVENTS, TRIGGER_URLS), max_size=3, unique=True))
    keys = draw(st.lists(names, min_size=len(contents), max_size=len(contents), unique=True))
    return {key: {"event_type": e, "uri": u} for key, (e, u) in zip(keys, contents, strict=True)}


@st.composite
def trigger_edits(draw: st.DrawFn, first: dict[str, Any]) -> dict[str, Any]:
    """`first` edited trigger by trigger: kept, its URL or its event type changed, renamed,
    dropped; and maybe one more."""
    second: dict[str, Any] = {}
    for key, body in first.items():
        edit = draw(st.sampled_from(["keep", "uri", "event_type", "rename", "drop"]))
        if edit == "uri":
            body = {**body, "uri": draw(TRIGGER_URLS)}
        elif edit == "event_type":
            body = {**body, "event_type": draw(TRIGGER_EVENTS)}
        elif edit == "rename":
            key = f"{key}_renamed"
        if edit != "drop":
            second[key] = body
    if draw(st.booleans()):
        second["added"] = {"event_type": draw(TRIGGER_EVENTS), "uri": draw(TRIGGER_URLS)}
    return second


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    transformations = draw(
        st.dictionaries(
            transformation_names, plain_transformations.map(lambda s: {"transformation": s}), max_size=3
        ).filter(lambda d: all(body["transformation"] != name for name, body in d.items()))
    )
    fields = draw(st.dictionaries(names, metadata_fields(), max_size=3))
    presets = {
        name: {"unsigned": draw(st.booleans()), "settings": draw(preset_settings(transformations, fields))}
        for name in draw(st.lists(names, max_size=2, unique=True))
    }
    mappings = draw(
        st.dictionaries(names, names.map(lambda n: {"template": f"https://m.example.test/{n}/"}), max_size=2)
    )
    for mapping in mappings.values():
        if bool(presets) and draw(st.booleans()):
            mapping["upload_preset_name"] = draw(st.sampled_from(sorted(presets)))
    return {
        "metadata_fields": fields,
        "metadata_rules": draw(metadata_rules(fields)),
        "streaming_profiles": draw(streaming_profiles(transformations)),
        "transformations": transformations,
        "upload_presets": presets,
        "upload_mappings": mappings,
        "triggers": draw(triggers()),
    }


def accepted(config_dir: Path, resources: dict[str, Any]) -> bool:
    """Whether the loader takes `resources` (it is the judge of a valid config; the strategies
    aim at valid ones, and a combination they miss is filtered, not asserted on)."""
    (config_dir / "environments" / "common" / "r.yaml").write_text(yaml.safe_dump(resources))
    return check_environment(config_dir, "prop", REGISTRY, environ={}).state is not None


def converge(config_dir: Path, resources: dict[str, Any], client: AdminClient) -> Plan:
    (config_dir / "environments" / "common" / "r.yaml").write_text(yaml.safe_dump(resources))
    desired = load_environment(config_dir, "prop", REGISTRY, environ={})
    kinds = default_kinds()
    live = read_live(client, kinds, desired=desired)  # under the plan's names (triggers pair)
    key = client.credentials.api_secret.encode()
    plan = build_plan(desired, live, digest_key=key, kinds=kinds, live_paired=True)
    by_key = {(k, n): o for k, objects in live.items() for n, o in objects.items()}
    apply_plan(client, desired, plan, by_key, allow_delete=True, kinds=kinds)
    # the next plan as the engine makes it from a raw read: build_plan pairs by itself
    return build_plan(desired, read_live(client, kinds, policy=desired.policy), digest_key=key, kinds=kinds)


def assert_each_trigger_once(emu: EmulatorServer, resources: dict[str, Any]) -> None:
    """Every declared trigger is in the account exactly once (a trigger has no name there)."""
    live = [(t["event_type"], t["uri"]) for t in emu.state(CLOUD).triggers.values()]
    for body in resources.get("triggers", {}).values():
        assert live.count((body["event_type"], body["uri"])) == 1, (body, live)


def _rename_field(node: Any, old: str, new: str) -> None:
    """Every `metadata_field_id: old` below `node` (a rule, its nested conditions) becomes `new`."""
    if isinstance(node, dict):
        if node.get("metadata_field_id") == old:
            node["metadata_field_id"] = new
        for value in node.values():
            _rename_field(value, old, new)
    elif isinstance(node, list):
        for item in node:
            _rename_field(item, old, new)


def type_changes(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    before, after = first["metadata_fields"], second["metadata_fields"]
    return sorted(n for n in before.keys() & after.keys() if before[n]["type"] != after[n]["type"])


def as_advised(first: dict[str, Any], second: dict[str, Any], changed: list[str]) -> dict[str, Any]:
    """`second` with each field whose type changed under a new external_id, the old one tombstoned."""
    out = copy.deepcopy(second)
    fields = out["metadata_fields"]
    for name in changed:
        new = f"{name}_v2"
        while new in fields or new in first["metadata_fields"]:
            new += "x"
        fields[new], fields[name] = fields[name], {"absent": True}
        for preset in out["upload_presets"].values():  # values set for the field move with it
            metadata = preset["settings"].get("metadata", {})
            if name in metadata:
                metadata[new] = metadata.pop(name)
        for rule in out["metadata_rules"].values():  # and the rules that name it
            _rename_field(rule, name, new)
    return out


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
        assume(accepted(config_dir, first) and accepted(config_dir, second))
        cloud = CloudConfig(name=CLOUD, addons=frozenset({"google_tagging"}))
        with EmulatorServer([cloud]) as emu:
            client = AdminClient(Credentials.from_url(emu.cloudinary_url(CLOUD)))
            after_first = converge(config_dir, first, client)
            assert after_first.changes == (), after_first.changes
            assert_each_trigger_once(emu, first)
            changed = type_changes(first, second)
            if changed:
                emu.clear_log()
                with pytest.raises(PolicyRefusal, match="its type changes"):
                    converge(config_dir, second, client)
                assert [r for r in emu.request_log if r.method != "GET"] == []
                second = as_advised(first, second, changed)
            after_edit = converge(config_dir, second, client)
            assert after_edit.changes == (), after_edit.changes
            assert_each_trigger_once(emu, second)
            emu.clear_log()
            again = converge(config_dir, second, client)
            assert again.changes == ()
            assert [r for r in emu.request_log if r.method != "GET"] == []


def _prop_environment(config_dir: Path) -> None:
    (config_dir / "environments" / "common").mkdir(parents=True)
    env = {"cloud_name": CLOUD, "credentials": "UNUSED", "include": ["common/*.yaml"]}
    (config_dir / "environments" / "prop.yaml").write_text(yaml.safe_dump(env))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), first=triggers())
def test_trigger_edits_converge_whether_they_pair_or_not(data: st.DataObject, first: dict[str, Any]) -> None:
    """Triggers edited one by one (a new URL, a new event type, a new name, dropped, one added):
    whether an edit pairs (an update in place, a replace) or not (a create, the old trigger
    unmanaged), apply converges with each declared trigger once in the account, and a second
    apply writes nothing."""
    second = data.draw(trigger_edits(first))
    with tempfile.TemporaryDirectory() as tmp:
        config_dir = Path(tmp)
        _prop_environment(config_dir)
        assume(accepted(config_dir, {"triggers": second}))  # an edit may repeat another trigger
        with EmulatorServer([CloudConfig(name=CLOUD)]) as emu:
            client = AdminClient(Credentials.from_url(emu.cloudinary_url(CLOUD)))
            for resources in ({"triggers": first}, {"triggers": second}):
                assert converge(config_dir, resources, client).changes == ()
                assert_each_trigger_once(emu, resources)
            emu.clear_log()
            assert converge(config_dir, {"triggers": second}, client).changes == ()
            assert [r for r in emu.request_log if r.method != "GET"] == []

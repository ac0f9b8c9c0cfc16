"""`diff ENV_A ENV_B`: how two environments differ, and why.

Both sides are compared in canonical form (the kinds' own), so formatting never shows as a
difference. Every differing field is attributed to a cause:

- `variable`: the values differ only where each environment's `variables` differ (mapping
  each side's variable values back to `${var.NAME}` makes them equal);
- `addon`: an upload-preset option present on one side only because an add-on is off there
  and on (or not mentioned, so kept) on the other;
- `sensitive`: a value from `${env.*}` on either side, or values that differ only in parts
  that look secret (secret_values.py, shared with import and plan: `eval`, tokens in URLs...);
  never shown;
- `real`: anything else, including objects that exist on one side only.

Only real differences make the environments "different" (exit 2): staging and production are
meant to differ by their variables, secrets and add-on toggles. A field that both environments'
`policy.ignore_changes` leave to another system is not compared at all: neither config manages
it. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cloudinary_state.addons import is_off, toggle_word
from cloudinary_state.desired import DesiredState, KindName, StrippedOption
from cloudinary_state.engine.masking import SENSITIVE, is_sensitive, scrub_value
from cloudinary_state.engine.plan import LiveState
from cloudinary_state.importer import map_variables_back
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.base import Kind
from cloudinary_state.secret_values import redact_secrets

Cause = Literal["real", "variable", "addon", "sensitive"]
Key = tuple[KindName, str]


@dataclass(frozen=True)
class Side:
    """One environment as compared: canonical bodies plus what explains differences."""

    environment: str
    objects: Mapping[Key, Mapping[str, Any]]
    variables: Mapping[str, str] = field(default_factory=dict)
    addons: Mapping[str, bool] = field(default_factory=dict)
    sensitive: Mapping[Key, frozenset[str]] = field(default_factory=dict)
    stripped: Mapping[Key, tuple[StrippedOption, ...]] = field(default_factory=dict)
    secrets: frozenset[str] = frozenset()
    # body paths that policy.ignore_changes leaves to another system, by object
    ignored_fields: Mapping[Key, tuple[str, ...]] = field(default_factory=dict)

    def leaves_alone(self, key: Key, path: str) -> bool:
        """Whether this environment leaves the field at `path` (or the one holding it) to others."""
        return any(path == f or path.startswith(f + ".") for f in self.ignored_fields.get(key, ()))


@dataclass(frozen=True)
class ValueDiff:
    path: str
    a: Any  # None when absent; masked when sensitive
    b: Any
    cause: Cause
    detail: str = ""  # e.g. "variable source_domain", "add-on google_tagging: on in a, off in b"


@dataclass(frozen=True)
class ObjectDiff:
    kind: KindName
    name: str
    presence: Literal["both", "only_a", "only_b"]
    diffs: tuple[ValueDiff, ...] = ()

    @property
    def real(self) -> bool:
        return self.presence != "both" or any(d.cause == "real" for d in self.diffs)


@dataclass(frozen=True)
class EnvDiff:
    env_a: str
    env_b: str
    mode: Literal["desired", "live"]
    objects: tuple[ObjectDiff, ...]  # only objects that differ in any way
    identical: int
    variables: tuple[tuple[str, str | None, str | None], ...] = ()  # (name, value in a, value in b)
    # (name, toggle in a, toggle in b): None where that environment does not mention the add-on
    addons: tuple[tuple[str, bool | None, bool | None], ...] = ()

    @property
    def different(self) -> bool:
        return any(o.real for o in self.objects)

    def counts(self) -> dict[str, int]:
        diffs = [d for o in self.objects for d in o.diffs]
        return {
            "only_a": sum(1 for o in self.objects if o.presence == "only_a"),
            "only_b": sum(1 for o in self.objects if o.presence == "only_b"),
            "real": sum(1 for d in diffs if d.cause == "real"),
            "variable": sum(1 for d in diffs if d.cause == "variable"),
            "addon": sum(1 for d in diffs if d.cause == "addon"),
            "sensitive": sum(1 for d in diffs if d.cause == "sensitive"),
            "identical": self.identical,
        }


# --- building the sides -----------------------------------------------------------------------


def side_from_desired(state: DesiredState, kinds: Mapping[KindName, Kind]) -> Side:
    objects: dict[Key, Mapping[str, Any]] = {}
    sensitive: dict[Key, frozenset[str]] = {}
    stripped: dict[Key, tuple[StrippedOption, ...]] = {}
    for obj in state.objects:
        if obj.absent or state.policy.is_ignored(obj.kind, obj.name):
            continue
        key = (obj.kind, obj.name)
        objects[key] = kinds[obj.kind].canonical_desired(obj)
        sensitive[key] = kinds[obj.kind].sensitive_canonical_paths(obj.sensitive_paths)
        stripped[key] = obj.stripped_options
    return Side(
        state.environment,
        objects,
        dict(state.variables),
        dict(state.addons),
        sensitive,
        stripped,
        state.secrets,
        _ignored_fields(state, objects, kinds),
    )


def _ignored_fields(
    state: DesiredState, objects: Mapping[Key, Any], kinds: Mapping[KindName, Kind]
) -> dict[Key, tuple[str, ...]]:
    """The canonical paths (the form compared) of the body fields ignore_changes names."""
    fields = {
        key: tuple(
            c for path in state.policy.ignored_fields(*key) for c in kinds[key[0]].canonical_paths(path)
        )
        for key in objects
    }
    return {key: paths for key, paths in fields.items() if paths}


def side_from_live(state: DesiredState, live: LiveState, kinds: Mapping[KindName, Kind]) -> Side:
    """The live account of `state`'s environment; its config supplies variables, add-on toggles,
    ignore globs and which paths are sensitive there."""
    objects: dict[Key, Mapping[str, Any]] = {}
    sensitive: dict[Key, frozenset[str]] = {}
    for kind_name, by_name in live.items():
        for name, obj in by_name.items():
            if state.policy.is_ignored(kind_name, name):
                continue
            objects[kind_name, name] = obj.canonical
            declared = state.get(kind_name, name)
            if declared is not None:
                sensitive[kind_name, name] = kinds[kind_name].sensitive_canonical_paths(
                    declared.sensitive_paths
                )
    return Side(
        state.environment,
        objects,
        dict(state.variables),
        dict(state.addons),
        sensitive,
        {},
        state.secrets,
        _ignored_fields(state, objects, kinds),
    )


# --- comparing -------------------------------------------------------------------------------


def _addon_cause(key: Key, path: str, a_value: Any, b_value: Any, a: Side, b: Side) -> str | None:
    """Why the option at `path` differs because of add-on toggles, or None."""
    stripped = [(side, s) for side in (a, b) for s in side.stripped.get(key, ()) if s.path == path]
    if stripped:
        return "; ".join(
            f"'{_shown(s.value, path, side.sensitive.get(key, frozenset()))}' stripped in "
            f"{side.environment}: add-on {s.addon} is off there"
            for side, s in stripped
        )
    kind = REGISTRY.get(key[0])
    needed = set().union(*(kind.addons_needed(side.objects.get(key, {}), path) for side in (a, b)))
    # only a toggle that is off strips: on against unknown keeps the option on both sides
    toggled = sorted(n for n in needed if is_off(a.addons, n) != is_off(b.addons, n))
    if not toggled:
        return None
    return "; ".join(
        f"add-on {n}: {toggle_word(a.addons, n)} in {a.environment}, "
        f"{toggle_word(b.addons, n)} in {b.environment}"
        for n in toggled
    )


def _variable_names(value: Any, variables: Mapping[str, str]) -> set[str]:
    text = repr(map_variables_back(value, variables))
    return {n for n in variables if f"${{var.{n}}}" in text}


def _shown(value: Any, path: str, sensitive: frozenset[str]) -> Any:
    return SENSITIVE if is_sensitive(path, sensitive) else value


def _classify(key: Key, path: str, a_value: Any, b_value: Any, a: Side, b: Side) -> ValueDiff:
    if is_sensitive(path, a.sensitive.get(key, frozenset()) | b.sensitive.get(key, frozenset())):
        masked_a = SENSITIVE if a_value is not None else None
        masked_b = SENSITIVE if b_value is not None else None
        return ValueDiff(path, masked_a, masked_b, "sensitive")
    a_value, b_value = scrub_value(a_value, a.secrets), scrub_value(b_value, b.secrets)
    # Values that look secret (a console-made `eval`, a token in a URL) are never shown, even
    # when the config does not know them; differing only there is like differing ${env.*}.
    shown_a, shown_b = redact_secrets(a_value, path, SENSITIVE), redact_secrets(b_value, path, SENSITIVE)
    if shown_a == shown_b:
        return ValueDiff(path, shown_a, shown_b, "sensitive")
    if (
        a_value is not None
        and b_value is not None
        and map_variables_back(a_value, a.variables) == map_variables_back(b_value, b.variables)
    ):
        names = sorted(_variable_names(a_value, a.variables) | _variable_names(b_value, b.variables))
        return ValueDiff(path, shown_a, shown_b, "variable", "variable " + ", ".join(names))
    addon = _addon_cause(key, path, a_value, b_value, a, b)
    if addon is not None:
        return ValueDiff(path, shown_a, shown_b, "addon", addon)
    return ValueDiff(path, shown_a, shown_b, "real")


def _differences(a: Any, b: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    """(dotted path, a, b) for each differing leaf; mappings are walked key by key (so every
    option gets its own cause), anything else, lists included, is compared whole."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in sorted(set(a) | set(b), key=str):
            yield from _differences(a.get(key), b.get(key), f"{path}.{key}" if path else str(key))
    elif a != b:
        yield path, a, b


def compare(a: Side, b: Side, mode: Literal["desired", "live"]) -> EnvDiff:
    rank = {kind: i for i, kind in enumerate(REGISTRY.names())}
    keys = sorted(set(a.objects) | set(b.objects), key=lambda k: (rank[k[0]], k[1]))
    objects: list[ObjectDiff] = []
    identical = 0
    for key in keys:
        if key not in b.objects:
            objects.append(ObjectDiff(key[0], key[1], "only_a"))
            continue
        if key not in a.objects:
            objects.append(ObjectDiff(key[0], key[1], "only_b"))
            continue
        diffs = [
            (path, va, vb)
            for path, va, vb in _differences(a.objects[key], b.objects[key], "")
            if not (a.leaves_alone(key, path) and b.leaves_alone(key, path))
        ]
        if not diffs:
            identical += 1
            continue
        classified = tuple(_classify(key, path, va, vb, a, b) for path, va, vb in diffs)
        objects.append(ObjectDiff(key[0], key[1], "both", classified))
    variables = tuple(
        (n, a.variables.get(n), b.variables.get(n))
        for n in sorted(set(a.variables) | set(b.variables))
        if a.variables.get(n) != b.variables.get(n)
    )
    addons = tuple(
        (n, a.addons.get(n), b.addons.get(n))
        for n in sorted(set(a.addons) | set(b.addons))
        if a.addons.get(n) != b.addons.get(n)
    )
    return EnvDiff(a.environment, b.environment, mode, tuple(objects), identical, variables, addons)

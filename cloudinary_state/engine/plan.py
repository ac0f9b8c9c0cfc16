"""The plan: a pure value computed from the desired state and the live state, no I/O.

`build_plan` compares every declared object with its live counterpart in canonical form (the
kinds own canonicalization, so the server's normalization never shows as a change), decides
an action per object, and turns the difference into dotted field paths with deepdiff.
Sensitive values (from `${env.*}`, and live or desired values that look secret: `eval`, a
token in a URL) are masked here, when the plan is built, so that no renderer or plan file ever
holds them. The plan's hashes (each live object's fingerprint, the config digest) are
HMAC-SHA256 under a key the caller passes in, the account's api_secret: both hash content that
holds secrets (a webhook URL, rendered `${env.*}` values), and a plain hash in a plan file
would let its reader test guesses of a low-entropy secret offline.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import math
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudinary_state.canonical_json import canonical_json
from cloudinary_state.desired import DesiredObject, DesiredState, KindName, Policy
from cloudinary_state.engine.defaults import config_set_paths, is_server_default
from cloudinary_state.engine.ignore_changes import with_live_fields, without_fields
from cloudinary_state.engine.masking import SENSITIVE, SENSITIVE_CHANGED, is_sensitive, mask_value
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.base import Action, AssetImpact, Kind, LiveObject
from cloudinary_state.secret_values import looks_secret, redact_secrets

if TYPE_CHECKING:
    from cloudinary_state.engine.forecast import Forecast
    from cloudinary_state.engine.rehearsal_report import Rehearsal

LiveState = Mapping[KindName, Mapping[str, LiveObject]]
Target = tuple[KindName, str]


# How each action is shown, in a terminal plan and in an apply's progress (Terraform's marks).
ACTION_SYMBOLS: dict[Action, str] = {"create": "+", "update": "~", "delete": "-", "replace": "-/+"}


class TargetError(ValueError):
    """A `--target KIND:NAME` that is malformed or names nothing (a usage error)."""


@dataclass(frozen=True)
class FieldDiff:
    path: str  # dotted, list indices in brackets: "settings.tags", "datasource.values[0].value"
    before: Any  # None when the field is absent live; masked when sensitive
    after: Any  # None when the field is absent in the desired object; masked when sensitive
    sensitive: bool = False
    server_default: bool = False  # a create's field the config leaves to the server's default


@dataclass(frozen=True)
class Change:
    kind: KindName
    name: str
    action: Action
    rank: int
    diffs: tuple[FieldDiff, ...] = ()
    notes: tuple[str, ...] = ()
    live_fingerprint: str | None = None  # None for a create
    impact: AssetImpact | None = None  # assets a destructive change reaches (engine/impact.py)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.name}"


@dataclass(frozen=True)
class Summary:
    create: int = 0
    update: int = 0
    replace: int = 0
    delete: int = 0
    unchanged: int = 0
    unmanaged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "create": self.create,
            "update": self.update,
            "replace": self.replace,
            "delete": self.delete,
            "unchanged": self.unchanged,
            "unmanaged": self.unmanaged,
        }


@dataclass(frozen=True)
class Plan:
    environment: str
    cloud_name: str
    config_digest: str
    changes: tuple[Change, ...]
    summary: Summary
    unmanaged: tuple[Target, ...] = ()
    notes: tuple[str, ...] = ()  # notes about objects that do not change (e.g. a stripped option)
    existing_managed: int = 0  # live objects the config manages: the safety threshold's base
    api_calls: int = 0  # Admin API calls made to read the live state (set by the caller)
    rate_limit_remaining: int | None = None  # hourly budget left (X-FeatureRateLimit-Remaining)
    approved_deletes: bool = False  # `plan --allow-delete`: its deletes and replaces approved at review
    rehearsal: Rehearsal | None = None  # with `plan --rehearse`: its outcome (engine/rehearsal.py)
    forecast: Forecast | None = None  # the calls its apply makes (engine/forecast.py; set by the reader)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def destructive(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action in ("delete", "replace"))


def fingerprint(
    live: LiveObject | None, key: bytes, kind: Kind | None = None, ignored: Sequence[str] = ()
) -> str | None:
    """HMAC-SHA256 of the live object's canonical form under `key`; None when it does not exist.
    Without the `ignored` fields (policy.ignore_changes, body paths of `kind`): another system
    changing them does not make a saved plan stale."""
    if live is None:
        return None
    form = live.canonical if kind is None or not ignored else without_fields(kind.export(live), ignored)
    text = canonical_json(form).encode()
    return "hmac-sha256:" + hmac.new(key, text, hashlib.sha256).hexdigest()


def config_digest(state: DesiredState, key: bytes) -> str:
    """HMAC-SHA256 under `key` of everything the config renders to: a saved plan is tied to
    this exact config (and account). The rendered bodies hold the ${env.*} values."""
    canonical = {
        "environment": state.environment,
        "cloud_name": state.cloud_name,
        "credentials_env": state.credentials_env,
        "addons": dict(state.addons),
        "policy": {
            "prune": sorted(state.policy.prune),
            "ignore": {k: list(v) for k, v in sorted(state.policy.ignore.items())},
            "protect": {k: list(v) for k, v in sorted(state.policy.protect.items())},
            # only when set, so plans saved before it existed keep their digest
            **({"ignore_changes": _ignored_fields(state)} if state.policy.ignore_changes else {}),
            "safety": [
                state.policy.safety.max_delete_percent,
                state.policy.safety.min_existing,
                state.policy.safety.max_affected_assets,
            ],
        },
        "objects": [
            {"kind": o.kind, "name": o.name, "absent": o.absent, "body": o.body} for o in state.objects
        ],
    }
    text = canonical_json(canonical).encode()
    return "hmac-sha256:" + hmac.new(key, text, hashlib.sha256).hexdigest()


def _ignored_fields(state: DesiredState) -> dict[str, dict[str, list[str]]]:
    return {
        kind: {glob: list(paths) for glob, paths in sorted(by_name.items())}
        for kind, by_name in sorted(state.policy.ignore_changes.items())
    }


def parse_target(text: str) -> Target:
    kind, sep, name = text.partition(":")
    if not sep or not name:
        raise TargetError(f"--target {text!r}: expected KIND:NAME, e.g. {REGISTRY.example_target()}")
    if kind not in REGISTRY.names():
        raise TargetError(f"--target {text!r}: unknown kind {kind!r} (one of {', '.join(REGISTRY.names())})")
    return kind, name


# --- field diffs ------------------------------------------------------------------------------

_ABSENT = object()


def format_path(parts: Iterable[str | int]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _lookup(value: Any, parts: tuple[str | int, ...]) -> Any:
    for part in parts:
        in_list = isinstance(part, int) and isinstance(value, list) and 0 <= part < len(value)
        in_dict = isinstance(part, str) and isinstance(value, Mapping) and part in value
        if in_list or in_dict:
            value = value[part]
        else:
            return _ABSENT
    return value


def _leaf_paths(value: Mapping[str, Any], prefix: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
    paths: list[tuple[str | int, ...]] = []
    for key in sorted(value):
        inner = value[key]
        if inner is None:
            continue  # null means "not set" in canonical forms: nothing to show
        if isinstance(inner, Mapping) and inner:
            paths += _leaf_paths(inner, (*prefix, key))
        else:
            paths.append((*prefix, key))
    return paths


def _expand_emptied(
    before: Mapping[str, Any], after: Mapping[str, Any], path: tuple[str | int, ...]
) -> list[tuple[str | int, ...]]:
    old, new = _lookup(before, path), _lookup(after, path)
    for empty, full in ((old, new), (new, old)):
        unset = empty is _ABSENT or (isinstance(empty, Mapping) and not empty)
        if unset and isinstance(full, Mapping) and full:
            return _leaf_paths(full, path) or [path]  # a mapping added or removed: as a create
    return [path]


def _strictly_equal(a: Any, b: Any) -> bool:
    """True when `a` and `b` are the same JSON-like value, types included (1 is not True nor
    1.0, a list is not a tuple, 0.0 is not -0.0): then their canonical JSON is the same, and
    deepdiff finds nothing between them. False means only "not known to be equal"."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is dict:
        if len(a) != len(b):
            return False
        for key, value in a.items():
            if type(key) is not str or key not in b or not _strictly_equal(value, b[key]):
                return False
        return True
    if kind is list or kind is tuple:
        return len(a) == len(b) and all(_strictly_equal(x, y) for x, y in zip(a, b, strict=True))
    if kind is str or kind is int or kind is bool:
        return bool(a == b)
    if kind is float:
        return bool(a == b) and math.copysign(1, a) == math.copysign(1, b)
    return False


def _same_json(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    # `==` (in C) first: values that differ by it are never strictly equal, and most of a
    # plan's changed objects are found by it without walking them
    return (a == b and _strictly_equal(a, b)) or canonical_json(a) == canonical_json(b)


FieldPath = tuple[str | int, ...]


def _reported_paths(before: Any, after: Any, path: FieldPath) -> list[FieldPath]:
    """The paths `DeepDiff(before, after, view="tree", ignore_order=False)` reports, an item
    added to or removed from a list standing for its list.

    Mappings and scalars are compared here, the way deepdiff does (it costs a millisecond per
    object, most of a plan over a large account); lists that differ, whose alignment deepdiff
    works out its own way, and anything else go to deepdiff itself.
    """
    if before is after:
        return []
    kind = type(before)
    if kind is not type(after):
        return [path]  # a type change
    if kind is dict:
        return _reported_dict_paths(before, after, path)
    if kind is str or kind is int or kind is float or kind is bool:
        return [] if before == after else [path]
    if kind is list and _strictly_equal(before, after):
        return []
    return [(*path, *parts) for parts in _deepdiff_paths(before, after)]


def _reported_dict_paths(before: dict[Any, Any], after: dict[Any, Any], path: FieldPath) -> list[FieldPath]:
    # deepdiff leaves out "private" keys (ignore_private_variables)
    old = [k for k in before if not (isinstance(k, str) and k.startswith("__"))]
    new = [k for k in after if not (isinstance(k, str) and k.startswith("__"))]
    common = set(old) & set(new)
    # key by key however few keys the two share (deepdiff's threshold_to_diff_deeper is off):
    # a preset whose settings were replaced in the console reads as its fields, not as one
    # line holding both whole mappings
    paths = [(*path, k) for k in new if k not in common] + [(*path, k) for k in old if k not in common]
    for k in old:
        if k in common:
            paths += _reported_paths(before[k], after[k], (*path, k))
    return paths


def _deepdiff_paths(before: Any, after: Any) -> list[FieldPath]:
    # imported here: it costs ~0.1 s, which the offline commands importing this module never need
    from deepdiff import DeepDiff

    tree = DeepDiff(before, after, view="tree", ignore_order=False, threshold_to_diff_deeper=0)
    paths: list[FieldPath] = []
    for report_type, levels in tree.items():
        for level in levels:
            parts = tuple(level.path(output_format="list"))
            if report_type in ("iterable_item_added", "iterable_item_removed") and parts:
                parts = parts[:-1]
            paths.append(parts)
    return paths


def _diff_paths(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str | int, ...]]:
    """The paths where `before` and `after` differ, coarsened to whole lists when items were
    added or removed (a list that grew reads better as one before/after than as index noise)."""
    if not before or not after:
        # deepdiff reports an empty side as one change at the root; a create or delete reads
        # better field by field, down to the leaves of nested mappings.
        return _leaf_paths(before or after, ())
    paths = _reported_paths(dict(before), dict(after), ())
    # deepdiff reports a mapping that was empty on one side as one change of the whole mapping
    # (e.g. all of `settings`); it reads better field by field, like a create.
    paths = [q for p in paths for q in _expand_emptied(before, after, p)]
    unique = sorted(set(paths), key=lambda p: [str(x) for x in p])
    # Drop any path that lies inside another reported path: the outer one shows it whole.
    return [p for p in unique if not any(len(q) < len(p) and p[: len(q)] == q for q in unique)]


def _sensitive_whole(
    paths: list[tuple[str | int, ...]], sensitive_paths: Collection[str]
) -> list[tuple[str | int, ...]]:
    """Each path inside a sensitive field coarsened to the field: the keys below it can be the
    secret themselves (a datasource value without an external_id is keyed by its value)."""
    if not sensitive_paths:
        return paths
    coarse: list[tuple[str | int, ...]] = []
    for parts in paths:
        outer = next(
            (
                parts[:n]
                for n in range(1, len(parts) + 1)
                if is_sensitive(format_path(parts[:n]), sensitive_paths)
            ),
            parts,
        )
        if outer not in coarse:
            coarse.append(outer)
    return [p for p in coarse if not any(len(q) < len(p) and p[: len(q)] == q for q in coarse)]


def field_diffs(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    sensitive_paths: Collection[str] = frozenset(),
) -> tuple[FieldDiff, ...]:
    diffs = []
    for parts in _sensitive_whole(_diff_paths(before, after), sensitive_paths):
        path = format_path(parts)
        old, new = _lookup(before, parts), _lookup(after, parts)
        old = None if old is _ABSENT else old
        new = None if new is _ABSENT else new
        old_masked, old_sensitive = mask_value(path, old, sensitive_paths, changed=False)
        new_masked, new_sensitive = mask_value(path, new, sensitive_paths, changed=old is not None)
        old_shown, new_shown, looked_secret = _redact_looks_secret(path, old_masked, new_masked)
        diffs.append(FieldDiff(path, old_shown, new_shown, old_sensitive or new_sensitive or looked_secret))
    return tuple(diffs)


def _redact_looks_secret(path: str, old: Any, new: Any) -> tuple[Any, Any, bool]:
    """Both sides with every part that looks secret replaced by a marker (secret_values.py):
    a secret made in the console (a preset's `eval`, a token in a webhook URL) is no
    `${env.*}` value, so neither path masking nor scrubbing knows it. Where the two sides
    differ only in their secret parts, the new side says "(sensitive, changed)"."""
    if not (looks_secret(old, path) or looks_secret(new, path)):
        return old, new, False
    old_shown, new_shown = redact_secrets(old, path, SENSITIVE), redact_secrets(new, path, SENSITIVE)
    if old is not None and new is not None and old_shown == new_shown:
        new_shown = redact_secrets(new, path, SENSITIVE_CHANGED)
    return old_shown, new_shown, True


# --- build_plan -------------------------------------------------------------------------------


@dataclass
class _Tally:
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("create", "update", "replace", "delete", "unchanged"), 0)
    )
    existing: int = 0


def _stripped_notes(obj: DesiredObject) -> list[str]:
    # Stripped options and sensitive paths are both body paths; a value from ${env.*} is masked
    # here like in any diff (free-text scrubbing cannot catch short secrets).
    return [
        f"option {s.path}={mask_value(s.path, s.value, obj.sensitive_paths, changed=False)[0]} "
        f"stripped: add-on {s.addon} is off in this environment"
        for s in obj.stripped_options
    ]


def default_kinds() -> Mapping[KindName, Kind]:
    return {k.kind: k for k in REGISTRY}


# --- pairing live objects with the config -----------------------------------------------------


class _CanonicalForms(Mapping[str, Mapping[str, Any]]):
    """The canonical desired forms of declared objects, each computed when first asked for:
    the default `pair_live` never asks, so the kinds that pair by name pay nothing."""

    def __init__(self, kind: Kind, declared: Mapping[str, DesiredObject]) -> None:
        self._kind = kind
        self._declared = {name: obj for name, obj in declared.items() if not obj.absent}
        self._forms: dict[str, Mapping[str, Any]] = {}

    def __getitem__(self, name: str) -> Mapping[str, Any]:
        if name not in self._forms:
            self._forms[name] = self._kind.canonical_desired(self._declared[name])
        return self._forms[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._declared)

    def __len__(self) -> int:
        return len(self._declared)


def _sides(
    kind: Kind, desired: DesiredState, objects: Mapping[str, LiveObject], *, paired: bool
) -> tuple[dict[str, DesiredObject], dict[str, LiveObject]]:
    """One kind's declared objects and its live objects under the plan's names. policy.ignore
    objects never enter the diff: they are filtered out before anything else, pairing too."""
    policy = desired.policy
    declared = {
        o.name: o for o in desired.objects if o.kind == kind.kind and not policy.is_ignored(kind.kind, o.name)
    }
    live_objects = {n: o for n, o in objects.items() if not policy.is_ignored(kind.kind, n)}
    if not paired:
        live_objects = kind.pair_live(_CanonicalForms(kind, declared), live_objects)
    return declared, live_objects


def paired_objects(
    kind: Kind, desired: DesiredState, objects: Mapping[str, LiveObject]
) -> dict[str, LiveObject]:
    """`objects` of `kind`, as read, under the names the plan gives them: ignored ones dropped,
    the rest paired with the declared objects (`Kind.pair_live`: identity for most kinds).
    Every reader that hands live objects on by name (apply, saved plans, import) pairs the
    same way `build_plan` does, so a name means the same object everywhere."""
    return _sides(kind, desired, objects, paired=False)[1]


def paired_state(
    desired: DesiredState, live: LiveState, kinds: Mapping[KindName, Kind] | None = None
) -> dict[KindName, dict[str, LiveObject]]:
    """`paired_objects` of every kind of `live`."""
    kinds = kinds if kinds is not None else default_kinds()
    return {name: paired_objects(kinds[name], desired, objects) for name, objects in live.items()}


def build_plan(
    desired: DesiredState,
    live: LiveState,
    *,
    digest_key: bytes,
    targets: Collection[Target] = (),
    kinds: Mapping[KindName, Kind] | None = None,
    live_paired: bool = False,
) -> Plan:
    """Compare desired and live. Pure: `live` is whatever the caller read, keyed as each kind
    reads it (`live_paired`: keyed as the plan names objects already, see `paired_objects`);
    `digest_key` (the account's api_secret) keys the fingerprints and the config digest."""
    kinds = kinds if kinds is not None else default_kinds()
    wanted = set(targets)
    out = _Collected()
    for kind_name in sorted(kinds, key=lambda k: kinds[k].rank):
        kind = kinds[kind_name]
        declared, live_objects = _sides(kind, desired, live.get(kind_name, {}), paired=live_paired)
        for name in sorted(set(declared) | set(live_objects)):
            obj, current = declared.get(name), live_objects.get(name)
            builtin = current is not None and kind.builtin_definition(current) is not None
            pruned = kind_name in desired.policy.prune and not builtin
            if current is not None and (obj is not None or pruned):
                out.tally.existing += 1
            if wanted and (kind_name, name) not in wanted:
                continue
            out.seen.add((kind_name, name))
            _plan_object(kind, name, obj, current, builtin, desired.policy, digest_key, out)
    _check_targets(wanted - out.seen, desired.policy)
    ordered = _in_apply_order(out.changes)
    return Plan(
        environment=desired.environment,
        cloud_name=desired.cloud,
        config_digest=config_digest(desired, digest_key),
        changes=tuple(_still_referenced_noted(_delete_order_noted(ordered, live, kinds), desired, kinds)),
        summary=Summary(**out.tally.counts, unmanaged=len(out.unmanaged)),
        unmanaged=tuple(out.unmanaged),
        notes=tuple(out.notes),
        existing_managed=out.tally.existing,
    )


@dataclass
class _Collected:
    """What `build_plan` gathers, object by object."""

    changes: list[Change] = field(default_factory=list)
    unmanaged: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about objects that do not change
    tally: _Tally = field(default_factory=_Tally)
    seen: set[Target] = field(default_factory=set)  # the targets met

    def add(self, change: Change) -> None:
        self.changes.append(change)
        self.tally.counts[change.action] += 1


def _plan_object(
    kind: Kind,
    name: str,
    obj: DesiredObject | None,
    current: LiveObject | None,
    builtin: bool,
    policy: Policy,
    digest_key: bytes,
    out: _Collected,
) -> None:
    """The change one declared or live object needs, if any, into `out`."""
    elsewhere = policy.ignored_fields(kind.kind, name)  # fields managed outside the config
    if obj is None:
        assert current is not None
        if builtin:
            return  # server-provided: never unmanaged, never pruned
        if kind.kind in policy.prune:
            why = "not declared; the kind is in policy.prune"
            out.add(_delete(kind, current, why, digest_key, elsewhere))
        else:
            out.unmanaged.append((kind.kind, name))
        return
    if obj.absent:
        tombstone = _tombstone(kind, current, digest_key, elsewhere) if current is not None else None
        if tombstone is not None:
            out.add(tombstone)
        return
    obj = with_live_fields(kind, obj, current, elsewhere)
    change = _compare(kind, obj, current, digest_key, elsewhere)
    if change is None:
        out.tally.counts["unchanged"] += 1
        out.notes.extend(f"{kind.kind} {name}: {n}" for n in _stripped_notes(obj))
    else:
        out.add(change)


def _check_targets(missing: set[Target], policy: Policy) -> None:
    """A --target that names nothing planned is an error (TargetError) saying why."""
    ignored = sorted(f"{k}:{n}" for k, n in missing if policy.is_ignored(k, n))
    if ignored:
        raise TargetError(
            f"--target names objects that policy.ignore covers: {', '.join(ignored)}; ignored objects "
            "are never read or changed (remove them from policy.ignore to manage them)"
        )
    if missing:
        names = ", ".join(sorted(f"{k}:{n}" for k, n in missing))
        raise TargetError(f"--target names no declared or live object: {names}")


def _in_apply_order(changes: list[Change]) -> list[Change]:
    """Creates, updates and replaces by ascending rank; then deletes, in reverse rank."""
    return sorted((c for c in changes if c.action != "delete"), key=lambda c: (c.rank, c.name)) + sorted(
        (c for c in changes if c.action == "delete"), key=lambda c: (-c.rank, c.name)
    )


def _delete_order_noted(
    changes: list[Change], live: LiveState, kinds: Mapping[KindName, Kind]
) -> list[Change]:
    """A delete of an object that references another object this plan also deletes says that it
    goes first (deletes run in reverse rank): the plan shows why the order is safe."""
    deleted = {(c.kind, c.name) for c in changes if c.action in ("delete", "replace")}
    noted: list[Change] = []
    for change in changes:
        current = live.get(change.kind, {}).get(change.name)
        if change.action == "delete" and current is not None:
            referenced = [r for r in kinds[change.kind].live_references(current) if r in deleted]
            order = tuple(
                f"deleted before {k} {n}, which it references (deletes run in reverse rank)"
                for k, n in referenced
            )
            change = dataclasses.replace(change, notes=(*change.notes, *order)) if order else change
        noted.append(change)
    return noted


def _still_referenced_noted(
    changes: list[Change], desired: DesiredState, kinds: Mapping[KindName, Kind]
) -> list[Change]:
    """A delete (a pruned object) of something a declared object refers to says so: the API
    takes a reference to a missing transformation, so validate only warns about it, but what
    goes through the referring object (an upload through a preset) fails once it is gone."""
    deleted = {(c.kind, c.name) for c in changes if c.action == "delete"}
    referrers: dict[tuple[KindName, str], list[str]] = {}
    for obj in desired.objects:
        if not obj.absent and obj.kind in kinds:
            for ref in kinds[obj.kind].references(obj):
                if ref in deleted:
                    referrers.setdefault(ref, []).append(f"{obj.kind} {obj.name}")
    return [
        dataclasses.replace(
            c,
            notes=(
                *c.notes,
                f"still referred to by {', '.join(referrers[c.kind, c.name])} of this config: "
                "what goes through it fails once this is deleted",
            ),
        )
        if (c.kind, c.name) in referrers
        else c
        for c in changes
    ]


def _delete(kind: Kind, current: LiveObject, why: str, key: bytes, ignored: Sequence[str]) -> Change:
    # a server-provided object is not deleted but reverted: the diff goes to its definition
    definition = kind.builtin_definition(current) or {}
    diffs = field_diffs(
        kind.comparable_live(definition, current.canonical) if definition else current.canonical, definition
    )
    notes = (why, *kind.notes("delete", None, current))
    live_fingerprint = fingerprint(current, key, kind, ignored)
    return Change(kind.kind, current.name, "delete", kind.rank, diffs, notes, live_fingerprint)


def _tombstone(kind: Kind, current: LiveObject, key: bytes, ignored: Sequence[str]) -> Change | None:
    """The delete a tombstone plans; a server-provided object reverts to its definition, so
    one that is at it already has nothing to do."""
    if kind.at_builtin_definition(current):
        return None
    return _delete(kind, current, "tombstone: absent: true", key, ignored)


def _compare(
    kind: Kind, obj: DesiredObject, current: LiveObject | None, key: bytes, ignored: Sequence[str]
) -> Change | None:
    # Kinds take the desired *body* (as the user wrote it) in needs_replace/notes/create/update,
    # and compare in canonical form themselves; the plan compares canonical forms.
    want = kind.canonical_desired(obj)
    have = None if current is None else dict(kind.comparable_live(want, current.canonical))
    if have is not None and _same_json(want, have):
        return None  # most objects of a plan: nothing below is needed for them
    sensitive = kind.sensitive_canonical_paths(obj.sensitive_paths)
    stripped = _stripped_notes(obj)
    if current is None or have is None:  # (the one is None exactly when the other is)
        set_by_config = config_set_paths(kind, obj.body)
        diffs = tuple(
            dataclasses.replace(d, server_default=is_server_default(d.path, set_by_config))
            for d in field_diffs({}, want, sensitive)
        )
        notes = (*kind.notes("create", obj.body, None), *stripped)
        return Change(kind.kind, obj.name, "create", kind.rank, diffs, notes, None)
    action: Action = "replace" if kind.needs_replace(obj.body, current) else "update"
    diffs = field_diffs(have, want, sensitive)
    notes = (*kind.notes(action, obj.body, current), *stripped)
    return Change(
        kind.kind, obj.name, action, kind.rank, diffs, notes, fingerprint(current, key, kind, ignored)
    )

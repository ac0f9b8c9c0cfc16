"""Saved plans (`plan --out FILE`, `apply FILE`): the DESIGN.md section 5 JSON format.

The file carries what was planned and the fingerprint of every live object it touches, never
a desired body: `apply FILE` takes the bodies from the re-loaded config (whose digest must
match) and refuses when the file was edited (`digest`) or the live objects moved.
Sensitive values are masked in the plan already and scrubbed again here.

`digest` is an HMAC-SHA256 of the rest of the document under the account's api_secret, like
`config_digest` and each `live_fingerprint`: a plain hash anyone could recompute after
editing an action or `existing_managed`, which none of the keyed hashes covers. Nothing in a
file is trusted before its digest is verified; and applying it re-plans the touched objects
from the config and the account (`check_replanned`), so even a file signed with a leaked key
can only make apply do what the config and account call for.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from array import array
from collections.abc import Collection, Mapping
from itertools import accumulate
from pathlib import Path
from typing import Any

from cloudinary_state.canonical_json import canonical_json
from cloudinary_state.desired import DesiredState, KindName, Policy
from cloudinary_state.engine.forecast import Forecast
from cloudinary_state.engine.impact import impact_document, impact_from_document
from cloudinary_state.engine.masking import scrub_value
from cloudinary_state.engine.plan import (
    Change,
    FieldDiff,
    Plan,
    Summary,
    Target,
    TargetError,
    build_plan,
    config_digest,
    default_kinds,
    fingerprint,
)
from cloudinary_state.engine.rehearsal_report import rehearsal_document, rehearsal_from_document
from cloudinary_state.errors import PlanFileError, RefusedPlanError, StalePlanError
from cloudinary_state.kinds.base import Kind, LiveObject
from cloudinary_state.textfiles import MIB, UnreadableText, read_text

FORMAT = "cloudinary-state/plan@1"
ACTIONS = ("create", "update", "replace", "delete")
# A plan file's envelope nests 5 levels (document, changes, change, diffs, diff) around values
# of at most the config's 100 (config.yamlload.MAX_DEPTH): refusing deeper ones before parsing
# keeps json.loads, and everything that walks the document, far from Python's recursion limit.
MAX_PLAN_DEPTH = 128
MAX_PLAN_BYTES = 32 * MIB  # several times a plan that changes 10,000 objects
# A JSON string, matched whole so that brackets in it do not count (a raw newline ends the match:
# no JSON string holds one, and lines must still be counted).
_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
# each byte as a signed step: +1 opens, -1 (0xff) closes, 0 is a newline; every other byte goes
_STEPS = bytes.maketrans(b"[]{}\n", b"\x01\xff\x01\xff\x00")
_NOT_STEPS = bytes(b for b in range(256) if b not in b"[]{}\n")
_CHUNK = 1 << 20  # steps summed at a time: bounds the memory of the running sums


def _change_document(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "name": change.name,
        "action": change.action,
        "diffs": [
            {
                "path": d.path,
                "before": d.before,
                "after": d.after,
                **({"sensitive": True} if d.sensitive else {}),
                **({"server_default": True} if d.server_default else {}),
            }
            for d in change.diffs
        ],
        "notes": list(change.notes),
        "live_fingerprint": change.live_fingerprint,
        **({"impact": impact_document(change.impact)} if change.impact is not None else {}),
    }


def _digest(document: Mapping[str, Any], key: bytes) -> str:
    rest = {k: v for k, v in document.items() if k != "digest"}
    # surrogatepass: a hand-made file may hold a lone surrogate ("\ud800"); it only fails to verify
    text = canonical_json(rest).encode("utf-8", "surrogatepass")
    return "hmac-sha256:" + hmac.new(key, text, hashlib.sha256).hexdigest()


def plan_document(plan: Plan, secrets: Collection[str] = (), *, digest_key: bytes) -> dict[str, Any]:
    """The plan as the section 5 JSON document, secrets scrubbed, with its digest keyed by
    `digest_key` (the account's api_secret, as `build_plan` was given it)."""
    body: dict[str, Any] = {
        "format": FORMAT,
        "environment": plan.environment,
        "cloud_name": plan.cloud_name,
        "config_digest": plan.config_digest,
        "changes": [_change_document(c) for c in plan.changes],
        "summary": plan.summary.as_dict(),
        "unmanaged": [f"{k}:{n}" for k, n in plan.unmanaged],
        "notes": list(plan.notes),
        "existing_managed": plan.existing_managed,
        "api_calls": plan.api_calls,
        "rate_limit_remaining": plan.rate_limit_remaining,
        "approved_deletes": plan.approved_deletes,
    }
    if plan.rehearsal is not None:
        body["rehearsal"] = rehearsal_document(plan.rehearsal)
    if plan.forecast is not None:
        body["forecast"] = plan.forecast.as_dict()
    body = scrub_value(body, secrets)
    ordered = {k: body[k] for k in ("format", "environment", "cloud_name", "config_digest")}
    ordered["digest"] = _digest(body, digest_key)
    ordered.update({k: v for k, v in body.items() if k not in ordered})
    return ordered


def write_plan(path: Path, plan: Plan, secrets: Collection[str] = (), *, digest_key: bytes) -> None:
    document = plan_document(plan, secrets, digest_key=digest_key)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as e:  # a parent that is a file, no permission, a full disk, ...
        where = f" ({e.filename})" if e.filename and str(e.filename) != str(path) else ""
        raise _bad(path, f"cannot be written: {e.strerror or e}{where}; choose another --out path") from None


def _bad(path: Path, why: str) -> PlanFileError:
    return PlanFileError(f"plan file {path}: {why}")


def _refused(path: Path, why: str) -> RefusedPlanError:
    return RefusedPlanError(f"plan file {path}: {why}")


def _diff_from(raw: Any) -> FieldDiff:
    if not isinstance(raw, dict) or not isinstance(raw.get("path"), str):
        raise ValueError(f"malformed diff {raw!r}")
    return FieldDiff(
        raw["path"],
        raw.get("before"),
        raw.get("after"),
        bool(raw.get("sensitive", False)),
        bool(raw.get("server_default", False)),
    )


def _change_from(path: Path, raw: Any, kinds: Mapping[KindName, Kind]) -> Change:
    if not isinstance(raw, dict) or raw.get("kind") not in kinds or raw.get("action") not in ACTIONS:
        raise _bad(path, f"malformed change {raw!r}")
    kind = kinds[raw["kind"]]
    diffs = tuple(_diff_from(d) for d in raw.get("diffs", []))
    change = Change(
        kind=raw["kind"],
        name=str(raw["name"]),
        action=raw["action"],
        rank=kind.rank,
        diffs=diffs,
        notes=_strings(raw.get("notes", []), "notes"),
        live_fingerprint=raw.get("live_fingerprint"),
        impact=impact_from_document(raw.get("impact")),
    )
    return change


def _strings(value: Any, what: str) -> tuple[str, ...]:
    """A list of strings, as the renderers expect it (a string is no list of its characters)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(value)


def _flag(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{what} must be true or false")
    return value


def _kind_and_name(written: str) -> tuple[str, str]:
    kind, colon, name = written.partition(":")
    if not colon:
        raise ValueError(f"unmanaged {written!r} is not KIND:NAME")
    return kind, name


def load_document(path: Path) -> dict[str, Any]:
    """The file as a plan document, not yet verified: raises PlanFileError (exit 1) for a file
    that cannot be read or is no plan, which needs no credentials to tell."""
    try:
        text = read_text(path, MAX_PLAN_BYTES, "save the plan of fewer changes (plan --target)")
    except UnreadableText as e:
        where = f" at line {e.line}, column {e.column}" if (e.line, e.column) != (1, 1) else ""
        fix = f"; {e.hint}" if e.hint else ""
        raise _bad(path, f"cannot be read: {e.reason}{where}{fix}") from None
    _check_nesting(path, text)
    try:
        document = json.loads(text)
    except ValueError as e:
        raise _bad(path, f"is not JSON ({e})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _bad(path, f"is not a {FORMAT} file")
    return document


def _too_deep_at(text: str) -> int | None:
    """The line where `text` nests deeper than MAX_PLAN_DEPTH, or None. At C speed (a loop over
    the brackets in Python would take seconds on a large file): strings blanked, then running
    sums of the brackets' steps, a chunk at a time."""
    blanked = _JSON_STRING.sub('""', text).encode("utf-8", "surrogatepass")
    steps = array("b", blanked.translate(_STEPS, _NOT_STEPS))
    depth = 0
    for start in range(0, len(steps), _CHUNK):
        depths = list(accumulate(steps[start : start + _CHUNK], initial=depth))
        if max(depths) > MAX_PLAN_DEPTH:
            # one step at a time, so the first sum past the limit is exactly one past it
            first = start + depths.index(MAX_PLAN_DEPTH + 1) - 1
            return steps[:first].count(0) + 1
        depth = depths[-1]
    return None


def _check_nesting(path: Path, text: str) -> None:
    """Refuse a text nested deeper than MAX_PLAN_DEPTH before json.loads recurses into it."""
    line = _too_deep_at(text)
    if line is not None:
        raise _bad(
            path,
            f"is nested deeper than {MAX_PLAN_DEPTH} levels at line {line}: "
            "no plan written by `plan --out` is; plan again",
        )


def plan_from_document(
    path: Path,
    document: Mapping[str, Any],
    *,
    digest_key: bytes,
    kinds: Mapping[KindName, Kind] | None = None,
    environment: str | None = None,
) -> Plan:
    """The saved plan, once its digest verifies under `digest_key` (RefusedPlanError, exit 3,
    for a file edited after `plan --out` or made for another account). `environment`, the one
    the key is of, lets the refusal name the environment the file says it was made for."""
    stated = document.get("digest")
    stated = stated if isinstance(stated, str) else ""  # a hand-made file
    if not hmac.compare_digest(stated.encode("utf-8", "replace"), _digest(document, digest_key).encode()):
        raise _refused(
            path,
            "digest mismatch: the file was modified after `plan --out` wrote it, or was made for "
            f"another account (another api_secret); plan again{_made_for(document, environment)}",
        )
    return parse_plan(path, document, kinds=kinds)


_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # safe to echo as a shell word


def _made_for(document: Mapping[str, Any], environment: str | None) -> str:
    """The environment an unverified file names, when it is not the one it was given for:
    the likeliest cause of a digest mismatch (repr: nothing vouches for the name's text)."""
    named = document.get("environment")
    if environment is None or not isinstance(named, str) or named == environment:
        return ""
    said = f". The file says it was made for environment {named!r}, not {environment!r}"
    return f"{said}: use --env {named}" if _PLAIN_NAME.fullmatch(named) else said


def parse_plan(
    path: Path, document: Mapping[str, Any], *, kinds: Mapping[KindName, Kind] | None = None
) -> Plan:
    """The plan a document holds, its digest NOT verified: for showing a file (`show`) to a
    reader without the key; applying one goes through `plan_from_document`."""
    kinds = kinds if kinds is not None else default_kinds()
    try:
        changes = tuple(_change_from(path, c, kinds) for c in document["changes"])
        unmanaged = tuple(_kind_and_name(u) for u in _strings(document.get("unmanaged", []), "unmanaged"))
        return Plan(
            environment=document["environment"],
            cloud_name=document["cloud_name"],
            config_digest=document["config_digest"],
            changes=changes,
            summary=Summary(**document["summary"]),
            unmanaged=unmanaged,
            notes=_strings(document.get("notes", []), "notes"),
            existing_managed=int(document.get("existing_managed", 0)),
            api_calls=int(document.get("api_calls", 0)),
            rate_limit_remaining=document.get("rate_limit_remaining"),
            approved_deletes=_flag(document.get("approved_deletes", False), "approved_deletes"),
            rehearsal=rehearsal_from_document(document.get("rehearsal")),
            forecast=Forecast.from_dict(document["forecast"]) if "forecast" in document else None,
        )
    # a signed file is still hand-made when the key leaked: any shape can reach this point
    # (OverflowError: a count of 1e999, which JSON reads as infinity)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as e:
        raise _bad(path, f"is malformed ({e})") from None


def read_plan(path: Path, *, digest_key: bytes, kinds: Mapping[KindName, Kind] | None = None) -> Plan:
    """Load a saved plan, refusing one that is not ours or whose digest does not verify."""
    return plan_from_document(path, load_document(path), digest_key=digest_key, kinds=kinds)


def check_plan_matches(plan: Plan, desired: DesiredState, path: Path, digest_key: bytes) -> None:
    """A saved plan applies only to the environment and the exact config it was made from
    (`digest_key`: the account's api_secret, as `build_plan` was given it)."""
    if plan.environment != desired.environment or plan.cloud_name != desired.cloud:
        raise _refused(
            path,
            f"was made for environment {plan.environment!r} (cloud {plan.cloud_name!r}), "
            f"not {desired.environment!r} (cloud {desired.cloud!r})",
        )
    planned = plan.config_digest if isinstance(plan.config_digest, str) else ""  # a hand-made file
    if not hmac.compare_digest(planned.encode(), config_digest(desired, digest_key).encode()):
        raise _refused(
            path,
            "the config changed since the plan was made (config_digest differs); "
            "run `plan --out` again and review the new plan",
        )


def _how_it_moved(planned: str | None, now: LiveObject | None) -> str:
    if planned is None:
        return "created since the plan"
    return "deleted since the plan" if now is None else "changed since the plan"


def check_fresh(
    plan: Plan,
    live: Mapping[Target, LiveObject | None],
    digest_key: bytes,
    kinds: Mapping[KindName, Kind] | None = None,
    policy: Policy | None = None,
) -> None:
    """Refuse (StalePlanError, exit 3) when any object the plan touches moved since it was made,
    naming each one and how it moved. `live` is the current form of exactly those objects;
    `digest_key` keys the fingerprints as it did in `build_plan`, and with `kinds` and `policy`
    they leave out the fields policy.ignore_changes leaves to others, as `build_plan` does."""

    def now(c: Change) -> str | None:
        current = live.get((c.kind, c.name))
        if kinds is None or policy is None:
            return fingerprint(current, digest_key)
        return fingerprint(current, digest_key, kinds[c.kind], policy.ignored_fields(c.kind, c.name))

    moved = [c for c in plan.changes if now(c) != c.live_fingerprint]
    if moved:
        names = ", ".join(
            f"{c.key} ({_how_it_moved(c.live_fingerprint, live.get((c.kind, c.name)))})" for c in moved
        )
        raise StalePlanError(
            f"refused: the live state moved since the plan was made, for {names}. "
            "Run plan again and review the new plan."
        )


def _shapes(changes: tuple[Change, ...]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """What a change does, by object: its action and the paths of its diffs."""
    return {c.key: (c.action, tuple(d.path for d in c.diffs)) for c in changes}


def check_replanned(
    plan: Plan,
    desired: DesiredState,
    live: Mapping[Target, LiveObject | None],
    path: Path,
    *,
    digest_key: bytes,
    kinds: Mapping[KindName, Kind] | None = None,
) -> None:
    """Refuse (RefusedPlanError, exit 3) a saved plan whose changes are not what the config
    and the account call for now: the touched objects are planned again from `desired` and
    `live` (their current form, as `read_planned` returned it: already under the plan's names,
    and too few objects to pair again), and each change's kind, name, action and diff paths
    must be the file's."""
    if not plan.changes:
        return
    kinds = kinds if kinds is not None else default_kinds()
    current: dict[KindName, dict[str, LiveObject]] = {}
    for (kind, name), obj in live.items():
        if obj is not None:
            current.setdefault(kind, {})[name] = obj
    touched = [(c.kind, c.name) for c in plan.changes]
    try:
        again = build_plan(
            desired, current, digest_key=digest_key, targets=touched, kinds=kinds, live_paired=True
        )
    except TargetError as e:  # a change for an object the config ignores, or that exists nowhere
        raise _refused(path, f"its changes are not what the config calls for ({e}); plan again") from None
    planned, called_for = _shapes(plan.changes), _shapes(again.changes)
    differing = sorted(k for k in planned.keys() | called_for.keys() if planned.get(k) != called_for.get(k))
    if differing:
        raise _refused(
            path,
            f"its changes differ from what the config and the account call for now "
            f"({', '.join(differing)}); plan again and review the new plan",
        )

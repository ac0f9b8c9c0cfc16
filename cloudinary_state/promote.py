"""`promote --from A --to B`: objects as they live in A, recorded as config and planned for B.

For each selected object, A's live form is exported (`kind.export`), made safe for a file by
the importer (A's variable values mapped back to `${var.NAME}`, secret-looking values as
`${env.NAME}` placeholders, literal `${` escaped) and spliced into the resource document that
declares it (or, for an object new to the config, a document B includes, preferably one A
includes too: the shared common document). The plan shown is B's own plan over the edited
config, loaded by the normal loader from a scratch copy, so the next `plan --env B` after
`--write` shows the same change.

Values that A's config takes from `${env.*}` are secrets of A, and values A's `overrides:` set
are A's own: neither is promoted. The document keeps what it says at those paths (a
placeholder, or the shared value under each environment's override), and the promoted body
leaves a path out where the document has nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from cloudinary_state.config import included_documents, load_environment
from cloudinary_state.desired import DesiredState, KindName
from cloudinary_state.engine.plan import LiveState, Plan, Target, TargetError, build_plan
from cloudinary_state.errors import CloudinaryStateError, ConfigError, Diagnostic, PolicyRefusal
from cloudinary_state.importer import Placeholder, config_body
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.base import Kind
from cloudinary_state.yamledit import set_entry

SCRATCH_SKIP = (".git", ".cloudinary-state", ".venv", "__pycache__")


class PromoteError(CloudinaryStateError):
    """A promotion that cannot be recorded (the object lives nowhere B would see it)."""


@dataclass(frozen=True)
class PromotedObject:
    kind: KindName
    name: str
    status: Literal["changes", "in_sync"]  # in_sync: B's plan for it is empty already
    document: Path  # the resource document that holds (or would hold) it
    new: bool  # not declared in the config before
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Promotion:
    source: str
    target: str
    objects: tuple[PromotedObject, ...]
    plan: Plan  # B's plan over the promoted objects, from the edited config
    edits: Mapping[Path, str]  # document -> new text (in-sync declared objects left as written)
    placeholders: tuple[Placeholder, ...]
    rewritten_whole: tuple[Path, ...]  # documents whose comments/formatting were lost


# --- selection and bodies ------------------------------------------------------------------


def select(
    source: DesiredState,
    target: DesiredState,
    live: LiveState,
    targets: Collection[Target],
    kinds: Mapping[KindName, Kind],
) -> list[Target]:
    """The objects to promote: the named ones, or every live object of A neither side ignores
    (server-provided objects only where A changed them)."""
    if targets:
        missing = [f"{k}:{n}" for k, n in targets if n not in live.get(k, {})]
        if missing:
            raise TargetError(f"--target names no live object of {source.environment}: {', '.join(missing)}")
        return list(dict.fromkeys(targets))
    return [
        (kind, name)
        for kind in REGISTRY.names()
        for name in sorted(live.get(kind, {}))
        if not source.policy.is_ignored(kind, name)
        and not target.policy.is_ignored(kind, name)
        and not kinds[kind].at_builtin_definition(live[kind][name])
    ]


def _lookup(document: Any, dotted: str) -> tuple[bool, Any]:
    for key in dotted.split("."):
        if not isinstance(document, Mapping) or key not in document:
            return False, None
        document = document[key]
    return True, document


def _assign(body: dict[str, Any], dotted: str, value: Any, *, remove: bool) -> None:
    *parents, leaf = dotted.split(".")
    node = body
    for key in parents:
        child = node.get(key)
        if not isinstance(child, dict):
            return
        node = child
    if remove:
        node.pop(leaf, None)
    else:
        node[leaf] = value


def _declared_raw(document: Path, section: str, name: str) -> Mapping[str, Any] | None:
    data = yaml.safe_load(document.read_text(encoding="utf-8")) if document.is_file() else None
    entry = (data or {}).get(section, {}) if isinstance(data, dict) else {}
    raw = entry.get(name) if isinstance(entry, dict) else None
    return raw if isinstance(raw, Mapping) else None


def _leaf_paths(value: Any, prefix: str) -> set[str]:
    if isinstance(value, Mapping) and value:
        return set().union(*(_leaf_paths(v, f"{prefix}.{k}" if prefix else str(k)) for k, v in value.items()))
    return {prefix} if prefix else set()


def _override_paths(state: DesiredState, config_dir: Path, section: str, name: str) -> set[str]:
    """The dotted paths `state`'s environment file overrides for one object."""
    from cloudinary_state.config.loader import ENVIRONMENTS_DIR

    env_file = config_dir / ENVIRONMENTS_DIR / f"{state.environment}.yaml"
    document = yaml.safe_load(env_file.read_text(encoding="utf-8")) or {}
    patch = ((document.get("overrides") or {}).get(section) or {}).get(name)
    return _leaf_paths(patch, "") if isinstance(patch, Mapping) and "absent" not in patch else set()


# --- where an object is recorded --------------------------------------------------------------


def _included_documents(state: DesiredState, config_dir: Path) -> list[Path]:
    """The resource documents `state`'s environment includes, matched as the loader matches its
    include globs, named under `config_dir` as the user gave it (messages show them so)."""
    root = config_dir.resolve()
    return [config_dir / p.relative_to(root) for p in included_documents(config_dir, state.environment)[1]]


def _home(
    kind: KindName, name: str, source: DesiredState, target: DesiredState, config_dir: Path
) -> tuple[Path, bool]:
    """-> (document to edit, whether the object is new to the config)."""
    section = REGISTRY.section_of(kind)
    b_docs = _included_documents(target, config_dir)
    b_resolved = {d.resolve() for d in b_docs}
    declared_b = target.get(kind, name)
    if declared_b is not None and declared_b.absent:
        raise PromoteError(
            f"{kind} {name}: {target.environment} declares it absent (tombstone at {declared_b.source}); "
            "remove the tombstone before promoting it"
        )
    for declared in (declared_b, source.get(kind, name)):
        if declared is not None and declared.source is not None:
            path = Path(declared.source.file)
            if path.resolve() in b_resolved:
                return path, False
            raise PromoteError(
                f"{kind} {name} is declared in {path}, which {target.environment} does not include; "
                "move it to a shared resource document first"
            )
    a_resolved = {d.resolve() for d in _included_documents(source, config_dir)}
    shared = [d for d in b_docs if d.resolve() in a_resolved] or b_docs
    if not shared:
        raise PromoteError(f"{target.environment} includes no resource document to record {kind} {name} in")
    with_section = [d for d in shared if section in (yaml.safe_load(d.read_text(encoding="utf-8")) or {})]
    return (with_section or shared)[0], True


# --- the promotion ----------------------------------------------------------------------------


def _check_dependencies(
    state: DesiredState, chosen: Collection[Target], source_live: LiveState, kinds: Mapping[KindName, Kind]
) -> None:
    """A promoted object carries what it refers to: a reference the recorded config would leave
    unresolved (the API may take it, but uploads through the object would fail) is refused unless
    the source is known to lack the object too (`--target` could not bring it). One the source lacks too is
    dangling there already: the recorded config's checks judge it (a warning where the API takes
    it), as they judge the source's own config."""
    lacking = []
    for kind, name in chosen:
        obj = state.get(kind, name)
        if obj is None or obj.absent:
            continue
        for ref_kind, ref_name in kinds[kind].references(obj):
            declared = state.get(ref_kind, ref_name)
            # a kind left unread (--target names none of it) may hold it: `--target` can tell
            promotable = ref_kind not in source_live or ref_name in source_live[ref_kind]
            if (
                promotable
                and (declared is None or declared.absent)
                and not state.policy.is_ignored(ref_kind, ref_name)
            ):
                lacking.append(
                    f"{kind} {name} refers to {ref_kind} {ref_name} (--target {ref_kind}:{ref_name})"
                )
    if lacking:
        raise PromoteError(
            f"{state.environment}'s config would lack what promoted objects refer to: "
            + "; ".join(lacking)
            + ". Promote those too, or declare them. Nothing was written."
        )


def _scratch_copy(config_dir: Path, into: Path) -> Path:
    copy = into / "config"
    shutil.copytree(config_dir, copy, ignore=shutil.ignore_patterns(*SCRATCH_SKIP))
    return copy


def _in_config_dir(diagnostic: Diagnostic, copy: Path, config_dir: Path) -> Diagnostic:
    """A problem of the edited scratch copy, told about the user's own files."""
    return replace(
        diagnostic,
        file=diagnostic.file.replace(str(copy), str(config_dir), 1),
        message=f"{diagnostic.message} (in the config as promote would record it)",
        hint=diagnostic.hint or "promote the objects it depends on too (--target), or declare them first",
    )


def _relocated(path: Path, config_dir: Path, copy: Path) -> Path:
    return copy / path.resolve().relative_to(config_dir.resolve())


@dataclass
class _Recorded:
    edits: dict[Path, str]
    rewritten: list[Path]
    placeholders: list[Placeholder]
    homes: dict[Target, tuple[Path, bool, tuple[str, ...]]]


def _record(
    chosen: list[Target],
    config_dir: Path,
    source: DesiredState,
    source_live: LiveState,
    target: DesiredState,
    kinds: Mapping[KindName, Kind],
) -> _Recorded:
    """The document edits that record each chosen object as it lives in A."""
    variables = {n: str(v) for n, v in source.variables.items()}
    recorded = _Recorded({}, [], [], {})
    taken: set[str] = set()
    for kind_name, name in chosen:
        kind = kinds[kind_name]
        section = REGISTRY.section_of(kind_name)
        declared = source.get(kind_name, name)
        sensitive = declared.sensitive_paths if declared is not None else frozenset()
        body, found = config_body(
            kind, kind.export(source_live[kind_name][name]), name, variables, taken, secrets=source.secrets
        )
        document, new = _home(kind_name, name, source, target, config_dir)
        raw = _declared_raw(document, section, name) or {}
        notes: list[str] = []
        overridden = _override_paths(source, config_dir, section, name)
        elsewhere = set(source.policy.ignored_fields(kind_name, name))  # A's other systems set them
        # A's secrets, A's overrides and the fields A leaves to other systems stay A's: the
        # shared document keeps what it says there.
        for path in sorted(sensitive | overridden | elsewhere):
            present, value = _lookup(raw, path)
            _assign(body, path, value, remove=not present)
            found = [p for p in found if not (p.path == path or p.path.startswith(path + "."))]
            if path in overridden:
                notes.append(f"{path} is set by {source.environment}'s overrides: left to each environment")
            elif path in elsewhere:
                notes.append(f"{path} is managed outside the config in {source.environment}: not promoted")
            elif not present:
                notes.append(f"{path} comes from ${{env.*}} in {source.environment}: not promoted")
        recorded.placeholders += found
        text = recorded.edits.get(
            document, document.read_text(encoding="utf-8") if document.is_file() else ""
        )
        text, kept = set_entry(text, section, name, body)
        recorded.edits[document] = text
        if not kept and document not in recorded.rewritten:
            recorded.rewritten.append(document)
        recorded.homes[kind_name, name] = (document, new, tuple(notes))
    return recorded


def promote(
    config_dir: Path,
    source: DesiredState,
    source_live: LiveState,
    target: DesiredState,
    target_live: LiveState,
    kinds: Mapping[KindName, Kind],
    *,
    digest_key: bytes,
    targets: Collection[Target] = (),
    environ: Mapping[str, str] | None = None,
) -> Promotion:
    """Compute the edits and B's plan over them (`digest_key`: B's api_secret, for the plan's
    hashes). Writes nothing to `config_dir`."""
    chosen = select(source, target, source_live, targets, kinds)
    everything = _record(chosen, config_dir, source, source_live, target, kinds)

    with tempfile.TemporaryDirectory(prefix="cloudinary-state-promote-") as scratch:
        copy = _scratch_copy(config_dir, Path(scratch))
        for document, text in everything.edits.items():
            _relocated(document, config_dir, copy).write_text(text, encoding="utf-8")
        # Placeholders promote has just named cannot be set yet: render them empty for the preview.
        lenient = bool(everything.placeholders)
        try:
            promoted_state = load_environment(
                copy, target.environment, REGISTRY, environ=environ, require_env=not lenient
            )
        except ConfigError as e:
            raise ConfigError([_in_config_dir(d, copy, config_dir) for d in e.diagnostics]) from None
    _check_dependencies(promoted_state, chosen, source_live, kinds)
    # the cloud as the connection knows it: declared, or (left out) the credentials'
    promoted_state = replace(promoted_state, cloud_name=target.cloud_name)
    plan = build_plan(promoted_state, target_live, digest_key=digest_key, targets=chosen, kinds=kinds)
    changing = {(c.kind, c.name) for c in plan.changes}

    protected = [f"{k}:{n}" for k, n in sorted(changing) if target.policy.is_protected(k, n)]
    if protected:
        raise PolicyRefusal(
            f"refused: policy.protect of {target.environment} covers {', '.join(protected)}; "
            "protected objects are not promoted. Nothing was written."
        )

    objects = tuple(
        PromotedObject(
            kind, name, "changes" if (kind, name) in changing else "in_sync", *everything.homes[kind, name]
        )
        for kind, name in chosen
    )
    # An object already declared and in sync keeps its text as the user wrote it; the plan
    # does not move, since those objects plan empty either way.
    recorded = [(o.kind, o.name) for o in objects if o.status == "changes" or o.new]
    final = (
        everything
        if len(recorded) == len(chosen)
        else _record(
            recorded,
            config_dir,
            source,
            source_live,
            target,
            kinds,
        )
    )
    return Promotion(
        source.environment,
        target.environment,
        objects,
        plan,
        final.edits,
        tuple(final.placeholders),
        tuple(final.rewritten),
    )


def write(promotion: Promotion) -> list[Path]:
    for document, text in promotion.edits.items():
        document.parent.mkdir(parents=True, exist_ok=True)
        document.write_text(text, encoding="utf-8")
    return list(promotion.edits)

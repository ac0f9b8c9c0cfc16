"""Load one environment: read its file and includes, merge overrides, interpolate, validate,
check, strip add-on options, and hand the engine a `DesiredState`.

Every stage keeps going after a problem so that one run reports every mistake, each with
`file:line:column` and a fix. Only when the whole run is clean does a `DesiredState` exist.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cloudinary_state.addons import ADDONS, is_off
from cloudinary_state.config.checks import CheckedObject, ObjectChecks, Report, Universe, check_universe
from cloudinary_state.config.fastschema import FastSchema, compile_schema
from cloudinary_state.config.fastschema_scalars import undecided
from cloudinary_state.config.globbing import include_glob
from cloudinary_state.config.interpolate import did_you_mean, render
from cloudinary_state.config.mirrored import unmirrored
from cloudinary_state.config.packaged_schemas import (
    SchemaKind,
    body_schema,
    body_schema_is_packaged,
    environment_schema,
)
from cloudinary_state.config.yamlload import (
    DocPath,
    LoadedDocument,
    Marks,
    YamlLoadError,
    dotted,
    load_yaml_file,
)
from cloudinary_state.desired import (
    DesiredObject,
    DesiredState,
    KindName,
    Policy,
    SafetyPolicy,
    SourceRef,
    StrippedOption,
)
from cloudinary_state.errors import ConfigError, Diagnostic
from cloudinary_state.scrubbing import is_sensitive, scrub_text

if TYPE_CHECKING:
    from pydantic import BaseModel

# An environment file as validated (a document of the environment model): the keys it sets,
# nothing else; its readers apply the model's defaults (no include, no policy, ...) themselves.
Environment = dict[str, Any]


class LoadableKind(SchemaKind, ObjectChecks, Protocol):
    """What the loader needs of a kind (`kinds.base.Kind` provides it): the registry is passed
    in by the caller, so this layer names no kind and any registered kind loads."""

    def name_from_key(self, written: str) -> str: ...
    def check_name(self, report: Report, name: str, at: SourceRef) -> None: ...
    def strip_addon_options(
        self, body: dict[str, Any], enabled: Callable[[str], bool]
    ) -> tuple[dict[str, Any], tuple[StrippedOption, ...]]: ...


def kind_field_names(kind: SchemaKind) -> set[str]:
    """The top-level keys of a kind's body, by their YAML names (its JSON Schema's properties)."""
    return set(body_schema(kind).get("properties", {}))


@functools.cache
def _body_check(kind: SchemaKind) -> FastSchema:
    if not body_schema_is_packaged(kind) and unmirrored(kind.model):
        # a model that checks or changes more than its schema shows (a kind registered at run
        # time may not keep the kind contract): the model decides every body
        return FastSchema(undecided)
    return compile_schema(body_schema(kind))


@functools.cache
def _environment_check(kinds: tuple[SchemaKind, ...]) -> FastSchema:
    return compile_schema(environment_schema(kinds))


def _environment_model(kinds: Sequence[SchemaKind]) -> type[BaseModel]:
    from cloudinary_state.config.models import environment_model  # pydantic: only when needed

    return environment_model(kinds)


# Values that the models explain (documents the fast check did not accept), in one document and
# in all of one run: each wrong value is an error of pydantic's (half a kilobyte, more once
# read), and a file of 8 MiB holds millions. Far beyond any object or environment file, or the
# invalid documents of one run; a valid one has no limit.
MAX_EXPLAINED_VALUES = 100_000
ENVIRONMENTS_DIR = "environments"
_ENV_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def list_environments(config_dir: Path) -> list[str]:
    """Names of the environments of a config directory (environments/*.yaml)."""
    return sorted(p.stem for p in (config_dir / ENVIRONMENTS_DIR).glob("*.yaml") if p.is_file())


def included_documents(config_dir: Path, env: str) -> tuple[list[str], list[Path]]:
    """`env`'s include patterns and the resource documents they match (resolved), as far as
    its file can be read: for tools that edit a project (`check_environment` reports the
    problems)."""
    loader = _EnvironmentLoader(config_dir, env, (), False, {}, False)
    env_file = config_dir / ENVIRONMENTS_DIR / f"{env}.yaml"
    doc = loader.load(env_file) if env_file.is_file() else None
    patterns = doc.data.get("include") if doc is not None and isinstance(doc.data, dict) else None
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        return [], []
    assert doc is not None
    return patterns, loader.include_paths(env_file, doc, patterns)


@dataclass
class LoadResult:
    """The outcome of loading one environment: a state only when there are no errors."""

    state: DesiredState | None
    errors: list[Diagnostic]
    warnings: list[Diagnostic]


def load_environment(
    config_dir: Path,
    env: str,
    kinds: Sequence[LoadableKind],
    *,
    strict: bool = False,
    environ: Mapping[str, str] | None = None,
    require_env: bool = True,
) -> DesiredState:
    """The rendered desired state of `env`; raises ConfigError with every problem found.

    `environ` defaults to the process environment. With `require_env=False` (offline
    validation) an unset `${env.X}` without default is a warning and renders as its placeholder.
    """
    result = check_environment(
        config_dir, env, kinds, strict=strict, environ=environ, require_env=require_env
    )
    if result.state is None:
        raise ConfigError(result.errors)
    return replace(result.state, warnings=tuple(map(str, result.warnings)))


def check_environment(
    config_dir: Path,
    env: str,
    kinds: Sequence[LoadableKind],
    *,
    strict: bool = False,
    environ: Mapping[str, str] | None = None,
    require_env: bool = True,
) -> LoadResult:
    """Like `load_environment`, but returns errors and warnings instead of raising."""
    loader = _EnvironmentLoader(
        config_dir, env, tuple(kinds), strict, dict(os.environ if environ is None else environ), require_env
    )
    state = loader.run()

    def clean(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        scrubbed = [_scrub(d, loader.secrets) for d in diagnostics]
        return sorted(scrubbed, key=lambda d: (d.file, d.line, d.column))

    return LoadResult(state, clean(loader.report.errors), clean(loader.report.warnings))


def _scrub(diagnostic: Diagnostic, secrets: set[str]) -> Diagnostic:
    """A safety net: no message may quote a value that came from ${env.*}.

    The one scrubbing rule of every output (cloudinary_state/scrubbing.py): a value too short
    for it is left here as in a plan, so checks that know a value is sensitive never quote it.
    """
    message, hint = scrub_text(diagnostic.message, secrets), scrub_text(diagnostic.hint, secrets)
    return Diagnostic(diagnostic.file, diagnostic.line, diagnostic.column, message, hint)


@dataclass
class _RawObject:
    kind: KindName
    name: str
    body: Any
    marks: Marks  # rooted at the body
    declared_at: SourceRef


@dataclass
class _EnvironmentLoader:
    config_dir: Path
    env: str
    kinds: tuple[LoadableKind, ...]
    strict: bool
    environ: dict[str, str]
    require_env: bool
    report: Report = field(default_factory=Report)
    secrets: set[str] = field(default_factory=set)  # every ${env.*} value seen, valid or not
    explained: int = 0  # values the models validated (MAX_EXPLAINED_VALUES)

    def __post_init__(self) -> None:
        self.report.strict = self.strict
        self.root = self.config_dir.resolve()
        self.by_section = {kind.section: kind for kind in self.kinds}
        self.by_kind = {kind.kind: kind for kind in self.kinds}

    # -- files ----------------------------------------------------------------------------

    def shown(self, path: Path) -> str:
        """How a file is named in messages: relative to the config dir as the user gave it."""
        try:
            return str(self.config_dir / path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    def load(self, path: Path) -> LoadedDocument | None:
        try:
            return load_yaml_file(path, self.shown(path))
        except YamlLoadError as e:
            self.report.errors.extend(e.diagnostics)
            return None

    def run(self) -> DesiredState | None:
        env_dir = self.config_dir / ENVIRONMENTS_DIR
        env_file = env_dir / f"{self.env}.yaml"
        if not _ENV_NAME.match(self.env) or not env_file.is_file():
            known = list_environments(self.config_dir)
            hint = did_you_mean(self.env, set(known)) or (
                f"known environments: {', '.join(known)}" if known else f"create {env_file}"
            )
            self.report.error(SourceRef(str(env_file), 1, 1), f"unknown environment '{self.env}'", hint)
            return None
        doc = self.load(env_file)
        if doc is None:
            return None
        if not isinstance(doc.data, dict):
            self.report.error(
                doc.marks.at(()), "an environment file must be a mapping (cloud_name: ..., ...)"
            )
            return None
        # An invalid environment file does not stop the run: the parts that are valid on their
        # own (include, variables, ...) still let us check the resource documents.
        environment = self.validate_environment(doc)
        for name in environment.get("addons", {}):
            if name not in ADDONS:
                self.report.error(
                    doc.marks.at(("addons", name), key=True),
                    f"unknown add-on '{name}'",
                    did_you_mean(name, set(ADDONS)) or f"known add-ons: {', '.join(sorted(ADDONS))}",
                )
        self.check_ignored_fields(environment, doc)
        objects = self.collect(env_file, doc, environment.get("include", []))
        self.apply_overrides(objects, environment, doc)
        policy = _policy(environment, self.by_section)
        variables = {k: _stringify(v) for k, v in environment.get("variables", {}).items()}
        return self.render(environment, variables, policy, objects)

    def check_ignored_fields(self, environment: Environment, doc: LoadedDocument) -> None:
        """Each path of policy.ignore_changes starts at a field the kind's body has."""
        for section, by_name in environment.get("policy", {}).get("ignore_changes", {}).items():
            fields = kind_field_names(self.by_section[section])
            for pattern, paths in by_name.items():
                for i, path in enumerate(paths):
                    top = path.split(".", 1)[0]
                    if top not in fields:
                        self.report.error(
                            doc.marks.at(("policy", "ignore_changes", section, pattern, i)),
                            f"policy.ignore_changes: {section} have no field '{top}'",
                            did_you_mean(top, fields) or f"fields: {', '.join(sorted(fields))}",
                        )

    # -- includes and resource documents ---------------------------------------------------

    def include_paths(self, env_file: Path, doc: LoadedDocument, patterns: list[str]) -> list[Path]:
        base = env_file.parent.resolve()
        itself = env_file.resolve()
        found: list[Path] = []
        for i, pattern in enumerate(patterns):
            at = doc.marks.at(("include", i))
            target = os.path.normpath(base / pattern)
            if os.path.isabs(pattern) or not Path(target).is_relative_to(self.root):
                self.report.error(
                    at,
                    f"include '{pattern}' leaves the config directory",
                    "includes are relative to the environment file and stay inside the config directory",
                )
                continue
            matches = sorted(Path(m) for m in include_glob(str(base / pattern)) if Path(m).is_file())
            if not matches:
                self.report_no_match(at, pattern, base)
            for match in matches:
                resolved = match.resolve()  # once: each resolve reads every directory on the path
                if not resolved.is_relative_to(self.root):
                    self.report.error(at, f"include '{pattern}' reaches {match} outside the config directory")
                elif resolved == itself:
                    self.report.error(at, f"include '{pattern}' includes the environment file itself")
                elif resolved not in found:
                    found.append(resolved)
        return found

    def report_no_match(self, at: SourceRef, pattern: str, base: Path) -> None:
        """A glob that matches nothing yet is a warning: a new project's `common/*.yaml` before
        its first `import`, or a kind with no object yet. A literal path that is missing is an
        error: it is almost always a typo, and the objects it meant would silently be planned
        away."""
        if any(c in pattern for c in "*?["):  # the characters that make a glob (glob module)
            self.report.warning(
                at, f"include '{pattern}' matches no file yet", f"looked in {self.shown(base)}"
            )
        else:
            self.report.error(at, f"include '{pattern}' matches no file", f"looked in {self.shown(base)}")

    def collect(
        self, env_file: Path, doc: LoadedDocument, patterns: list[str]
    ) -> dict[tuple[KindName, str], _RawObject]:
        objects: dict[tuple[KindName, str], _RawObject] = {}
        for path in self.include_paths(env_file, doc, patterns):
            resources = self.load(path)
            if resources is None:
                continue
            if not isinstance(resources.data, dict):
                self.report.error(resources.marks.at(()), "a resource document must be a mapping of sections")
                continue
            for section, entries in resources.data.items():
                self.collect_section(resources, section, entries, objects)
        return objects

    def collect_section(
        self, doc: LoadedDocument, section: str, entries: Any, objects: dict[tuple[KindName, str], _RawObject]
    ) -> None:
        marks = doc.marks
        if section not in self.by_section:
            self.report.error(
                marks.at((section,), key=True),
                f"unknown section '{section}'",
                did_you_mean(section, set(self.by_section)) or f"sections: {', '.join(self.by_section)}",
            )
            return
        if entries is None:
            return
        if not isinstance(entries, dict):
            self.report.error(marks.at((section,)), f"{section} must be a mapping of name -> definition")
            return
        spec = self.by_section[section]
        kind = spec.kind
        for written, body in entries.items():
            declared_at = marks.at((section, written), key=True)
            spec.check_name(self.report, written, declared_at)
            name = spec.name_from_key(written)
            if not isinstance(body, dict):
                self.report.error(
                    marks.at((section, written)), f"{kind} '{name}' must be a mapping of settings"
                )
                continue
            before = objects.get((kind, name))
            if before is not None:
                self.report.error(
                    declared_at,
                    f"{kind} '{name}' is defined twice: here and at {before.declared_at}",
                    "keep one definition; per-environment changes go under `overrides:`",
                )
                continue
            objects[(kind, name)] = _RawObject(
                kind, name, body, marks.subtree((section, written), body), declared_at
            )

    # -- overrides --------------------------------------------------------------------------

    def apply_overrides(
        self,
        objects: dict[tuple[KindName, str], _RawObject],
        environment: Environment,
        doc: LoadedDocument,
    ) -> None:
        for section, entries in environment.get("overrides", {}).items():
            kind = self.by_section[section].kind
            for name, patch in entries.items():
                path: DocPath = ("overrides", section, name)
                patch_marks = doc.marks.subtree(path, patch)
                target = objects.get((kind, name))
                if patch == {"absent": True}:  # a tombstone in one environment replaces the object
                    objects[(kind, name)] = _RawObject(
                        kind, name, patch, patch_marks, doc.marks.at(path, key=True)
                    )
                    continue
                if target is None:
                    names = {n for k, n in objects if k == kind}
                    self.report.error(
                        doc.marks.at(path, key=True),
                        f"override of {kind} '{name}', which no included document declares",
                        did_you_mean(name, names) or "declare it in an included document first",
                    )
                    continue
                if target.body.get("absent") is True:
                    self.report.error(
                        doc.marks.at(path, key=True), f"override of {kind} '{name}', a tombstone"
                    )
                    continue
                target.body = _merge(target.body, patch, target.marks, patch_marks, ())

    # -- rendering ------------------------------------------------------------------------

    def render(
        self,
        environment: Environment,
        variables: dict[str, str],
        policy: Policy,
        raw_objects: dict[tuple[KindName, str], _RawObject],
    ) -> DesiredState | None:
        checked: dict[tuple[KindName, str], CheckedObject] = {}
        secrets: set[str] = set()
        for key, raw in raw_objects.items():
            label = f"{raw.kind} '{raw.name}'"
            if "absent" in raw.body:
                if self.check_tombstone(raw, label):
                    checked[key] = CheckedObject(raw.kind, raw.name, None, raw.marks)
                continue
            if not self.reject_nulls(raw.body, raw.marks, (), label):
                continue
            rendered = render(
                raw.body, variables=variables, environ=self.environ, require_env=self.require_env
            )
            self.secrets |= rendered.secrets
            for p in rendered.problems:
                add = self.report.error if p.severity == "error" else self.report.warning
                add(raw.marks.offset(p.path, p.position), f"{label}: {dotted(p.path)}: {p.message}", p.hint)
            if any(p.severity == "error" for p in rendered.problems):
                continue
            kind = self.by_kind[raw.kind]
            body = _body_check(kind).check(rendered.value)
            if body is None:  # not shown valid by the schema: the model decides, and explains
                body = self.validate(
                    kind.model, rendered.value, raw.marks, label + ": ", rendered.sensitive_paths
                )
            if body is None:
                continue
            secrets |= rendered.secrets
            checked[key] = CheckedObject(
                raw.kind, raw.name, body, raw.marks, frozenset(rendered.sensitive_paths)
            )
        invalid = frozenset(key for key in raw_objects if key not in checked)
        check_universe(self.report, Universe(checked, policy, invalid), self.kinds)
        addons: dict[str, bool] = environment.get("addons", {})
        objects = [self.desired(obj, raw_objects[key], addons) for key, obj in checked.items()]
        for key, obj in checked.items():
            if obj.body is None and policy.is_protected(obj.kind, obj.name):
                self.report.warning(
                    raw_objects[key].declared_at,
                    f"{obj.kind} '{obj.name}' is protected: apply will refuse to delete it",
                    "remove it from policy.protect to allow the delete",
                )
        if self.report.errors:
            return None
        rank = {kind.kind: i for i, kind in enumerate(self.kinds)}
        objects.sort(key=lambda o: (rank[o.kind], o.name))
        state = DesiredState(
            environment=self.env,
            cloud_name=environment.get("cloud_name"),
            credentials_env=environment["credentials"],
            config_dir=self.config_dir,
            # only what the environment says: an add-on it does not mention stays unknown
            addons=dict(sorted(addons.items())),
            policy=policy,
            objects=tuple(objects),
            variables=variables,
            secrets=frozenset(secrets),
        )
        return state

    def desired(self, obj: CheckedObject, raw: _RawObject, addons: Mapping[str, bool]) -> DesiredObject:
        if obj.body is None:
            return DesiredObject(obj.kind, obj.name, {}, absent=True, source=raw.declared_at)
        body, stripped = self.by_kind[obj.kind].strip_addon_options(
            obj.body, lambda addon: not is_off(addons, addon)
        )
        for option in stripped:
            at = obj.marks.at(tuple(option.path.split(".")))
            # a value from ${env.*} is never quoted, however short (scrubbing misses those);
            # an add-on option is a scalar, so no sensitive path lies below its own
            shown = "(sensitive)" if is_sensitive(option.path, obj.sensitive_paths) else option.value
            message = (
                f"{obj.label()}: {option.path} '{shown}' needs the {option.addon} add-on, "
                f"which is off in {self.env}"
            )
            if self.strict:
                self.report.error(at, message, f"turn on addons.{option.addon}, or remove the option")
            else:
                self.report.warning(at, message + " (stripped)")
        return DesiredObject(
            kind=obj.kind,
            name=obj.name,
            body=body,
            sensitive_paths=obj.sensitive_paths,
            stripped_options=stripped,
            source=raw.declared_at,
        )

    # -- helpers -------------------------------------------------------------------------------

    def check_tombstone(self, raw: _RawObject, label: str) -> bool:
        ok = True
        if raw.body["absent"] is not True:
            self.report.error(
                raw.marks.at(("absent",)),
                f"{label}: absent must be true",
                "remove `absent` to keep the object",
            )
            ok = False
        for key in raw.body:
            if key != "absent":
                self.report.error(
                    raw.marks.at((key,), key=True),
                    f"{label}: a tombstone (absent: true) must carry no other keys, found '{key}'",
                    f"remove '{key}', or remove `absent: true` to keep the object",
                )
                ok = False
        return ok

    def reject_nulls(self, value: Any, marks: Marks, path: DocPath, label: str) -> bool:
        if value is None:
            self.report.error(
                marks.at(path),
                f"{label}: {dotted(path)} is null",
                "give it a value, or remove the key to leave it unset",
            )
            return False
        items = (
            value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        )
        # only nulls and collections can fail: a call per scalar would cost more than the rest
        return all([self.reject_nulls(v, marks, (*path, k), label) for k, v in items if _nullable(v)])

    def validate_environment(self, doc: LoadedDocument) -> Environment:
        """The environment file as validated; when invalid (reported), what is valid of it."""
        accepted = _environment_check(self.kinds).check(doc.data)
        if accepted is not None:
            return accepted
        if self.too_large_to_explain(doc.data, doc.marks, ""):
            return {}
        from cloudinary_state.config.model_validation import salvaged_document

        model = _environment_model(self.kinds)
        validated = self.validate(model, doc.data, doc.marks, "")
        return validated if validated is not None else salvaged_document(model, doc.data)

    def too_large_to_explain(self, data: Any, marks: Marks, prefix: str) -> bool:
        """A document the fast check did not accept, too large for the model to explain, or
        past what the models explain in one run: reported as such (see MAX_EXPLAINED_VALUES)."""
        count = _values_up_to(data, MAX_EXPLAINED_VALUES)
        if count <= MAX_EXPLAINED_VALUES - self.explained:
            self.explained += count
            return False
        if count > MAX_EXPLAINED_VALUES:
            message = f"it holds more than {MAX_EXPLAINED_VALUES:,} values: too many to explain"
            hint = "look for a long list or mapping written by mistake"
        else:
            message = (
                f"not explained: the documents before it took the {MAX_EXPLAINED_VALUES:,} values explained"
            )
            hint = "fix the problems reported before this one, then validate again"
        self.report.error(marks.at(()), f"{prefix}not valid, and {message}", hint)
        return True

    def validate(
        self,
        model: type[BaseModel],
        data: Any,
        marks: Marks,
        prefix: str,
        sensitive_paths: Collection[str] = (),
    ) -> dict[str, Any] | None:
        """`data` validated by the model itself: the document, or None with the diagnostics
        reported. Only for what the fast check did not accept (it imports pydantic)."""
        if self.too_large_to_explain(data, marks, prefix):
            return None
        from cloudinary_state.config.model_validation import validated_document

        document, diagnostics = validated_document(model, data, marks, prefix, sensitive_paths)
        self.report.errors.extend(diagnostics)
        return document


def _values_up_to(data: Any, limit: int) -> int:
    """The number of values `data` holds, counted up to one more than `limit`."""
    count, todo = 0, [data]
    while todo and count <= limit:
        value = todo.pop()
        count += 1
        if isinstance(value, dict):
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
    return count


def _nullable(value: Any) -> bool:
    return value is None or isinstance(value, dict | list)


def _stringify(value: str | int | float) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _merge(base: Any, patch: Any, base_marks: Marks, patch_marks: Marks, path: DocPath) -> Any:
    """Deep-merge `patch` over `base` (mappings merge by key, anything else is replaced)."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            sub = (*path, key)
            if key in base:
                merged[key] = _merge(base[key], value, base_marks, patch_marks, sub)
            else:
                merged[key] = value
                base_marks.replace(sub, patch_marks.subtree(sub))
        return merged
    base_marks.replace(path, patch_marks.subtree(path))
    return patch


def _policy(environment: Environment, by_section: Mapping[str, LoadableKind]) -> Policy:
    """The environment's policy; what it leaves out is the model's default: nothing pruned,
    ignored or protected, and `SafetyPolicy`'s thresholds (a test holds them to `SafetyModel`'s)."""
    p: dict[str, Any] = environment.get("policy", {})
    return Policy(
        prune=frozenset(by_section[s].kind for s in p.get("prune", [])),
        ignore={by_section[s].kind: tuple(g) for s, g in p.get("ignore", {}).items()},
        protect={by_section[s].kind: tuple(g) for s, g in p.get("protect", {}).items()},
        ignore_changes={
            by_section[s].kind: {glob: tuple(paths) for glob, paths in by_name.items()}
            for s, by_name in p.get("ignore_changes", {}).items()
        },
        safety=SafetyPolicy(**p.get("safety", {})),
    )


@dataclass
class ValidationRun:
    """`validate` over one or more environments; a file shared by several is reported once."""

    results: dict[str, LoadResult]
    errors: list[Diagnostic]
    warnings: list[Diagnostic]


def validate_environments(
    config_dir: Path,
    envs: list[str] | None,
    kinds: Sequence[LoadableKind],
    *,
    strict: bool,
    environ: Mapping[str, str] | None = None,
) -> ValidationRun:
    """Check `envs` (every environment when None) offline: unset `${env.*}` are warnings."""
    names = list_environments(config_dir) if envs is None else envs
    results: dict[str, LoadResult] = {}
    errors: dict[Diagnostic, None] = {}
    warnings: dict[Diagnostic, None] = {}
    if not names:
        where = config_dir / ENVIRONMENTS_DIR
        fix = (
            f"create {where}/<env>.yaml (`cloudinary-state init`), "
            "or give --config-dir the directory holding environments/"
        )
        errors[Diagnostic(str(where), 1, 1, "no environments found", fix)] = None
    for name in names:
        result = check_environment(config_dir, name, kinds, strict=strict, environ=environ, require_env=False)
        results[name] = result
        errors.update(dict.fromkeys(result.errors))
        warnings.update(dict.fromkeys(result.warnings))
    return ValidationRun(results, list(errors), list(warnings))

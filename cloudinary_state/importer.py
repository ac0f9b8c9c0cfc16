"""`import`: the live account written back as config (DESIGN.md section 3 format).

The bodies come from each kind's `export(live)` (server defaults and computed fields left
out, so loading an exported body gives back the live canonical form). On the way to YAML
every string goes through `to_config_string`:

- a literal `${` is escaped as `$${`, so the loader does not read it as a placeholder;
- a value that looks secret (secret_values.py: the whole value of `eval`, `on_success` and
  secret-named fields; the secret query parameters and password of a URL) becomes a
  `${env.NAME}` placeholder, and the variable is listed for the user to set: secrets never
  reach the files;
- with `variables` given, a variable's value is mapped back to `${var.NAME}` where it is the
  whole string or its prefix up to a `/`, `?`, `#` or `:` (a URL or folder prefix): never
  inside a word, so `backstage/uploads` keeps its text when a variable is `stage`.

`build_import` is pure; `write_import` refuses to overwrite files unless forced.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cloudinary_state.desired import DesiredObject, DesiredState, KindName, Policy, SafetyPolicy
from cloudinary_state.engine.plan import LiveState
from cloudinary_state.errors import CloudinaryStateError, OutputFileError
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.base import Kind
from cloudinary_state.scrubbing import is_sensitive
from cloudinary_state.secret_values import replace_secrets

# Variable values shorter than this are not mapped back: "1" would turn every digit into a variable.
MIN_VARIABLE_LENGTH = 4
# Where a variable's value may end inside a longer string and still be mapped back: the
# boundaries of a URL or folder prefix.
PREFIX_BOUNDARIES = "/?#:"


class ImportRefused(CloudinaryStateError):
    """Import refused: the files it would write exist, and --force was not given."""


@dataclass(frozen=True)
class Placeholder:
    """A secret replaced by `${env.variable}`: the user exports it before plan/apply."""

    variable: str
    kind: KindName
    name: str
    path: str  # dotted body path, e.g. settings.notification_url
    what: str  # "the whole value" or "query parameter token", for the instruction line


@dataclass
class _Context:
    kind: KindName
    name: str
    variables: Mapping[str, str]
    placeholders: list[Placeholder] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    secrets: frozenset[str] = frozenset()  # values the config renders from ${env.*}
    sensitive_paths: frozenset[str] = frozenset()  # paths of this object that come from ${env.*}

    def placeholder(self, path: str, suffix: str, what: str) -> str:
        base = re.sub(r"[^A-Z0-9]+", "_", f"{self.kind}_{self.name}_{path}_{suffix}".upper()).strip("_")
        base = base if not base[0].isdigit() else f"_{base}"
        variable, n = base, 2
        while variable in self.taken:
            variable, n = f"{base}_{n}", n + 1
        self.taken.add(variable)
        self.placeholders.append(Placeholder(variable, self.kind, self.name, path, what))
        return f"${{env.{variable}}}"


def _is_prefix(value: str, text: str) -> bool:
    """`value` is all of `text`, or its prefix up to a URL/folder boundary."""
    if not text.startswith(value):
        return False
    rest = text[len(value) :]
    return not rest or rest[0] in PREFIX_BOUNDARIES or value[-1] in PREFIX_BOUNDARIES


def _plain(text: str, variables: Mapping[str, str]) -> str:
    """Escape literal placeholders, then map a variable's value back to `${var.NAME}` where it
    is the whole text or a boundary prefix of it (the longest such value wins)."""
    usable = sorted(
        ((n, v) for n, v in variables.items() if len(v) >= MIN_VARIABLE_LENGTH),
        key=lambda nv: (-len(nv[1]), nv[0]),
    )
    for name, value in usable:
        if _is_prefix(value, text):
            return f"${{var.{name}}}" + text[len(value) :].replace("${", "$${")
    return text.replace("${", "$${")


def map_variables_back(value: Any, variables: Mapping[str, str]) -> Any:
    """`value` with every string written as config: `${` escaped, variable values as `${var.NAME}`."""
    if isinstance(value, Mapping):
        return {k: map_variables_back(v, variables) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [map_variables_back(v, variables) for v in value]
    if isinstance(value, str):
        return _plain(value, variables)
    return value


def _known_secret(text: str, path: str, ctx: _Context) -> bool:
    """The config already treats this value as a secret (it came from ${env.*} there)."""
    if is_sensitive(path, ctx.sensitive_paths):
        return True
    return any(len(s) >= MIN_VARIABLE_LENGTH and s in text for s in ctx.secrets)


def to_config_string(text: str, path: str, ctx: _Context) -> str:
    if text and _known_secret(text, path, ctx):
        return ctx.placeholder(path, "", "the whole value")
    pieces = replace_secrets(text, path, lambda hit: ctx.placeholder(path, *hit))
    if pieces is None:
        return _plain(text, ctx.variables)
    # Only the leading piece can hold a variable's prefix; the rest is escaped as it is.
    return "".join(
        p if replaced else (_plain(p, ctx.variables) if i == 0 else p.replace("${", "$${"))
        for i, (p, replaced) in enumerate(pieces)
    )


def _to_config(value: Any, path: str, ctx: _Context) -> Any:
    if isinstance(value, Mapping):
        return {k: _to_config(v, f"{path}.{k}" if path else str(k), ctx) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_config(v, f"{path}[{i}]", ctx) for i, v in enumerate(value)]
    if isinstance(value, str):
        return to_config_string(value, path, ctx)
    return value


def config_body(
    kind: Kind,
    live_body: Mapping[str, Any],
    name: str,
    variables: Mapping[str, str],
    taken: set[str],
    *,
    secrets: frozenset[str] = frozenset(),
    sensitive_paths: frozenset[str] = frozenset(),
) -> tuple[dict[str, Any], list[Placeholder]]:
    """One exported body made safe for a config file (shared with `promote`). `taken` holds the
    placeholder variable names already used, so names stay unique across objects."""
    ctx = _Context(kind.kind, name, variables, taken=taken, secrets=secrets, sensitive_paths=sensitive_paths)
    body: dict[str, Any] = _to_config(live_body, "", ctx)
    if isinstance(body.get("settings"), dict):  # the server's key order is not meaningful: sort
        body["settings"] = dict(sorted(body["settings"].items()))
    return body, ctx.placeholders


# --- the import as files --------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    files: dict[str, str]  # path relative to the output dir -> YAML text
    placeholders: tuple[Placeholder, ...]
    counts: dict[KindName, int]
    notes: tuple[str, ...] = ()


def _policy_document(
    policy: Policy, kinds: Collection[KindName], trusted: Mapping[KindName, Collection[str]]
) -> dict[str, Any]:
    """The source policy, narrowed to the imported kinds (pruning a kind that was not imported
    would delete every one of its live objects), with `trusted` objects added to `ignore`."""
    document: dict[str, Any] = {}
    prune = [REGISTRY.section_of(k) for k in REGISTRY.names() if k in policy.prune and k in kinds]
    if prune:
        document["prune"] = prune
    ignore = {k: [*policy.ignore.get(k, ()), *sorted(trusted.get(k, ()))] for k in REGISTRY.names()}
    for key, table in (("ignore", ignore), ("protect", policy.protect)):
        globs = {REGISTRY.section_of(k): list(table[k]) for k in REGISTRY.names() if table.get(k)}
        if globs:
            document[key] = globs
    # fields another system manages stay its own (only for imported kinds: the others have no
    # objects here to leave fields of)
    ignore_changes = {
        REGISTRY.section_of(k): {glob: list(paths) for glob, paths in policy.ignore_changes[k].items()}
        for k in REGISTRY.names()
        if k in kinds and policy.ignore_changes.get(k)
    }
    if ignore_changes:
        document["ignore_changes"] = ignore_changes
    if policy.safety != type(policy.safety)():
        document["safety"] = _safety_document(policy.safety)
    return document


def _safety_document(safety: SafetyPolicy) -> dict[str, Any]:
    document: dict[str, Any] = {
        "max_delete_percent": safety.max_delete_percent,
        "min_existing": safety.min_existing,
    }
    if safety.max_affected_assets is not None:
        document["max_affected_assets"] = safety.max_affected_assets
    return document


def _dump(document: Mapping[str, Any], header: str) -> str:
    text = yaml.safe_dump(
        dict(document), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )
    return f"# {header}\n{text}"


@dataclass
class AccountExport:
    """The live objects an import covers, as each kind exports them (before they are made
    safe for a file), with what they tell about the environment."""

    selected: list[KindName]  # the imported kinds, in registry order
    bodies: dict[KindName, dict[str, dict[str, Any]]]  # kind -> name -> exported body, by name
    used: set[str] = field(default_factory=set)  # add-ons the live objects use: the account has them
    trusted: dict[KindName, set[str]] = field(default_factory=dict)  # referenced, of kinds not imported


def export_account(
    source: DesiredState, live: LiveState, kinds: Mapping[KindName, Kind], only: Collection[KindName] = ()
) -> AccountExport:
    """What `live` holds of the selected kinds, leaving out ignored objects and server-provided
    ones at their built-in definition (nothing for a config to say)."""
    selected = [k for k in REGISTRY.names() if k in kinds and (not only or k in only)]
    export = AccountExport(selected, {})
    for kind_name in selected:
        kind = kinds[kind_name]
        objects = {
            n: o
            for n, o in live.get(kind_name, {}).items()
            if not source.policy.is_ignored(kind_name, n) and not kind.at_builtin_definition(o)
        }
        export.bodies[kind_name] = {}
        for name in sorted(objects):
            body = kind.export(objects[name])
            export.bodies[kind_name][name] = body
            export.used.update(kind.addons_used(body))
            for ref_kind, ref_name in kind.references(DesiredObject(kind_name, name, body)):
                if ref_kind not in selected and not source.policy.is_ignored(ref_kind, ref_name):
                    export.trusted.setdefault(ref_kind, set()).add(ref_name)
    return export


@dataclass
class ConfigWriter:
    """Makes exported bodies safe for files, for one environment: placeholder variables stay
    unique across every body it writes, and it collects them for the instructions."""

    source: DesiredState
    kinds: Mapping[KindName, Kind]
    placeholders: list[Placeholder] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)

    def body(self, kind: KindName, name: str, exported: Mapping[str, Any]) -> dict[str, Any]:
        declared = self.source.get(kind, name)
        variables = {n: str(v) for n, v in self.source.variables.items()}
        body, found = config_body(
            self.kinds[kind],
            exported,
            name,
            variables,
            self.taken,
            secrets=self.source.secrets,
            sensitive_paths=declared.sensitive_paths if declared else frozenset(),
        )
        self.placeholders += found
        return body


def header(source: DesiredState) -> str:
    return (
        f"imported by `cloudinary-state import` from environment {source.environment} (cloud {source.cloud})"
    )


def build_import(
    source: DesiredState,
    live: LiveState,
    kinds: Mapping[KindName, Kind],
    *,
    only: Collection[KindName] = (),
) -> ImportResult:
    """The files an import writes into a new directory: one resource document per kind, one
    environment file.

    `source` is the environment being imported (its cloud, credentials variable, add-on
    toggles, variables and policy carry over); `live` is what was read from its account.
    """
    export = export_account(source, live, kinds, only)
    writer = ConfigWriter(source, kinds)
    files: dict[str, str] = {}
    includes: list[str] = []
    for kind_name in export.selected:
        section = {n: writer.body(kind_name, n, b) for n, b in export.bodies[kind_name].items()}
        relative = f"common/{REGISTRY.section_of(kind_name)}.yaml"
        files[f"environments/{relative}"] = _dump({REGISTRY.section_of(kind_name): section}, header(source))
        includes.append(relative)
    environment: dict[str, Any] = {"cloud_name": source.cloud_name, "credentials": source.credentials_env}
    environment["include"] = includes
    if source.variables:
        environment["variables"] = {n: str(v) for n, v in sorted(source.variables.items())}
    addons = imported_addons(source.addons, export.used)
    if addons:
        environment["addons"] = addons
    policy = _policy_document(source.policy, export.selected, export.trusted)
    if policy:
        environment["policy"] = policy
    files[f"environments/{source.environment}.yaml"] = _dump(environment, header(source))
    counts = {k: len(export.bodies[k]) for k in export.selected}
    return ImportResult(files, tuple(writer.placeholders), counts, import_notes(source, export))


def import_notes(source: DesiredState, export: AccountExport) -> tuple[str, ...]:
    return tuple(
        f"{kind} {name} is referenced but its kind was not imported: added to policy.ignore "
        "(trusted to exist, never managed)"
        for kind in REGISTRY.names()
        for name in sorted(export.trusted.get(kind, ()))
    ) + tuple(
        # the account's presets prove the add-on registered: keeping `false` would strip them
        f"add-on {name} is off in {source.environment} but the live objects use it: written as on"
        for name in sorted(export.used)
        if source.addons.get(name) is False
    )


def imported_addons(toggles: Mapping[str, bool], used: Collection[str]) -> dict[str, bool]:
    """The `addons:` an import writes: each add-on a live object uses is on (an option the
    account kept proves it is registered), over the toggles the environment already had."""
    return dict(sorted({**toggles, **dict.fromkeys(used, True)}.items()))


def check_output_directory(output: Path) -> None:
    """OutputFileError (exit 1) for an `--output` that cannot be a directory: told before any
    connection, so that no account is read for nothing."""
    blocker = next((p for p in (output, *output.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        where = "is a file" if blocker == output else f"is under {blocker}, a file"
        raise OutputFileError(f"--output {output}: {where}; give a directory (new or existing)")


def write_import(result: ImportResult, output: Path, *, force: bool) -> list[Path]:
    """Write every file, or none: existing files are refused unless `force`."""
    check_output_directory(output)
    targets = [output / relative for relative in result.files]
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        names = ", ".join(str(p) for p in existing)
        raise ImportRefused(f"refusing to overwrite existing files (use --force): {names}")
    for path, text in zip(targets, result.files.values(), strict=True):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as e:  # no permission, a full disk, a path that became a file, ...
            raise OutputFileError(f"--output {output}: {path} cannot be written: {e.strerror or e}") from None
    return targets


def instructions(placeholders: Sequence[Placeholder]) -> list[str]:
    """The lines telling the user which variables to export before plan/apply."""
    if not placeholders:
        return []
    lines = ["Secret values were written as ${env.NAME} placeholders; set these before plan/apply:"]
    for p in placeholders:
        lines.append(f"  export {p.variable}=...   # {p.kind} {p.name}: {p.path}, {p.what}")
    return lines

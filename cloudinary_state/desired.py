"""The desired state: what the config layer hands to the engine.

This is the contract between `config/` (which parses, validates and renders YAML) and
`kinds/` + `engine/` (which diff and apply). Bodies are plain JSON-like values using the
Admin API's own field names, fully rendered: variables interpolated, overrides merged,
add-on options stripped where the environment turns the add-on off.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A kind's singular name (`kinds.base.Kind.kind`); which kinds exist is the registry's business
# (`kinds/__init__.py`), so this layer takes any name.
KindName = str


@dataclass(frozen=True)
class SourceRef:
    """Where an object was declared, for messages that point at the config."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class StrippedOption:
    """An option removed from a body because the add-on it needs is off in this environment."""

    path: str  # dotted path inside the body, e.g. "settings.categorization"
    value: Any
    addon: str


@dataclass(frozen=True)
class DesiredObject:
    kind: KindName
    name: str  # identity key, as the kind defines it (e.g. a field's external_id)
    body: Mapping[str, Any]  # only what the user wrote (after rendering); no tombstone marker
    absent: bool = False  # tombstone: `absent: true` deletes this object explicitly
    sensitive_paths: frozenset[str] = frozenset()  # dotted paths whose value came from ${env.*}
    stripped_options: tuple[StrippedOption, ...] = ()
    source: SourceRef | None = None


def _matches(patterns: tuple[str, ...], name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


@dataclass(frozen=True)
class SafetyPolicy:
    """octoDNS-style threshold: refuse when deletes+replaces exceed a share of existing objects."""

    max_delete_percent: float = 30.0
    min_existing: int = 10  # below this many existing managed objects the threshold does not apply
    # assets that the plan's deletes and replaces reach (engine/impact.py); None: no limit
    max_affected_assets: int | None = None


@dataclass(frozen=True)
class Policy:
    prune: frozenset[KindName] = frozenset()
    ignore: Mapping[KindName, tuple[str, ...]] = field(default_factory=dict)  # fnmatch globs
    protect: Mapping[KindName, tuple[str, ...]] = field(default_factory=dict)
    safety: SafetyPolicy = field(default_factory=SafetyPolicy)
    # per kind, per object-name glob: dotted body paths managed outside the config
    ignore_changes: Mapping[KindName, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    def is_ignored(self, kind: KindName, name: str) -> bool:
        return _matches(self.ignore.get(kind, ()), name)

    def is_protected(self, kind: KindName, name: str) -> bool:
        return _matches(self.protect.get(kind, ()), name)

    def ignored_fields(self, kind: KindName, name: str) -> tuple[str, ...]:
        """The body paths of `kind:name` that policy.ignore_changes leaves to others."""
        globs = self.ignore_changes.get(kind)
        if not globs:  # the usual case, asked once per object by every plan
            return ()
        return tuple(dict.fromkeys(p for g, paths in globs.items() if _matches((g,), name) for p in paths))


@dataclass(frozen=True)
class DesiredState:
    environment: str
    cloud_name: str | None  # None: not in the environment file, the credentials' cloud (on connect)
    credentials_env: str  # name of the env var holding cloudinary://key:secret@cloud
    config_dir: Path
    addons: Mapping[str, bool]
    policy: Policy
    objects: tuple[DesiredObject, ...]
    variables: Mapping[str, str] = field(default_factory=dict)  # ${var.*} values (never secret)
    secrets: frozenset[str] = frozenset()  # every value that came from ${env.*}: scrubbed from output
    # the loader's warnings, as validate shows them (file:line:column: message, then the fix):
    # what the API takes but may not do what was meant, e.g. a t_NAME naming no transformation
    warnings: tuple[str, ...] = ()
    # (a saved plan is tied to the rendered state by `engine.plan.config_digest`, keyed with
    # the account's api_secret, which the loader does not know)

    @property
    def cloud(self) -> str:
        """The cloud name to record and show: a connection's state always has it (declared, or
        the credentials'); before connecting, an environment may leave it to the credentials."""
        return self.cloud_name or f"the cloud of {self.credentials_env}"

    def by_kind(self, kind: KindName) -> dict[str, DesiredObject]:
        return {o.name: o for o in self.objects if o.kind == kind}

    def get(self, kind: KindName, name: str) -> DesiredObject | None:
        return self.by_kind(kind).get(name)

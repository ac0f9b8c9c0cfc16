"""Semantic checks: the shared vocabulary of the rules that span fields, objects and documents.

The models have checked shape and types; what only the whole environment knows (references,
values against the fields they fill, syntax of embedded languages), and any rule between the
fields of one object that a JSON Schema cannot say, is each kind's `check` in its package
under `kinds/`. Checks read each object's validated document as plain data, never a model
instance. Here: the `Report` every finding goes to (with the place to fix
it; nothing stops at the first problem), the `Universe` of declared objects a check looks
across, and checks that any kind may use (name length, URLs).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cloudinary_state.config.interpolate import sensitive_path
from cloudinary_state.config.yamlload import DocPath, Marks, dotted
from cloudinary_state.desired import KindName, Policy, SourceRef
from cloudinary_state.errors import Diagnostic
from cloudinary_state.scrubbing import is_sensitive

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


@dataclass
class Report:
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    # `validate --strict`: what the API may accept but we do not recognise is refused too
    # (only that: an unset ${env.X} stays a warning, validate runs without secrets in CI)
    strict: bool = False

    def error(self, at: SourceRef, message: str, hint: str = "") -> None:
        self.errors.append(Diagnostic(at.file, at.line, at.column, message, hint))

    def warning(self, at: SourceRef, message: str, hint: str = "") -> None:
        self.warnings.append(Diagnostic(at.file, at.line, at.column, message, hint))

    def unrecognised(self, at: SourceRef, message: str, hint: str = "") -> None:
        """Something the API may accept that we cannot check: a warning, an error when strict."""
        (self.error if self.strict else self.warning)(at, message, hint)


@dataclass
class CheckedObject:
    """A validated object with what the checks need to point back at the config.

    `body` is the validated document as plain data, exactly as the kind's model dumps it (JSON
    mode, only the keys the user set, by their YAML names such as `async`): the checks read
    it, never a model instance, so that a document a schema check accepted needs no model.
    A key the user left out is absent (read it with `.get`); None for a tombstone."""

    kind: KindName
    name: str
    body: dict[str, Any] | None
    marks: Marks  # rooted at the object's body
    sensitive_paths: frozenset[str] = frozenset()

    @property
    def fields(self) -> dict[str, Any]:
        """The body of a declared object: the checks never see a tombstone as their own."""
        assert self.body is not None, f"{self.label()} is a tombstone"
        return self.body

    def label(self, path: DocPath = ()) -> str:
        where = f": {dotted(path)}" if path else ""
        return f"{self.kind} '{self.name}'{where}"


@dataclass
class Universe:
    """Everything declared in one environment, for cross-object checks."""

    objects: dict[tuple[KindName, str], CheckedObject]
    policy: Policy
    # declared objects that failed their own checks (reported already): not in `objects`
    invalid: frozenset[tuple[KindName, str]] = frozenset()
    _by_kind: dict[KindName, dict[str, CheckedObject]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for (kind, name), obj in self.objects.items():
            self._by_kind.setdefault(kind, {})[name] = obj

    def declared(self, kind: KindName) -> dict[str, CheckedObject]:
        return self._by_kind.get(kind, {})

    def trusted(self, kind: KindName, name: str) -> bool:
        """A name a reference may use without a valid declaration here: one `policy.ignore`
        covers (managed outside this config), or one declared with errors of its own (those are
        the errors to fix: calling it undeclared would send the reader looking for it)."""
        return self.policy.is_ignored(kind, name) or (kind, name) in self.invalid


class ObjectChecks(Protocol):
    """What `check_universe` needs of a kind (`kinds.base.Kind` provides it)."""

    @property
    def kind(self) -> KindName: ...
    def check_all(self, report: Report, universe: Universe, objects: list[CheckedObject]) -> None: ...


def check_universe(report: Report, universe: Universe, kinds: Sequence[ObjectChecks]) -> None:
    """Every kind's checks over its declared objects, and the policy rules that span kinds."""
    for kind in kinds:
        declared = [obj for obj in universe.declared(kind.kind).values() if obj.body is not None]
        kind.check_all(report, universe, declared)
    for obj in universe.objects.values():
        if obj.body is not None and universe.policy.is_ignored(obj.kind, obj.name):
            report.error(
                obj.marks.at((), key=True),
                f"{obj.label()} is declared, but policy.ignore matches it "
                "(ignored objects are never managed)",
                "remove the declaration or narrow the ignore pattern",
            )


def check_name_length(report: Report, kind: KindName, name: str, at: SourceRef) -> None:
    """The identity rules every Admin API object shares: not empty, at most 255 characters."""
    if not name.strip():
        report.error(at, f"{kind} name is empty")
    elif len(name) > 255:
        report.error(at, f"{kind} name is longer than 255 characters")


def check_url(report: Report, obj: CheckedObject, path: DocPath, value: str | None) -> None:
    """An http(s) URL; a value from an unset ${env.*} (offline validation) is warned about already."""
    sensitive = is_sensitive(sensitive_path(path), obj.sensitive_paths)
    if value is None or (sensitive and "${env." in value):
        return
    if not _URL.match(value):
        shown = "the value" if sensitive else f"'{value}'"
        report.error(obj.marks.at(path), f"{obj.label(path)}: {shown} is not an http(s) URL")

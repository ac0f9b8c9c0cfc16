"""`import --env ENV` into the project it reads: the account's objects that the environment does
not declare yet are added to its documents, and the files a person wrote keep their comments,
key order and formatting (roundtrip.py edits them).

Where things go:

- A document another environment includes too is *shared*; one only this environment
  includes is its *own*. Shared documents are never changed: they hold the first imported
  environment's values. Where this account differs from an object a shared document
  declares, the difference goes to this environment's `overrides:`; an object a shared
  document declares that this account does not have becomes `absent: true` there.
- A new object goes to a document of this environment that declares its kind already (its own
  one, once another environment declares objects; any of its documents before that), else to
  a new `common/<section>.yaml` (the first environment imported: no other declares an object
  yet, as after `init`) or `<env>/<section>.yaml` (a later one), which the environment's
  `include:` is made to cover.
- An object declared in the environment's own documents is left as written when the account
  differs (the plan shows the difference), unless `force`: then its entry is rewritten from
  the account.
- A file that exists but is none of the environment's documents, or that an edit would
  reformat, is refused unless `force`; nothing is written then.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from cloudinary_state.canonical_json import canonical_json
from cloudinary_state.config import included_documents, list_environments
from cloudinary_state.config.yamlload import YamlLoadError, load_yaml_file
from cloudinary_state.desired import DesiredObject, DesiredState, KindName
from cloudinary_state.engine.ignore_changes import with_fields_of
from cloudinary_state.engine.plan import LiveState, build_plan
from cloudinary_state.importer import (
    AccountExport,
    ConfigWriter,
    ImportRefused,
    ImportResult,
    export_account,
    header,
)
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.base import Kind
from cloudinary_state.roundtrip import Document, new_document, open_document

ENVIRONMENTS_DIR = "environments"


@dataclass(frozen=True)
class Layout:
    """Which documents the environment reads, and which of them other environments read too."""

    config_dir: Path  # resolved
    env: str
    patterns: tuple[str, ...]  # the environment's include globs
    own: frozenset[Path]
    shared: frozenset[Path]
    others_declare_objects: bool  # false until a first environment is imported (or written)

    @property
    def env_file(self) -> Path:
        return self.config_dir / ENVIRONMENTS_DIR / f"{self.env}.yaml"

    def documents(self) -> frozenset[Path]:
        return self.own | self.shared

    def covers(self, path: Path) -> bool:
        """Whether the include globs match `path` (a file to be made under environments/)."""
        relative = path.relative_to(self.config_dir / ENVIRONMENTS_DIR).as_posix()
        return any(fnmatch.fnmatchcase(relative, os.path.normpath(p)) for p in self.patterns)


def read_layout(config_dir: Path, env: str) -> Layout:
    patterns, mine = included_documents(config_dir, env)
    others = [included_documents(config_dir, e)[1] for e in list_environments(config_dir) if e != env]
    theirs = {p for documents in others for p in documents}
    return Layout(
        config_dir.resolve(),
        env,
        tuple(patterns),
        frozenset(p for p in mine if p not in theirs),
        frozenset(p for p in mine if p in theirs),
        any(_declares_objects(p) for p in theirs),
    )


def _declares_objects(path: Path) -> bool:
    """Whether a resource document declares any object (those `init` writes declare none)."""
    try:
        data = load_yaml_file(path, str(path)).data
    except YamlLoadError:
        return True  # unreadable here: the loader reports it; import writes around it, not into it
    return isinstance(data, Mapping) and any(data.get(section) for section in REGISTRY.sections())


@dataclass
class Edits:
    """What the import changes in the project."""

    entries: dict[Path, dict[str, dict[str, Any]]] = field(default_factory=dict)  # new objects
    replaced: dict[Path, dict[str, dict[str, Any]]] = field(default_factory=dict)  # with force
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)  # section -> name -> patch
    include: list[str] = field(default_factory=list)
    addons: list[str] = field(default_factory=list)  # turned on
    ignore: dict[str, list[str]] = field(default_factory=dict)  # section -> trusted names
    notes: list[str] = field(default_factory=list)
    counts: dict[KindName, int] = field(default_factory=dict)

    @staticmethod
    def add(
        table: dict[Path, dict[str, dict[str, Any]]], path: Path, section: str, name: str, body: Any
    ) -> None:
        table.setdefault(path, {}).setdefault(section, {})[name] = body


def patch_towards(want: Mapping[str, Any], have: Mapping[str, Any]) -> dict[str, Any]:
    """The override that turns `want` into `have` by the loader's deep merge (mappings merge by
    key, anything else is replaced). A key `want` sets and `have` lacks cannot be unset by a
    merge: it stays, and the caller checks what remains."""
    patch: dict[str, Any] = {}
    for key, value in have.items():
        if key not in want:
            patch[key] = value
        elif isinstance(value, Mapping) and isinstance(want[key], Mapping):
            sub = patch_towards(want[key], value)
            if sub:
                patch[key] = sub
        elif canonical_json(value) != canonical_json(want[key]):
            patch[key] = value
    return patch


def _merged(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in patch.items():
        old = merged.get(key)
        both = isinstance(old, Mapping) and isinstance(value, Mapping)
        merged[key] = _merged(old, value) if both else value  # type: ignore[arg-type]
    return merged


def _same(kind: Kind, obj: DesiredObject, live_canonical: Mapping[str, Any]) -> bool:
    """What the plan compares (engine/plan.py `_compare`): the desired canonical form against
    the live one as it compares with it."""
    want = kind.canonical_desired(obj)
    return canonical_json(want) == canonical_json(dict(kind.comparable_live(want, live_canonical)))


@dataclass
class _Planner:
    source: DesiredState
    live: LiveState
    kinds: Mapping[KindName, Kind]
    layout: Layout
    export: AccountExport
    force: bool
    writer: ConfigWriter
    edits: Edits = field(default_factory=Edits)

    def declared_in(self, obj: DesiredObject) -> Path | None:
        return Path(obj.source.file).resolve() if obj.source is not None else None

    def run(self) -> Edits:
        plan = build_plan(self.source, self.live, digest_key=b"import", kinds=self.kinds, live_paired=True)
        differs = {(c.kind, c.name) for c in plan.changes if c.action in ("update", "replace")}
        for kind_name in self.export.selected:
            self.kind(kind_name, differs)
        self.environment_file()
        return self.edits

    def kind(self, kind_name: KindName, differs: Collection[tuple[KindName, str]]) -> None:
        section = REGISTRY.section_of(kind_name)
        declared = self.source.by_kind(kind_name)
        written = 0
        for name, body in self.export.bodies[kind_name].items():
            obj = declared.get(name)
            if obj is None:
                target = self.target(kind_name, section)
                config = self.writer.body(kind_name, name, body)
                self.edits.add(self.edits.entries, target, section, name, config)
                written += 1
            elif obj.absent:  # a tombstone is a declaration too: left as written, but said
                self.edits.notes.append(
                    f"{kind_name} {name} is declared `absent: true` at {obj.source} but the account has "
                    "it: left as written, so the plan deletes it (remove the tombstone to keep it)"
                )
            elif (kind_name, name) in differs:
                self.differing(obj, section, body)
        live_names = set(self.live.get(kind_name, {}))
        for name, obj in declared.items():
            if not obj.absent and name not in live_names and self.declared_in(obj) in self.layout.shared:
                self.edits.overrides.setdefault(section, {})[name] = {"absent": True}
                self.edits.notes.append(
                    f"{kind_name} {name} is declared in a shared document but {self.source.environment}'s "
                    "account does not have it: written as `absent: true` in its overrides"
                )
        if written:
            self.edits.counts[kind_name] = written

    def differing(self, obj: DesiredObject, section: str, exported: Mapping[str, Any]) -> None:
        where = self.declared_in(obj)
        # fields policy.ignore_changes leaves to another system: as the config says them, so
        # neither an override nor a rewrite records (or asks a placeholder for) their live value
        exported = with_fields_of(exported, obj.body, self.source.policy.ignored_fields(obj.kind, obj.name))
        label = f"{obj.kind} {obj.name}"
        if where in self.layout.shared:
            patch = patch_towards(obj.body, exported)
            override = self.writer.body(obj.kind, obj.name, patch)
            self.edits.overrides.setdefault(section, {})[obj.name] = override
            merged = DesiredObject(
                obj.kind, obj.name, _merged(obj.body, patch), sensitive_paths=obj.sensitive_paths
            )
            self.edits.notes.append(
                f"{label} differs in {self.source.environment}'s account from the shared document: "
                "the difference is written to its overrides"
            )
            if not _same(self.kinds[obj.kind], merged, self.live[obj.kind][obj.name].canonical):
                self.edits.notes.append(
                    f"{label}: the shared document sets keys the account leaves unset, which an "
                    "override cannot unset: the plan will show them"
                )
        elif self.force and where is not None:
            body = self.writer.body(obj.kind, obj.name, exported)
            self.edits.add(self.edits.replaced, where, section, obj.name, body)
            self.edits.notes.append(f"{label}: rewritten from the account in {where} (--force)")
        else:
            self.edits.notes.append(
                f"{label} differs from the account and is left as written at {obj.source}: the plan "
                "shows the difference (--force rewrites it from the account)"
            )

    def target(self, kind_name: KindName, section: str) -> Path:
        """The document a new object of `kind_name` goes to."""
        layout = self.layout
        pool = layout.own if layout.others_declare_objects else layout.documents()
        declaring = {self.declared_in(o) for o in self.source.by_kind(kind_name).values()}
        holding = sorted(p for p in declaring if p is not None and p in pool)
        if holding:
            return holding[0]
        folder = layout.env if layout.others_declare_objects else "common"
        path = layout.config_dir / ENVIRONMENTS_DIR / folder / f"{section}.yaml"
        if path not in layout.documents() and not layout.covers(path):
            pattern = f"{folder}/*.yaml"
            if pattern not in self.edits.include:
                self.edits.include.append(pattern)
        return path

    def environment_file(self) -> None:
        source, export = self.source, self.export
        for name in sorted(export.used):
            if source.addons.get(name) is not True:
                self.edits.addons.append(name)
                if source.addons.get(name) is False:
                    self.edits.notes.append(
                        f"add-on {name} is off in {source.environment} but the live objects use it: turned on"
                    )
        for kind_name in REGISTRY.names():
            for name in sorted(export.trusted.get(kind_name, ())):
                if source.get(kind_name, name) is None:
                    self.edits.ignore.setdefault(REGISTRY.section_of(kind_name), []).append(name)
                    self.edits.notes.append(
                        f"{kind_name} {name} is referenced but its kind was not imported: added to "
                        "policy.ignore (trusted to exist, never managed)"
                    )


def plan_edits(
    source: DesiredState,
    live: LiveState,
    kinds: Mapping[KindName, Kind],
    layout: Layout,
    *,
    only: Collection[KindName] = (),
    force: bool = False,
) -> tuple[Edits, ConfigWriter]:
    """What importing `live` into the project of `layout` changes (pure: reads no file)."""
    writer = ConfigWriter(source, kinds)
    export = export_account(source, live, kinds, only)
    planner = _Planner(source, live, kinds, layout, export, force, writer)
    return planner.run(), writer


# --- the edits, made in the files ---------------------------------------------------------------


@dataclass
class _Files:
    layout: Layout
    force: bool
    comment: str  # the first line of a new file
    opened: dict[Path, Document] = field(default_factory=dict)

    def open(self, path: Path) -> Document:
        if path in self.opened:
            return self.opened[path]
        layout = self.layout
        if not os.path.lexists(path):  # nothing there: not even a link that leads nowhere
            _check_directories_above(path)
            document = new_document(path, comment=self.comment)
        elif not path.is_file() and not path.is_dir():  # a directory: open_document says so
            raise ImportRefused(f"{path}: exists but is not a file; move it away")
        elif path in layout.documents() or path == layout.env_file or self.force:
            document = open_document(path, force=self.force)
        else:
            raise ImportRefused(
                f"refusing to add to {path}: environment {layout.env} does not include it, so it "
                "may be someone else's file (move it away, or use --force)"
            )
        self.opened[path] = document
        return document


def _check_directories_above(path: Path) -> None:
    """The nearest of `path`'s parents that exists is a directory (the file can be made)."""
    for parent in path.parents:
        if os.path.lexists(parent):
            if not parent.is_dir():
                raise ImportRefused(f"{parent}: exists but is not a directory; move it away")
            return


def _write_all(texts: Mapping[Path, str]) -> None:
    """Every file or none, as far as the system allows: each is written beside its place
    first, and only once all are written do they replace what was there."""
    staged: dict[Path, Path] = {}
    try:
        for path, text in texts.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            staged[path] = path.with_name(f".{path.name}.import-{os.getpid()}")
            staged[path].write_text(text, encoding="utf-8")
        for path, temporary in staged.items():
            os.replace(temporary, path)
    except OSError as e:  # no permission, a full disk
        raise ImportRefused(f"cannot write {e.filename or path}: {e.strerror or e}") from None
    finally:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)


def _deep_set(document: Document, keys: tuple[str, ...], patch: Mapping[str, Any]) -> None:
    """`patch` merged into what `keys` holds already (an override a person may have written)."""
    for key, value in patch.items():
        existing = document.get(*keys, key)
        if isinstance(value, Mapping) and isinstance(existing, CommentedMap) and "absent" not in value:
            _deep_set(document, (*keys, key), value)
        else:
            document.add(keys, {key: value})


def _written_key(section: Any, name: str, kind: Kind) -> str:
    keys = section if isinstance(section, CommentedMap) else ()
    return next((str(k) for k in keys if k == name or kind.name_from_key(str(k)) == name), name)


def _edit_documents(edits: Edits, files: _Files, kinds: Mapping[KindName, Kind]) -> None:
    by_section = {REGISTRY.section_of(k): kinds[k] for k in kinds}
    for path, sections in edits.entries.items():
        for section, entries in sections.items():
            files.open(path).add((section,), entries)
    for path, sections in edits.replaced.items():
        document = files.open(path)
        for section, entries in sections.items():
            kind = by_section[section]
            document.add(
                (section,), {_written_key(document.get(section), n, kind): b for n, b in entries.items()}
            )


def _edit_environment(edits: Edits, files: _Files) -> None:
    if not (edits.include or edits.addons or edits.ignore or edits.overrides):
        return  # not even opened: with --force, a file opened is rewritten in the library's layout
    env = files.open(files.layout.env_file)
    if edits.include:
        env.extend(("include",), edits.include)
    if edits.addons:
        env.add(("addons",), dict.fromkeys(edits.addons, True))
    for section, names in edits.ignore.items():
        env.extend(("policy", "ignore", section), names)
    for section, entries in edits.overrides.items():
        for name, patch in entries.items():
            if isinstance(env.get("overrides", section, name), CommentedMap) and "absent" not in patch:
                _deep_set(env, ("overrides", section, name), patch)
            else:
                env.add(("overrides", section), {name: patch})


def import_into_project(
    source: DesiredState,
    live: LiveState,
    kinds: Mapping[KindName, Kind],
    *,
    only: Collection[KindName] = (),
    force: bool = False,
) -> tuple[ImportResult, list[Path]]:
    """Import `live` into `source`'s own config directory: every edit or none (ImportRefused or
    RoundTripError before anything is written). -> (what changed, the paths written)."""
    layout = read_layout(source.config_dir, source.environment)
    edits, writer = plan_edits(source, live, kinds, layout, only=only, force=force)
    files = _Files(layout, force, header(source))
    _edit_documents(edits, files, kinds)
    _edit_environment(edits, files)
    changed = {path: document.text() for path, document in files.opened.items() if document.changed}
    _write_all(changed)
    relative = {str(p.relative_to(layout.config_dir)): text for p, text in changed.items()}
    result = ImportResult(relative, tuple(writer.placeholders), edits.counts, tuple(edits.notes))
    return result, [source.config_dir / path for path in relative]

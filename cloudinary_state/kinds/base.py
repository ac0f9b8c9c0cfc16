"""The contract every kind implements, documented once (octoDNS-style: one package per kind).

A kind is one package under `kinds/` holding everything about one Admin API resource: its config
model (pydantic), its offline checks, the canonical desired and live forms (so the server's
normalization never shows as a change), reads and writes through the `AdminApi` protocol, the
import export, plan notes and replace rules. Its one instance is named in the registry
(`kinds/__init__.py`); nothing else in the package names it.

`Kind` gives every hook a default, so a simple kind (a list endpoint, a detail GET, create,
update and delete calls) declares a few class attributes and its three writes; see
`kinds/upload_mappings/` for one. A kind decides nothing about whether to write: that is the
plan's job. Kinds never import `cloudinary` nor the engine: they talk to the Admin API through
`AdminApi`, which `client.AdminClient` implements (layers import downward only).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from cloudinary_state.canonical_json import canonical_json
from cloudinary_state.config.checks import CheckedObject, Report, Universe, check_name_length
from cloudinary_state.desired import DesiredObject, KindName, SourceRef, StrippedOption
from cloudinary_state.kinds._common import get_or_none, list_pages, listed_by_name, live_object, paginate
from cloudinary_state.kinds.api import AdminApi, AssetImpact, LiveObject
from cloudinary_state.kinds.tried import TriedUpload, UploadEffect

if TYPE_CHECKING:
    from pydantic import BaseModel

Action = Literal["create", "update", "replace", "delete"]

__all__ = [
    "Action",
    "AdminApi",
    "AssetImpact",
    "Kind",
    "LiveObject",
    "ModelRef",
    "TriedUpload",
    "UploadEffect",
]


class ModelRef:
    """A kind's config model named by module and class, and imported the first time it is asked
    for (`model = ModelRef("cloudinary_state.kinds.x.model", "XModel")`).

    Why not the class itself: importing pydantic and building the models is most of what
    `validate` would spend starting up, and a config whose documents all pass the fast schema
    check (`config/fastschema.py`, against the schema generated from the model) needs no model.
    The model stays the authority: it explains a document that fails, and generates the schemas
    and the docs.
    """

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> type[BaseModel]:
        return cast("type[BaseModel]", getattr(importlib.import_module(self.module), self.name))


class Kind:
    """One managed resource kind. Subclasses set the class attributes and override what differs.

    Identity: `kind` is the singular name (plans, `--target KIND:NAME`, `--kind`), `section` the
    key of resource documents, `overrides:` and `policy` lists. `rank` orders writes: creates
    and updates by ascending rank (a kind after the kinds it references), deletes descending.
    """

    kind: ClassVar[KindName]
    section: ClassVar[str]
    rank: ClassVar[int]
    # one object's config body; its JSON Schema is the kind's part (a `ModelRef`, or the class)
    model: ClassVar[type[BaseModel]]
    description: ClassVar[str]  # the section, for the schema and docs: "upload mappings, by folder"
    guide: ClassVar[str] = ""  # Markdown for the config reference: what the tables cannot say
    # A delete + create that the live service cannot carry out: why, and what to do instead.
    # Safety refuses such a replace before any write (the plan still shows it).
    replace_refusal: ClassVar[str | None] = None

    # `try-preset` uploads a file through an object of the one kind that sets this (kinds/tried.py)
    try_target: ClassVar[bool] = False

    # --- the simple read path: one paginated list endpoint and one detail GET ------------------
    list_call: ClassVar[str] = ""  # pycloudinary function of the list endpoint
    list_items_key: ClassVar[str] = ""  # the answer's key holding the page's items
    identity_field: ClassVar[str] = ""  # the item's field that is the object's name
    detail_call: ClassVar[str] = ""  # pycloudinary function of the detail GET (name as argument)

    # --- config (offline) ---------------------------------------------------------------------

    def name_from_key(self, written: str) -> str:
        """The object's identity from the key it is declared under (e.g. without a prefix the
        checks report)."""
        return written

    def check_name(self, report: Report, name: str, at: SourceRef) -> None:
        """Refuse a key the API cannot take as this kind's identity."""
        check_name_length(report, self.kind, name, at)

    def check(self, report: Report, universe: Universe, obj: CheckedObject) -> None:
        """Rules that span fields, objects and documents (references, values, syntax, and rules
        between fields a JSON Schema cannot say: models carry no validators), reported with the
        place to fix them. Shape and types are checked already; `obj.body` is the validated
        document as plain data (the model's JSON dump), never a model instance."""

    def check_all(self, report: Report, universe: Universe, objects: list[CheckedObject]) -> None:
        """`check` for each declared object of this kind (tombstones excluded); override to add
        checks over the whole set (e.g. reference cycles)."""
        for obj in objects:
            self.check(report, universe, obj)

    def strip_addon_options(
        self, body: dict[str, Any], enabled: Callable[[str], bool]
    ) -> tuple[dict[str, Any], tuple[StrippedOption, ...]]:
        """The body without the options whose add-on `enabled` says is off, and what was
        stripped. Kinds without add-on options keep the body as it is."""
        return body, ()

    def reference(self) -> str:
        """This kind's part of the config reference (docs/config.md), in Markdown: by default
        the fields of its model, then the guide; a kind with more to say (a settings catalogue)
        adds it."""
        from cloudinary_state.config.reference import fields_table  # pydantic: docs only

        return fields_table(self.model) + (f"\n{self.guide.strip()}\n" if self.guide else "")

    def addons_needed(self, body: Mapping[str, Any], path: str) -> tuple[str, ...]:
        """The add-ons the value at `path` (a dotted body path) needs to stick: the read-back
        names them, and the environment diff attributes a difference to their toggles."""
        return ()

    def addons_used(self, body: Mapping[str, Any]) -> tuple[str, ...]:
        """Every add-on some value of `body` (a config body) needs: `addons_needed` over each
        leaf path, so a kind answers once, by path. Import turns these on; the embedded
        emulator registers those the environment leaves unknown."""
        used: dict[str, None] = {}
        for path in _leaf_paths(body, ""):
            used.update(dict.fromkeys(self.addons_needed(body, path)))
        return tuple(used)

    def read_back_hint(self, desired: Mapping[str, Any], path: str) -> str | None:
        """Why the server may have dropped or rewritten the field at `path`, when this kind
        knows better than the generic explanation."""
        return None

    # --- canonical forms ----------------------------------------------------------------------

    def references(self, obj: DesiredObject) -> list[tuple[KindName, str]]:
        """Objects this one depends on (e.g. a preset's t_NAME and metadata keys)."""
        return []

    def live_references(self, live: LiveObject) -> list[tuple[KindName, str]]:
        """Objects a live object depends on, as `references` does for a desired one: a delete
        of it that runs before theirs says so in the plan."""
        return []

    def canonical_desired(self, obj: DesiredObject) -> dict[str, Any]:
        """The canonical form of a desired object, with server defaults filled in."""
        return dict(obj.body)

    def canonical_live(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The canonical form of a live object as any read endpoint returns it."""
        raise NotImplementedError(f"{type(self).__name__}.canonical_live")

    def comparable_live(self, desired: Mapping[str, Any], live: Mapping[str, Any]) -> Mapping[str, Any]:
        """The live canonical form as it compares with this desired canonical form: aspects the
        desired form leaves open (e.g. a datasource order the API cannot set) are dropped, so
        they never show as a change the API could not make. By default every field compares."""
        return live

    def needs_replace(self, desired: Mapping[str, Any], live: LiveObject) -> bool:
        """True when the difference cannot be updated in place (delete + create)."""
        return False

    def sensitive_canonical_paths(self, body_paths: Collection[str]) -> frozenset[str]:
        """The canonical-form paths that hold the values at these body paths (where the config
        used `${env.*}`), so masking matches the form plans and diffs are made of. By default a
        top-level field that takes any sensitive body value is sensitive whole."""
        return frozenset(path.split(".", 1)[0].split("[", 1)[0] for path in body_paths)

    def canonical_paths(self, body_path: str) -> tuple[str, ...]:
        """The canonical-form paths that hold the value at `body_path`, where the canonical form
        reshapes it: `diff` compares canonical forms, and leaves all of them alone where both
        environments' `policy.ignore_changes` leave the body field to another system."""
        return (body_path,)

    def notes(self, action: Action, desired: Mapping[str, Any] | None, live: LiveObject | None) -> list[str]:
        """Human notes for the plan: e.g. "transformation is in use"."""
        return []

    def export(self, live: LiveObject) -> dict[str, Any]:
        """The live object as a config body, server defaults left out: used by `import`;
        loading the exported body must give back `live.canonical`."""
        return dict(live.canonical)

    def impact(
        self, api: AdminApi, action: Action, desired: Mapping[str, Any] | None, live: LiveObject
    ) -> AssetImpact | None:
        """What a change of `live` does to assets, read from the account before the plan is
        shown: e.g. how many assets hold a value in a metadata field about to be deleted. None
        (the default) when the change reaches no asset. A count the API will not give (a
        feature not enabled, a permission error) is an `AssetImpact` with `assets` None and the
        reason: never a guess, never an exception."""
        return None

    def restore(self, api: AdminApi, live: LiveObject) -> None:
        """Write `live`, an object as read from one account, into another account that does not
        have it, as faithfully as the API allows (a plan rehearsal loads the live account into
        an emulated copy this way). By default: `create` from the exported body; a
        server-provided object (present in every account) is updated to its live form only
        when it differs from its definition. A kind with state its config body cannot say
        (soft-deleted values) writes that too."""
        body = self.export(live)
        if self.builtin_definition(live) is None:
            self.create(api, live.name, body)
            return
        if not self.differs_from_builtin(live):
            return
        current = self.read_one(api, live.name)
        if current is None:
            self.create(api, live.name, body)
        else:
            self.update(api, live.name, body, current)

    # --- a tried upload (try-preset, kinds/tried.py) ------------------------------------------

    def upload_params(self, name: str) -> dict[str, Any]:
        """The Upload API parameters that upload a file through the object `name` (try targets)."""
        raise NotImplementedError(f"{type(self).__name__} is not what try-preset uploads through")

    def upload_effects(self, obj: DesiredObject, upload: TriedUpload) -> list[UploadEffect]:
        """What `obj` did to the asset of `upload`, or why it did nothing: for the object the
        file went through, its settings that had no effect and notes on those that did; for
        any other, whether it applies to the asset. Kinds that never act on uploads: none."""
        return []

    # --- objects the service provides ---------------------------------------------------------

    def builtin_definition(self, live: LiveObject) -> Mapping[str, Any] | None:
        """The canonical form a server-provided `live` object reverts to; None (the default) for
        an object the account made.

        Some resources come with objects every account has, which the API lets one update but
        never delete (a DELETE reverts them). Such an object is never unmanaged and never
        deleted by `policy.prune`; a tombstone on it plans a revert (a `delete` the API turns
        into one) only while it differs from this form, and that delete's read-back expects
        this form. The form compares like a desired one (through `comparable_live`), so it may
        leave open what the kind cannot know (e.g. an undocumented display name)."""
        return None

    def differs_from_builtin(self, live: LiveObject) -> bool:
        """Whether a server-provided object has been changed from its built-in definition
        (False for an object the account made)."""
        definition = self.builtin_definition(live)
        if definition is None:
            return False
        comparable = self.comparable_live(definition, live.canonical)
        return canonical_json(dict(definition)) != canonical_json(dict(comparable))

    def at_builtin_definition(self, live: LiveObject) -> bool:
        """A server-provided object as the service provides it: nothing for a config to say
        (`import` and `promote` leave it out, a tombstone on it has nothing to revert)."""
        return self.builtin_definition(live) is not None and not self.differs_from_builtin(live)

    def pair_live(
        self, desired: Mapping[str, Mapping[str, Any]], live: Mapping[str, LiveObject]
    ) -> dict[str, LiveObject]:
        """The live objects under the names the plan gives them. `desired` holds the canonical
        form of every declared object of this kind by name (tombstones and ignored objects left
        out), `live` the objects as read.

        By default identity: a live object's name is its identity in the account, the key the
        config declares it under. A kind whose objects have no name in the account (a trigger
        is its event type and URL) pairs them with the declared objects by content instead,
        returns each paired object under its declared name (`LiveObject.name` too) and every
        other one under a name of its own that no declared object has. The answer must depend
        only on `desired` and the objects, never on the keys of `live`, so that pairing twice
        gives the same names. The engine pairs wherever it has both sides: `build_plan`, the
        reads of a saved plan's objects and each wave's read-back (whose `read_many` may
        therefore answer every object it read, under its own names)."""
        return dict(live)

    # --- reads ----------------------------------------------------------------------------------

    def name_of(self, item: Mapping[str, Any]) -> str:
        """An API answer's or list item's identity."""
        return str(item[self.identity_field])

    def live(self, raw: Mapping[str, Any]) -> LiveObject:
        """A LiveObject from one API answer; an unreadable one is an UnreadableLiveError."""
        return live_object(self.kind, self.name_of, self.canonical_live, raw)

    def read_all(self, api: AdminApi, parallelism: int) -> dict[str, LiveObject]:
        """Every live object of this kind, keyed by name, with the fewest calls."""
        items = paginate(api, self.list_call, self.list_items_key)
        return {live.name: live for live in map(self.live, items)}

    def read_one(self, api: AdminApi, name: str) -> LiveObject | None:
        """One live object (None when it does not exist), by its detail GET: e.g. to check
        what a create whose answer was lost left behind."""
        raw = get_or_none(api, self.detail_call, name)
        return self.live(raw) if raw is not None and self.identity_field in raw else None

    def read_many(
        self, api: AdminApi, names: Collection[str], parallelism: int
    ) -> dict[str, LiveObject | None]:
        """The named live objects, keyed by every name asked for (None where one does not
        exist), with the fewest calls this kind has: for saved plans and the per-wave read-back.
        No names, no calls. By default the list pages until every name is found. A kind that
        pairs by content (`pair_live`) cannot know the declared names: it answers every object
        it read, and the engine pairs them before it looks the names up."""
        listed = listed_by_name(self.kind, api, self.list_call, self.list_items_key, names, self.name_of)
        return {name: self.live(listed[name]) if name in listed else None for name in names}

    # --- what the reads and writes cost (the call forecast, engine/forecast.py) -----------------
    # Each answers the calls its method makes when nothing fails (a retry, or the read a
    # create makes after a conflict, is not forecast); a kind that overrides a read or a write
    # overrides its count with it, and the forecast tests hold each against the calls made.

    def read_many_calls(self, names: int, present: int, listed: int) -> int:
        """The calls `read_many` makes for `names` distinct names of which `present` exist,
        while the kind's list holds `listed` objects. By default the list pages: all of them
        when a name is absent; when all are present the pages stop at the last one found,
        which no plan can know, so this counts every page (exact up to 500 objects)."""
        return list_pages(listed) if names else 0

    def create_calls(self, desired: Mapping[str, Any]) -> int:
        """The calls `create` makes for this body."""
        return 1

    def update_calls(self, desired: Mapping[str, Any], live: LiveObject) -> int:
        """The calls `update` makes for this body over this live object."""
        return 1

    def delete_calls(self, live: LiveObject) -> int:
        """The calls `delete` makes for this live object."""
        return 1

    # --- writes ---------------------------------------------------------------------------------

    def create(self, api: AdminApi, name: str, desired: Mapping[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__}.create")

    def update(self, api: AdminApi, name: str, desired: Mapping[str, Any], live: LiveObject) -> None:
        raise NotImplementedError(f"{type(self).__name__}.update")

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
        raise NotImplementedError(f"{type(self).__name__}.delete")


def _leaf_paths(value: Any, path: str) -> list[str]:
    """The dotted paths of the non-mapping values under `value` (lists are leaves)."""
    if not isinstance(value, Mapping):
        return [path] if path else []
    return [
        p for key, item in value.items() for p in _leaf_paths(item, f"{path}.{key}" if path else str(key))
    ]

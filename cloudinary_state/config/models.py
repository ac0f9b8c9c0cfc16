"""Pydantic models of the config language: the shared base, environment files, and resource
documents assembled from the registered kinds' models.

The models check shape and types (frozen, unknown keys forbidden, strict: YAML already types
its scalars, so `unsigned: "yes"` is an error, not a truthy string). Field names are the Admin
API's own, so Cloudinary's docs carry over. Each kind's body model lives in its package under
`kinds/`; here the environment file and the resource document are built from the sections the
caller's kinds declare, so a newly registered kind is a section of both, and of their JSON
Schemas, without this module naming it.

Optional fields default to None and are never written as null: the loader rejects null
values and dumps bodies with `exclude_unset`, so a body holds only what the user set.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from cloudinary_state.addons import ADDONS
from cloudinary_state.config.packaged_schemas import SchemaKind


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, populate_by_name=False)


ENV_VAR_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
NonEmpty = Annotated[str, Field(min_length=1)]
Glob = Annotated[str, Field(min_length=1, description="fnmatch glob, e.g. sample_*")]
FieldPath = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$",
        description="dotted body path, e.g. settings.notification_url",
    ),
]


class Tombstone(Model):
    """`absent: true` deletes the object explicitly; nothing else may be set."""

    absent: Literal[True]


class SafetyModel(Model):
    """Refuse an apply whose deletes+replaces exceed this share of the existing objects."""

    max_delete_percent: float = Field(default=30.0, ge=0, le=100)
    min_existing: int = Field(
        default=10, ge=0, description="below this many managed objects the threshold is off"
    )
    max_affected_assets: int | None = Field(
        default=None,
        ge=0,
        description=(
            "refuse a plan whose destructive changes (deletes, replaces, a named "
            "transformation's unsafe update) reach more assets than this, counted over the "
            "whole plan (a count that cannot be read counts as over)"
        ),
    )


def _empty_list() -> list[Any]:
    """`default_factory=list` without its cost: pydantic reads a factory's signature, and a
    builtin's is parsed from its text with the tokenizer (about 3 ms at start-up)."""
    return []


def _addons_field() -> Any:
    schema: dict[str, Any] = {
        "properties": {k: {"type": "boolean", "description": v} for k, v in sorted(ADDONS.items())},
        "additionalProperties": False,
    }
    return Annotated[dict[str, bool], Field(json_schema_extra=schema)]


def _policy_model(section: Any) -> type[Model]:
    return create_model(
        "PolicyModel",
        __base__=Model,
        prune=(
            list[section],
            Field(
                default_factory=_empty_list, description="sections whose undeclared live objects are deleted"
            ),
        ),
        ignore=(
            dict[section, list[Glob]],
            Field(
                default_factory=dict,
                description="objects never compared, changed or deleted (trusted to exist)",
            ),
        ),
        protect=(
            dict[section, list[Glob]],
            Field(default_factory=dict, description="objects never deleted or replaced"),
        ),
        ignore_changes=(
            dict[section, dict[Glob, list[FieldPath]]],
            Field(
                default_factory=dict,
                description="fields managed outside the config, by object name (glob): never "
                "diffed, and an update sends their live value",
            ),
        ),
        safety=(SafetyModel, Field(default=SafetyModel())),
    )


@functools.cache
def _environment_model(sections: tuple[str, ...]) -> type[Model]:
    section: Any = Literal[sections] if sections else str
    policy = _policy_model(section)
    return create_model(
        "EnvironmentModel",
        __base__=Model,
        __doc__="environments/<env>.yaml",
        cloud_name=(
            str | None,
            Field(
                default=None,
                min_length=1,
                pattern=r"^[A-Za-z0-9_-]+$",
                description="the cloud this environment manages; left out, the cloud of the credentials",
            ),
        ),
        credentials=(
            str,
            Field(
                pattern=ENV_VAR_NAME, description="name of the env var holding cloudinary://key:secret@cloud"
            ),
        ),
        include=(
            list[NonEmpty],
            Field(
                default_factory=_empty_list, description="globs of resource documents, relative to this file"
            ),
        ),
        variables=(
            dict[Annotated[str, Field(pattern=ENV_VAR_NAME)], str | int | float],
            Field(default_factory=dict, description="values for ${var.NAME}"),
        ),
        addons=(
            _addons_field(),
            Field(
                default_factory=dict,
                description="add-on toggles: true keeps the options that need the add-on, false "
                "strips them; an unlisted add-on is unknown and its options are kept",
            ),
        ),
        overrides=(
            dict[section, dict[str, dict[str, Any]]],
            Field(
                default_factory=dict,
                description="deep-merged over the included resources, by section and name",
            ),
        ),
        policy=(policy, Field(default_factory=policy)),
    )


def environment_model(kinds: Sequence[SchemaKind]) -> type[Model]:
    """The model of an environment file whose overrides and policy name these kinds' sections."""
    return _environment_model(tuple(kind.section for kind in kinds))


@functools.cache
def _resources_model(specs: tuple[tuple[str, type[BaseModel], str], ...]) -> type[Model]:
    fields: dict[str, Any] = {
        section: (dict[str, model | Tombstone], Field(default_factory=dict, description=description))  # type: ignore[valid-type]
        for section, model, description in specs
    }
    return create_model(
        "ResourcesModel",
        __base__=Model,
        __doc__="A resource document (the files an environment includes).",
        **fields,
    )


def resources_model(kinds: Sequence[SchemaKind]) -> type[Model]:
    """The model of a resource document: one section per kind, each a mapping of name -> body."""
    return _resources_model(tuple((kind.section, kind.model, kind.description) for kind in kinds))

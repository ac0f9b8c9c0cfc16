"""The config body of a structured metadata field (reference §8); its external_id is the key
it is declared under."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from cloudinary_state.config.models import Model, NonEmpty


class StrlenRule(Model):
    type: Literal["strlen"]
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=1)


class ComparisonRule(Model):
    type: Literal["greater_than", "less_than"]
    value: int | str = Field(description="an integer, or YYYY-MM-DD for date fields")
    equals: bool | None = None


# Not built on its own (defer_build): its forward reference to ValidationRule would fail and be
# rebuilt; MetadataFieldModel's schema builds it, once (start-up is measured).
class AndRule(Model, defer_build=True):
    type: Literal["and"]
    rules: list[ValidationRule] = Field(min_length=1)


ValidationRule = Annotated[StrlenRule | ComparisonRule | AndRule, Field(discriminator="type")]


class Restrictions(Model):
    readonly_ui: bool | None = None
    hidden_ui: bool | None = None
    excluded_from_search: bool | None = None


class DatasourceValue(Model):
    external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="optional: without one the API assigns it, and the plan matches the entry by its value",
    )
    value: NonEmpty
    state: Literal["active", "inactive"] | None = Field(
        default=None,
        description="active (the default, as the API returns it), or inactive: kept soft-deleted",
    )


class Datasource(Model):
    values: list[DatasourceValue] = Field(min_length=1)


class MetadataFieldModel(Model):
    """A structured metadata field; its external_id is the key it is declared under."""

    type: Literal["string", "integer", "date", "enum", "set"]
    label: str = Field(min_length=1, max_length=255)
    mandatory: bool | None = None
    default_value: str | int | list[str] | None = Field(
        default=None,
        description="string, integer, YYYY-MM-DD, an option external_id (enum) or a list of them (set)",
    )
    default_disabled: bool | None = None
    validation: ValidationRule | None = None
    restrictions: Restrictions | None = None
    datasource: Datasource | None = None
    allow_dynamic_list_values: bool | None = None

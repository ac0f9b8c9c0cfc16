"""The config body of a metadata rule (conditional metadata, reference §9); the rule's name is
the key it is declared under."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from cloudinary_state.config.models import Model, NonEmpty

# "Exactly one test" and "a result does something" are held by the kind's checks (checks.py),
# not by validators here: a model checks nothing beyond its JSON Schema, so that a document the
# schema accepts is as valid as one the model accepts.


class AtomicCondition(Model):
    """A test of one field: exactly one of populated, includes, equals."""

    metadata_field_id: NonEmpty = Field(description="the field the condition reads")
    populated: bool | None = None
    includes: list[NonEmpty] | None = Field(default=None, description="option external_ids")
    equals: str | list[str] | None = Field(default=None, description="a value, or option external_ids")


# Not built on their own (defer_build): their forward reference to Condition would fail and be
# rebuilt; MetadataRuleModel's schema builds them, once (start-up is measured).
class AndCondition(Model, defer_build=True):
    and_: list[Condition] = Field(alias="and", min_length=1)


class OrCondition(Model, defer_build=True):
    or_: list[Condition] = Field(alias="or", min_length=1)


def _condition_tag(value: Any) -> str:
    """Which form a condition is written in, so an error names what is wrong with that form
    (not why it is none of the three)."""
    keys = value.keys() if isinstance(value, dict) else vars(value) if isinstance(value, Model) else ()
    for logical in ("and", "or"):
        if logical in keys or f"{logical}_" in keys:
            return logical
    return "atomic"


Condition = Annotated[
    Annotated[AtomicCondition, Tag("atomic")]
    | Annotated[AndCondition, Tag("and")]
    | Annotated[OrCondition, Tag("or")],
    Discriminator(_condition_tag),
]


class ActivateValues(Model):
    external_ids: list[NonEmpty] = Field(min_length=1)
    mode: Literal["override", "append"] | None = Field(default=None, description="default append")


class ApplyValue(Model):
    value: str | int | list[str]
    mode: Literal["default", "override", "append"] | None = Field(default=None, description="default default")


class RuleResult(Model):
    """What the rule does to its target field while the condition holds (at least one)."""

    disable: bool | None = None
    enable: bool | None = Field(default=None, description="deprecated: disable")
    hide: bool | None = None
    set_mandatory: bool | None = None
    activate_values: Literal["all"] | ActivateValues | None = None
    apply_value: ApplyValue | None = None


class MetadataRuleModel(Model):
    metadata_field_id: NonEmpty = Field(description="the target field")
    condition: Condition
    result: RuleResult
    state: Literal["active", "inactive"] | None = Field(default=None, description="default active")

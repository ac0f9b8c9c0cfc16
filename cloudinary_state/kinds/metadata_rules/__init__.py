"""Metadata rules: model, checks, canonical forms, reads and writes (reference §9)."""

from cloudinary_state.kinds.metadata_rules.kind import MetadataRuleKind

METADATA_RULES = MetadataRuleKind()

__all__ = ["METADATA_RULES", "MetadataRuleKind"]

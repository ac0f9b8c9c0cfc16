"""The tests an atomic condition makes (reference §9), exactly one per condition: named here, not
in the model, so the canonical form and the checks read them without importing pydantic."""

from __future__ import annotations

TESTS = ("populated", "includes", "equals")

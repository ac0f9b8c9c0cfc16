"""Emulated metadata_rules endpoints (being written)."""

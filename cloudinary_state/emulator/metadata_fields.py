"""Emulated metadata_fields endpoints (being written)."""

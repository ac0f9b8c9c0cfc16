"""Emulated triggers endpoints (being written)."""

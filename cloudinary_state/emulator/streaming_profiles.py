"""Emulated streaming_profiles endpoints (being written)."""

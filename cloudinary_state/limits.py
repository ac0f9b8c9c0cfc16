"""Bounds that several layers share, in a module that imports nothing (the CLI's options read
it without loading the client)."""

from __future__ import annotations

# Admin API calls in flight at once (`--parallelism`'s bound): the client keeps one pooled
# connection per worker, so its pool is this size.
MAX_PARALLELISM = 64

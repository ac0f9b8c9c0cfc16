"""The one JSON spelling of a value that is hashed or compared as text.

The plan's fingerprints, the plan file's checksum, the config digest and the plan's
"anything to change?" comparison all hash or compare JSON text, so they must spell a value
the same way: sorted keys, no spaces, non-ASCII kept as is. It sits in the bottom layer
because the config (digest) and the engine (plan) both use it.
"""

from __future__ import annotations

import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces; a value JSON cannot spell (a date, a path) as its `str`."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)

"""The emulator's state file: one JSON document holding every served cloud's stores.

Written atomically (temp file in the same directory + os.replace) so a crash never leaves a
half-written file; a file that cannot be read is an `EmulatorStateError` naming it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from cloudinary_state.emulator.state import CloudState

STATE_FORMAT = "cloudinary-state/emulator-state@1"


class EmulatorStateError(Exception):
    """The state file is unreadable or not an emulator state file."""


def save_state(path: Path, clouds: dict[str, CloudState], others: dict[str, Any] | None = None) -> None:
    """Write every served cloud; `others` (clouds in the file this server does not serve) stay as read."""
    stored = dict(others or {})
    stored.update({name: c.persisted() for name, c in clouds.items()})
    document = {"format": STATE_FORMAT, "clouds": stored}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def load_state(path: Path, clouds: dict[str, CloudState]) -> dict[str, Any]:
    """Restore the served clouds from `path` if it exists; clouds not in the file start empty.

    Returns the file's other clouds, so that saving does not erase them.
    """
    if not path.exists():
        return {}
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise EmulatorStateError(f"emulator state file {path} is unreadable: {e}") from e
    if not isinstance(document, dict) or document.get("format") != STATE_FORMAT:
        raise EmulatorStateError(
            f"emulator state file {path} is not an emulator state file (expected format {STATE_FORMAT!r})"
        )
    stored = document.get("clouds")
    if not isinstance(stored, dict) or not all(isinstance(v, dict) for v in stored.values()):
        raise EmulatorStateError(f"emulator state file {path} is corrupt: 'clouds' must map names to objects")
    for name, cloud in clouds.items():
        data = stored.get(name)
        if data is not None:
            cloud.restore(data)
    return {name: data for name, data in stored.items() if name not in clouds}

"""The emulator's state file: one JSON document holding every served cloud's stores.

Written atomically (a temp file in the same directory, fsync, os.replace) so a crash, even
`kill -9` mid-write, never leaves a half-written file: the file is either the previous state or
the new one. A crash can leave the temp file behind; the next start removes temp files of this
module's naming (`.NAME.<random>.tmp`). A file that cannot be read, or whose stores hold what
the emulator could not have written (state.py, shapes.py), is an `EmulatorStateError` naming it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from cloudinary_state.emulator.shapes import ShapeError
from cloudinary_state.emulator.state import CloudState

STATE_FORMAT = "cloudinary-state/emulator-state@1"


_TEMP_SUFFIX = ".tmp"


class EmulatorStateError(Exception):
    """The state file is unreadable or not an emulator state file."""


def _temp_prefix(path: Path) -> str:
    # Hidden and named after the state file, so that cleanup can tell its own temp files apart.
    return f".{path.name}."


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Delete temp files a killed writer of `path` left beside it; returns what was removed.

    Call before serving: a temp file is only ever live inside `save_state`, so at start any
    temp file of this naming is debris (one server per state file).
    """
    if not path.parent.is_dir():
        return []
    prefix = _temp_prefix(path)
    shortest = len(prefix) + len(_TEMP_SUFFIX) + 1  # the random part is never empty
    stale = [
        entry
        for entry in path.parent.iterdir()
        if entry.name.startswith(prefix) and entry.name.endswith(_TEMP_SUFFIX) and len(entry.name) >= shortest
    ]
    for entry in stale:
        entry.unlink(missing_ok=True)
    return stale


def save_state(path: Path, clouds: dict[str, CloudState], others: dict[str, Any] | None = None) -> None:
    """Write every served cloud; `others` (clouds in the file this server does not serve) stay as read."""
    stored = dict(others or {})
    stored.update({name: c.persisted() for name, c in clouds.items()})
    document = {"format": STATE_FORMAT, "clouds": stored}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=_TEMP_SUFFIX, dir=path.parent)
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

    Returns the file's other clouds, so that saving does not erase them (unchecked: they are
    the business of the server that serves them).
    """
    if not path.exists():
        return {}
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise EmulatorStateError(f"emulator state file {path} is unreadable: {e}") from e
    except RecursionError:  # json.loads recurses per level; no state file it writes nests deep
        raise EmulatorStateError(f"emulator state file {path} is unreadable: nested too deeply") from None
    if not isinstance(document, dict) or document.get("format") != STATE_FORMAT:
        raise EmulatorStateError(
            f"emulator state file {path} is not an emulator state file (expected format {STATE_FORMAT!r})"
        )
    stored = document.get("clouds")
    if not isinstance(stored, dict) or not all(isinstance(v, dict) for v in stored.values()):
        raise EmulatorStateError(f"emulator state file {path} is corrupt: 'clouds' must map names to objects")
    for name, cloud in clouds.items():
        data = stored.get(name)
        if data is None:
            continue
        try:
            cloud.restore(data)
        except ShapeError as e:
            raise EmulatorStateError(f"emulator state file {path} is corrupt: cloud {name!r}: {e}") from None
    return {name: data for name, data in stored.items() if name not in clouds}

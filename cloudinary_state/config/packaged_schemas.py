"""The JSON Schemas the loader checks documents against first, packaged so that validating a
config imports no pydantic.

Each kind's package carries `body.schema.json` (one object's body, generated from the kind's
model) and this package `environment.schema.json` (the environment file, for the registered
kinds' sections). Each file records a fingerprint of the sources it was generated from: the
kind's package and the shared model modules. When the sources no longer match (a model edited
and the files not regenerated, a kind registered at run time without a file), the schema is
generated from the model on the spot: correct, only slower. The models stay the authority;
`python -m cloudinary_state.kinds.reference --write` regenerates the files with the docs, and a
test holds them current.
"""

from __future__ import annotations

import functools
import json
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pydantic import BaseModel

BODY_FILE = "body.schema.json"
ENVIRONMENT_FILE = Path(__file__).with_name("environment.schema.json")
_PACKAGE = Path(__file__).resolve().parent.parent
# the modules every schema is built from besides a kind's own package
_SHARED_SOURCES = ("config/models.py", "config/schema.py", "addons.py")


class SchemaKind(Protocol):
    """What the schemas and the config models need of a kind: its section, its (lazily
    imported) body model and its description; kinds are hashable (schemas are cached by kind)."""

    @property
    def section(self) -> str: ...
    @property
    def model(self) -> type[BaseModel]: ...
    @property
    def description(self) -> str: ...
    def __hash__(self) -> int: ...


def kind_directory(kind: object) -> Path | None:
    """The directory of the module that defines the kind's class: its package. None for a
    module without a file (a kind defined in a notebook or by `python -c`): it has no file."""
    file = getattr(sys.modules.get(type(kind).__module__), "__file__", None)
    return None if file is None else Path(file).resolve().parent


def _fingerprint(directories: Sequence[Path], extra: str = "") -> str | None:
    """A CRC-32 of the sources: it catches a forgotten regeneration, which is all it is for (a
    cryptographic hash would cost validate the import of hashlib and OpenSSL). Sources that
    cannot be read (an installation without them) have none: no file is trusted."""
    checksum = zlib.crc32(extra.encode())
    files = [_PACKAGE / name for name in _SHARED_SOURCES]
    files += sorted(p for d in directories for p in d.glob("*.py"))
    try:
        for path in files:
            checksum = zlib.crc32(path.name.encode() + b"\0" + path.read_bytes(), checksum)
    except OSError:
        return None
    return f"crc32:{checksum:08x}"


def _packaged(path: Path, fingerprint: str | None) -> dict[str, Any] | None:
    """The schema stored at `path` when it was generated from these very sources; None when it
    was not, or cannot be read (corrupt: not UTF-8, not JSON, nested deeper than JSON reads)."""
    if fingerprint is None:
        return None
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(stored, dict) or stored.get("fingerprint") != fingerprint:
        return None
    schema = stored.get("schema")
    return schema if isinstance(schema, dict) else None


def _generated(model: type[BaseModel]) -> dict[str, Any]:
    from cloudinary_state.config.schema import schema_generator  # pydantic: only when needed

    schema: dict[str, Any] = model.model_json_schema(by_alias=True, schema_generator=schema_generator())
    return schema


def _stored_text(fingerprint: str | None, schema: dict[str, Any]) -> str:
    return json.dumps({"fingerprint": fingerprint, "schema": schema}, indent=1, ensure_ascii=False) + "\n"


def _body_file(kind: SchemaKind) -> Path | None:
    """Where the kind's packaged schema is (None: a kind without a package has none)."""
    directory = kind_directory(kind)
    return None if directory is None else directory / BODY_FILE


def _body_fingerprint(kind: SchemaKind, path: Path) -> str | None:
    return _fingerprint([path.parent], kind.section)


def _environment_source(kinds: Sequence[SchemaKind]) -> tuple[Path, str | None]:
    return ENVIRONMENT_FILE, _fingerprint([], "\0".join(kind.section for kind in kinds))


@functools.cache
def _cached_body_schema(kind: SchemaKind) -> tuple[dict[str, Any], bool]:
    path = _body_file(kind)
    # no file, no fingerprint to compute (it reads every module beside the kind's)
    stored = _packaged(path, _body_fingerprint(kind, path)) if path is not None and path.is_file() else None
    return (stored, True) if stored is not None else (_generated(kind.model), False)


def body_schema(kind: SchemaKind) -> dict[str, Any]:
    """The JSON Schema of one object's body of `kind` (do not modify: it is shared)."""
    return _cached_body_schema(kind)[0]


def body_schema_is_packaged(kind: SchemaKind) -> bool:
    """Whether `body_schema` is the kind's packaged file (else it was generated from the model)."""
    return _cached_body_schema(kind)[1]


def environment_schema(kinds: Sequence[SchemaKind]) -> dict[str, Any]:
    """The JSON Schema of an environment file naming these kinds' sections (shared)."""
    return _cached_environment_schema(tuple(kinds))


@functools.cache
def _cached_environment_schema(kinds: tuple[SchemaKind, ...]) -> dict[str, Any]:
    path, fingerprint = _environment_source(kinds)
    return _packaged(path, fingerprint) or _generated(_environment_model(kinds))


def _environment_model(kinds: Sequence[SchemaKind]) -> type[BaseModel]:
    from cloudinary_state.config.models import environment_model

    return environment_model(kinds)


def _expected(kinds: Sequence[SchemaKind]) -> dict[Path, str]:
    """Every packaged file with the text it should have (generated from the models)."""
    expected = {}
    for kind in kinds:
        path = _body_file(kind)
        if path is not None:
            expected[path] = _stored_text(_body_fingerprint(kind, path), _generated(kind.model))
    path, fingerprint = _environment_source(kinds)
    expected[path] = _stored_text(fingerprint, _generated(_environment_model(kinds)))
    return expected


def stale_files(kinds: Sequence[SchemaKind]) -> list[Path]:
    """Packaged schema files that are missing or no longer match the models."""
    return [
        path
        for path, text in _expected(kinds).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def write_files(kinds: Sequence[SchemaKind]) -> list[Path]:
    """Regenerate the packaged schema files that changed; return those written."""
    written = []
    for path, text in _expected(kinds).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written

"""The registry is the only seam: outside `kinds/<kind>/` and the registry (`kinds/__init__.py`),
no module of the package names a particular kind (issue 9).

"Names" means: a string literal that is a kind's name or section (`"upload_preset"`,
`"metadata_fields"`), or an identifier or module name that spells one as a snake-case part
(`UPLOAD_PRESETS`, `metadata_field_checks`). Comments and docstrings may mention kinds: they
explain, they do not decide. Two exemptions, both by design: the emulator is independent of the
engine (DESIGN.md §6) and implements each resource itself; and the transformation-string grammar
(`cloudinary_state/transformation/`) is a value language that several kinds embed, so the word
"transformation" in the singular is not a kind there or anywhere.

The package's data files are held to the same rule, with one exemption: a file generated from
the registry, and held current with it by a test, names the kinds because the registry does
(as the committed `schemas/` do). That is `config/environment.schema.json`, the environment
file's packaged schema, whose sections are the registered kinds' (its fingerprint covers them,
and `tests/test_packaged_schemas.py` fails while it is stale). `init`'s templates name none: it
fills the sections in from the registry.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from cloudinary_state.kinds import REGISTRY

PACKAGE = Path(__file__).resolve().parents[1] / "cloudinary_state"
KIND_DIRS = {PACKAGE / "kinds" / kind.section for kind in REGISTRY}
EXEMPT = {PACKAGE / "kinds" / "__init__.py", PACKAGE / "emulator", PACKAGE / "transformation"}
GENERATED_FROM_THE_REGISTRY = {PACKAGE / "config" / "environment.schema.json"}


def _words() -> set[str]:
    words = {kind.section for kind in REGISTRY} | {kind.kind for kind in REGISTRY}
    return words - {"transformation"}  # the grammar's own word, see the module docstring


def _outside_the_kinds(pattern: str) -> list[Path]:
    found = []
    for path in sorted(PACKAGE.rglob(pattern)):
        if any(path == e or e in path.parents for e in EXEMPT):
            continue
        if any(d in path.parents for d in KIND_DIRS) or "__pycache__" in path.parts:
            continue
        found.append(path)
    return found


def _modules() -> list[Path]:
    return _outside_the_kinds("*.py")


def _data_files() -> list[Path]:
    return [p for p in _outside_the_kinds("*") if p.is_file() and p.suffix not in (".py", ".pyc")]


def _docstring_lines(source: str) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                lines.update(range(value.lineno, (value.end_lineno or value.lineno) + 1))
    return lines


def names_of_kinds(source: str, words: set[str]) -> list[str]:
    """Every place in `source` that names one of `words` as code (not as prose)."""
    parts = re.compile(rf"(?:^|_)({'|'.join(map(re.escape, sorted(words, key=len, reverse=True)))})(?:_|$)")
    docstrings = _docstring_lines(source)
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and parts.search(token.string.lower()):
            found.append(f"{token.start[0]}: identifier {token.string}")
        elif token.type == tokenize.STRING and token.start[0] not in docstrings:
            try:
                value = ast.literal_eval(token.string)
            except (ValueError, SyntaxError):
                continue
            if isinstance(value, str) and (value in words or value.split(":")[0] in words):
                found.append(f"{token.start[0]}: string {token.string}")
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_outside_the_kind_packages_names_a_kind(path: Path) -> None:
    assert names_of_kinds(path.read_text(encoding="utf-8"), _words()) == []


def names_in_data(text: str, words: set[str]) -> list[str]:
    """Every word of `text` (snake-case words whole, as in a YAML key or a JSON string) that is
    one of `words`."""
    found = re.findall(r"[A-Za-z0-9_]+", text)
    return sorted({word for word in found if word in words})


@pytest.mark.parametrize("path", _data_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_data_file_outside_the_kind_packages_names_a_kind(path: Path) -> None:
    named = names_in_data(path.read_text(encoding="utf-8", errors="replace"), _words())
    if path in GENERATED_FROM_THE_REGISTRY:
        assert named == sorted(REGISTRY.sections()), "generated from the registry: every section, no other"
    else:
        assert named == []


def test_the_data_scan_sees_the_generated_schema_and_the_templates() -> None:
    files = set(_data_files())
    assert files >= GENERATED_FROM_THE_REGISTRY and PACKAGE / "templates" / "resources.yaml" in files
    found = names_in_data('{"upload_presets": 1, "x_upload_presets": 2}', {"upload_presets"})
    assert found == ["upload_presets"]


def test_the_scan_finds_what_it_looks_for() -> None:
    source = 'X = "upload_preset"\nUPLOAD_PRESETS = 1\ndef f():\n    """upload_preset in prose"""\n'
    assert names_of_kinds(source, {"upload_preset", "upload_presets"}) == [
        '1: string "upload_preset"',
        "2: identifier UPLOAD_PRESETS",
    ]


def test_every_registered_kind_has_its_own_package() -> None:
    for kind in REGISTRY:
        assert (PACKAGE / "kinds" / kind.section / "__init__.py").is_file(), kind.kind

"""Every ```python example of README.md and docs/*.md runs as written.

The examples say they run from the repository root, where the example config lives. Each runs
in a fresh interpreter whose working directory is a temporary copy of that root's example
files (`environments/`, `examples/`), so an example that applies to the embedded emulator
leaves its state there, not in the repository; no credentials variable is set, so an example
can only reach the embedded emulator.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MIRRORED = ("environments", "examples")  # what the examples may read, relative to the root
FENCE = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def python_examples(document: Path) -> list[tuple[int, str]]:
    """(line number, code) of each ```python block of `document`."""
    text = document.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in FENCE.finditer(text)]


EXAMPLES = [
    pytest.param(code, id=f"{document.relative_to(ROOT)}:{line}")
    for document in DOCUMENTS
    for line, code in python_examples(document)
]


def _repository_root_copy(into: Path) -> Path:
    for name in MIRRORED:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, into / name)
    return into


def _without_credentials() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CLOUDINARY_URL")}


def test_the_readme_and_the_python_api_docs_have_examples() -> None:
    assert any("README.md" in str(p.id) for p in EXAMPLES)
    assert any("python-api.md" in str(p.id) for p in EXAMPLES)


def test_the_extractor_finds_each_block(tmp_path: Path) -> None:
    document = tmp_path / "doc.md"
    document.write_text("text\n```python\nprint(1)\n```\n```yaml\na: 1\n```\n```python\nprint(2)\n```\n")
    assert python_examples(document) == [(2, "print(1)\n"), (8, "print(2)\n")]


@pytest.mark.parametrize("code", EXAMPLES)
def test_the_example_runs_as_written(code: str, tmp_path: Path) -> None:
    cwd = _repository_root_copy(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=_without_credentials(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{code}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"

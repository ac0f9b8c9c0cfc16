"""Every relative link of README.md, CHANGELOG.md and docs/*.md resolves: to an existing
file, and for a link into a Markdown file with a `#fragment`, to one of its headings (GitHub's anchors)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")  # http:, https:, mailto:, ...


def _prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) outside fenced code blocks and indented code blocks."""
    in_fence = False
    previous_blank = True
    in_indented = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if (
            line.startswith("    ")
            and (previous_blank or in_indented)
            and not line.lstrip().startswith(("-", "*"))
        ):
            in_indented = True
            continue
        in_indented = False
        previous_blank = not line.strip()
        yield number, line


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = _CODE_SPAN.sub(lambda m: m.group(0).strip("`"), heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading: its text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found: set[str] = set()
    for _, line in _prose_lines(path.read_text(encoding="utf-8")):
        match = _HEADING.match(line)
        if not match:
            continue
        slug = github_anchor(match.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def links(path: Path) -> Iterator[tuple[int, str]]:
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))
    for number, line in _prose_lines(text):
        for match in _LINK.finditer(_CODE_SPAN.sub("", line)):
            yield number, match.group(1)


RELATIVE_LINKS = [
    pytest.param(path, number, target, id=f"{path.relative_to(ROOT)}:{number}:{target}")
    for path in DOCS
    for number, target in links(path)
    if not _EXTERNAL.match(target)
]


@pytest.mark.parametrize(("source", "line", "target"), RELATIVE_LINKS)
def test_relative_link_resolves(source: Path, line: int, target: str) -> None:
    where = f"{source.relative_to(ROOT)}:{line}: link {target!r}"
    file_part, _, fragment = target.partition("#")
    destination = (source.parent / unquote(file_part)).resolve() if file_part else source
    assert destination.exists(), f"{where}: {file_part} does not exist"
    assert destination.is_relative_to(ROOT), f"{where}: leaves the repository"
    if fragment and destination.suffix == ".md":
        assert unquote(fragment) in anchors(destination), (
            f"{where}: {destination.relative_to(ROOT)} has no heading with anchor #{fragment}"
        )


def test_the_docs_link_to_each_other() -> None:
    # the README is the entry point: every page of docs/ is reachable from it
    linked = {
        (ROOT / target.partition("#")[0]).resolve()
        for _, target in links(ROOT / "README.md")
        if not _EXTERNAL.match(target) and target.partition("#")[0]
    }
    assert set(DOCS[1:]) <= linked, sorted(str(p.relative_to(ROOT)) for p in set(DOCS[1:]) - linked)
    assert len(RELATIVE_LINKS) > len(DOCS)  # the collector finds links at all


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Variables: `${var.*}` and `${env.*}`", "variables-var-and-env"),
        ("The embedded emulator (`--emulator`)", "the-embedded-emulator---emulator"),
        ("The plan/apply flow", "the-planapply-flow"),
        ("`metadata_fields`", "metadata_fields"),
    ],
)
def test_anchor_spelling(heading: str, anchor: str) -> None:
    assert github_anchor(heading) == anchor

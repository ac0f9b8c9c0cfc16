"""The kinds' part of the config reference, generated from the registry (issue 9: the kind
tables of the docs are generated). `docs/config.md` holds the output between two markers;
`python -m cloudinary_state.kinds.reference --write` refreshes it and the packaged JSON Schemas
(`config/packaged_schemas.py`), and tests fail when either is stale."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

from cloudinary_state.config.packaged_schemas import write_files
from cloudinary_state.kinds.base import Kind

BEGIN = "<!-- kinds:begin -->"
END = "<!-- kinds:end -->"
DOC = Path("docs") / "config.md"


def render_reference(kinds: Sequence[Kind]) -> str:
    """The kinds table (in rank order, which is the apply order) and each kind's reference."""
    lines = [
        "| section | kind (`--target KIND:NAME`, `--kind`) | rank | objects |",
        "|---|---|---|---|",
        *(f"| `{k.section}` | `{k.kind}` | {k.rank} | {k.description} |" for k in kinds),
        "",
        "Creates and updates run by ascending rank, deletes in reverse.",
        "",
    ]
    for kind in kinds:
        lines += [f"### `{kind.section}`", "", f"{kind.description[0].upper()}{kind.description[1:]}.", ""]
        lines.append(kind.reference().rstrip("\n"))
        lines.append("")
    return "\n".join(lines)


def refreshed(document: str, kinds: Sequence[Kind]) -> str:
    """`document` with the text between the markers replaced by the generated reference."""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(document):
        raise ValueError(f"the markers {BEGIN!r} ... {END!r} are missing")
    note = "<!-- generated from the kind registry: python -m cloudinary_state.kinds.reference --write -->"
    block = f"{BEGIN}\n{note}\n\n{render_reference(kinds)}{END}"
    return pattern.sub(lambda _: block, document)


def main(argv: Sequence[str] | None = None) -> int:
    from cloudinary_state.kinds import REGISTRY

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--write", action="store_true", help=f"refresh {DOC} and the packaged schemas (default: print)"
    )
    args = parser.parse_args(argv)
    if not args.write:
        print(render_reference(REGISTRY), end="")
        return 0
    DOC.write_text(refreshed(DOC.read_text(encoding="utf-8"), REGISTRY), encoding="utf-8")
    for path in write_files(REGISTRY):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

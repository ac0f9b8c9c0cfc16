"""The files a command writes beside its stdout (`plan --out/--markdown/--json-summary`,
`drift --markdown/--junit/--json`): their paths checked before the run talks to the API, so
a path that is a directory, or whose parent is a file, fails at once (exit 1) rather than
after a plan; then each rendering written whole.

The flags mean the same wherever they appear: `--markdown FILE` the Markdown a `--format
markdown` run prints, `--json FILE` the JSON document of `--format json`, `--junit FILE` the
JUnit XML, `--json-summary FILE` the plan's counts and the facts CI acts on, `--out FILE` the
saved plan that `apply FILE` applies.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cloudinary_state.errors import OutputFileError
from cloudinary_state.render.run import drift_as, plan_as

if TYPE_CHECKING:
    from cloudinary_state.audit import DriftReport
    from cloudinary_state.engine.plan import Plan
    from cloudinary_state.runner import Connection


def _problem(path: Path) -> str | None:
    """Why `path` cannot be written as a file, when that can be told without writing."""
    if path.is_dir():
        return "is a directory; give the path of a file in it (e.g. plan.json)"
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        return f"cannot be written: {parent} is not a directory"
    return None


@dataclass(frozen=True)
class OutputFiles:
    """The output files of one run, by flag (`--markdown`), each a path or None (not asked)."""

    paths: Mapping[str, Path | None]

    @classmethod
    def checked(cls, paths: Mapping[str, Path | None]) -> OutputFiles:
        """The files of `paths`, checked (see `check`)."""
        files = cls(paths)
        files.check()
        return files

    def check(self) -> None:
        """OutputFileError (exit 1) for a path that cannot be a file, or that two flags share."""
        given = {flag: path for flag, path in self.paths.items() if path is not None}
        for flag, path in given.items():
            why = _problem(path)
            if why is not None:
                raise OutputFileError(f"{flag} {path}: {why}")
        by_path: dict[Path, str] = {}
        for flag, path in given.items():
            other = by_path.setdefault(path.resolve(), flag)
            if other != flag:
                raise OutputFileError(f"{other} and {flag} both name {path}: give each its own file")

    def wants(self, flag: str) -> bool:
        return self.paths.get(flag) is not None

    def write(self, flag: str, text: str) -> Path | None:
        """Write `text` to the file of `flag` (nothing when it was not asked for)."""
        path = self.paths.get(flag)
        if path is None:
            return None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as e:  # no permission, a full disk, a path that became a directory, ...
            raise OutputFileError(f"{flag} {path}: cannot be written: {e.strerror or e}") from None
        return path


def write_plan_outputs(
    files: OutputFiles, plan: Plan, conn: Connection, *, refused: str | None, exit_code: int, verbose: bool
) -> None:
    """`--markdown` and `--json-summary` of a plan (`--out`, the saved plan, is the facade's)."""
    from cloudinary_state.render.plan_summary import render_summary

    saved_to = files.paths.get("--out") if refused is None else None
    if files.wants("--markdown"):
        markdown = plan_as(
            "markdown", plan, conn, color=False, verbose=verbose, refused=refused, saved_to=saved_to
        )
        files.write("--markdown", markdown)
    if files.wants("--json-summary"):
        files.write(
            "--json-summary", render_summary(plan, refused=refused, exit_code=exit_code, secrets=conn.secrets)
        )


def write_drift_outputs(files: OutputFiles, report: DriftReport, secrets: Collection[str]) -> None:
    """`--markdown`, `--junit` and `--json` of a drift report, each as its `--format` prints it."""
    for flag, fmt in (("--markdown", "markdown"), ("--junit", "junit"), ("--json", "json")):
        if files.wants(flag):
            files.write(flag, drift_as(fmt, report, secrets))

"""The output of the commands whose results are a few lines (`validate`, `schema`, `init`), and
of an error that ends a run: each line with the stream it goes to, in the order shown.
Imported by commands that need no account: nothing here loads the engine."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from cloudinary_state.errors import EXIT_INTERRUPTED, ConfigError

if TYPE_CHECKING:
    from cloudinary_state.config import ValidationRun
    from cloudinary_state.errors import CloudinaryStateError
    from cloudinary_state.scaffold import NewEnvironment, Scaffold


class Line(NamedTuple):
    """A line of output: results go to stdout, errors, warnings and notes to stderr (`err`)."""

    text: str
    err: bool = False


def _nothing_sent(errors: int) -> Line:
    return Line(f"{errors} error(s); nothing was sent to the API.", err=True)


def validation_lines(run: ValidationRun, *, warnings: bool = True) -> list[Line]:
    """`validate`: the warnings (unless `warnings` is False: -q) and errors, then one line per
    environment (ok with its object count, or invalid), then the count of errors if any."""
    lines = [Line(f"warning: {warning}", err=True) for warning in (run.warnings if warnings else [])]
    lines += [Line(f"error: {error}", err=True) for error in run.errors]
    for name, result in run.results.items():
        if result.state is None:
            lines.append(Line(f"{name}: invalid"))
            continue
        stripped = sum(len(o.stripped_options) for o in result.state.objects)
        note = f", {stripped} add-on option(s) stripped" if stripped else ""
        lines.append(Line(f"{name}: ok ({len(result.state.objects)} objects{note})"))
    return lines + ([_nothing_sent(len(run.errors))] if run.errors else [])


def schema_lines(paths: Iterable[Path], *, check: bool) -> list[Line]:
    """`schema`: the files written; with `check`, the stale ones (errors). Or that none was."""
    if check:
        lines = [
            Line(f"error: {p} is stale or missing; run `cloudinary-state schema`", err=True) for p in paths
        ]
    else:
        lines = [Line(f"wrote {path}") for path in paths]
    return lines or [Line("schemas are current")]


def init_lines(result: Scaffold, first: NewEnvironment, config_dir: Path) -> list[Line]:
    """`init`: what it wrote and kept, what is left to edit, and the next steps, which name the
    config directory when it is not the current one (they run from here)."""
    import shlex  # only init quotes a path: validate, which imports this module, does not

    program = "cloudinary-state"
    if config_dir != Path("."):
        program += f" --config-dir {shlex.quote(str(config_dir))}"
    return [
        *(Line(f"wrote {path}") for path in result.written),
        *(Line(f"kept {path}: it exists (init never overwrites a file)") for path in result.kept),
        *(Line(f"edit {what}") for what in result.to_edit),
        Line(
            f"next: `{program} validate --all`; set {first.credentials} and bring the account's objects "
            f"into the project with `{program} import --env {first.name}` (--emulator: try it first)"
        ),
    ]


def error_lines(error: CloudinaryStateError) -> list[Line]:
    """An error that ends a run, on stderr: a config error's every problem; an apply stopped on
    request, its report as it is (no error); then the run's summary, if it has one."""
    if isinstance(error, ConfigError):
        lines = [Line(f"error: {d}", err=True) for d in error.diagnostics]
        lines.append(_nothing_sent(len(error.diagnostics)))
    elif error.exit_code == EXIT_INTERRUPTED:
        lines = [Line(str(error), err=True)]
    else:
        lines = [Line(f"error: {error}", err=True)]
    return lines + ([Line(error.run_summary, err=True)] if error.run_summary else [])

"""What a command shows around its results: the run's Admin API calls line (also when the run
fails), a plan, drift report or environment diff in the format asked for, an apply's outcome,
and the lines of an import. Secrets are cut out by the renderers each of these calls, which are
imported when a command needs them: `validate` must not load the engine."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from cloudinary_state.errors import CloudinaryStateError

if TYPE_CHECKING:
    from pathlib import Path

    from cloudinary_state.audit import DriftReport
    from cloudinary_state.engine.apply import ApplyReport
    from cloudinary_state.engine.plan import Plan
    from cloudinary_state.envdiff import EnvDiff
    from cloudinary_state.runner import ApplyResult, Connection, ImportRun


def usage_line(conn: Connection) -> str:
    """The one-line run summary: the Admin API calls made, and the hourly budget left."""
    from cloudinary_state.render.text import api_line

    return api_line(conn.api_calls, conn.rate_limit_remaining)


@contextmanager
def summary_on_error(conn: Connection) -> Iterator[None]:
    """A run that fails after connecting still ends with its one-line summary."""
    try:
        yield
    except CloudinaryStateError as e:
        if e.run_summary is None and conn.connected:
            e.run_summary = usage_line(conn)
        raise


@contextmanager
def calls_line_shown() -> Iterator[None]:
    """Around a check right after a text plan, which ends with the run's calls line: a refusal
    there does not print the same line again as its run summary."""
    try:
        yield
    except CloudinaryStateError as e:
        if e.run_summary is None:
            e.run_summary = ""  # shown already; `summary_on_error` leaves a set summary alone
        raise


def plan_as(
    fmt: str,
    plan: Plan,
    conn: Connection,
    *,
    color: bool,
    with_calls: bool = True,
    verbose: bool = False,
    refused: str | None = None,
    saved_to: Path | None = None,
) -> str:
    """`plan` in `fmt`; the text form without its calls line when `with_calls` is False (a saved
    plan shown before this run made any call); `verbose` shows a create's server defaults.
    Markdown also says the policy refusal the plan met, and where the full plan is saved."""
    from cloudinary_state.render import json as render_json
    from cloudinary_state.render import markdown as render_markdown
    from cloudinary_state.render import text as render_text

    if fmt == "json":
        return render_json.render_plan(plan, secrets=conn.secrets, digest_key=conn.digest_key)
    if fmt == "markdown":
        where = render_markdown.FULL_PLAN
        if saved_to is not None:
            where = (
                f"The full plan is in `{saved_to}` (`cloudinary-state show {saved_to}`; in CI, the artifact)."
            )
        return render_markdown.render_plan(
            plan, secrets=conn.secrets, verbose=verbose, refused=refused, full_plan=where
        )
    return render_text.render_plan(
        plan, color=color, secrets=conn.secrets, with_calls=with_calls, verbose=verbose
    )


def drift_as(fmt: str, report: DriftReport, secrets: Collection[str]) -> str:
    from cloudinary_state.render import drift as render_drift
    from cloudinary_state.render.junit import render_junit

    renderers: dict[str, Callable[..., str]] = {
        "text": render_drift.render_text,
        "json": render_drift.render_json,
        "markdown": render_drift.render_markdown,
        "junit": render_junit,
    }
    return renderers[fmt](report, secrets=secrets)


def diff_as(fmt: str, result: EnvDiff, secrets: Collection[str]) -> str:
    from cloudinary_state.render import envdiff as render_envdiff

    renderers: dict[str, Callable[..., str]] = {
        "text": render_envdiff.render_text,
        "json": render_envdiff.render_json,
        "markdown": render_envdiff.render_markdown,
    }
    return renderers[fmt](result, secrets=secrets)


def apply_outcome(result: ApplyResult, conn: Connection) -> str:
    if result.cancelled:
        return "Apply cancelled; nothing was changed."
    if not result.plan.has_changes:
        return f"Apply complete: nothing to do. {usage_line(conn)}"
    counts = ", ".join(f"{n} {action}d" for action, n in result.report.counts().items())
    return f"Apply complete: {counts}; every write verified by read-back. {usage_line(conn)}"


def apply_as_json(plan: Plan, report: ApplyReport, conn: Connection) -> str:
    """`apply --format json`: the apply's outcome as one document."""
    from cloudinary_state.render import json as render_json

    return render_json.render_apply(
        plan,
        report,
        secrets=conn.secrets,
        api_calls=conn.api_calls,
        rate_limit_remaining=conn.rate_limit_remaining,
    )


def import_lines(run: ImportRun, env: str, cloud_name: str) -> list[str]:
    """The files written, the counts, the notes, and the variables to set before planning."""
    from cloudinary_state.importer import instructions

    counts = ", ".join(f"{n} {kind}(s)" for kind, n in run.result.counts.items())
    if counts:
        headline = f"Imported {counts} from {env} ({cloud_name})."
    elif run.written:  # a second environment's differences from the shared documents
        headline = f"No new objects in {env} ({cloud_name}); what differs was written to the files above."
    else:
        headline = f"Nothing new to import from {env} ({cloud_name})."
    return [
        *(f"wrote {path}" for path in run.written),
        headline,
        *(f"note: {n}" for n in run.result.notes),
        *instructions(run.result.placeholders),
    ]

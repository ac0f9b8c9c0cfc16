"""What `plan` and `apply` show while they run, beside the facade's results: the plan in the
format asked for, its notes, its exit code and output files; an apply's plan as it reaches it,
the question before its writes, and its outcome (also when it stopped part-way). Output goes
through the `echo` the command gives (its stdout), the notice of a Ctrl-C through `interrupt`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from cloudinary_state.errors import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, EXIT_REFUSED, ApplyError
from cloudinary_state.render.interrupt import CtrlCStopsWrites
from cloudinary_state.render.outputs import OutputFiles, write_plan_outputs
from cloudinary_state.render.run import apply_as_json, apply_outcome, plan_as

if TYPE_CHECKING:
    from cloudinary_state.engine.plan import Plan
    from cloudinary_state.engine.saved_plan import PlanFile
    from cloudinary_state.errors import PolicyRefusal
    from cloudinary_state.render.console import Console
    from cloudinary_state.runner import ApplyResult, Connection

Echo = Callable[..., object]  # click.echo: (text, nl=True)


@dataclass(frozen=True)
class PlanView:
    """A plan as `plan` shows it: with the policy refusal it met (shown with the plan, so that a
    PR comment says why, then raised), saved to `--out` unless refused, with its files."""

    plan: Plan
    conn: Connection
    refusal: PolicyRefusal | None
    out: Path | None
    console: Console

    @property
    def refused(self) -> str | None:
        return None if self.refusal is None else str(self.refusal)

    @property
    def saved_to(self) -> Path | None:
        """`--out`, unless the plan was refused: a refused plan is not saved."""
        return self.out if self.refusal is None else None

    def as_format(self, fmt: str) -> str:
        return plan_as(
            fmt,
            self.plan,
            self.conn,
            color=self.console.color,
            verbose=self.console.verbose,
            refused=self.refused,
            saved_to=self.saved_to,
        )

    def warnings(self) -> list[str]:
        """That the apply of this plan would be refused (the hourly budget), if it would."""
        warning = self.plan.forecast.warning() if self.plan.forecast is not None else None
        return [] if warning is None else [f"warning: {warning}"]

    def saved_note(self) -> str:
        where, env = self.saved_to, self.conn.environment
        return f"Saved the plan to {where}; apply it with: cloudinary-state apply --env {env} {where}"

    def exit_code(self, *, detailed_exitcode: bool) -> int:
        """The code the run ends with: a policy refusal, a rehearsal that did not converge,
        changes pending (with --detailed-exitcode), or success."""
        if self.refusal is not None:
            return EXIT_REFUSED
        if self.plan.rehearsal is not None and not self.plan.rehearsal.converged:
            return EXIT_ERROR
        return EXIT_CHANGES if detailed_exitcode and self.plan.has_changes else EXIT_OK

    def write_files(self, files: OutputFiles, *, exit_code: int) -> None:
        """`--markdown` and `--json-summary` (the saved plan, `--out`, is the facade's)."""
        verbose = self.console.verbose
        write_plan_outputs(
            files, self.plan, self.conn, refused=self.refused, exit_code=exit_code, verbose=verbose
        )


class ApplyView:
    """What `apply` shows in `--format`: the text plan and its outcome line, or one JSON
    document of the outcome, which an apply that stopped part-way prints too.

    Ctrl-C stops writes from the plan on (`ctrl_c`); when a question is asked (`asks`), once it
    is answered yes. A saved plan is shown before this run made any call: without the calls
    line, which the run ends with."""

    def __init__(
        self,
        fmt: str,
        conn: Connection,
        console: Console,
        echo: Echo,
        *,
        saved: PlanFile | None,
        asks: bool,
        allow_delete: bool,
    ) -> None:
        self.fmt, self.conn, self.console, self.echo = fmt, conn, console, echo
        self.saved, self.asks, self.allow_delete = saved, asks, allow_delete
        display = console.display
        self.ctrl_c = CtrlCStopsWrites(display.print_line if display is not None else None)
        self.applying: Plan | None = None

    def plan(self, planned: Plan) -> None:
        """The plan the apply reached, before any question or write."""
        self.applying = planned
        if self.console.display is not None:
            self.console.display.expect(len(planned.changes))
        if not self.asks:
            self.ctrl_c.arm()
        if self.fmt != "text":
            return
        # as this apply sees it: approved by --allow-delete too
        approved = replace(planned, approved_deletes=planned.approved_deletes or self.allow_delete)
        color, verbose = self.console.color, self.console.verbose
        text = plan_as(
            "text", approved, self.conn, color=color, with_calls=self.saved is None, verbose=verbose
        )
        self.echo(text, nl=False)

    def confirm(self, ask: Callable[..., bool]) -> Callable[[Plan], bool]:
        """The question before the writes, put with `ask` (`click.confirm`: yes or no, no by default)."""

        def confirm(_plan: Plan) -> bool:
            if not sys.stdin.isatty():
                raise ApplyError(
                    "refusing to apply without confirmation: there is no terminal to ask on. "
                    "Review the plan above and pass --auto-approve, or apply a saved plan file."
                )
            question = f"Apply these changes to {self.conn.environment} ({self.conn.desired.cloud})?"
            approved = ask(question, default=False)
            if approved:
                self.ctrl_c.arm()
            return approved

        return confirm

    def outcome(self, result: ApplyResult) -> str:
        if self.fmt == "text":
            return apply_outcome(result, self.conn) + "\n"
        return apply_as_json(result.plan, result.report, self.conn)

    @contextmanager
    def running(self) -> Iterator[None]:
        """Around the apply and its outcome: Ctrl-C stops the writes (see `ctrl_c`), and an
        apply that stopped part-way shows what it applied and what it did not attempt (JSON)."""
        from cloudinary_state.engine.apply import ApplyFailed

        with self.ctrl_c.installed():
            try:
                yield
            except ApplyFailed as failed:
                if self.fmt == "json" and self.applying is not None:
                    self.echo(apply_as_json(self.applying, failed.report, self.conn), nl=False)
                raise

"""The exception tree of cloudinary-state.

Every failure the CLI reports is one of these; the CLI maps each branch to an exit code
(DESIGN.md section 4) and never shows a traceback for them.

    CloudinaryStateError
    ├── ConfigError            invalid config: one or more Diagnostics (exit 1)
    ├── ApiError               the Admin API failed
    │   ├── UnreadableLiveError  a live object in a shape the canonicalizer cannot read
    │   ├── RetryableApiError  420/429, 5xx, connection errors, timeouts
    │   └── PermanentApiError  everything else (400, 401, 403, 404, 409, ...)
    ├── PolicyRefusal          refused by safety policy (exit 3)
    │   ├── StalePlanError     a plan file whose objects moved since it was made
    │   └── RefusedPlanError   a plan file tampered with, or made for another env or config
    ├── PlanFileError          a plan file that cannot be read or written, or is no plan (exit 1)
    │   └── RefusedPlanError   (also a PolicyRefusal: exit 3)
    ├── OutputFileError        an output file (--markdown, --junit, ...) that cannot be written (exit 1)
    └── ApplyError             an apply that did not converge (exit 1)
"""

from __future__ import annotations

from dataclasses import dataclass

# The exit codes (DESIGN.md section 4), in one table: the CLI ends with these, and each error
# below carries the one it ends a run with.
EXIT_OK = 0  # success; for drift, diff and `plan --detailed-exitcode`: nothing to change
EXIT_ERROR = 1  # invalid config, an API failure, an apply that did not converge
EXIT_CHANGES = 2  # changes pending (`plan --detailed-exitcode`), drift found, environments differ
EXIT_REFUSED = 3  # refused by safety policy
EXIT_USAGE = 64  # a usage error (click's own 2 is remapped, so that 2 keeps meaning "changes")
EXIT_INTERRUPTED = 130  # Ctrl-C


class CloudinaryStateError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code: int = EXIT_ERROR
    # The run's one-line summary (Admin API calls, budget left), set by the CLI when the error
    # ends a run that talked to the API, so that failed runs end with it too.
    run_summary: str | None = None


@dataclass(frozen=True)
class Diagnostic:
    """One problem in the user's config, pointing at the place to fix."""

    file: str
    line: int  # 1-based
    column: int  # 1-based
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.message}"
        return f"{text}\n    fix: {self.hint}" if self.hint else text


class ConfigError(CloudinaryStateError):
    """Invalid config. Carries every diagnostic of the run, not just the first."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class ApiError(CloudinaryStateError):
    """The Admin API answered with an error or could not be reached."""

    retryable: bool = False

    def __init__(self, message: str, *, status: int | None = None, operation: str = "") -> None:
        self.status = status
        self.operation = operation
        prefix = f"{operation}: " if operation else ""
        super().__init__(f"{prefix}{message}")


class RetryableApiError(ApiError):
    retryable = True


class PermanentApiError(ApiError):
    retryable = False


class NotFoundError(PermanentApiError):
    """404: the object does not exist."""


class UnreadableLiveError(ApiError):
    """The API answered an object in a shape this tool cannot read (a missing key, a list where
    a mapping belongs). Names the kind and the object; values of a known field that merely do
    not parse are kept as the API returned them instead, so they show as a diff."""


class PolicyRefusal(CloudinaryStateError):
    """Refused by safety policy: threshold, protect, delete without --allow-delete."""

    exit_code = EXIT_REFUSED


class StalePlanError(PolicyRefusal):
    """The live objects a saved plan touches changed since the plan was made."""


class PlanFileError(CloudinaryStateError):
    """A plan file that cannot be read or written, is not JSON, or is not a plan: an error
    (exit 1), like any unreadable input."""


class RefusedPlanError(PlanFileError, PolicyRefusal):
    """A readable plan file that must not be applied: its digest does not match (edited after
    `plan --out`), or it was made for another environment or another config. Refused by
    policy, like a stale plan (exit 3)."""

    exit_code = EXIT_REFUSED


class OutputFileError(CloudinaryStateError):
    """An output file a command was asked to write (`--out`, `--markdown`, `--json-summary`,
    `--junit`, `--json`) whose path is a directory or cannot be written, or an `import
    --output` directory that is a file (exit 1)."""


class ApplyError(CloudinaryStateError):
    """An apply that failed part-way or did not converge (read-back verification)."""

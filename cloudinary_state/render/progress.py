"""Progress of long reads and applies, on stderr when it is a terminal, drawn by `rich`.

The display is redrawn in place at the bottom of the terminal: a spinner with the kind being
read or the latest write, and the apply's bar (changes applied, verified by read-back, out of
the plan's). It appears on the first event and is cleared before anything is written to stdout
(the plan, a prompt, the results: stdout is often the same terminal), and when the run ends.
Log records (an apply's "applied" lines) are printed above it.

It is used only when stderr is a terminal, at normal verbosity (-v keeps plain log lines for
CI logs) and with colour allowed: with `NO_COLOR` or `--no-color` progress shows as plain lines,
without a single escape sequence. `rich` is imported on the first event, so commands that have
none (`validate`, `schema`) never pay for it.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from cloudinary_state.engine.plan import Change


class TerminalProgress:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._progress: Progress | None = None
        self._stdout: TextIO | None = None  # the real stdout while ours clears the display first
        self._reading: TaskID | None = None
        self._applying: TaskID | None = None
        self._expected: int | None = None
        self._applied = 0

    # --- events (the facade's callbacks) -------------------------------------------------------

    def reading(self, message: str) -> None:
        """A progress message: "reading upload_preset objects", "wrote upload_preset:x"."""
        with self._lock:
            progress = self._started()
            progress.update(self._task(progress), description=message, refresh=True)

    def expect(self, changes: int) -> None:
        """An apply of this many changes is about to start: from now on the bar is its."""
        with self._lock:
            self._expected, self._applied, self._applying = changes, 0, None

    def changed(self, change: Change, outcome: str) -> None:
        """A change applied (read back) or failed: the apply's bar moves on."""
        with self._lock:
            self._applied += 1
            progress = self._started()
            task = self._task(progress)
            description = f"{change.key}: {outcome}"
            progress.update(task, completed=self._applied, description=description, refresh=True)

    def _task(self, progress: Progress) -> TaskID:
        """The apply's bar once one is expected, else the reads' spinner."""
        if self._expected is None:
            if self._reading is None:
                self._reading = progress.add_task("reading", total=None)
            return self._reading
        if self._applying is None:
            self._applying = progress.add_task("applying", total=self._expected, completed=self._applied)
        return self._applying

    # --- the display ---------------------------------------------------------------------------

    def _started(self) -> Progress:
        if self._progress is not None:
            return self._progress
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(file=sys.stderr, highlight=False)
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            # not rich's own redirection: stdout is ours to route (see _ClearsFirst), stderr
            # lines come through `print_line`
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._progress.start()
        self._stdout, sys.stdout = sys.stdout, _ClearsFirst(sys.stdout, self)
        return self._progress

    def stop(self) -> None:
        """Clear the display (it comes back with the next event)."""
        with self._lock:
            if self._progress is None:
                return
            self._progress.stop()
            self._progress = self._reading = self._applying = None
            if self._stdout is not None and isinstance(sys.stdout, _ClearsFirst):
                sys.stdout = self._stdout
            self._stdout = None

    def print_line(self, text: str) -> None:
        """A line on stderr: above the display while it is up."""
        with self._lock:
            if self._progress is not None:
                self._progress.console.print(text, markup=False, highlight=False, soft_wrap=True)
            else:
                sys.stderr.write(text + "\n")


class _ClearsFirst:
    """stdout while the display is up: a write clears the display first, then goes through."""

    def __init__(self, stream: TextIO, display: TerminalProgress) -> None:
        self._stream = stream
        self._display = display

    def write(self, text: str) -> int:
        if text:  # click probes streams with empty writes
            self._display.stop()
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class ThroughDisplay(logging.Handler):
    """The CLI's stderr log handler while the display may be up: records go above it."""

    def __init__(self, display: TerminalProgress) -> None:
        super().__init__()
        self._display = display

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._display.print_line(self.format(record))
        except Exception:
            self.handleError(record)

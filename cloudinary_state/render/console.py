"""How a run of the CLI shows itself: its verbosity, whether stdout is coloured, the progress
display on stderr, where the package logger's records go for the run (stderr, or above the
display), and what it says when its output cannot be written. Results go to stdout; progress
and logs, to stderr."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cloudinary_state.render.progress import TerminalProgress, ThroughDisplay
from cloudinary_state.runner import LOGGER, PROGRESS_LOGGER, TRACE

if TYPE_CHECKING:
    from cloudinary_state.engine.plan import Change


def colour_allowed(no_color: bool) -> bool:
    """Colour is off with --no-color, with NO_COLOR set to anything but the empty string
    (no-color.org), and on a terminal that says it has no features (TERM=dumb)."""
    return not no_color and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


@dataclass
class Console:
    verbosity: int  # -1 quiet, 0 normal, 1+ verbose
    color: bool  # colour on stdout
    display: TerminalProgress | None = None  # progress on stderr, a terminal

    @classmethod
    def for_this_terminal(cls, *, verbose: int, quiet: bool, no_color: bool) -> Console:
        """-q and -v as given; progress is drawn on stderr when it is a terminal, at normal
        verbosity and with colour allowed; stdout is coloured when it is a terminal."""
        colour = colour_allowed(no_color)
        verbosity = -1 if quiet else verbose
        display = TerminalProgress() if verbosity == 0 and colour and sys.stderr.isatty() else None
        return cls(verbosity, colour and sys.stdout.isatty(), display)

    @property
    def verbose(self) -> bool:
        return self.verbosity >= 1

    @property
    def on_progress(self) -> Callable[[str], None] | None:
        """For `Project.open`: progress of long reads, drawn by the display when there is one."""
        return self.display.reading if self.display is not None else None

    @property
    def on_change(self) -> Callable[[Change, str], None] | None:
        """For `Project.open`: each change an apply applied, counted by the display."""
        return self.display.changed if self.display is not None else None

    @contextmanager
    def logging_to_stderr(self) -> Iterator[None]:
        """-q shows warnings only, -v debug records, -vv each Admin API call. Progress of long
        reads shows on a terminal (drawn by the display when there is one, else as lines); in
        CI logs only with -v. The loggers are left as found."""
        level = {-1: logging.WARNING, 0: logging.INFO, 1: logging.DEBUG}.get(self.verbosity, TRACE)
        display, verbosity = self.display, self.verbosity
        progress_lines = verbosity >= 1 or (verbosity == 0 and sys.stderr.isatty() and display is None)
        saved = LOGGER.level, PROGRESS_LOGGER.level
        # made per run: the stderr of this run (tests swap it)
        handler = logging.StreamHandler() if display is None else ThroughDisplay(display)
        LOGGER.addHandler(handler)
        LOGGER.setLevel(level)
        PROGRESS_LOGGER.setLevel(logging.INFO if progress_lines else logging.WARNING)
        try:
            yield
        finally:
            if display is not None:
                display.stop()
            LOGGER.removeHandler(handler)
            LOGGER.setLevel(saved[0])
            PROGRESS_LOGGER.setLevel(saved[1])


def report_os_error(error: OSError, *, writing_output: bool) -> None:
    """Standard output on a full disk (`> /dev/full`, `writing_output`), or any error of the
    system no layer reported: said on stderr in one line, not a traceback."""
    reason = error.strerror or str(error)
    if writing_output:
        message = f"error: cannot write the output: {reason}"
        try:  # what is still buffered would fail again at exit, in the interpreter's complaint
            sys.stdout.flush()
        except OSError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    else:
        message = f"error: {reason}" + (f": {error.filename}" if error.filename else "")
    with contextlib.suppress(OSError):  # stderr gone too: the exit code is all that is left
        print(message, file=sys.stderr, flush=True)

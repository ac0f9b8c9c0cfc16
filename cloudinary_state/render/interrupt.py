"""Ctrl-C during an apply's writes. Before the plan is approved, Ctrl-C interrupts the run at
once (nothing was written). From approval on, the first Ctrl-C asks the apply to stop: no new
write starts, those in flight finish (each bounded by the client's timeout and retries) and
are read back, and the run ends with the report of what was and was not applied, exit 130. A
second Ctrl-C skips the read-back and the report (a write under way still ends first: a request
cannot be taken back once sent), exit 130."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

_STOPPING = (
    "Stopping: no new writes start; waiting for those in flight to finish "
    "(Ctrl-C again: stop without reading them back or reporting)."
)


def _raw_line(text: str) -> None:
    # raw write: a signal handler must not take the locks of logging or of sys.stderr
    os.write(2, f"\n{text}\n".encode())


class CtrlCStopsWrites:
    def __init__(self, say: Callable[[str], None] | None = None) -> None:
        self.requested = threading.Event()  # what `Connection.apply(cancel=...)` watches
        self._armed = False
        self._say = say or _raw_line  # the progress display's line, when there is one

    def arm(self) -> None:
        """The plan is approved: from here on the first Ctrl-C stops new writes, not the run."""
        self._armed = True

    @contextmanager
    def installed(self) -> Iterator[None]:
        """The SIGINT handler, for the block (signals are the main thread's only)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, self._on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        if not self._armed or self.requested.is_set():
            raise KeyboardInterrupt
        self.requested.set()
        self._say(_STOPPING)

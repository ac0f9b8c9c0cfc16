"""Fault injection for the reliability tests: scripted faults first, then seeded random ones.

Every random choice comes from one `random.Random(seed)`, so a failing run replays with the
same seed (given the same request order).
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["status", "drop", "drop_after", "latency"]
RANDOM_STATUSES = (500, 502, 503)


@dataclass
class ScriptedFault:
    kind: FaultKind
    status: int
    remaining: int
    path_prefix: str | None
    latency_ms: int


@dataclass
class Decision:
    """What to do to one request."""

    status: int | None = None  # answer with this error status instead of running the handler
    drop_before: bool = False  # close the connection mid-answer, the handler never ran
    drop_after: bool = False  # run the handler, then close the connection mid-answer
    extra_latency_s: float = 0.0


class FaultInjector:
    def __init__(self, rate: float, seed: int) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        self.rate = rate
        self._rng = random.Random(seed)
        self._burst_420 = 0
        self._scripted: deque[ScriptedFault] = deque()
        self._lock = threading.Lock()

    def inject(
        self, kind: FaultKind, status: int, count: int, path_prefix: str | None, latency_ms: int
    ) -> None:
        if count < 1:
            raise ValueError("count must be >= 1")
        if kind not in ("status", "drop", "drop_after", "latency"):
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._scripted.append(ScriptedFault(kind, status, count, path_prefix, latency_ms))

    def decide(self, path: str) -> Decision:
        with self._lock:
            scripted = self._next_scripted(path)
            if scripted is not None:
                return scripted
            if self._burst_420 > 0:
                self._burst_420 -= 1
                return Decision(status=420)
            if self.rate <= 0 or self._rng.random() >= self.rate:
                return Decision()
            roll = self._rng.random()
            if roll < 0.45:
                return Decision(status=self._rng.choice(RANDOM_STATUSES))
            if roll < 0.6:
                self._burst_420 = self._rng.randint(1, 3)  # the following requests are refused too
                return Decision(status=420)
            if roll < 0.7:
                return Decision(drop_before=True)
            if roll < 0.8:  # the change happens, its answer is cut: retries must cope
                return Decision(drop_after=True)
            return Decision(extra_latency_s=self._rng.uniform(0.05, 0.25))

    def _next_scripted(self, path: str) -> Decision | None:
        for fault in self._scripted:
            if fault.path_prefix is None or path.startswith(fault.path_prefix):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._scripted.remove(fault)
                if fault.kind == "status":
                    return Decision(status=fault.status)
                if fault.kind == "drop":
                    return Decision(drop_before=True)
                if fault.kind == "drop_after":
                    return Decision(drop_after=True)
                return Decision(extra_latency_s=fault.latency_ms / 1000)
        return None

"""The call forecast: the Admin API calls an apply will make, counted before it makes them,
and the hourly budget checked against it.

`apply PLAN_FILE` makes, in this order: the re-read of the objects the plan touches (one
`read_many` per kind, `read_planned`), then wave by wave (`apply.waves`) the writes of the
wave's changes and the wave's read-back (one `read_many` per kind of the wave). `apply` right
after its own plan makes the same without the re-read. Each kind says what its reads and
writes cost (`Kind.read_many_calls`, `create_calls`, `update_calls`, `delete_calls`, next to
the reads and writes themselves); this module adds them up in the order the apply runs,
keeping count of the objects each kind's list holds as creates and deletes land (a list read
pages through them). The benchmarks check the same function against the calls measured.

The count is exact for an apply where nothing fails and each kind's list fits in one page of
500: a retry, or the second read that explains a read-back mismatch, costs calls only when
something went wrong, and a bulk read of present objects stops at the page holding the last
one, which no plan can know (the forecast counts every page, so it errs high, never low).
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeGuard

from cloudinary_state.desired import DesiredState, KindName
from cloudinary_state.errors import PolicyRefusal
from cloudinary_state.kinds.base import Kind, LiveObject

if TYPE_CHECKING:
    from cloudinary_state.engine.apply import Step, WaveGate
    from cloudinary_state.engine.plan import Change, Plan, Target


class BudgetRefusal(PolicyRefusal):
    """The apply needs more Admin API calls than the hourly budget has left (exit 3)."""


@dataclass(frozen=True)
class Forecast:
    """The calls an apply of a plan makes. `waves`: the calls of each wave in the order the
    apply runs them, its writes and their read-back together. `remaining` and `resets_at`
    (epoch seconds): the hourly budget when the plan was made, when the server reported it."""

    reread: int
    writes: int
    read_backs: int
    waves: tuple[int, ...] = ()
    remaining: int | None = None
    resets_at: float | None = None

    @property
    def calls(self) -> int:
        """What `apply PLAN_FILE` makes: the re-read, the writes and the read-backs."""
        return self.reread + self.writes + self.read_backs

    @property
    def apply_calls(self) -> int:
        """What an apply makes once its objects are read: the writes and the read-backs."""
        return self.writes + self.read_backs

    @property
    def exceeds_budget(self) -> bool:
        return self.remaining is not None and self.calls > self.remaining

    def with_budget(self, remaining: int | None, resets_at: float | None) -> Forecast:
        return replace(self, remaining=remaining, resets_at=resets_at)

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "reread": self.reread,
            "writes": self.writes,
            "read_backs": self.read_backs,
            "waves": list(self.waves),
            "remaining": self.remaining,
            "resets_at": reset_iso(self.resets_at),
        }

    @classmethod
    def from_dict(cls, raw: Any) -> Forecast:
        """The forecast of a plan document (ValueError when it is malformed)."""
        if not isinstance(raw, Mapping):
            raise ValueError("forecast must be an object")
        reread, writes, read_backs = (raw.get(k, -1) for k in ("reread", "writes", "read_backs"))
        waves, remaining = raw.get("waves", []), raw.get("remaining")
        counts = (reread, writes, read_backs, *(waves if isinstance(waves, list) else [None]))
        if not all(map(_count, counts)) or not (remaining is None or _count(remaining)):
            raise ValueError("forecast counts must be non-negative integers")
        resets = raw.get("resets_at")
        resets_at = None if resets is None else _parse_iso(resets)
        return cls(reread, writes, read_backs, tuple(waves), remaining, resets_at)

    def line(self) -> str:
        """The forecast beside the budget, for a text or Markdown plan."""
        return (
            f"Apply forecast: {self.apply_calls} calls ({counted(self.writes, 'write')}, "
            f"{counted(self.read_backs, 'read-back')}), {self.calls} for the saved plan with its re-read "
            f"({self.reread}); {budget_text(self.remaining, self.resets_at)}."
        )

    def warning(self) -> str | None:
        """What `plan` warns when the apply needs more calls than remain, else None."""
        if not self.exceeds_budget:
            return None
        return (
            f"the apply of this plan needs {self.calls} Admin API calls and {self.remaining} remain "
            f"this hour ({reset_text(self.resets_at)}): apply refuses it before any write, unless "
            "--allow-partial applies whole waves while the budget lasts"
        )


def _count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def reset_iso(resets_at: float | None) -> str | None:
    if resets_at is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(resets_at))


def _parse_iso(text: Any) -> float:
    if not isinstance(text, str):
        raise ValueError("forecast resets_at must be a time")
    return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))


def reset_text(resets_at: float | None) -> str:
    if resets_at is None:
        return "the reset time was not reported"
    return f"the budget resets at {time.strftime('%H:%M:%S UTC', time.gmtime(resets_at))}"


def budget_text(remaining: int | None, resets_at: float | None) -> str:
    if remaining is None:
        return "hourly budget not reported"
    return f"{remaining} remaining this hour, {reset_text(resets_at).removeprefix('the budget ')}"


# --- the formula ------------------------------------------------------------------------------


def forecast_apply(
    plan: Plan,
    desired: DesiredState,
    live: Mapping[Target, LiveObject | None],
    listed: Mapping[KindName, int],
    kinds: Mapping[KindName, Kind],
) -> Forecast:
    """The calls applying `plan` makes, with the bodies of `desired` over `live` (the objects
    as the plan read them), while each kind's list holds `listed[kind]` objects."""
    from cloudinary_state.engine.apply import plan_steps, waves

    counts = dict(listed)
    costs: list[int] = []
    writes = read_backs = 0
    for wave in waves(plan_steps(plan, desired, live, kinds), kinds):
        wave_writes = sum(write_calls(kinds[s.change.kind], s) for s in wave)
        for step in wave:
            counts[step.change.kind] = counts.get(step.change.kind, 0) + _listed_delta(kinds, step)
        wave_reads = read_back_calls(wave, kinds, counts)
        costs.append(wave_writes + wave_reads)
        writes, read_backs = writes + wave_writes, read_backs + wave_reads
    return Forecast(reread_calls(plan.changes, kinds, listed), writes, read_backs, tuple(costs))


def reread_calls(
    changes: tuple[Change, ...], kinds: Mapping[KindName, Kind], listed: Mapping[KindName, int]
) -> int:
    """`read_planned`: one `read_many` per kind of the touched objects, creates not yet there."""
    names: dict[KindName, set[str]] = {}
    present: dict[KindName, set[str]] = {}
    for change in changes:
        names.setdefault(change.kind, set()).add(change.name)
        if change.action != "create":
            present.setdefault(change.kind, set()).add(change.name)
    return sum(
        kinds[kind].read_many_calls(len(named), len(present.get(kind, ())), listed.get(kind, 0))
        for kind, named in names.items()
    )


def write_calls(kind: Kind, step: Step) -> int:
    """The calls of `write_step` for `step` (a replace is a delete, then a create)."""
    action, body, current = step.change.action, step.desired, step.live
    if action == "delete":
        assert current is not None
        return kind.delete_calls(current)
    assert body is not None
    if action == "create":
        return kind.create_calls(body.body)
    assert current is not None
    if action == "update":
        return kind.update_calls(body.body, current)
    return kind.delete_calls(current) + kind.create_calls(body.body)


def read_back_calls(wave: list[Step], kinds: Mapping[KindName, Kind], listed: Mapping[KindName, int]) -> int:
    """A wave's read-back: one `read_many` per kind, once its writes have landed. What a wave
    wrote exists, but a deleted object is gone (a server-provided one is back instead)."""
    names: dict[KindName, int] = {}
    present: dict[KindName, int] = {}
    for step in wave:
        kind = step.change.kind
        names[kind] = names.get(kind, 0) + 1
        stays = step.change.action != "delete" or _reverts(kinds[kind], step)
        present[kind] = present.get(kind, 0) + (1 if stays else 0)
    return sum(
        kinds[kind].read_many_calls(n, present[kind], listed.get(kind, 0)) for kind, n in names.items()
    )


def _reverts(kind: Kind, step: Step) -> bool:
    """A delete of a server-provided object, which the API turns into a revert."""
    return step.live is not None and kind.builtin_definition(step.live) is not None


def _listed_delta(kinds: Mapping[KindName, Kind], step: Step) -> int:
    action = step.change.action
    if action == "create":
        return 1
    if action == "delete" and not _reverts(kinds[step.change.kind], step):
        return -1
    return 0


# --- the budget -------------------------------------------------------------------------------


def counted(n: int, noun: str) -> str:
    """`n` and the noun, plural unless one: "1 write", "3 read-backs"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def check_budget(forecast: Forecast, left: int | None, resets_at: float | None) -> None:
    """Refuse (BudgetRefusal, exit 3) an apply whose writes and read-backs need more calls
    than the `left` of the hourly budget; an unreported budget refuses nothing."""
    if left is None or forecast.apply_calls <= left:
        return
    raise BudgetRefusal(
        f"refused: this apply needs {forecast.apply_calls} Admin API calls "
        f"({counted(forecast.writes, 'write')}, {counted(forecast.read_backs, 'read-back')}) and "
        f"{left} remain this hour; {reset_text(resets_at)}. "
        "Apply after the reset, apply fewer changes (plan --target), or pass --allow-partial to "
        "apply whole dependency waves while the budget lasts. Nothing was written."
    )


def wave_gate(
    forecast: Forecast,
    wave_count: int,
    left: Callable[[], int | None],
    resets_at: Callable[[], float | None],
) -> WaveGate:
    """For `--allow-partial`: stop before the first wave whose writes and read-back need more
    calls than remain (`left`, asked before each wave), so that every wave started can finish
    and be verified. `wave_count`: the waves of the apply, which must be the forecast's."""
    if wave_count != len(forecast.waves):
        raise BudgetRefusal(
            f"the plan's forecast counts {len(forecast.waves)} waves, its apply {wave_count}; plan again"
        )

    def before(index: int, wave: list[Step]) -> str | None:
        now, need = left(), forecast.waves[index]
        if now is None or need <= now:
            return None
        return (
            f"The hourly Admin API budget ran short: wave {index + 1} of {len(forecast.waves)} needs "
            f"{need} calls (its writes and their read-back) and {now} remain; {reset_text(resets_at())}. "
            "Run apply again after the reset: it plans what remains and finishes the work."
        )

    return before

"""The outcome of a plan rehearsal (`plan --rehearse`, engine/rehearsal.py) as a value, and as
the `rehearsal` member of a plan document. Kept apart from the rehearsal itself, which applies
plans: the plan file reader needs the value, and apply needs the plan file reader."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from cloudinary_state.errors import ApplyError

Outcome = Literal["converged", "failed"]
# where a failed rehearsal stopped: loading the live objects into the emulated copy, planning
# there (a plan other than the live one), applying, or planning again after the apply
Stage = Literal["load", "plan", "apply", "replan"]
STAGES: tuple[Stage, ...] = ("load", "plan", "apply", "replan")


@dataclass(frozen=True)
class RehearsalFailure:
    """One object the rehearsal could not take where the plan wants it, and why."""

    target: str  # KIND:NAME
    action: str  # the change's action, or "load" for an object the copy could not take
    reason: str


@dataclass(frozen=True)
class Rehearsal:
    """What applying the plan to an emulated copy of the live account did. `converged`: every
    change applied and verified by read-back, and the plan made after it is empty."""

    outcome: Outcome
    stage: Stage | None  # None when it converged
    loaded: int  # live objects loaded into the copy
    applied: tuple[str, ...] = ()  # KIND:NAME of each change applied and verified
    failed: tuple[RehearsalFailure, ...] = ()
    not_attempted: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    calls: int = 0  # Admin API calls to the emulated copy (never the live account)

    @property
    def converged(self) -> bool:
        return self.outcome == "converged"

    def headline(self) -> str:
        """One sentence: what the rehearsal showed."""
        if self.converged:
            return (
                f"converged: {len(self.applied)} change(s) applied to an emulated copy of the live "
                f"account ({self.loaded} objects loaded), each verified by read-back; the plan "
                "after it is empty. Nothing was written to the account."
            )
        what = {
            "load": "the live objects could not be loaded into the emulated copy",
            "plan": "the emulated copy plans other changes than the live account",
            "apply": "the apply failed in the emulated copy",
            "replan": "the apply went through, but the plan after it is not empty",
        }[self.stage or "apply"]
        return f"FAILED: {what}. Nothing was written to the account."


def rehearsal_document(rehearsal: Rehearsal) -> dict[str, Any]:
    return {
        "outcome": rehearsal.outcome,
        "stage": rehearsal.stage,
        "loaded": rehearsal.loaded,
        "applied": list(rehearsal.applied),
        "failed": [{"target": f.target, "action": f.action, "reason": f.reason} for f in rehearsal.failed],
        "not_attempted": list(rehearsal.not_attempted),
        "assumptions": list(rehearsal.assumptions),
        "calls": rehearsal.calls,
    }


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"rehearsal {what} must be a list of strings")
    return tuple(value)


def _failure(raw: Any) -> RehearsalFailure:
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(k), str) for k in ("target", "action", "reason")
    ):
        raise ValueError(f"malformed rehearsal failure {raw!r}")
    return RehearsalFailure(raw["target"], raw["action"], raw["reason"])


def rehearsal_from_document(raw: Any) -> Rehearsal | None:
    """The `rehearsal` member of a plan document (None when absent); ValueError when malformed."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("outcome") not in ("converged", "failed"):
        raise ValueError(f"malformed rehearsal {raw!r}")
    stage = raw.get("stage")
    if stage is not None and stage not in STAGES:
        raise ValueError(f"malformed rehearsal stage {stage!r}")
    loaded, calls = raw.get("loaded"), raw.get("calls", 0)
    if type(loaded) is not int or type(calls) is not int:  # bool is no count
        raise ValueError("rehearsal counts must be integers")
    failed = raw.get("failed", [])
    if not isinstance(failed, list):
        raise ValueError("rehearsal failed must be a list")
    return Rehearsal(
        outcome=raw["outcome"],
        stage=stage,
        loaded=loaded,
        applied=_strings(raw.get("applied", []), "applied"),
        failed=tuple(_failure(f) for f in failed),
        not_attempted=_strings(raw.get("not_attempted", []), "not_attempted"),
        assumptions=_strings(raw.get("assumptions", []), "assumptions"),
        calls=calls,
    )


class RehearsalFailed(ApplyError):
    """A rehearsal that did not converge: the apply would not either (exit 1)."""

    def __init__(self, rehearsal: Rehearsal) -> None:
        self.rehearsal = rehearsal
        details = "".join(f"\n  failed {f.action} {f.target}: {f.reason}" for f in rehearsal.failed)
        super().__init__(f"plan rehearsal {rehearsal.headline()}{details}")


def check_rehearsal(rehearsal: Rehearsal | None) -> None:
    """Raise RehearsalFailed for a rehearsal that did not converge (None: none was run)."""
    if rehearsal is not None and not rehearsal.converged:
        raise RehearsalFailed(rehearsal)

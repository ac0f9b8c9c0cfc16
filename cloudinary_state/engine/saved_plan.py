"""Applying a saved plan file (`apply PLAN_FILE`): the DESIGN.md section 5 protocol, in order.

1. `PlanFile.read(path)`: the file must be readable and a plan document. Telling that needs
   no credentials, so it comes first (PlanFileError, exit 1).
2. `verify(digest_key)`: its digest must verify under the account's api_secret, which is
   known before any connection is made: a tampered file, or one made for another account, is
   refused before the run talks to the API (RefusedPlanError, exit 3).
3. `check_matches(plan, desired, ...)`: it must be for this environment and the exact config
   it was made from (RefusedPlanError).
4. `reread(api, plan, desired, ...)`: only the objects it touches are read again; it is
   refused naming each one that moved since the plan was made (StalePlanError), and when its
   changes are not what the config and the account call for now (RefusedPlanError), so that
   even a file signed with a leaked key only makes apply do what the config calls for.

Between 3 and 4 the caller shows the plan and runs the safety checks; after 4 it applies the
plan against the objects `reread` returned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloudinary_state.desired import DesiredState, KindName
from cloudinary_state.engine.apply import read_planned
from cloudinary_state.engine.plan import Plan, Target
from cloudinary_state.engine.planfile import (
    check_plan_matches,
    check_replanned,
    load_document,
    parse_plan,
    plan_from_document,
)
from cloudinary_state.kinds.base import AdminApi, Kind, LiveObject

# What a terminal or a text stream must not be handed from an untrusted file: control
# characters (an escape sequence rewrites what a reviewer sees) and lone surrogates (which no
# encoding can write). Newlines and tabs are kept.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def printable(value: Any) -> Any:
    """A JSON-like value with every unprintable character of its strings (keys too) replaced
    by U+FFFD, for showing a file that nothing vouches for (`show`)."""
    if isinstance(value, str):
        return _UNPRINTABLE.sub("\ufffd", value)
    if isinstance(value, Mapping):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [printable(v) for v in value]
    return value


@dataclass(frozen=True)
class PlanFile:
    """A plan file as read from disk, not yet trusted: nothing in it is used before `verify`."""

    path: Path
    document: Mapping[str, Any]

    @classmethod
    def read(cls, path: Path) -> PlanFile:
        """Step 1: PlanFileError for a file that cannot be read or is no plan."""
        return cls(path, load_document(path))

    def verify(
        self, digest_key: bytes, kinds: Mapping[KindName, Kind], environment: str | None = None
    ) -> Plan:
        """Step 2: the plan, once the file's digest verifies under `digest_key` (`environment`'s)."""
        return plan_from_document(
            self.path, self.document, digest_key=digest_key, kinds=kinds, environment=environment
        )

    def unverified(self, kinds: Mapping[KindName, Kind]) -> Plan:
        """The plan the file holds, its digest not verified: only for showing it (`show`)."""
        return parse_plan(self.path, self.document, kinds=kinds)

    def check_matches(self, plan: Plan, desired: DesiredState, digest_key: bytes) -> None:
        """Step 3: the plan is for `desired`'s environment and exactly its config."""
        check_plan_matches(plan, desired, self.path, digest_key)

    def reread(
        self,
        api: AdminApi,
        plan: Plan,
        desired: DesiredState,
        *,
        digest_key: bytes,
        kinds: Mapping[KindName, Kind],
        parallelism: int,
    ) -> dict[Target, LiveObject | None]:
        """Step 4: the touched objects as they are now, once nothing refuses the plan."""
        live = read_planned(api, plan, kinds, digest_key=digest_key, parallelism=parallelism, desired=desired)
        check_replanned(plan, desired, live, self.path, digest_key=digest_key, kinds=kinds)
        return live

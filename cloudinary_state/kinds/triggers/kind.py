"""Notification triggers (reference §10): webhooks, each an event type and a URL.

A trigger has no name in the account, so the config's names pair with live triggers by content
(`pairing.py`); triggers that pair with nothing get names of their own from their event type
and URL host, which is also what `import` writes. Every read is the one list call (`triggers`,
unpaginated); `flow` and `poll` triggers belong to MediaFlows and the poll API and are never
read or touched. Only the URL can change in place (`update_trigger(id, new_uri)`); a new event
type is a replace. The server may repeat a create whose answer was lost, so a retry first looks
whether the lost attempt made the trigger.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from cloudinary_state.config.checks import CheckedObject, Report, Universe
from cloudinary_state.desired import DesiredObject
from cloudinary_state.kinds._common import call_create, call_delete
from cloudinary_state.kinds.base import Action, AdminApi, Kind, LiveObject, ModelRef
from cloudinary_state.kinds.triggers.checks import check_duplicates, check_limit, check_trigger
from cloudinary_state.kinds.triggers.pairing import pair_triggers

WEBHOOK = "webhook"  # the uri_type this kind manages (the server's default)

GUIDE = """
The key a trigger is declared under is a name in the config only: in the account a trigger is
its event type and URL. A declared trigger is the live trigger with the same `event_type` and
`uri`. When a URL changed, the declared trigger takes the live trigger of its event type where
that is unambiguous (exactly one declared and one live trigger of that event type left over):
the plan updates its URL in place, the only change the API makes in place. Otherwise the
declared trigger is created and the old one stays unmanaged (deleted only under
`policy.prune` or by a tombstone). Where exactly one declared and one live trigger of a URL
are left over, the event type changed: a replace (delete, then create; it needs
`--allow-delete`).

A live trigger that no declared trigger takes is named from its event type and URL host
(`upload_pim_example_test`); when several share that name each gets the first 8 digits of its
id too (`upload_pim_example_test_5f3a09c1`). Those are the names `import` writes, and the
names that plans, `--target`, tombstones and `policy.ignore` use for them. To delete a
declared trigger, drop its declaration: the plan then lists the live trigger as unmanaged
under its own name, which a tombstone (`absent: true`) or `policy.prune` deletes; a tombstone
under the dropped name finds nothing, since nothing says any more which trigger it was.

A token in the URL is a secret: write it as `${env.NAME}` (the plan masks the URL). `import`
writes the credential-looking query parameters of a live URL (`token`, `key`, `secret`,
`signature`, `auth`, `password`, ...) as `${env.*}` placeholders and lists the variables to
set. At most 30 triggers per event type (the API's limit). Only webhooks are managed: `flow`
and `poll` triggers are never read or touched.
"""


class TriggerKind(Kind):
    kind = "trigger"
    section = "triggers"
    rank = 60  # last: a webhook should announce what the other kinds set up
    model = ModelRef("cloudinary_state.kinds.triggers.model", "TriggerModel")
    description = "notification triggers (webhooks), by a name in the config only"
    guide = GUIDE
    # a list item's own key until pair_live names it (as the config does, or from its content)
    identity_field = "id"

    def check(self, report: Report, universe: Universe, obj: CheckedObject) -> None:
        check_trigger(report, obj)

    def check_all(self, report: Report, universe: Universe, objects: list[CheckedObject]) -> None:
        super().check_all(report, universe, objects)
        check_limit(report, objects)
        check_duplicates(report, objects)

    def canonical_desired(self, obj: DesiredObject) -> dict[str, Any]:
        return self._canonical(obj.body)

    def canonical_live(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return self._canonical(raw)

    @staticmethod
    def _canonical(trigger: Mapping[str, Any]) -> dict[str, Any]:
        return {"event_type": str(trigger["event_type"]), "uri": str(trigger["uri"])}

    def pair_live(
        self, desired: Mapping[str, Mapping[str, Any]], live: Mapping[str, LiveObject]
    ) -> dict[str, LiveObject]:
        return pair_triggers(desired, live)

    def needs_replace(self, desired: Mapping[str, Any], live: LiveObject) -> bool:
        return str(desired["event_type"]) != str(live.canonical["event_type"])

    def notes(self, action: Action, desired: Mapping[str, Any] | None, live: LiveObject | None) -> list[str]:
        # never the URL: it may hold a token
        if action == "update":
            return ["the URL changes in place: the only unmatched trigger on this event type, on both sides"]
        if action == "replace" and live is not None:
            return [
                f"the event type cannot change in place: the trigger on '{live.canonical['event_type']}' "
                "is deleted, then created again (no notification in between)"
            ]
        if action == "delete" and live is not None:
            return [f"'{live.canonical['event_type']}' notifications to this URL stop"]
        return []

    def export(self, live: LiveObject) -> dict[str, Any]:
        return {"event_type": live.canonical["event_type"], "uri": live.canonical["uri"]}

    # --- reads: the one list call --------------------------------------------------------------

    def read_all(self, api: AdminApi, parallelism: int) -> dict[str, LiveObject]:
        """Every webhook trigger, under its own name (nothing declared to pair with here)."""
        items = api.call("triggers").get("triggers") or []
        # read first: an item this kind cannot read is an UnreadableLiveError, whatever its type
        webhooks = [
            live for live in map(self.live, items) if (live.raw.get("uri_type") or WEBHOOK) == WEBHOOK
        ]
        return self.pair_live({}, {live.name: live for live in webhooks})

    def read_one(self, api: AdminApi, name: str) -> LiveObject | None:
        return self.read_all(api, 1).get(name)  # no get-by-id endpoint is needed: the list is one call

    def read_many(
        self, api: AdminApi, names: Collection[str], parallelism: int
    ) -> dict[str, LiveObject | None]:
        """Every trigger (the engine pairs them with the config before looking names up)."""
        if not names:
            return {}
        found: dict[str, LiveObject | None] = dict.fromkeys(names)
        found.update(self.read_all(api, parallelism))
        return found

    def read_many_calls(self, names: int, present: int, listed: int) -> int:
        return 1 if names else 0  # the one (unpaginated) list call

    # --- writes ----------------------------------------------------------------------------------

    def create(self, api: AdminApi, name: str, desired: Mapping[str, Any]) -> None:
        want = self._canonical(desired)

        def made_already() -> bool:
            return any(dict(live.canonical) == want for live in self.read_all(api, 1).values())

        # whether the server refuses a second trigger of one event type and URL is not known
        # (the reference's 409 record_already_exists may be something else): a retry after a
        # lost answer first looks whether the lost attempt made it
        call_create(
            api, made_already, "create_trigger", want["uri"], want["event_type"], already_done=made_already
        )

    def update(self, api: AdminApi, name: str, desired: Mapping[str, Any], live: LiveObject) -> None:
        api.call("update_trigger", str(live.raw["id"]), str(desired["uri"]))

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
        call_delete(api, "delete_trigger", str(live.raw["id"]))

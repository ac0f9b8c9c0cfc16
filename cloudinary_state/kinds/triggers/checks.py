"""Offline checks of triggers: the URL is http(s), at most 30 URLs per event type (the API's
limit, `limit_reached`), and no two triggers with the same event type and URL (the API keeps
one; both would pair with it)."""

from __future__ import annotations

from collections import defaultdict

from cloudinary_state.config.checks import CheckedObject, Report, check_url
from cloudinary_state.config.interpolate import sensitive_path
from cloudinary_state.scrubbing import is_sensitive

LIMIT_PER_EVENT_TYPE = 30


def check_trigger(report: Report, obj: CheckedObject) -> None:
    check_url(report, obj, ("uri",), obj.fields["uri"])


def check_limit(report: Report, objects: list[CheckedObject]) -> None:
    """Each trigger past the 30th of its event type, at its event_type."""
    by_event: dict[str, list[CheckedObject]] = defaultdict(list)
    for obj in objects:
        by_event[obj.fields["event_type"]].append(obj)
    for event_type, declared in by_event.items():
        for extra in declared[LIMIT_PER_EVENT_TYPE:]:
            report.error(
                extra.marks.at(("event_type",)),
                f"{extra.label(('event_type',))}: {len(declared)} triggers on '{event_type}'; the "
                f"API takes at most {LIMIT_PER_EVENT_TYPE} URLs per event type",
                "one URL can fan the notification out; or use event_type 'all' for some",
            )


def _unrendered(obj: CheckedObject) -> bool:
    """The URL comes from an unset ${env.*} (offline validation): its value is unknown."""
    uri = str(obj.fields["uri"])
    return is_sensitive(sensitive_path(("uri",)), obj.sensitive_paths) and "${env." in uri


def check_duplicates(report: Report, objects: list[CheckedObject]) -> None:
    """A second trigger with the event type and URL of an earlier one, at its uri (the URL is
    not quoted: it may hold a token)."""
    seen: dict[tuple[str, str], CheckedObject] = {}
    for obj in objects:
        if _unrendered(obj):
            continue
        key = (str(obj.fields["event_type"]), str(obj.fields["uri"]))
        first = seen.setdefault(key, obj)
        if first is not obj:
            report.error(
                obj.marks.at(("uri",)),
                f"{obj.label(('uri',))}: the same event_type and uri as trigger '{first.name}'",
                "the account keeps one trigger per event type and URL: declare it once",
            )

"""Which live trigger each declared trigger is, and what the others are called.

A trigger has no name in the account: it is its event type and URL. Pairing, in three rounds,
each among what the earlier ones left:

1. a declared trigger takes the live trigger with its event type and URL;
2. where exactly one declared and one live trigger of an event type are left, they pair: the
   URL changed, an update in place (the API can change only the URL);
3. where exactly one declared and one live trigger of a URL are left, they pair: the event
   type changed, a replace.

Anything less clear-cut pairs nothing: the declared trigger is created, the live one stays
unmanaged (deleted only under policy.prune or by a tombstone). A live trigger left over is
named from its event type and URL host (`upload_pim_example_test`); when several share that
name, each gets the first 8 digits of its id as well (`upload_pim_example_test_5f3a09c1`), and
so does one whose name a declared trigger has. Those names depend on the unpaired triggers
alone and never pass from one existing trigger to another: a tombstone cannot hit a trigger it
was not written for. The URL's path and query are never used: a token may sit in either.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from cloudinary_state.kinds.api import LiveObject

Content = Callable[[Mapping[str, object]], str]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def name_base(event_type: str, uri: str) -> str:
    """`<event_type>_<host>`, as a config key: lower case, every other character an underscore."""
    try:
        host = urlsplit(uri).hostname or ""
    except ValueError:  # an unparseable URL (a bracketed host that is no IP literal)
        host = ""
    return f"{_slug(event_type) or 'event'}_{_slug(host) or 'webhook'}"


def _trigger_id(live: LiveObject) -> str:
    return str(live.raw.get("id", ""))


def own_names(objects: list[LiveObject], taken: set[str]) -> dict[str, LiveObject]:
    """Names for live triggers that pair with nothing, none of them in `taken` (declared names)."""
    bases = [(name_base(str(o.canonical["event_type"]), str(o.canonical["uri"])), o) for o in objects]
    counts = Counter(base for base, _ in bases)
    plain = {base for base, n in counts.items() if n == 1 and base not in taken}
    used = taken | plain
    named: dict[str, LiveObject] = {}
    for base, live in sorted(bases, key=lambda pair: (pair[0], _trigger_id(pair[1]))):
        name = base
        if base not in plain:
            name = f"{base}_{_trigger_id(live)[:8]}"
            if name in used:  # an 8-digit clash, or a declared name that long: the whole id
                name = f"{base}_{_trigger_id(live)}"
            used.add(name)
        named[name] = live
    return named


def _event_type(body: Mapping[str, object]) -> str:
    return str(body["event_type"])


def _uri(body: Mapping[str, object]) -> str:
    return str(body["uri"])


def _exact(body: Mapping[str, object]) -> str:
    return f"{body['event_type']}\n{body['uri']}"


def _pair_round(
    desired: Mapping[str, Mapping[str, object]],
    declared: list[str],
    live: list[LiveObject],
    key: Content,
    *,
    unique: bool,
) -> dict[str, LiveObject]:
    """Declared names paired with live triggers of the same `key`: each with the first one of
    its key, or (`unique`) only where exactly one of each side has that key."""
    live_by_key: dict[str, list[LiveObject]] = {}
    for obj in live:
        live_by_key.setdefault(key(obj.canonical), []).append(obj)
    declared_by_key: dict[str, list[str]] = {}
    for name in declared:
        declared_by_key.setdefault(key(desired[name]), []).append(name)
    pairs: dict[str, LiveObject] = {}
    for value, names in declared_by_key.items():
        candidates = live_by_key.get(value, [])
        if unique and (len(names) != 1 or len(candidates) != 1):
            continue
        pairs.update(zip(names, candidates, strict=False))
    return pairs


def pair_triggers(
    desired: Mapping[str, Mapping[str, object]], live: Mapping[str, LiveObject]
) -> dict[str, LiveObject]:
    """The live triggers under the names the plan gives them (see the module docstring)."""
    declared = sorted(desired)
    left = sorted(live.values(), key=lambda o: (_exact(o.canonical), _trigger_id(o)))
    paired: dict[str, LiveObject] = {}
    for key, unique in ((_exact, False), (_event_type, True), (_uri, True)):
        found = _pair_round(desired, declared, left, key, unique=unique)
        paired |= found
        declared = [name for name in declared if name not in found]
        taken = {id(o) for o in found.values()}
        left = [o for o in left if id(o) not in taken]
    named = own_names(left, set(desired)) | paired
    return {name: dataclasses.replace(obj, name=name) for name, obj in sorted(named.items())}

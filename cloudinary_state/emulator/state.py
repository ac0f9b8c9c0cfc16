"""Per-cloud emulator state: plain JSON-serialisable dicts, so persistence is one json.dump.

Each store's objects are the business of the resource module that writes them; it registers
a check of one stored object here (`stored`), which `CloudState.restore` runs on a state file's
stores before taking any (shapes.py says what is checked).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from cloudinary_state.emulator.shapes import INTEGER, ShapeError, describe

# The fields of CloudState that are the cloud's configuration, not its state.
CONFIGURATION = (
    "name",
    "api_key",
    "api_secret",
    "addons",
    "reserve_deleted_metadata_ids",
    "not_entitled",
    "datasource_update_s",
    "search_api",
)


@dataclass
class CloudState:
    name: str
    api_key: str
    api_secret: str
    addons: set[str] = field(default_factory=set)  # registered add-ons (emulator configuration)
    # The reference (weak evidence, the only evidence) says a deleted metadata external_id stays
    # reserved: followed by default, so the engine is tested against what the live service does.
    reserve_deleted_metadata_ids: bool = True
    # Tier 1 of the Search API is on for accounts of up to 10 million assets [D search_api];
    # False emulates one where it is not (see search.py)
    search_api: bool = True
    # Entitlements (routing.ENTITLEMENTS) the plan lacks: their documented operations answer 403.
    not_entitled: set[str] = field(default_factory=set)
    # How long (s) a datasource update keeps its field busy; 0: never (see metadata_fields.py).
    datasource_update_s: float = 0.0
    # resource stores, keyed by identity; values are plain dicts owned by the resource module
    transformations: dict[str, dict[str, Any]] = field(default_factory=dict)
    upload_presets: dict[str, dict[str, Any]] = field(default_factory=dict)
    upload_mappings: dict[str, dict[str, Any]] = field(default_factory=dict)
    metadata_fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    metadata_rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    triggers: dict[str, dict[str, Any]] = field(default_factory=dict)
    streaming_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)  # id sequences, positions

    def persisted(self) -> dict[str, Any]:
        """What goes to the state file (credentials and add-ons are configuration, not state)."""
        data = asdict(self)
        for key in CONFIGURATION:
            data.pop(key)
        return data

    def restore(self, data: dict[str, Any]) -> None:
        """Take the stores of `data` (one cloud of a state file), each checked first: a
        ShapeError, naming the store and the key, leaves every store as it was.

        A store `data` lacks stays empty (a file from before the store existed). A key that
        names no store is ignored: a newer emulator's store, or configuration, which the
        emulator never writes (credentials and add-ons are the server's, not the file's).
        """
        taken = {store: _checked(store, data[store]) for store in STORES if store in data}
        for store, objects in taken.items():
            setattr(self, store, objects)


# The fields of CloudState that are its state: what the state file holds.
STORES = tuple(f.name for f in fields(CloudState) if f.name not in CONFIGURATION)


# (key, stored object) -> None, raising ShapeError when the object is not of the shape the
# store's handlers read
Check = Callable[[str, Any], None]


@dataclass(frozen=True)
class StoreCheck:
    check: Check
    item: str  # what the store holds, as a message names one


# store -> the check of one stored object, registered by the module that writes the store
STORE_CHECKS: dict[str, StoreCheck] = {}


def stored(store: str, item: str = "object") -> Callable[[Check], Check]:
    """Register the check of one object of `store` (one of STORES)."""
    if store not in STORES:
        raise ValueError(f"unknown store {store!r}")

    def register(check: Check) -> Check:
        STORE_CHECKS[store] = StoreCheck(check, item)
        return check

    return register


def _checked(store: str, objects: Any) -> dict[str, Any]:
    checker = STORE_CHECKS[store]
    if not isinstance(objects, dict):
        each = f"each {checker.item} by its key"
        raise ShapeError(f"store {store}: must be an object ({each}), not {describe(objects)}")
    for key, value in objects.items():
        try:
            checker.check(key, value)
        except ShapeError as e:
            raise ShapeError(f"store {store}, {checker.item} {key!r}: {e}") from None
    return objects


@stored("counters", item="counter")
def _check_counter(key: str, value: Any) -> None:
    """Id sequences and positions, which the handlers count on (`reserved_metadata_field:`
    entries are flags, 1, and are integers too)."""
    INTEGER.check(value, "")

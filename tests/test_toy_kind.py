"""The registry is the only seam (issue 9): a toy kind registered here, at run time, gets
`validate`, `plan`, `apply`, `drift` and `import` through the real CLI entry point, against an
emulator route this test adds, without any module of the package changing.

The toy resource is a colour per name: `GET toys` lists them, `POST toys` creates one,
`PUT toys/NAME` recolours it, `DELETE toys/NAME` deletes it. Its store lives here (keyed by
cloud), so it outlives the embedded emulator between two CLI runs as the state file would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import Field
from support.cli_runner import run_cli

from cloudinary_state.config.checks import CheckedObject, Report, Universe
from cloudinary_state.config.models import Model
from cloudinary_state.emulator import routing
from cloudinary_state.emulator.routing import ApiError, Request
from cloudinary_state.emulator.state import CloudState
from cloudinary_state.kinds import REGISTRY
from cloudinary_state.kinds.base import AdminApi, Kind, LiveObject

STORE: dict[str, dict[str, str]] = {}  # cloud -> name -> colour
COLOURS = ("red", "green", "blue")


# --- the emulator's side ---------------------------------------------------------------------


def _list(cloud: CloudState, request: Request) -> tuple[int, Any]:
    toys = STORE.setdefault(cloud.name, {})
    return 200, {"toys": [{"name": n, "colour": c} for n, c in sorted(toys.items())]}


def _create(cloud: CloudState, request: Request) -> tuple[int, Any]:
    name, colour = request.params.get("name"), request.params.get("colour")
    if not isinstance(name, str) or colour not in COLOURS:
        raise ApiError(400, "Must specify name and a colour")
    toys = STORE.setdefault(cloud.name, {})
    if name in toys:
        raise ApiError(409, f"toy {name} already exists")
    toys[name] = colour
    return 200, {"message": "created"}


def _update(cloud: CloudState, request: Request, name: str) -> tuple[int, Any]:
    toys = STORE.setdefault(cloud.name, {})
    if name not in toys or request.params.get("colour") not in COLOURS:
        raise ApiError(404 if name not in toys else 400, f"cannot recolour toy {name}")
    toys[name] = request.params["colour"]
    return 200, {"message": "updated"}


def _delete(cloud: CloudState, request: Request, name: str) -> tuple[int, Any]:
    if STORE.setdefault(cloud.name, {}).pop(name, None) is None:
        raise ApiError(404, f"toy {name} not found")
    return 200, {"message": "deleted"}


# --- the engine's side: one package's worth of kind ------------------------------------------


class ToyModel(Model):
    colour: str = Field(description="red, green or blue")


class ToyKind(Kind):
    kind = "toy"
    section = "toys"
    rank = 60
    model = ToyModel
    description = "toys, by name"
    identity_field = "name"

    def check(self, report: Report, universe: Universe, obj: CheckedObject) -> None:
        if obj.fields["colour"] not in COLOURS:
            report.error(obj.marks.at(("colour",)), f"{obj.label(('colour',))}: not a toy colour")

    def canonical_live(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {"colour": raw["colour"]}

    def read_all(self, api: AdminApi, parallelism: int) -> dict[str, LiveObject]:
        items = api.call("call_api", "get", ["toys"], {})["toys"]
        return {live.name: live for live in map(self.live, items)}

    def read_one(self, api: AdminApi, name: str) -> LiveObject | None:
        return self.read_all(api, 1).get(name)

    def read_many(self, api: AdminApi, names: Any, parallelism: int) -> dict[str, LiveObject | None]:
        everything = self.read_all(api, parallelism)
        return {name: everything.get(name) for name in names}

    def create(self, api: AdminApi, name: str, desired: Mapping[str, Any]) -> None:
        api.call("call_api", "post", ["toys"], {"name": name, "colour": desired["colour"]})

    def update(self, api: AdminApi, name: str, desired: Mapping[str, Any], live: LiveObject) -> None:
        api.call("call_api", "put", ["toys", name], {"colour": desired["colour"]})

    def delete(self, api: AdminApi, name: str, live: LiveObject) -> None:
        api.call("call_api", "delete", ["toys", name], {})


@pytest.fixture
def toy_kind() -> Iterator[ToyKind]:
    added = [
        routing.Route("GET", re.compile("toys"), _list),
        routing.Route("POST", re.compile("toys"), _create),
        routing.Route("PUT", re.compile("toys/(?P<name>[^/]+)"), _update),
        routing.Route("DELETE", re.compile("toys/(?P<name>[^/]+)"), _delete),
    ]
    routing.ROUTES.extend(added)
    STORE.clear()
    try:
        kind = ToyKind()
        with REGISTRY.registered(kind):
            yield kind
    finally:
        for r in added:
            routing.ROUTES.remove(r)


def _project(root: Path, toys: dict[str, Any]) -> Path:
    (root / "environments" / "common").mkdir(parents=True)
    environment = {
        "cloud_name": "toybox",
        "credentials": "CLOUDINARY_URL_TOYBOX",
        "include": ["common/*.yaml"],
        "policy": {"prune": ["toys"]},
    }
    (root / "environments" / "test.yaml").write_text(yaml.safe_dump(environment))
    (root / "environments" / "common" / "toys.yaml").write_text(yaml.safe_dump({"toys": toys}))
    return root


def test_a_kind_registered_at_run_time_is_managed_end_to_end(
    toy_kind: ToyKind, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(tmp_path / "project", {"ball": {"colour": "red"}, "kite": {"colour": "blue"}})

    assert run_cli(root, capsys, "validate", "--all").code == 0
    planned = run_cli(root, capsys, "plan", "--env", "test", "--emulator", "--detailed-exitcode")
    assert (
        planned.code == 2 and "+ toy ball  (create)" in planned.out and "+ toy kite  (create)" in planned.out
    )

    applied = run_cli(root, capsys, "apply", "--env", "test", "--emulator", "--auto-approve")
    assert applied.code == 0, applied.err
    assert STORE["toybox"] == {"ball": "red", "kite": "blue"}
    assert run_cli(root, capsys, "plan", "--env", "test", "--emulator", "--detailed-exitcode").code == 0

    STORE["toybox"]["ball"] = "green"  # changed outside the config
    drift = run_cli(root, capsys, "drift", "--env", "test", "--emulator")
    assert drift.code == 2 and "~ toy ball" in drift.out and "1 changed" in drift.out

    out = tmp_path / "imported"
    imported = run_cli(root, capsys, "import", "--env", "test", "--emulator", "--output", str(out))
    assert imported.code == 0, imported.err
    exported = yaml.safe_load((out / "environments" / "common" / "toys.yaml").read_text())
    assert exported["toys"] == {"ball": {"colour": "green"}, "kite": {"colour": "blue"}}


def test_a_registered_kind_is_checked_offline_and_narrowed_by_target(
    toy_kind: ToyKind, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(tmp_path, {"ball": {"colour": "purple"}})
    invalid = run_cli(root, capsys, "validate", "--all")
    assert invalid.code == 1 and "toy 'ball': colour: not a toy colour" in invalid.out + invalid.err
    assert "toys.yaml:3:13:" in invalid.err

    (tmp_path / "environments" / "common" / "toys.yaml").write_text("toys: {ball: {colour: red}}\n")
    narrowed = run_cli(root, capsys, "plan", "--env", "test", "--emulator", "--target", "toy:ball")
    assert narrowed.code == 0 and "+ toy ball  (create)" in narrowed.out


def test_the_kind_leaves_nothing_behind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "toy" not in REGISTRY.names()
    root = _project(tmp_path, {"ball": {"colour": "red"}})
    unknown = run_cli(root, capsys, "validate", "--all")
    assert unknown.code == 1 and "unknown section 'toys'" in unknown.out + unknown.err

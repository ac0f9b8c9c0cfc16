"""No output of any command holds a secret (issue 13, "secrets, tested as carefully as the rest").

Generated configs: the example config with `${env.*}` values put in every place a string can go
(any string of the environment file or of a resource document, as the whole value or inside
it), with secrets that may contain one another. Each is run through the CLI against the
emulator over HTTP: validate, plan in every format and saved, apply, drift in every format and
import, at -vv, so that log lines count too. Whether the config is valid or not (a secret in a
metadata field's `type` is an error whose message must not quote it) nothing printed or written
may hold a secret, nor the account's api_secret. Then, as a person in the console would, a live
field is set to a URL holding a secret (a managed object, and one the config does not know), and
an upload preset is given a coordinate the server refuses while quoting it back.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import cloudinary.api
import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st
from support.cli_runner import run_cli
from support.emulator import reset_emulator

from cloudinary_state import Project
from cloudinary_state.emulator import CloudConfig, EmulatorServer
from cloudinary_state.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[1] / "environments"
ENV, CLOUD, KEY, API_SECRET = "staging", "acme-staging", "prop-key", "prop-api-secret-NEVER-SHOWN-c1"
ADDONS = frozenset({"google_tagging", "aws_rek_tagging", "cloudinary_ai", "captioning"})
DOCUMENTS = {
    path.relative_to(EXAMPLE).as_posix(): yaml.safe_load(path.read_text())
    for path in sorted(EXAMPLE.rglob("*.yaml"))
    if path.name != "production.yaml"
}
Place = tuple[str, tuple[str | int, ...]]  # a document, and the path of a string inside it


def _strings(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))
    elif isinstance(value, str):
        yield path


PLACES: list[Place] = [(name, path) for name, doc in DOCUMENTS.items() for path in _strings(doc)]

# Distinctive: upper and lower case alternate (no word of the output does that) and no hex
# digit (no digest holds a piece of one). Sometimes one secret extends another: scrubbing the
# shorter first would leak the rest, which the check finds as any piece of WINDOW characters.
_pairs = st.tuples(st.sampled_from("GHJKLMNPQRSTUVWXYZ"), st.sampled_from("ghjkmnpqrstuvwxyz"))
tokens = st.lists(_pairs, min_size=3, max_size=7).map(lambda pairs: "".join(u + lo for u, lo in pairs))
WINDOW = 6


@st.composite
def secrets(draw: st.DrawFn) -> list[str]:
    values = ["Zq" + draw(tokens)]
    for _ in range(draw(st.integers(0, 2))):
        base = draw(st.sampled_from(values)) if draw(st.booleans()) else "Zq"
        values.append(base + draw(tokens))
    return list(dict.fromkeys(values))


SAFE: list[tuple[Place, str]] = [  # a secret goes there and the config stays valid: the apply happens
    (
        ("staging.yaml", ("overrides", "upload_presets", "product_assets", "settings", "notification_url")),
        "after",
    ),
    (("common/uploads.yaml", ("upload_mappings", "product_assets", "template")), "after"),
    (("common/uploads.yaml", ("triggers", "pim_upload", "uri")), "after"),
    (("common/catalog.yaml", ("metadata_fields", "sku", "label")), "whole"),
    (("common/catalog.yaml", ("metadata_fields", "status", "label")), "inside"),
    (("common/uploads.yaml", ("upload_presets", "product_assets", "settings", "folder")), "before"),
]


@st.composite
def placements(draw: st.DrawFn, count: int) -> list[tuple[Place, int, str]]:
    """(place, which secret, how: whole | before | after | inside) for 1 to 3 places: any place
    in any way (often an invalid config), or half the time one that keeps the config valid, so
    that the apply and the reads after it are exercised too."""
    anywhere = st.tuples(st.sampled_from(PLACES), st.sampled_from(["whole", "before", "after", "inside"]))
    chosen = draw(
        st.lists(st.one_of(st.sampled_from(SAFE), anywhere), min_size=1, max_size=3, unique_by=lambda c: c[0])
    )
    return [(place, draw(st.integers(0, count - 1)), how) for place, how in chosen]


def _placed(text: str, variable: str, how: str) -> str:
    reference = "${env." + variable + "}"
    middle = len(text) // 2
    return {
        "whole": reference,
        "before": reference + text,
        "after": text + reference,
        "inside": text[:middle] + reference + text[middle:],
    }[how]


def _write_config(root: Path, chosen: list[tuple[Place, int, str]]) -> None:
    documents = copy.deepcopy(DOCUMENTS)
    for (name, path), index, how in chosen:
        parent = documents[name]
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = _placed(parent[path[-1]], f"SECRET_{index}", how)
    for name, document in documents.items():
        target = root / "environments" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(document, sort_keys=False))


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer([CloudConfig(CLOUD, KEY, API_SECRET, ADDONS)]) as emu:
        yield emu


class Outputs:
    """Everything the runs of one example printed or wrote, by where it came from."""

    def __init__(self, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.root, self.capsys = root, capsys
        self.seen: dict[str, str] = {}
        self.last = ""

    def run(self, *args: str) -> int:
        result = run_cli(self.root, self.capsys, "-vv", *args)
        self.seen[f"{len(self.seen)}: {' '.join(args)}"] = result.out + result.err
        self.last = result.out + result.err
        return result.code

    def files(self, where: Path) -> None:
        for path in sorted(where.rglob("*")) if where.is_dir() else [where] if where.exists() else []:
            if path.is_file():
                self.seen[f"file {path.relative_to(self.root)}"] = path.read_text()

    def leaked(self, whole: list[str], pieces: list[str]) -> list[tuple[str, str]]:
        """Where a `whole` value, or any piece of WINDOW characters of one of `pieces`, shows."""
        wanted = {*whole, *(p[i : i + WINDOW] for p in pieces for i in range(len(p) - WINDOW + 1))}
        return [(where, w) for where, text in self.seen.items() for w in sorted(wanted) if w in text]


def _every_reading_command(out: Outputs, tag: str) -> None:
    for fmt in ("text", "json", "markdown"):
        out.run("plan", "--env", ENV, "--format", fmt)
    out.run("plan", "--env", ENV, "--out", str(out.root / f"plan-{tag}.json"))
    out.files(out.root / f"plan-{tag}.json")
    for fmt in ("text", "json", "markdown", "junit"):
        out.run("drift", "--env", ENV, "--format", fmt)
    out.run("import", "--env", ENV, "--output", str(out.root / f"imported-{tag}"))
    out.files(out.root / f"imported-{tag}")


def _secrets_in_use(root: Path) -> frozenset[str]:
    """The values this config takes from ${env.*} (none when it is invalid: nothing is read)."""
    try:
        return Project.open(root).load(ENV).secrets
    except ConfigError:
        return frozenset()


def _console_changes(emu: EmulatorServer, secret: str) -> None:
    """A person sets live fields to URLs holding a secret: a mapping the config manages (pruned
    kind: planned as an update or a delete) and a preset the config does not know."""
    options = {"cloud_name": CLOUD, "api_key": KEY, "api_secret": API_SECRET, "upload_prefix": emu.url}
    template = f"https://media.example.test/{secret}/"
    try:
        cloudinary.api.update_upload_mapping("product_assets", template=template, **options)
    except cloudinary.exceptions.NotFound:  # the apply of an invalid config made nothing
        cloudinary.api.create_upload_mapping("product_assets", template=template, **options)
    cloudinary.api.create_upload_preset(
        name="console_made", folder=f"console/{secret}", notification_url=f"https://h.example/x?ref={secret}",
        **options,
    )  # fmt: skip


def _refused_coordinate(out: Outputs, coordinate: str) -> None:
    """An upload preset whose coordinate (from ${env.*}) the server refuses, quoting it."""
    faces = {"upload_presets": {"faces": {"settings": {"face_coordinates": "1,2,3,${env.FACE}"}}}}
    (out.root / "environments" / "common" / "faces.yaml").write_text(yaml.safe_dump(faces))
    with mock.patch.dict(os.environ, {"FACE": coordinate}):
        out.run("apply", "--env", ENV, "--auto-approve")


@settings(
    max_examples=15,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), values=secrets(), coordinate=st.integers(2, 9).map(lambda n: f"{n}.5e{n + 1}"))
@example(data=None, values=["ZqRsTuVw", "ZqRsTuVwMnPqRs"], coordinate="7.5e2").via("a valid config")
def test_no_output_of_any_command_holds_a_secret(
    emulator: EmulatorServer,
    capsys: pytest.CaptureFixture[str],
    data: st.DataObject | None,
    values: list[str],
    coordinate: str,
) -> None:
    if data is None:  # the explicit example: every safe place, both secrets, every way
        chosen = [(place, i % len(values), how) for i, (place, how) in enumerate(SAFE)]
    else:
        chosen = data.draw(placements(len(values)))
    reset_emulator(emulator)
    environ = {f"SECRET_{i}": v for i, v in enumerate(values)}
    environ["STAGING_WEBHOOK_URL"] = f"https://hooks.example.test/{values[0]}/in"  # the example's own
    environ["CLOUDINARY_URL_STAGING"] = emulator.cloudinary_url(CLOUD)
    with tempfile.TemporaryDirectory() as tmp, mock.patch.dict(os.environ, environ):
        out = Outputs(Path(tmp), capsys)
        _write_config(out.root, chosen)
        used = _secrets_in_use(out.root)
        out.run("validate", "--env", ENV)
        out.run("plan", "--env", ENV)
        applied = out.run("apply", "--env", ENV, "--auto-approve"), out.last
        event(f"apply exit {applied[0]}")  # how many examples got as far as writing (statistics)
        _every_reading_command(out, "after-apply")
        if used:  # only a value the config takes from ${env.*} is a secret to the tool
            _console_changes(emulator, max(used, key=len))
            _every_reading_command(out, "after-console")
        _refused_coordinate(out, coordinate)
        assert out.leaked([*environ.values(), *used, coordinate, API_SECRET], values) == []
        if data is None:  # the explicit example really applies, and the refusal really happened
            assert applied[0] == 0, applied[1]
            assert "upload_preset:faces: failed" in out.last, out.last

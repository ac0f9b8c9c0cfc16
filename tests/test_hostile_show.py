"""`show PLAN_FILE` reads a file nothing vouches for (its digest is not verified without --env):
whatever a hand-made file holds, in any field (the new ones too: approved_deletes, forecast,
rehearsal, impact, server_default), `show` ends in exit 0 with what it can render, its control
characters neutralised, or in exit 1 naming the file; never a traceback (issue 13).

The plan is a real one, with every optional member present: a create (with a server default),
a metadata field delete (with its impact), a rehearsal and a forecast, approved deletes.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support.cli_runner import run_main
from support.harness import BASE_RESOURCES, Harness, with_changes
from support.mutations import edit, mutate_bytes, structure_edit

FORMATS = ("text", "markdown", "json")
# what must not reach a terminal from an untrusted file (engine/saved_plan.py `printable`)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _deep(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = [value]
    return value


# a value of every JSON type, and the troublesome ones: a number too large for a count, one no
# integer can hold (1e999 reads as infinity), escape sequences, a long string, deep nesting
HOSTILE_VALUES: list[Any] = [
    None, True, -1, 10**30, float("inf"), 1.5, "", "\x1b[2J\x1b]0;owned\x07\u202e",
    "x" * 100_000, "2026-99-99T00:00:00Z", [], [None], {}, {"k": 1}, _deep(100),
]  # fmt: skip
REMOVED = object()


def _rich_plan(harness: Harness, tmp_path: Path) -> dict[str, Any]:
    harness.apply("test")
    config = with_changes(BASE_RESOURCES, "metadata_fields", "sku", {"absent": True})
    harness.write(with_changes(config, "transformations", "fresh", {"transformation": "c_fill,w_10"}))
    saved = tmp_path / "saved.json"
    made = harness.run("plan", "--env", "test", "--rehearse", "--allow-delete", "--out", str(saved))
    assert made.code in (0, 2), made.err
    document: dict[str, Any] = json.loads(saved.read_text())
    # what this plan leaves empty, filled the way a plan that has them writes them
    document["unmanaged"] = ["upload_preset:stray"]
    document["notes"] = ["a note"]
    document["rehearsal"]["failed"] = [
        {"action": "create", "target": "transformation:fresh", "reason": "refused"}
    ]
    present = {"impact", "server_default", "forecast", "rehearsal", "approved_deletes"}
    assert present <= set(_keys(document)), "the plan has every optional member"
    return document


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def _places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in the document (of each list, its first item: the others are alike)."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list) and value:
        yield from _places(value[0], (*path, 0))


def _replaced(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    parent: Any = changed
    for step in path[:-1]:
        parent = parent[step]
    if value is REMOVED:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return changed


def _check_show(capsys: pytest.CaptureFixture[str], plan_file: Path, fmt: str) -> int:
    result = run_main(capsys, "show", "--format", fmt, str(plan_file))  # a traceback fails here
    assert result.code in (0, 1), result.err
    if result.code == 1:
        assert f"error: plan file {plan_file}: " in result.err, result.err
    else:
        assert not CONTROL.search(result.out), "a control character reached the output"
    return result.code


def test_a_hostile_value_anywhere_in_a_plan_file_is_shown_or_refused(
    harness: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _rich_plan(harness, tmp_path)
    plan_file = tmp_path / "hostile.json"
    places = [p for p in _places(document) if p != ("format",)]
    for path in places:
        for value in [*HOSTILE_VALUES, REMOVED]:
            plan_file.write_text(json.dumps(_replaced(document, path, value)))
            for fmt in FORMATS if isinstance(value, str) else FORMATS[:2]:
                _check_show(capsys, plan_file, fmt)


FUZZ = settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_mutations_of_a_plan_file_are_shown_or_refused(
    harness: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _rich_plan(harness, tmp_path)
    original = json.dumps(document, indent=2).encode()
    plan_file = tmp_path / "mutated.json"

    @FUZZ
    @given(st.lists(edit, min_size=1, max_size=4), st.sampled_from(FORMATS))
    def bytes_check(edits: list[tuple[float, int, bytes]], fmt: str) -> None:
        plan_file.write_bytes(mutate_bytes(original, edits))
        event(f"exit {_check_show(capsys, plan_file, fmt)}")

    @FUZZ
    @given(st.data(), st.sampled_from(FORMATS))
    def structure_check(data: st.DataObject, fmt: str) -> None:
        mutated = data.draw(structure_edit(copy.deepcopy(document)))
        plan_file.write_text(json.dumps(mutated), encoding="utf-8", errors="surrogatepass")
        event(f"exit {_check_show(capsys, plan_file, fmt)}")

    bytes_check()
    structure_check()

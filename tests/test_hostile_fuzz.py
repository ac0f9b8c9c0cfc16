"""Fuzzing (issue 13): mutations of the example config and of a saved plan file, as bytes and
as YAML/JSON structure, never end in a traceback (`run_main` fails the test on one, and on any
exception `main` lets out), always in an exit code the command documents with diagnostics, and
never in an API call when the input is refused.

Configs go through the CLI's offline `validate` and through `plan` against the emulator (whose
request log must stay empty when the config is refused); plan files through `apply PLAN_FILE`
against the emulator, half of them re-signed with the account's key (a leaked api_secret) so
that the mutation reaches the parsing behind the digest. Example counts are kept small: the
point is the shapes of damage (the byte and structure operations), not their number.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support.cli_runner import run_cli
from support.harness import API_SECRET, BASE_RESOURCES, Harness, with_changes
from support.mutations import edit, mutate_bytes, structure_edit

from cloudinary_state.canonical_json import canonical_json

EXAMPLES = Path(__file__).resolve().parents[1] / "environments"
FUZZ = settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
DIAGNOSTIC = re.compile(r"^error: .+:\d+:\d+: ", re.MULTILINE)

# --- configs --------------------------------------------------------------------------------------

CONFIG_FILES = sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*.yaml"))


def _check_validate(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(config_dir, capsys, "validate", "--all")
    event(f"exit {result.code}")  # --hypothesis-show-statistics: how often each outcome came up
    assert result.code in (0, 1), result.err
    if result.code == 1:
        assert DIAGNOSTIC.search(result.err), result.err  # each problem at its file:line:column


def test_byte_mutations_of_the_example_config_validate_or_are_diagnosed(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    @FUZZ
    @given(st.sampled_from(CONFIG_FILES), st.lists(edit, min_size=1, max_size=4))
    def check(file: str, edits: list[tuple[float, int, bytes]]) -> None:
        original = (EXAMPLES / file).read_bytes()
        (config_dir / "environments" / file).write_bytes(mutate_bytes(original, edits))
        try:
            _check_validate(config_dir, capsys)
        finally:
            (config_dir / "environments" / file).write_bytes(original)

    check()


def test_structure_mutations_of_the_example_config_validate_or_are_diagnosed(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    @FUZZ
    @given(st.sampled_from(CONFIG_FILES), st.data())
    def check(file: str, data: st.DataObject) -> None:
        original = (EXAMPLES / file).read_bytes()
        document = data.draw(structure_edit(yaml.safe_load(original)))
        (config_dir / "environments" / file).write_text(yaml.safe_dump(document))
        try:
            _check_validate(config_dir, capsys)
        finally:
            (config_dir / "environments" / file).write_bytes(original)

    check()


def test_a_mutated_config_that_is_refused_sends_nothing_to_the_api(harness: Harness) -> None:
    resources = harness.write_resources(BASE_RESOURCES)
    original = resources.read_bytes()

    @FUZZ
    @given(st.lists(edit, min_size=1, max_size=3))
    def check(edits: list[tuple[float, int, bytes]]) -> None:
        resources.write_bytes(mutate_bytes(original, edits))
        harness.emu.clear_log()
        result = harness.run("plan", "--env", "test")
        event(f"exit {result.code}")
        assert result.code in (0, 1, 2, 3), result.err
        if result.code == 1:
            assert DIAGNOSTIC.search(result.err), result.err
            assert harness.emu.request_log == []

    check()


# --- saved plan files -----------------------------------------------------------------------------


def _resigned(text: str) -> str | None:
    """The mutated file signed again with the account's key, when it is still a JSON object."""
    try:
        document = json.loads(text)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    rest = canonical_json({k: v for k, v in document.items() if k != "digest"})
    key = API_SECRET.encode()
    digest = hmac.new(key, rest.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    return json.dumps({**document, "digest": f"hmac-sha256:{digest}"})


def _saved_plan(harness: Harness, plan_file: Path) -> bytes:
    assert harness.run("apply", "--env", "test", "--auto-approve").code == 0
    changed = with_changes(BASE_RESOURCES, "transformations", "thumb", {"transformation": "c_fill,w_90"})
    harness.write(with_changes(changed, "upload_mappings", "product_assets", {"absent": True}))
    assert harness.run("plan", "--env", "test", "--out", str(plan_file)).code in (0, 2)
    return plan_file.read_bytes()


def _check_apply(harness: Harness, plan_file: Path, text: bytes) -> None:
    plan_file.write_bytes(text)
    harness.emu.clear_log()
    result = harness.run("apply", "--env", "test", "--allow-delete", "--auto-approve", str(plan_file))
    event(f"exit {result.code}: {result.err.replace(str(plan_file), 'FILE')[:60]}")
    assert result.code in (0, 1, 3), result.err
    if result.code != 0:
        assert result.err.strip(), "a refusal says why"
        assert harness.writes() == []
    if result.code == 1 or "digest mismatch" in result.err:
        assert harness.emu.request_log == []  # an unreadable or unverified file: refused offline


def test_mutations_of_a_saved_plan_file_apply_or_are_refused_before_any_write(
    harness: Harness, tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.json"
    original = _saved_plan(harness, plan_file)

    @FUZZ
    @given(st.lists(edit, min_size=1, max_size=3), st.booleans())
    def bytes_check(edits: list[tuple[float, int, bytes]], resign: bool) -> None:
        text = mutate_bytes(original, edits)
        signed = _resigned(text.decode("utf-8", "replace")) if resign else None
        _check_apply(harness, plan_file, signed.encode() if signed else text)

    @FUZZ
    @given(st.data(), st.booleans())
    def structure_check(data: st.DataObject, resign: bool) -> None:
        text = json.dumps(data.draw(structure_edit(json.loads(original))))
        signed = _resigned(text) if resign else None
        _check_apply(harness, plan_file, (signed or text).encode("utf-8", "surrogatepass"))

    bytes_check()
    structure_check()

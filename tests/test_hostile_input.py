"""Hostile input (issue 13): each case is exit 1 with a clear message naming the file and line
and the fix, never a traceback, and nothing is sent to the API (no credentials are set, so a
run that got as far as connecting would fail differently).

The bounds (under a second, bounded memory) are checked once for every case, by running the
console entry point in a subprocess with a memory limit and a generous timeout: before the
limits, the alias bomb took 16 s and ended in a MemoryError, and deep plan files in a
RecursionError.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support.cli_runner import Result, run_cli

from cloudinary_state.config.loader import MAX_EXPLAINED_VALUES
from cloudinary_state.config.yamlload import MAX_ALIASED_VALUES, MAX_DEPTH, MAX_FILE_BYTES
from cloudinary_state.engine.planfile import MAX_PLAN_BYTES, MAX_PLAN_DEPTH

EXAMPLES = Path(__file__).resolve().parents[1] / "environments"
RES = "environments/common/video.yaml"  # a resource file of the example config
ENV = "environments/staging.yaml"

# nine levels of nine: 9**9 (387 million) values once expanded, from 700 bytes
BILLION_LAUGHS = "lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)
)


def _lines(config_dir: Path, file: str) -> int:
    return len((config_dir / file).read_text().splitlines())


def _append(config_dir: Path, file: str, text: str | bytes) -> int:
    """Append to a file of the config; returns the line number the appended text starts on."""
    first = _lines(config_dir, file) + 1
    with (config_dir / file).open("ab") as f:
        f.write(text if isinstance(text, bytes) else text.encode())
    return first


# --- each case: (what it does to the config dir, args after --config-dir, expected message) -----

Case = Callable[[Path], tuple[tuple[str, ...], str]]
VALIDATE = ("validate", "--env", "staging")


def alias_bomb(config_dir: Path) -> tuple[tuple[str, ...], str]:
    first = _append(config_dir, RES, BILLION_LAUGHS)
    # lol4 repeats 74,718 values; lol5's first alias adds 66,430 more: refused there, before
    # copying them (and long before the billions of the last line)
    return VALIDATE, f"{RES}:{first + 5}:12: YAML aliases"


def deep_flow_config(config_dir: Path) -> tuple[tuple[str, ...], str]:
    line = _append(config_dir, RES, "transformations:\n  deep:\n    transformation: " + "[" * 400 + "]" * 400)
    return VALIDATE, f"{RES}:{line + 2}:"


def deep_block_environment(config_dir: Path) -> tuple[tuple[str, ...], str]:
    nested = "".join(f"{'  ' * (i + 1)}k{i}:\n" for i in range(300))
    line = _append(config_dir, ENV, "variables_deep:\n" + nested)
    return VALIDATE, f"{ENV}:{line + MAX_DEPTH}:"


def large_config(config_dir: Path) -> tuple[tuple[str, ...], str]:
    _append(config_dir, RES, "#" * MAX_FILE_BYTES + "\n")
    limit = MAX_FILE_BYTES >> 20
    return VALIDATE, f"{RES}:1:1: cannot read file: the file is larger than the limit of {limit} MiB"


def bad_utf8_config(config_dir: Path) -> tuple[tuple[str, ...], str]:
    line = _append(
        config_dir, RES, b'upload_mappings:\n  m:\n    template: "https://x.example/\xc3\xa9/\xff"\n'
    )
    return VALIDATE, f"{RES}:{line + 2}:36: byte 0xff is not valid UTF-8"


def control_character_config(config_dir: Path) -> tuple[tuple[str, ...], str]:
    line = _append(
        config_dir, RES, b'upload_mappings:\n  m:\n    template: "https://x.example/\xc3\xa9/\x07"\n'
    )
    return VALIDATE, f"{RES}:{line + 2}:36: YAML error: control characters are not allowed"


def many_wrong_values_config(config_dir: Path) -> tuple[tuple[str, ...], str]:
    """A million values that are each wrong: pydantic once made a million errors of them (2 GB,
    half a minute) before the first was shown."""
    many = "environments/common/zz-many.yaml"
    (config_dir / many).write_text(
        "upload_presets:\n  many:\n    settings:\n      tags: [" + ", ".join(["1"] * 1_000_000) + "]\n"
    )
    return VALIDATE, f"{many}:3:5: upload_preset 'many': "


def many_wrong_documents_config(config_dir: Path) -> tuple[tuple[str, ...], str]:
    """Three objects of 40,000 wrong values each: each below the limit of one document, the
    third past the limit of the run (sized to stay well inside the bound under a loaded CI)."""
    many = "environments/common/zz-many.yaml"
    ones = ", ".join(["1"] * 40_000)
    objects = "".join(f"  many{i}:\n    settings:\n      tags: [{ones}]\n" for i in range(3))
    (config_dir / many).write_text("upload_presets:\n" + objects)
    return VALIDATE, f"{many}:9:5: upload_preset 'many2': not valid, and not explained"


def many_wrong_values_environment(config_dir: Path) -> tuple[tuple[str, ...], str]:
    ones = ", ".join(["1"] * 1_000_000)
    text = (config_dir / ENV).read_text().replace("include: [common/*.yaml]", f"include: [{ones}]")
    (config_dir / ENV).write_text(text)
    return VALIDATE, f"{ENV}:2:1: "


def _apply(plan_file: Path) -> tuple[str, ...]:
    return ("apply", "--env", "staging", str(plan_file))


def deep_plan(config_dir: Path) -> tuple[tuple[str, ...], str]:
    plan_file = config_dir / "plan.json"
    plan_file.write_text(
        '{"format": "cloudinary-state/plan@1",\n "changes":\n' + "[\n" * 400 + "]" * 400 + "}"
    )
    return _apply(plan_file), f"is nested deeper than {MAX_PLAN_DEPTH} levels at line {MAX_PLAN_DEPTH + 2}"


def large_plan(config_dir: Path) -> tuple[tuple[str, ...], str]:
    plan_file = config_dir / "plan.json"
    plan_file.write_bytes(b" " * (MAX_PLAN_BYTES + 1))
    return _apply(plan_file), f"larger than the limit of {MAX_PLAN_BYTES >> 20} MiB"


def plan_is_a_directory(config_dir: Path) -> tuple[tuple[str, ...], str]:
    (config_dir / "plans").mkdir()
    return _apply(config_dir / "plans"), f"plan file {config_dir / 'plans'}: cannot be read: is a directory"


def bad_utf8_plan(config_dir: Path) -> tuple[tuple[str, ...], str]:
    plan_file = config_dir / "plan.json"
    plan_file.write_bytes(b'{"format": "cloudinary-state/plan@1",\n "notes": ["\xc3\xa9\xc3\xa9 \xfe"]}')
    return _apply(plan_file), "byte 0xfe is not valid UTF-8 at line 2, column 16; save the file as UTF-8"


CASES: dict[str, Case] = {
    "alias_bomb": alias_bomb,
    "deep_flow_config": deep_flow_config,
    "deep_block_environment": deep_block_environment,
    "large_config": large_config,
    "bad_utf8_config": bad_utf8_config,
    "control_character_config": control_character_config,
    "many_wrong_values_config": many_wrong_values_config,
    "many_wrong_values_environment": many_wrong_values_environment,
    "many_wrong_documents_config": many_wrong_documents_config,
    "deep_plan": deep_plan,
    "large_plan": large_plan,
    "plan_is_a_directory": plan_is_a_directory,
    "bad_utf8_plan": bad_utf8_plan,
}
MESSAGES = {
    "many_wrong_values_config": f"more than {MAX_EXPLAINED_VALUES:,} values",
    "many_wrong_values_environment": f"more than {MAX_EXPLAINED_VALUES:,} values",
    "alias_bomb": f"YAML aliases repeat more than {MAX_ALIASED_VALUES:,} values in this file",
    "deep_flow_config": f"YAML nested deeper than {MAX_DEPTH} levels",
    "deep_block_environment": f"YAML nested deeper than {MAX_DEPTH} levels",
}


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_input_is_a_clear_error(
    config_dir: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    args, expected = CASES[case](config_dir)
    result: Result = run_cli(config_dir, capsys, *args)  # a traceback fails here
    assert result.code == 1, result.out + result.err
    assert expected in result.err, result.err
    assert MESSAGES.get(case, "") in result.err
    assert "fix:" in result.err or "; " in result.err  # the fix: a hint line, or after the reason
    assert "CLOUDINARY_URL" not in result.err  # refused before credentials were looked for


def _limit_memory() -> None:
    # address space, not resident memory: a bomb that expands is stopped by the allocator
    one_gib = 1 << 30
    resource.setrlimit(resource.RLIMIT_AS, (2 * one_gib, 2 * one_gib))


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_input_is_refused_quickly_in_bounded_memory(config_dir: Path, case: str) -> None:
    """The issue's "under a second": the subprocess's timeout bounds the whole run, start-up of
    the interpreter included, generously (a loaded CI machine); the old bomb took 16 s."""
    args, _ = CASES[case](config_dir)
    command = [sys.executable, "-m", "cloudinary_state", "--config-dir", str(config_dir), *args]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=10, preexec_fn=_limit_memory, check=False
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_an_include_glob_through_a_symlink_loop_reads_each_directory_once(config_dir: Path) -> None:
    """`**` follows symlinked directories (a shared folder linked in is included), but a link
    back up (`a -> .`, twice: 2**40 paths before the system's ELOOP) walked forever: each real
    directory is walked once now, and each file read once."""
    common = config_dir / "environments" / "common"
    (common / "a").symlink_to(".")
    (common / "b").symlink_to(".")
    staging = config_dir / ENV
    staging.write_text(staging.read_text().replace("include: [common/*.yaml]", "include: [common/**/*.yaml]"))
    command = [sys.executable, "-m", "cloudinary_state", "--config-dir", str(config_dir), *VALIDATE]
    done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    assert done.returncode == 0, done.stderr
    assert "staging: ok (12 objects)" in done.stdout  # as without the links: no file twice


def test_a_standard_output_that_cannot_be_written_is_a_clear_error(config_dir: Path) -> None:
    """`> /dev/full` (a full disk): the output is lost, the run says so and exits 1, with no
    traceback and no complaint of the interpreter's own at exit."""
    command = [sys.executable, "-m", "cloudinary_state", "--config-dir", str(config_dir), "validate", "--all"]
    with open("/dev/full", "w") as full:
        done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, timeout=10)
    assert done.returncode == 1
    assert done.stderr == "error: cannot write the output: No space left on device\n", done.stderr

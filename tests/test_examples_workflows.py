"""The CI recipes in examples/ and the examples of the docs must only use commands and flags
the CLI really has.

Every `run:` script of every example workflow (and the pre-commit hook's `entry`) is parsed
with PyYAML and shlex, and so is every shell example of README.md and docs/*.md; each
`cloudinary-state` invocation is checked against the CLI's own `--help` output, run as a
subprocess exactly as CI would run it.
"""

from __future__ import annotations

import functools
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / "examples" / "github-actions").glob("*.yml"))
PRE_COMMIT = ROOT / ".pre-commit-hooks.yaml"
PROGRAM = "cloudinary-state"
SHELL_KEYWORDS = {"then", "do", "else", "elif", "if", "while", "until", "!", "exec", "time"}
SHELL_SEPARATORS = {"|", "||", "&&", ";", "&", ">", ">>", "<", "2>", "(", ")", "`"}


@dataclass(frozen=True)
class Invocation:
    source: str
    global_options: tuple[str, ...]
    command: tuple[str, ...]  # ("plan",) or ("emulator", "serve")
    arguments: tuple[str, ...]  # everything after the command, up to a shell separator


@functools.cache
def help_text(*command: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "cloudinary_state", *command, "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, f"`{PROGRAM} {' '.join(command)} --help` failed:\n{result.stderr}"
    return result.stdout


def commands_of(*group: str) -> set[str]:
    """Command names listed under "Commands:" in a group's help."""
    text = help_text(*group)
    if "Commands:" not in text:
        return set()
    listing = text.split("Commands:", 1)[1]
    return {m.group(1) for m in re.finditer(r"^  (\S+)", listing, re.MULTILINE)}


def option_choices(help_output: str) -> dict[str, tuple[list[str], list[str] | None]]:
    """Each option line of a help page: its spellings and, for a Choice, its allowed values."""
    options: dict[str, tuple[list[str], list[str] | None]] = {}
    for line in help_output.splitlines():
        match = re.match(r"^\s+((?:-{1,2}[\w-]+(?:, )?)+)\s*(\[[^\]]*\])?", line)
        if not match:
            continue
        spellings = [s.strip() for s in match.group(1).split(",")]
        bracket = match.group(2)
        choices = bracket[1:-1].split("|") if bracket and "|" in bracket else None
        for spelling in spellings:
            options[spelling] = (spellings, choices)
    return options


def shell_scripts() -> Iterator[tuple[str, str]]:
    """(where, script) for every `run:` step of every example workflow and the hook entries."""
    for path in WORKFLOWS:
        document: dict[Any, Any] = yaml.safe_load(path.read_text())
        for job_name, job in document["jobs"].items():
            for index, step in enumerate(job.get("steps", [])):
                if "run" in step:
                    yield f"{path.name}:{job_name}:step {index + 1}", step["run"]
    for hook in yaml.safe_load(PRE_COMMIT.read_text()):
        yield f"{PRE_COMMIT.name}:{hook['id']}", hook["entry"]


def _at_command_position(before: list[str]) -> bool:
    """Whether the next word is run as a command (not an argument of another one)."""
    for word in reversed(before):
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", word):
            continue  # `VAR=value cloudinary-state ...`
        return word in SHELL_SEPARATORS or word in SHELL_KEYWORDS or set(word) <= set("|&;<>()")
    return True


def invocations(where: str, script: str) -> Iterator[Invocation]:
    joined = script.replace("\\\n", " ")
    top_level = commands_of()
    for line in joined.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
        for start, token in enumerate(tokens):
            if token != PROGRAM or not _at_command_position(tokens[:start]):
                continue  # e.g. the package name in `pip install cloudinary-state`
            rest: list[str] = []
            for t in tokens[start + 1 :]:
                if t in SHELL_SEPARATORS or set(t) <= set("|&;<>()"):
                    break
                rest.append(t)
            positions = [i for i, t in enumerate(rest) if t in top_level]
            assert positions, f"{where}: `{PROGRAM}` without a known command: {rest}"
            at = positions[0]
            command = [rest[at]]
            subcommands = commands_of(rest[at])
            if subcommands and at + 1 < len(rest) and rest[at + 1] in subcommands:
                command.append(rest[at + 1])
            yield Invocation(where, tuple(rest[:at]), tuple(command), tuple(rest[at + len(command) :]))


ALL_INVOCATIONS = [inv for where, script in shell_scripts() for inv in invocations(where, script)]


def check_options(words: tuple[str, ...], help_output: str, what: str) -> None:
    known = option_choices(help_output)
    for index, word in enumerate(words):
        if not word.startswith("-") or word == "-":
            continue
        name, _, inline_value = word.partition("=")
        assert name in known, f"{what}: `{name}` is not an option (see `--help`)"
        _, choices = known[name]
        if choices is not None:
            value = inline_value or (words[index + 1] if index + 1 < len(words) else "")
            if not value.startswith("$"):  # a shell variable is checked where it is set
                assert value in choices, f"{what}: `{name} {value}` is not one of {choices}"


def test_every_workflow_and_the_hook_run_the_tool() -> None:
    sources = {inv.source.split(":")[0] for inv in ALL_INVOCATIONS}
    assert {p.name for p in WORKFLOWS} | {PRE_COMMIT.name} == sources
    assert {"plan-on-pr.yml", "apply-on-merge.yml", "nightly-drift.yml"} <= {p.name for p in WORKFLOWS}


@pytest.mark.parametrize("invocation", ALL_INVOCATIONS, ids=lambda i: f"{i.source}:{'-'.join(i.command)}")
def test_commands_and_flags_exist(invocation: Invocation) -> None:
    what = f"{invocation.source}: {PROGRAM} {' '.join(invocation.command)}"
    check_options(invocation.global_options, help_text(), what)
    check_options(invocation.arguments, help_text(*invocation.command), what)


def _uses(path: str) -> list[str]:
    invs = [i for i in ALL_INVOCATIONS if i.source.startswith(path)]
    return [" ".join(i.command + i.arguments) for i in invs]


def test_plan_on_pr_saves_the_plan_and_posts_markdown_under_a_marker() -> None:
    document = yaml.safe_load((ROOT / "examples/github-actions/plan-on-pr.yml").read_text())
    text = (ROOT / "examples/github-actions/plan-on-pr.yml").read_text()
    plans = [u for u in _uses("plan-on-pr.yml") if u.startswith("plan ")]
    assert any("--format markdown" in u and "--out plan.json" in u for u in plans)
    assert any(u.startswith("validate") and "--all" in u for u in _uses("plan-on-pr.yml"))
    steps = document["jobs"]["plan"]["steps"]
    upload = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert upload and upload[0]["with"]["path"] == "plan.json"
    script = next(s["with"]["script"] for s in steps if "github-script" in str(s.get("uses", "")))
    assert "updateComment" in script and "COMMENT_MARKER" in script
    assert "<!-- cloudinary-state-plan" in text


def test_apply_on_merge_applies_the_downloaded_plan_and_reports_staleness() -> None:
    document = yaml.safe_load((ROOT / "examples/github-actions/apply-on-merge.yml").read_text())
    steps = document["jobs"]["apply"]["steps"]
    assert any(str(s.get("uses", "")).startswith("actions/download-artifact") for s in steps)
    applies = [u for u in _uses("apply-on-merge.yml") if u.startswith("apply ")]
    assert applies and all(u.endswith(" plan.json") for u in applies)
    apply_script = next(s["run"] for s in steps if "cloudinary-state apply" in s.get("run", ""))
    assert '"$code" -eq 3' in apply_script


def test_nightly_drift_publishes_junit_and_handles_exit_code_2() -> None:
    document = yaml.safe_load((ROOT / "examples/github-actions/nightly-drift.yml").read_text())
    assert "schedule" in document[True]  # PyYAML reads the bare key `on` as the boolean True
    drifts = [u for u in _uses("nightly-drift.yml") if u.startswith("drift ")]
    assert any("--format junit" in u for u in drifts)
    steps = document["jobs"]["drift"]["steps"]
    drift_script = next(s["run"] for s in steps if s.get("id") == "drift")
    assert re.search(r"^\s*2\)", drift_script, re.MULTILINE)
    script = next(s["with"]["script"] for s in steps if "github-script" in str(s.get("uses", "")))
    assert "issues.create" in script and "issues.update" in script


def test_the_checker_rejects_an_unknown_flag() -> None:
    [bad] = list(invocations("example", "cloudinary-state drift --env x --colour"))
    with pytest.raises(AssertionError, match="--colour"):
        check_options(bad.arguments, help_text(*bad.command), "example")
    [bad_choice] = list(invocations("example", "cloudinary-state plan --env x --format yaml"))
    with pytest.raises(AssertionError, match="yaml"):
        check_options(bad_choice.arguments, help_text(*bad_choice.command), "example")


README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
SHELL_FENCES = {"bash", "sh", "shell", "console"}


def _command_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(line number, line) of the shell lines of a Markdown file: indented code blocks, and
    fenced bash/sh/shell blocks; in a `console` block only the `$ ` prompt lines."""
    fence: str | None = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = None if fence is not None else (stripped[3:].strip() or "text")
            continue
        if fence is None:
            if line.startswith("    "):
                yield number, line
        elif fence == "console":
            if stripped.startswith("$ "):
                yield number, stripped
        elif fence in SHELL_FENCES:
            yield number, line


def doc_examples(path: Path) -> Iterator[tuple[str, str]]:
    """(where, line) for every runnable `cloudinary-state` example in a Markdown file's code
    blocks; synopsis lines (with `[optional]` parts or `...`) are reference, not examples."""
    candidates = list(_command_lines(path.read_text().splitlines()))
    index = 0
    while index < len(candidates):
        start, line = candidates[index]
        while line.endswith("\\") and index + 1 < len(candidates):  # a shell line continuation
            index += 1
            line = line[:-1] + " " + candidates[index][1].strip()
        index += 1
        command = line.strip().removeprefix("$ ")
        command = re.sub(r"\s+#.*$", "", command)  # a trailing comment
        if PROGRAM not in command or "[" in command or "..." in command:
            continue
        yield f"{path.relative_to(ROOT)}:{start}", command


DOC_INVOCATIONS = [
    inv for path in DOCS for where, line in doc_examples(path) for inv in invocations(where, line)
]


def test_the_readme_shows_examples_of_every_command() -> None:
    shown = {inv.command[0] for inv in DOC_INVOCATIONS if inv.source.startswith("README.md:")}
    assert commands_of() - {"schema"} <= shown, commands_of() - shown


@pytest.mark.parametrize("invocation", DOC_INVOCATIONS, ids=lambda i: i.source)
def test_doc_examples_use_real_commands_and_flags(invocation: Invocation) -> None:
    what = f"{invocation.source}: {PROGRAM} {' '.join(invocation.command)}"
    check_options(invocation.global_options, help_text(), what)
    check_options(invocation.arguments, help_text(*invocation.command), what)


def _applies(path: Path) -> bool:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    return any(
        re.search(r"\bcloudinary-state\s+apply\b", str(step.get("run", "")))
        for job in workflow.get("jobs", {}).values()
        for step in job.get("steps", [])
    )


APPLYING = [p for p in WORKFLOWS if _applies(p)]


def test_some_workflow_applies() -> None:
    assert [p.name for p in APPLYING] == ["apply-on-merge.yml"]


@pytest.mark.parametrize("path", APPLYING, ids=lambda p: p.name)
def test_a_workflow_that_applies_runs_one_apply_at_a_time_per_environment(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    environment = workflow["env"]["ENVIRONMENT"]
    concurrency = workflow.get("concurrency")
    assert isinstance(concurrency, dict), f"{path.name}: no workflow-level concurrency group"
    assert environment in concurrency["group"], f"{path.name}: the group does not name {environment}"
    assert concurrency["cancel-in-progress"] is False, f"{path.name}: an apply must never be cancelled"

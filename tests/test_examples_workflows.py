"""The examples of the docs must only use commands and flags the CLI really has.

Every shell example of README.md and docs/*.md is parsed with shlex; each `cloudinary-state`
invocation is checked against the CLI's own `--help` output, run as a subprocess exactly as a
user would run it. (The workflows, the action and the pre-commit hook: test_ci_recipes.py.)
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

import pytest

ROOT = Path(__file__).resolve().parent.parent
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

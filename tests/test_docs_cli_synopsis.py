"""docs/cli.md describes the real CLI: each command's synopsis (the ```console block of its
section) names every option and argument the command declares, and so does its row in the
command table (except `emulator serve`'s, which ends in `...` and points to its section)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from cloudinary_state.cli import cli

CLI_DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((" ".join((*prefix, name)), command))
    return found


COMMANDS = _commands(cli)


def _declared(command: click.Command) -> list[str]:
    """The command's options (every spelling) and its arguments, as a synopsis writes them."""
    names: list[str] = []
    for param in command.params:
        if isinstance(param, click.Option):
            names += [o for o in (*param.opts, *param.secondary_opts) if o not in ("-h", "--help")]
        else:
            names.append(param.human_readable_name.upper())
    return names


def synopsis(text: str, name: str) -> str:
    """The ```console block that starts with `cloudinary-state [global options] NAME`."""
    start = rf"```console\ncloudinary-state (?:\[--config-dir DIR\] )?{re.escape(name)}\b"
    found = re.search(start + r"(.*?)```", text, re.DOTALL)
    assert found is not None, f"docs/cli.md has no synopsis of `{name}`"
    return found.group(1)


def table_row(text: str, name: str) -> str:
    found = re.search(r"^\| `" + re.escape(name) + r"\b(?:\\\||[^|])*", text, re.MULTILINE)
    assert found is not None, f"docs/cli.md's command table has no row for `{name}`"
    return found.group(0)


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_the_synopsis_names_every_option(name: str, command: click.Command) -> None:
    text = CLI_DOC.read_text(encoding="utf-8")
    written = synopsis(text, name)
    assert [o for o in _declared(command) if o not in written] == []
    row = table_row(text, name)
    if not row.rstrip().endswith("...`"):
        assert [o for o in _declared(command) if o not in row] == []


def test_a_missing_option_is_found() -> None:
    text = "```console\ncloudinary-state plan --env ENV [--out FILE]\n```\n"
    assert "--rehearse" not in synopsis(text, "plan")
    assert "--out" in synopsis(text, "plan")
    row = table_row("| `diff ENV_A ENV_B [--format text\\|json]` | compare |\n", "diff")
    assert "--format text\\|json]" in row

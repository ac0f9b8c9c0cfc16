"""The command line: parse options, call the facade (`cloudinary_state.runner`), render, exit.

Exit codes (DESIGN.md section 4; their table is in `errors.py`): 0 ok, 1 error, 2 changes or
drift, 3 refused by policy, 64 usage error (click's own 2 is remapped so that 2 keeps meaning
"changes pending"), 130 interrupted; `main` maps each way a run can end to its code. Results go
to stdout; the package logger's records (progress, events), to stderr. One module per group of
commands; each registers its commands on the group in `_shared`.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from cloudinary_state.cli import offline, plan_apply, reading  # noqa: F401  (they register commands)
from cloudinary_state.cli._shared import cli, echo_lines
from cloudinary_state.cli_emulator import emulator
from cloudinary_state.errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, CloudinaryStateError

__all__ = ["cli", "main"]

cli.add_command(emulator)


def _raised_by_echo(error: BaseException) -> bool:
    """Whether `error` comes from writing a stream (`click.echo` is how every command writes)."""
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return frame is not None and frame.tb_frame.f_code is click.utils.echo.__code__


def main(argv: list[str] | None = None) -> NoReturn:
    """Console entry point: run the CLI and exit with DESIGN.md's codes, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="cloudinary-state", standalone_mode=False)
    except click.exceptions.Exit as e:
        code = e.exit_code
    except click.UsageError as e:
        e.show()
        code = EXIT_USAGE
    except click.Abort as e:
        # click turns Ctrl-C into Abort (even outside standalone mode): that is an interrupt
        interrupted = isinstance(e.__context__, KeyboardInterrupt)
        click.echo("Interrupted." if interrupted else "Aborted.", err=True)
        code = EXIT_INTERRUPTED if interrupted else EXIT_ERROR
    except click.ClickException as e:
        e.show()
        code = EXIT_ERROR
    except CloudinaryStateError as e:  # each carries its code
        from cloudinary_state.render.lines import error_lines

        echo_lines(error_lines(e))
        code = e.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        code = EXIT_INTERRUPTED
    except OSError as e:  # no layer turned it into a message: the output itself failed, mostly
        from cloudinary_state.render.console import report_os_error

        report_os_error(e, writing_output=_raised_by_echo(e))
        code = EXIT_ERROR
    sys.exit(code if isinstance(code, int) else EXIT_OK)

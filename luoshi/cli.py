"""The ``luoshi`` command.

Subcommands live in ``luoshi/commands/*`` and are imported only when invoked, so that
``luoshi extract`` never loads the web or database stack (start-up time is part of issue 2).
Every ``LuoshiError`` becomes one line on stderr and its exit code, and so does a write that collided
with a parallel one (exit 2); nothing else should escape.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from luoshi.errors import LuoshiError as LuoshiErrorType

# command name → "module:attribute" of a click command
COMMANDS: dict[str, str] = {
    "db": "luoshi.commands.db:db",
    "ledger": "luoshi.commands.ledger:ledger",
    "import": "luoshi.commands.importing:import_cmd",
    "history": "luoshi.commands.history:history",
    "backup": "luoshi.commands.backup:backup",
    "restore": "luoshi.commands.backup:restore",
    "serve": "luoshi.commands.serve:serve",
    "user": "luoshi.commands.user:user",
    "demo": "luoshi.commands.demo:demo",
    "corpus": "luoshi.commands.corpus:corpus",
    "compare": "luoshi.commands.compare:compare",
    "scorecard": "luoshi.commands.scorecard:scorecard",
    "extract": "luoshi.commands.extract:extract",
    "export": "luoshi.commands.export:export",
    "import-xlsx": "luoshi.commands.xlsx_import:import_xlsx",
    "docs": "luoshi.commands.docs:docs",
    "notify": "luoshi.commands.notify:notify",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="luoshi")
def cli() -> None:
    """luoshi（落实）：把政府工作报告变成可督办的任务台账。"""


def main(argv: list[str] | None = None) -> None:
    from luoshi.errors import CLI, LuoshiError

    try:
        # standalone_mode=False hands back the command's return value (or ctx.exit's code)
        rv = cli.main(args=argv, prog_name="luoshi", standalone_mode=False)
    except LuoshiError as exc:
        click.echo(f"luoshi: {exc.said_for(CLI)}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("luoshi: aborted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        # one line, like every other error: what is wrong and where to look
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        click.echo(f"luoshi: {exc.format_message()}{hint}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"luoshi: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        conflict = _conflict(exc)
        if conflict is None:
            raise
        click.echo(f"luoshi: {conflict.message}", err=True)
        sys.exit(conflict.exit_code)
    sys.exit(rv if isinstance(rv, int) else 0)


def _conflict(exc: Exception) -> LuoshiErrorType | None:
    """A write that collided with a parallel one (another ``luoshi`` process, the web app), as the
    ledger words it; loaded only when something failed, so ``luoshi extract`` never imports the
    database stack."""
    if "sqlalchemy" not in sys.modules:
        return None
    from luoshi.ledger.conflicts import as_conflict

    return as_conflict(exc)
